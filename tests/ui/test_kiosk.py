"""The patient kiosk under Pilot: no key or signal takes a patient out, the idle warning and the
wipe, the crisis hold (and the idle reset leaving it alone), the staff PIN and its lockout, and
sending the answers into the clinician's queue. Every test uses a real store in ``tmp_path``."""

from __future__ import annotations

import os
import re
import signal

import pytest
from textual.widgets import Input, TextArea

from ketatui.kiosk.identity import kiosk_state
from ketatui.kiosk.setup import kiosk_folder
from ketatui.kiosk.log import KioskLog
from ketatui.screens.kiosk_app import REFUSED_KEYS
from ketatui.screens.kiosk_crisis import KioskCrisisHold
from ketatui.screens.kiosk_idle import KioskIdleWarning
from ketatui.screens.kiosk_staff import StaffMenu, StaffPinDialog
from ketatui.screens.kiosk_welcome import KioskWelcome
from ketatui.screens.medical_history import MedicalHistoryStep
from ketatui.screens.widgets import field_id

from kiosk_host import PIN, CONTACT, hashed_pin, kiosk_settings, make_kiosk, page, ready, to_page, to_questions  # noqa: F401

NAME = "medical_history.demographics.full_name"


def said(d) -> str:
    """The screen's words as one line: boxes, borders and line breaks taken out."""
    return " ".join(d.text().translate(str.maketrans("", "", "│╭╮╰╯─┃━┏┓┗┛▌▐")).split())


def typed_name(d) -> str:
    return d.app.screen.query_one(f"#{field_id(NAME)} Input", Input).value


def log_actions(settings) -> list[str]:
    return [entry["action"] for entry in KioskLog(kiosk_folder(settings) / "kiosk.log", "").entries()]


async def expire(d, *, warn_only: bool = False) -> None:
    """As if nobody had pressed a key for the idle timeout (and the warning, unless ``warn_only``)."""
    clock = d.app.idle
    clock.last_input -= clock.timeout + (0.5 if warn_only else clock.warning + 1)
    await d.pilot.pause(0.4)


async def staff(d, pin: str = PIN) -> None:
    await d.keys("ctrl+k")
    await d.until(lambda: isinstance(d.app.screen, StaffPinDialog), "the PIN dialog")
    await d.type(pin)
    await d.keys("enter")


async def test_no_escape_key_leaves_or_changes_the_page(make_kiosk, driver_for) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        await d.type("Sam")
        step = app.screen
        for key in REFUSED_KEYS:
            await d.keys(key)
            assert app.is_running and app.return_code is None, f"{key} ended the kiosk"
            assert app.screen is step, f"{key} left the page for {app.screen}"
        assert typed_name(d) == "Sam"
        assert not app.ENABLE_COMMAND_PALETTE and "Commands" not in d.text()


async def test_escape_keys_on_the_welcome_do_nothing_either(make_kiosk, driver_for) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await ready(d)
        for key in REFUSED_KEYS:
            await d.keys(key)
        assert app.is_running and isinstance(app.screen, KioskWelcome)
        assert "Press Enter to begin." in d.text()


async def test_interrupt_quit_and_suspend_signals_are_ignored(make_kiosk, driver_for) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
            # Were it not ignored, SIGTSTP would stop this very test process: check before sending.
            assert signal.getsignal(sig) == signal.SIG_IGN, f"{sig.name} is not ignored"
            os.kill(os.getpid(), sig)
            await pilot.pause(0.05)
            assert app.is_running and isinstance(app.screen, MedicalHistoryStep)
    assert signal.getsignal(signal.SIGINT) != signal.SIG_IGN, "the handlers are put back when the kiosk stops"


async def test_the_idle_warning_counts_down_and_any_key_continues(make_kiosk, driver_for) -> None:
    app = make_kiosk(kiosk_idle_timeout=60, kiosk_idle_warning=30)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        await d.type("Sam")
        await expire(d, warn_only=True)
        await d.until(lambda: isinstance(app.screen, KioskIdleWarning) and "Are you still there?" in d.text(), "the warning")
        assert "this screen will clear in 30 seconds" in said(d)
        app.idle.last_input -= 10
        await pilot.pause(0.4)
        assert re.search(r"clear in (19|20) seconds", said(d))
        await d.keys("x")  # only closes the warning: it is not typed into the answer underneath
        assert isinstance(app.screen, MedicalHistoryStep) and typed_name(d) == "Sam"
        await pilot.pause(0.5)
        assert not isinstance(app.screen, KioskIdleWarning), "the clock started again from the key"


