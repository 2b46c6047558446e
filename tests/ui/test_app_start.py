"""The start screen (new, resume, quit), the too-small message, themes and NO_COLOR."""

from __future__ import annotations

import uuid

from ketatui.screens.clinician_app import THEMES
from ketatui.screens.start import StartScreen
from ketatui.screens.too_small import TooSmallScreen


def draft(make_intake, name: str, step: str, **changes) -> dict:
    intake = make_intake({"medical_history.demographics.full_name": name})
    intake.record_id = str(uuid.uuid4())
    intake.status = "draft"
    intake.current_step = step
    for key, value in changes.items():
        setattr(intake, key, value)
    return intake.model_dump(mode="json")


async def test_drafts_are_listed_with_where_they_stopped_and_a_number_opens_one(make_app, driver_for, repository, make_intake) -> None:
    repository.create(draft(make_intake, "Jo Park", "side_effects"), user="dr.kim")
    repository.create(draft(make_intake, "Alex Moreno", "medications"), user="dr.lee")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: isinstance(app.screen, StartScreen) and app.screen.drafts, "the drafts")
        text = d.text()
        assert "1  Alex Moreno · Current medications · " in text and " · dr.lee" in text, "newest first"
        assert "2  Jo Park · Side-effect discussion · " in text and " · dr.kim" in text
        assert "Signed in as dr.lee." in text
        await d.keys("2")
        await d.until(lambda: app.step is not None, "the draft to open")
        assert app.step.step_id == "side_effects"
        assert app.intake.medical_history.demographics.full_name == "Jo Park"
        assert "Step 3 of 5: Side-effect discussion" in d.text()


async def test_an_urgent_draft_says_so_in_words(make_app, driver_for, repository, make_intake) -> None:
    urgent = make_intake({"asq.wished_dead": True, "asq.thoughts_right_now": False})
    from ketatui.clinical.plan import make_plan
    from ketatui.clinical.protocol import default_protocol

    urgent.plan = make_plan(urgent, default_protocol()).model_dump(mode="json")
    urgent.status = "draft"
    repository.create(urgent.model_dump(mode="json"), user="dr.lee")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: isinstance(app.screen, StartScreen) and app.screen.drafts, "the drafts")
        assert "1  !! URGENT  Jordan Ellis" in d.text()


async def test_no_drafts_new_intake_and_quit(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: app.repository is not None, "the store")
        assert "No drafts: press N to start a new intake." in d.text()
        await d.keys("q")
    assert app.return_code == 0


async def test_a_store_that_cannot_be_opened_is_explained(tmp_path, monkeypatch, driver_for) -> None:
    from ketatui.screens.clinician_app import ClinicianApp

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("KETATUI_KEY_FILE", str(tmp_path / "key"))
    app = ClinicianApp(data_dir=blocker)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: "Drafts cannot be listed:" in d.text(), "the storage message")
        assert "Traceback" not in d.text()


async def test_below_80x24_asks_for_a_bigger_terminal_then_comes_back(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(79, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: isinstance(app.screen, TooSmallScreen), "the too-small message")
        assert "Please enlarge the terminal to at least 80 x 24." in d.text()
        assert "It is 79 x 24 now." in d.text()
        await pilot.resize_terminal(100, 20)
        await pilot.pause()
        assert "It is 100 x 20 now." in d.text()
        await pilot.resize_terminal(80, 24)
        await d.until(lambda: isinstance(app.screen, StartScreen), "the start screen again")
        await d.until(lambda: app.repository is not None, "the store")
        await d.keys("n")
        await d.until(lambda: app.step is not None, "a step")
        await pilot.resize_terminal(70, 24)
        await d.until(lambda: isinstance(app.screen, TooSmallScreen), "the message over a step")
        await pilot.resize_terminal(80, 24)
        await d.until(lambda: app.screen is app.step, "the step, as it was")


async def test_high_contrast_from_the_environment_and_the_c_key(make_app, driver_for, monkeypatch) -> None:
    monkeypatch.setenv("KETATUI_THEME", "high-contrast")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        assert app.theme == THEMES["high-contrast"]
        await d.until(lambda: isinstance(app.screen, StartScreen), "the start screen")
        await d.keys("c")
        assert app.theme == THEMES["default"]


async def test_no_color_keeps_every_meaning_in_words_and_symbols(make_app, driver_for, monkeypatch, repository, make_intake) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    intake = make_intake({"asq.wished_dead": True, "asq.thoughts_right_now": False})
    intake.status, intake.current_step = "draft", "medical_history"
    intake.form_state = {"medical_history": {"page": "asq", "values": {}}}
    repository.create(intake.model_dump(mode="json"), user="dr.lee")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        assert app.no_color
        await d.until(lambda: isinstance(app.screen, StartScreen) and app.screen.drafts, "the drafts")
        await d.keys("1")
        await d.until(lambda: app.step is not None and "ASQ" in d.text(), "the ASQ page")
        text = d.text()
        assert "!! URGENT" in text.splitlines()[0]
        assert "●y Yes" in text and "○n No" in text


def test_nothing_heavy_is_imported_before_the_first_paint() -> None:
    """Start-up budget: the App module loads without pydantic, the core models or the store."""
    import subprocess
    import sys

    code = ("import sys, ketatui.screens.clinician_app; "
            "print(sorted(m for m in sys.modules if m == 'pydantic' or m.startswith(('ketatui.intake.document', 'ketatui.storage', 'ketatui.clinical.rules'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


async def test_a_protocol_that_cannot_be_used_is_explained_and_no_intake_starts(make_app, driver_for, tmp_path, monkeypatch) -> None:
    bad = tmp_path / "protocol.toml"
    bad.write_text('version = "x"\n[thresholds]\nbp_severe_systolic = 999\n')
    monkeypatch.setenv("KETATUI_PROTOCOL", str(bad))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: "protocol cannot be used" in d.text(), "the protocol message")
        shown = str(app.screen.query_one("#drafts-status").content)
        assert str(bad) in shown and "bp_severe_systolic" in shown, "the file and the key are named"
        await d.keys("n")
        assert app.step is None, "no intake starts without a protocol"
