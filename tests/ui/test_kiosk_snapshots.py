"""Pictures of every screen of the patient kiosk at 80x24, in the default and the high-contrast
theme: the welcome (ready, and not ready), a page about the treatment, question pages, the
blood-pressure page, the medicines and the goals in a patient's words, the idle warning, the crisis hold, the staff PIN and
menu, the send page and what happens next. Regenerate with ``--snapshot-update`` after a change
to the look, and look at the pictures before committing them."""

from __future__ import annotations

import pytest

from ketatui.screens.kiosk_crisis import KioskCrisisHold
from ketatui.screens.kiosk_idle import KioskIdleWarning
from ketatui.screens.kiosk_send import KioskDone, KioskSend
from ketatui.screens.kiosk_staff import StaffMenu, StaffPinDialog
from ketatui.screens.medical_history import MedicalHistoryStep

from kiosk_host import PIN, hashed_pin, kiosk_settings, make_kiosk, page, to_page  # noqa: F401

THEMES = ["default", "high-contrast"]


async def until(pilot, check) -> None:
    for _ in range(500):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got ready")


def at(settle, *, about_pages: int = 0, questions: str | None = None, then=None):
    """run_before: the welcome, ``about_pages`` pages on, or a question page, then ``then``."""

    async def run(pilot) -> None:
        app = pilot.app
        app.animation_level = "none"
        await until(pilot, lambda: app.ready)
        app.idle_timer.pause()  # the pictures must not depend on how long they took
        if about_pages or questions:
            await pilot.press("enter", *["enter"] * (about_pages - 1 if about_pages else 6))
        if questions:
            from conftest import Driver

            d = Driver(pilot)
            await until(pilot, lambda: isinstance(app.screen, MedicalHistoryStep) and app.focused is not None)
            await to_page(d, questions)
        if then is not None:
            await then(pilot)
        await settle(pilot)

    return run


@pytest.mark.parametrize("theme", THEMES)
def test_welcome(snap_compare, make_kiosk, settle, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle))


@pytest.mark.parametrize("theme", THEMES)
def test_welcome_not_ready(snap_compare, make_kiosk, settle, theme) -> None:
    async def run(pilot) -> None:
        def said() -> str:
            status = pilot.app.screen.query("#welcome-status")
            return str(status.first().render()) if status else ""

        await until(pilot, lambda: "not ready" in said())
        await settle(pilot)

    assert snap_compare(make_kiosk(theme=theme, kiosk_staff_pin=None), terminal_size=(80, 24), run_before=run)


@pytest.mark.parametrize("theme", THEMES)
def test_about_the_treatment(snap_compare, make_kiosk, settle, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, about_pages=3))


@pytest.mark.parametrize("theme", THEMES)
def test_questions_about_you(snap_compare, make_kiosk, settle, fixed_clock, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, questions="about"))


@pytest.mark.parametrize("theme", THEMES)
def test_blood_pressure_is_for_the_nurse(snap_compare, make_kiosk, settle, fixed_clock, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, questions="vitals"))


@pytest.mark.parametrize("theme", THEMES)
def test_questions_your_depression(snap_compare, make_kiosk, settle, fixed_clock, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, questions="depression"))


async def _step(pilot, step_id: str) -> None:
    app = pilot.app
    await app.show_step(step_id)
    await until(pilot, lambda: app.step is not None and app.step.step_id == step_id and app.focused is not None)


async def _medicines(pilot) -> None:
    await _step(pilot, "medications")


async def _goals(pilot) -> None:
    await _step(pilot, "goals_support")


@pytest.mark.parametrize("theme", THEMES)
def test_your_medicines(snap_compare, make_kiosk, settle, fixed_clock, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, questions="about", then=_medicines))


@pytest.mark.parametrize("theme", THEMES)
def test_your_goals_and_support(snap_compare, make_kiosk, settle, fixed_clock, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, questions="about", then=_goals))


async def _idle_warning(pilot) -> None:
    app = pilot.app
    await pilot.press(*"Sam")
    app.push_screen(KioskIdleWarning(30))
    await until(pilot, lambda: isinstance(app.screen, KioskIdleWarning))


@pytest.mark.parametrize("theme", THEMES)
def test_idle_warning(snap_compare, make_kiosk, settle, fixed_clock, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, questions="about", then=_idle_warning))


async def _crisis(pilot) -> None:
    await pilot.press(*"000000001")
    await until(pilot, lambda: isinstance(pilot.app.screen, KioskCrisisHold))


@pytest.mark.parametrize("theme", THEMES)
def test_crisis_hold(snap_compare, make_kiosk, settle, fixed_clock, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, questions="phq9", then=_crisis))


async def _pin(pilot) -> None:
    await pilot.press("ctrl+k")
    await until(pilot, lambda: isinstance(pilot.app.screen, StaffPinDialog))
    await pilot.press(*"1234")


@pytest.mark.parametrize("theme", THEMES)
def test_staff_pin(snap_compare, make_kiosk, settle, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, then=_pin))


async def _menu(pilot) -> None:
    await pilot.press("ctrl+k")
    await until(pilot, lambda: isinstance(pilot.app.screen, StaffPinDialog))
    await pilot.press(*PIN, "enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, StaffMenu))


@pytest.mark.parametrize("theme", THEMES)
def test_staff_menu(snap_compare, make_kiosk, settle, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, then=_menu))


async def _send(pilot) -> None:
    await pilot.app.push_screen(KioskSend())


async def _done(pilot) -> None:
    await pilot.app.push_screen(KioskDone())


@pytest.mark.parametrize("theme", THEMES)
def test_send(snap_compare, make_kiosk, settle, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, then=_send))


@pytest.mark.parametrize("theme", THEMES)
def test_what_happens_next(snap_compare, make_kiosk, settle, theme) -> None:
    assert snap_compare(make_kiosk(theme=theme), terminal_size=(80, 24), run_before=at(settle, then=_done))