async def test_a_repaint_does_not_count_as_someone_being_there(make_kiosk, driver_for) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        before = app.idle.last_input
        for _ in range(5):
            app.screen.refresh(repaint=True, layout=True)
            await pilot.pause(0.05)
        assert app.idle.last_input == before


@pytest.mark.parametrize("keep", ["keep", "discard"])
async def test_at_zero_everything_is_wiped_and_the_welcome_returns(make_kiosk, driver_for, repository, kiosk_settings, keep) -> None:
    app = make_kiosk(kiosk_unfinished=keep)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        await d.answer("Sam Rivera")
        await d.type("1985-0")
        step = app.screen
        await expire(d)
        await d.until(lambda: isinstance(app.screen, KioskWelcome), "the welcome")
        assert app.session is None and len(app.screen_stack) == 1
        assert not step.is_attached, "the page with the answers is gone, not hidden"
        for screen in app.screen_stack:
            assert all(not w.value for w in screen.query(Input)) and all(not w.text for w in screen.query(TextArea))
        assert "Sam" not in d.text() and "Press Enter to begin." in d.text()
        # The next person starts from nothing.
        await to_questions(d)
        assert typed_name(d) == ""
    rows = repository.list()
    if keep == "keep":
        assert [(r.full_name, r.status, kiosk_state(r.status, r.updated_by)) for r in rows] == [
            ("Sam Rivera", "draft", "left at kiosk (unfinished)")]
        assert repository.get(rows[0].record_id, user="dr.lee")["form_state"]["medical_history"]["values"][
            "medical_history.demographics.date_of_birth"] == "1985-0"
    else:
        assert rows == []
    assert "cleared after no input" in log_actions(kiosk_settings)


async def test_item_9_holds_the_kiosk_at_once_and_stores_it_urgent(make_kiosk, driver_for, repository, kiosk_settings) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        await to_page(d, "phq9")
        await d.keys(*"00000000")  # questions 1 to 8, then question 9: "Several days"
        assert not isinstance(app.screen, KioskCrisisHold)
        await d.keys("1")
        await d.until(lambda: isinstance(app.screen, KioskCrisisHold) and "staff" in d.text(), "the crisis hold")
        text = said(d)
        assert "Please tell a member of staff now" in text and "someone is coming" in text
        assert f"Our staff: {CONTACT}" in text and "988" in text
        await d.until(lambda: [r.full_name for r in repository.list(urgent=True)] == ["Sam Rivera"], "the urgent record", timeout=2)
        row = repository.list()[0]
        assert row.urgent and row.status == "draft"  # stored urgent before the questionnaire was finished
        # Nothing a patient presses, and no amount of waiting, takes the hold away.
        await d.keys("enter", "escape", "f3", "f2", "ctrl+c", "y", "space")
        await expire(d)
        await pilot.pause(0.5)
        assert isinstance(app.screen, KioskCrisisHold) and app.session is not None
        # Staff end it with the PIN, and the person carries on where they were.
        await staff(d)
        await d.until(lambda: isinstance(app.screen, StaffMenu), "the staff menu")
        await d.keys("1")
        await d.until(lambda: isinstance(app.screen, MedicalHistoryStep), "the questions again")
        assert page(d) == "phq9"
    actions = log_actions(kiosk_settings)
    assert actions.index("crisis hold") < actions.index("staff PIN accepted") < actions.index("crisis hold ended by staff")


async def test_a_yes_on_the_asq_holds_the_kiosk(make_kiosk, driver_for, repository) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        await to_page(d, "phq9")
        await d.keys(*"000000000", "0")
        await d.next()
        await d.until(lambda: page(d) == "gad7", "the GAD-7 page")
        await d.next()
        await d.until(lambda: page(d) == "asq" and app.focused is not None, "the ASQ page")
        assert "A few more questions about how you feel" in d.text()
        await d.keys("n", "y")
        await d.until(lambda: isinstance(app.screen, KioskCrisisHold), "the crisis hold")
        await d.until(lambda: any(r.urgent for r in repository.list()), "the urgent record", timeout=2)


