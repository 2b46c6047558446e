"""Starting the clinician App: the records listed (new, open where it stopped, quit), settings,
protocols and stores that cannot be used, a store with a passphrase, the too-small message,
themes and NO_COLOR."""

from __future__ import annotations

import pytest

import uuid

from ketatui.screens.clinician_app import ClinicianApp
from ketatui.screens.records_browser import RecordsBrowser
from ketatui.screens.themes import THEMES
from ketatui.screens.too_small import TooSmallScreen


def draft(make_intake, name: str, step: str, **changes) -> dict:
    intake = make_intake({"medical_history.demographics.full_name": name})
    intake.record_id = str(uuid.uuid4())
    intake.status = "draft"
    intake.current_step = step
    for key, value in changes.items():
        setattr(intake, key, value)
    return intake.model_dump(mode="json")


async def test_drafts_are_listed_and_one_opens_where_it_stopped(make_app, driver_for, repository, make_intake) -> None:
    repository.create(draft(make_intake, "Jo Park", "side_effects"), user="dr.kim")
    repository.create(draft(make_intake, "Alex Moreno", "medications"), user="dr.lee")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        rows = await d.records(2)
        assert [r.full_name for r in rows] == ["Alex Moreno", "Jo Park"], "newest first"
        assert [r.current_step for r in rows] == ["medications", "side_effects"]
        text = d.text()
        assert "Alex Moreno" in text and "Jo Park" in text
        assert "Clinician: dr.lee" in text
        await d.open_record(2)
        assert app.step.step_id == "side_effects"
        assert app.intake.medical_history.demographics.full_name == "Jo Park"
        assert "Step 3 of 5: Side-effect discussion" in d.text()


async def test_an_urgent_draft_says_so_in_words(make_app, driver_for, repository, make_intake) -> None:
    urgent = make_intake({"asq.wished_dead": True, "asq.thoughts_right_now": False})
    from ketatui.clinical.protocol import default_protocol
    from ketatui.session import derive

    derive(urgent, default_protocol())  # the plan and the triage, as every stored intake has them
    urgent.status = "draft"
    repository.create(urgent.model_dump(mode="json"), user="dr.lee")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        (row,) = await d.records()
        assert row.urgent
        assert any("!!" in line and "Jordan Ellis" in line for line in d.text().splitlines()), "URGENT in symbols on the row"


async def test_no_drafts_new_intake_and_quit(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: app.ready and "No records here" in d.text(), "the empty list")
        assert "Ctrl+N starts a new intake" in d.text()
        await d.keys("ctrl+q")
    assert app.return_code == 0


async def test_a_store_that_cannot_be_opened_is_explained(tmp_path, make_app, driver_for) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app = make_app(data_dir=blocker)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: "Records cannot be listed:" in d.text(), "the storage message")
        assert "Traceback" not in d.text()


