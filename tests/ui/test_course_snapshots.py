"""Pictures of the course at 80x24: the progress view, the session form (a pressure that holds
the session typed in) and the follow-up form, each in the default and the high-contrast theme,
in the 16 ANSI colours and with NO_COLOR. The course is the example in ``examples/course`` (four
sessions given, one held for blood pressure, one missed), seen on a fixed day.

Regenerate with ``--snapshot-update`` after a change to the look, and look at the pictures
before committing them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ketatui.screens.course import CourseScreen
from ketatui.screens.follow_up_form import FollowUpForm
from ketatui.screens.session_form import SessionForm

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "course"
TODAY = date(2027, 3, 20)
#: The two themes, then the same screens drawn with the 16 ANSI colours, then with NO_COLOR.
LOOKS = ["default", "high-contrast", "16-colours", "no-color"]


@pytest.fixture
def course_id(repository) -> str:
    """The example course in the store: its signed intake and its six sessions."""
    intake = json.loads((EXAMPLE / "intake.json").read_text(encoding="utf-8"))
    record_id = repository.import_documents([intake], user="dr.okafor")[0]
    for record in json.loads((EXAMPLE / "sessions.json").read_text(encoding="utf-8")):
        repository.add_course_record(record_id, record, user="nurse.lee")
    return record_id


def app_for(make_app, monkeypatch, look: str):
    if look == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
    return make_app(theme="high-contrast" if look == "high-contrast" else "default")


def opened(settle, course_id: str, look: str, *keys: str, form: type | None = None):
    """run_before: the course of ``course_id`` on TODAY, then ``keys``, then hold still."""

    async def run(pilot) -> None:
        app = pilot.app
        app.animation_level = "none"
        if look == "16-colours":
            app.ansi_color = True
            app.theme = "ansi-dark"
        for _ in range(300):
            if app.ready:
                break
            await pilot.pause(0.02)
        screen = CourseScreen(course_id, repository=app.repository, protocol=app.protocol, user=app.user, export_dir=Path("exports"), today=TODAY)
        await app.push_screen(screen)
        for _ in range(300):
            if screen.state is not None:
                break
            await pilot.pause(0.02)
        if form is not None:
            await pilot.press(keys[0])  # opens the form; the rest is typed into it
            for _ in range(100):
                if isinstance(app.screen, form) and app.screen.complete and app.focused is not None:
                    break
                await pilot.pause(0.02)
            await pilot.press(*keys[1:])
        await settle(pilot)

    return run


@pytest.mark.parametrize("look", LOOKS)
def test_progress_view(snap_compare, course_id, make_app, monkeypatch, settle, look) -> None:
    assert snap_compare(app_for(make_app, monkeypatch, look), terminal_size=(80, 24), run_before=opened(settle, course_id, look))


@pytest.mark.parametrize("look", LOOKS)
def test_session_form_holding_for_blood_pressure(snap_compare, course_id, make_app, monkeypatch, settle, look) -> None:
    keys = ("r", "tab", "tab", "tab", "tab", "1", "7", "0", "tab", "1", "0", "0", "tab")
    assert snap_compare(app_for(make_app, monkeypatch, look), terminal_size=(80, 24), run_before=opened(settle, course_id, look, *keys, form=SessionForm))


@pytest.mark.parametrize("look", LOOKS)
def test_follow_up_form(snap_compare, course_id, make_app, monkeypatch, settle, look) -> None:
    assert snap_compare(app_for(make_app, monkeypatch, look), terminal_size=(80, 24), run_before=opened(settle, course_id, look, "v", form=FollowUpForm))