async def test_the_staff_pin_locks_after_five_wrong_tries_and_stays_locked_after_a_restart(make_kiosk, driver_for, kiosk_settings) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await ready(d)
        await d.keys("ctrl+k")
        await d.until(lambda: isinstance(app.screen, StaffPinDialog), "the PIN dialog")
        for left in (4, 3, 2, 1):
            await d.type("111111")
            await d.keys("enter")
            assert f"That PIN is not right. {left} {'try' if left == 1 else 'tries'} left" in d.text()
        await d.type("111111")
        await d.keys("enter")
        assert "Too many wrong PINs. The PIN is locked until" in d.text()
        await d.type(PIN)  # the right PIN, but locked
        await d.keys("enter")
        assert isinstance(app.screen, StaffPinDialog) and "locked until" in d.text()
        assert PIN not in d.text(), "the PIN is never shown as it is typed"
        await d.keys("enter")  # nothing typed: back
        assert isinstance(app.screen, KioskWelcome)
    again = make_kiosk()
    async with again.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await ready(d)
        await staff(d)
        assert isinstance(again.screen, StaffPinDialog) and "locked until" in d.text()
    actions = log_actions(kiosk_settings)
    assert actions.count("staff PIN wrong") == 4 and actions.count("staff PIN locked") == 3
    assert all(PIN not in line and "111111" not in line for line in (kiosk_folder(kiosk_settings) / "kiosk.log").read_text().splitlines())


async def test_staff_close_the_kiosk_with_the_pin_and_it_is_logged(make_kiosk, driver_for, kiosk_settings) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await ready(d)
        await staff(d)
        await d.until(lambda: isinstance(app.screen, StaffMenu), "the staff menu")
        assert "Close the kiosk" in d.text()
        await d.keys("3")
        await pilot.pause(0.2)
    assert app.return_code == 0
    assert log_actions(kiosk_settings)[-3:] == ["staff PIN accepted", "closed by staff", "kiosk stopped"]


async def test_the_kiosk_does_not_start_without_a_staff_pin(make_kiosk, driver_for) -> None:
    app = make_kiosk(kiosk_staff_pin=None)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: "not ready" in d.text(), "the not-ready message")
        assert "ketatui kiosk --hash-pin" in said(d)
        await d.keys("enter")
        assert isinstance(app.screen, KioskWelcome)


async def test_sending_puts_the_intake_in_the_clinicians_queue_as_submitted_from_kiosk(make_kiosk, driver_for, repository, kiosk_settings) -> None:
    from ketatui.screens.kiosk_send import KioskDone, KioskSend

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        await to_page(d, "phq9")
        await d.keys(*"000000000", "0")
        await d.next()
        await d.until(lambda: page(d) == "gad7", "the GAD-7 page")
        await d.next()
        await d.until(lambda: page(d) == "asq" and app.focused is not None, "the ASQ page")
        await d.keys(*"nnnn")
        await d.next()
        await d.until(lambda: app.step is not None and app.step.step_id == "medications" and app.focused is not None, "the medicines")
        assert "Part 2 of 3: Your medicines" in d.text()
        await d.type("sertraline")
        await d.next()
        await d.until(lambda: app.step is not None and app.step.step_id == "goals_support" and app.focused is not None, "goals and support")
        assert "Part 3 of 3: Your goals and support" in d.text()
        await d.next()
        assert any("Not answered: Will someone take you home after every session?" in n.message for n in d.app._notifications), (
            "the escort question is asked, never taken as no")
        assert d.focused_path == "goals_support.escort_every_session"
        await d.keys("n")
        await d.next()
        await d.until(lambda: isinstance(app.screen, KioskSend), "the send page")
        await d.keys("enter")
        await d.until(lambda: isinstance(app.screen, KioskDone) and "What happens next" in d.text(), "what happens next")
        assert app.session is None
        await d.keys("enter")
        await d.until(lambda: isinstance(app.screen, KioskWelcome), "the welcome for the next person")
    [row] = repository.list(status="submitted")
    assert (row.full_name, kiosk_state(row.status, row.updated_by), row.urgent) == ("Sam Rivera", "submitted from kiosk", False)
    doc = repository.get(row.record_id, user="dr.lee")
    assert doc["medical_history"] is None, "the clinician completes the blood pressure and the diagnosis"
    assert doc["current_step"] == "medical_history", "the clinician opens it where their questions are"
    assert doc["form_state"]["medications"] and doc["phq9"]["answers"] == [0] * 9
    assert "submitted" in log_actions(kiosk_settings)


async def test_a_staff_dialog_left_open_over_answers_is_cleared_too(make_kiosk, driver_for) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await to_questions(d)
        await d.type("Sam")
        await d.keys("ctrl+k")
        await d.until(lambda: isinstance(app.screen, StaffPinDialog), "the PIN dialog")
        await expire(d)
        await d.until(lambda: isinstance(app.screen, KioskWelcome), "the welcome")
        assert app.session is None and "Sam" not in d.text()


async def test_the_pages_about_the_treatment_go_back_to_the_welcome_without_a_warning(make_kiosk, driver_for) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await ready(d)
        await d.keys("enter", "enter")
        await d.until(lambda: "(2 of 6)" in d.text(), "the second page")
        await expire(d, warn_only=True)
        await d.until(lambda: isinstance(app.screen, KioskWelcome), "the welcome")