async def test_below_80x24_asks_for_a_bigger_terminal_then_comes_back(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(79, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: isinstance(app.screen, TooSmallScreen), "the too-small message")
        assert "Please enlarge the terminal to at least 80 x 24." in d.text()
        assert "It is 79 x 24 now." in d.text()
        await pilot.resize_terminal(100, 20)
        await d.until(lambda: "It is 100 x 20 now." in d.text(), "the new size in words")
        await pilot.resize_terminal(80, 24)
        await d.until(lambda: isinstance(app.screen, RecordsBrowser), "the records again")
        await d.new_intake()
        await pilot.resize_terminal(70, 24)
        await d.until(lambda: isinstance(app.screen, TooSmallScreen), "the message over a step")
        await pilot.resize_terminal(80, 24)
        await d.until(lambda: app.screen is app.step, "the step, as it was")
        await pilot.pause()
        assert "Step 1 of 5: Medical history" in d.text()
        assert [screen.size for screen in app.screen_stack] == [(80, 24), (80, 24)], "the records under the step too"


async def test_high_contrast_from_the_settings_and_the_c_key(make_app, driver_for) -> None:
    app = make_app(theme="high-contrast")
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        assert app.theme == THEMES["high-contrast"]
        await d.until(lambda: isinstance(app.screen, RecordsBrowser), "the records")
        app.action_toggle_contrast()  # no key on the records browser yet
        assert app.theme == THEMES["default"]


async def test_settings_asked_for_on_the_command_line_and_in_the_environment_are_used(settings, driver_for, repository, make_intake) -> None:
    """The App builds its settings from the request after the first paint: the store, the user
    and the theme come from it, never from the App reading the environment itself."""
    from ketatui.settings import SettingsRequest

    repository.create(draft(make_intake, "Jo Park", "medications"), user="dr.kim")
    environ = {"KETATUI_KEY_FILE": str(settings.key_file), "KETATUI_USER": "dr.shah", "KETATUI_THEME": "high-contrast"}
    app = ClinicianApp(request=SettingsRequest(overrides={"data_dir": settings.data_dir}, environ=environ))
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        (row,) = await d.records()
        assert (row.full_name, row.current_step) == ("Jo Park", "medications")
        assert "Clinician: dr.shah" in d.text()
        assert app.theme == THEMES["high-contrast"]


async def test_settings_that_cannot_be_used_are_explained_and_no_intake_starts(tmp_path, driver_for) -> None:
    from ketatui.settings import SettingsRequest

    environ = {"KETATUI_THEME": "pink", "KETATUI_DATA_DIR": str(tmp_path / "data")}
    app = ClinicianApp(request=SettingsRequest(environ=environ))
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: "settings cannot be used" in d.status(), "the settings message")
        shown = d.status()
        assert all(words in shown for words in ("Theme", "KETATUI_THEME", "pink")), "the setting, where it came from, the value"
        assert "Traceback" not in shown
        await d.keys("ctrl+n")
        assert app.step is None, "no intake starts without usable settings"
    assert not (tmp_path / "data").exists(), "no store was made"


async def test_a_store_made_with_a_passphrase_opens_from_the_app(tmp_path, driver_for, make_intake) -> None:
    from ketatui.settings import Settings
    from ketatui.storage import open_repository

    made = Settings(data_dir=tmp_path / "data", key_file=tmp_path / "no-key-file", user="dr.lee", passphrase="correct horse battery")
    open_repository(made).create(draft(make_intake, "Sam Ellis", "goals_support"), user="dr.lee")
    assert not (tmp_path / "no-key-file").exists(), "the passphrase protects the store, not a key file"

    app = ClinicianApp(settings=made)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        (row,) = await d.records()
        assert (row.full_name, row.current_step) == ("Sam Ellis", "goals_support")
        assert "Sam Ellis" in d.text()
        await d.open_record()
        assert app.step.step_id == "goals_support"

    wrong = ClinicianApp(settings=made.model_copy(update={"passphrase": None}))
    async with wrong.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: "Records cannot be listed:" in d.text(), "the storage message")
        assert "Sam Ellis" not in d.text() and "Traceback" not in d.text()


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
        await d.open_record()
        await d.until(lambda: "ASQ" in d.text(), "the ASQ page")
        text = d.text()
        assert "!! URGENT" in text.splitlines()[0]
        assert "●y Yes" in text and "○n No" in text


def test_nothing_heavy_is_imported_before_the_first_paint() -> None:
    """Start-up budget: the App module loads without pydantic, the core models or the store."""
    import subprocess
    import sys

    code = ("import sys, ketatui.screens.clinician_app; "
            "print(sorted(m for m in sys.modules if m in ('pydantic', 'pydantic_settings') or m.startswith(("
            "'ketatui.intake.document', 'ketatui.storage', 'ketatui.clinical.rules', 'ketatui.session', 'ketatui.settings'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


async def test_a_protocol_that_cannot_be_used_is_explained_and_no_intake_starts(make_app, driver_for, tmp_path) -> None:
    bad = tmp_path / "protocol.toml"
    bad.write_text('version = "x"\n[thresholds]\nbp_severe_systolic = 999\n')
    app = make_app(protocol_file=bad)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: "protocol cannot be used" in d.status(), "the protocol message")
        shown = d.status()
        assert str(bad) in shown and "bp_severe_systolic" in shown, "the file and the key are named"
        await d.keys("ctrl+n")
        assert app.step is None, "no intake starts without a protocol"
