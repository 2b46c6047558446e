"""Keys a clinician can find and move: the command palette offers what works on the screen it was
opened over and runs it; a keymap from the settings file moves a key, and a mistyped id is named
on screen with the ids closest to it."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Static

from ketatui.screens.help import HelpScreen
from ketatui.screens.medical_history import MedicalHistoryStep, TrialRow


@pytest.fixture
def open_at(make_intake, driver_for):
    """``async with open_at(app, page) as d``: the App, once its store is open, showing a completed
    draft left on ``page`` of the medical history."""

    @asynccontextmanager
    async def opened(app, page: str):
        intake = make_intake()
        intake.status, intake.current_step = "draft", "medical_history"
        intake.form_state = {"medical_history": {"page": page, "values": {}}}
        async with app.run_test(size=(80, 24)) as pilot:
            d = driver_for(pilot)
            await d.until(lambda: app.ready, "the settings, the protocol and the store")
            app.call_later(app.open_intake, app.new_session(intake))
            await d.until(lambda: isinstance(app.screen, MedicalHistoryStep) and app.focused is not None, "the step")
            yield d

    return opened


def offered(app) -> dict[str, str]:
    """The palette's commands as shown: what each does -> the line under it (its keys and where)."""
    lines = [str(option.prompt).splitlines() for option in app.screen.query_one(CommandList).options]
    return {line[0]: line[1] if len(line) > 1 else "" for line in lines}


async def run_command(d, title: str) -> None:
    """Enter on ``title`` once the search has put it first and highlighted it."""
    palette = d.app.screen.query_one(CommandList)
    await d.until(lambda: list(offered(d.app))[:1] == [title] and palette.highlighted == 0, f"{title!r} first")
    await d.keys("enter")


async def test_the_palette_offers_this_pages_commands_and_runs_them(make_app, open_at) -> None:
    app = make_app()
    async with open_at(app, "trials") as d:
        rows = len(app.screen.query(TrialRow))
        await d.keys("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await d.type("add trial")
        await d.until(lambda: "Add trial" in offered(app), "the step's own command")
        assert offered(app)["Add trial"] == "^n · Medical history", "the command says its key and where it works"
        await run_command(d, "Add trial")
        await d.until(lambda: len(app.screen.query(TrialRow)) == rows + 1, "a trial added by the command")
        assert isinstance(app.screen, MedicalHistoryStep)


async def test_the_palette_runs_the_apps_next_on_this_step(make_app, open_at) -> None:
    app = make_app()
    async with open_at(app, "about") as d:
        await d.keys("ctrl+p")
        await d.type("next")
        await d.until(lambda: "Next" in offered(app), "the App's Next, which works on this step")
        assert offered(app)["Next"] == "f3 · Medical history"
        await run_command(d, "Next")
        await d.until(lambda: app.screen is app.step and app.step.page_label == "page 2 of 10", "the next page")


async def test_the_palette_offers_only_what_works_here(make_app, open_at) -> None:
    app = make_app()
    async with open_at(app, "about") as d:
        await d.keys("ctrl+p")
        await d.until(lambda: "Help" in offered(app) and "Quit" in offered(app), "every command of this page")
        assert "Add trial" not in offered(app) and "Remove trial" not in offered(app), "trials are added on their own page"
        await d.type("help")
        await run_command(d, "Help")
        await d.until(lambda: isinstance(app.screen, HelpScreen), "help opened from the palette")


async def test_help_names_the_palettes_key_the_footer_has_no_room_for(make_app, open_at) -> None:
    app = make_app()
    async with open_at(app, "about") as d:
        assert "^p" not in d.text().splitlines()[-1], "the Footer keeps to its 80 columns"
        await d.keys("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys", Static).content).splitlines()
        assert keys[-1] == "  ^p         Commands: any action here, found by name"


async def test_a_keymap_from_the_settings_moves_next(make_app, open_at) -> None:
    app = make_app(keymap={"app.next": "ctrl+right"})
    async with open_at(app, "about") as d:
        await d.keys("f3")
        await d.pilot.pause(0.1)
        assert app.step.page_label == "page 1 of 10", "F3 no longer moves on"
        await d.keys("ctrl+right")
        await d.until(lambda: app.step.page_label == "page 2 of 10", "Next on its new key")
        assert "^→ Next" in d.text().splitlines()[-1], "the Footer shows Next on its new key"
        await app.workers.wait_for_complete()
        assert not app._notifications, "nothing to tell"


async def test_a_mistyped_id_is_named_with_the_close_ones(make_app, open_at) -> None:
    app = make_app(keymap={"app.nxt": "ctrl+right", "app.back": "ctrl+left"})
    async with open_at(app, "about") as d:
        told = await d.until(lambda: [(n.title, n.message) for n in app._notifications], "the clinician told")
        assert len(told) == 1 and told[0][0] == "Keymap in the settings file: not applied"
        assert told[0][1].startswith("'app.nxt' is not a key binding id (close ones: app.next, ")
        await d.keys("f3")
        await d.until(lambda: app.step.page_label == "page 2 of 10", "F3 still moves on")
        await d.keys("ctrl+left")
        await d.until(lambda: app.step.page_label == "page 1 of 10", "the good entry applied")

