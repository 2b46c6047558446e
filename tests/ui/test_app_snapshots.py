"""Pictures of every screen the clinician App owns at 80x24, in the default and the high-contrast
theme: its home (the records list) with drafts, each medical-history page, a page with problems, help, the crisis
dialog, Go to, and the too-small message. Regenerate with ``--snapshot-update`` after a change
to the look, and look at the pictures before committing them."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ketatui.clinical.protocol import default_protocol
from ketatui.screens.medical_history import PAGE_IDS, MedicalHistoryStep
from ketatui.screens.records_browser import RecordsBrowser
from ketatui.session import derive

THEMES = ["default", "high-contrast"]


def seed(repository, make_intake, *, page: str, name: str = "Jordan Ellis", values: dict | None = None, **paths) -> None:
    intake = make_intake({"medical_history.demographics.full_name": name, **paths})
    intake.record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, name))  # the same id, so the same picture
    intake.status = "draft"
    intake.current_step = "medical_history"
    intake.form_state = {"medical_history": {"page": page, "values": values or {}}}
    derive(intake, default_protocol(), today=date(2026, 12, 2))  # the plan and the triage, as the App stores them, on the day the pictures were taken
    repository.create(intake.model_dump(mode="json"), user="dr.lee")


async def wait(pilot, check) -> None:
    for _ in range(300):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got ready")


def opened_at(settle, *keys: str):
    """run_before: open the first draft, then press ``keys``, then hold still."""

    async def run(pilot) -> None:
        app = pilot.app
        app.animation_level = "none"
        await wait(pilot, lambda: isinstance(app.screen, RecordsBrowser) and app.ready and app.screen.rows)
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, MedicalHistoryStep) and app.focused is not None)
        if keys:
            await pilot.press(*keys)
        await settle(pilot)

    return run


@pytest.mark.parametrize("theme", THEMES)
def test_home_with_drafts(snap_compare, repository, make_intake, fixed_clock, settle, make_app, theme) -> None:
    seed(repository, make_intake, page="about", name="Alex Moreno")
    seed(repository, make_intake, page="vitals", name="Jordan Ellis", **{"asq.wished_dead": True, "asq.thoughts_right_now": False})

    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await wait(pilot, lambda: isinstance(pilot.app.screen, RecordsBrowser) and pilot.app.ready and len(pilot.app.screen.rows) == 2)
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=run)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("page", PAGE_IDS)
def test_each_medical_history_page(snap_compare, repository, make_intake, fixed_clock, settle, make_app, theme, page) -> None:
    seed(repository, make_intake, page=page)
    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=opened_at(settle))


@pytest.mark.parametrize("theme", THEMES)
def test_a_page_with_problems_beneath_its_fields(snap_compare, repository, make_intake, fixed_clock, settle, make_app, theme) -> None:
    seed(repository, make_intake, page="vitals", values={"medical_history.vitals.diastolic_bp": "150", "medical_history.vitals.pulse": "7x"})
    app = make_app(theme=theme)
    assert snap_compare(app, terminal_size=(80, 24), run_before=opened_at(settle, "f3"))


@pytest.mark.parametrize("theme", THEMES)
def test_help(snap_compare, repository, make_intake, fixed_clock, settle, make_app, theme) -> None:
    seed(repository, make_intake, page="trials")
    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=opened_at(settle, "f1"))


@pytest.mark.parametrize("theme", THEMES)
def test_go_to(snap_compare, repository, make_intake, fixed_clock, settle, make_app, theme) -> None:
    seed(repository, make_intake, page="about")
    opened = opened_at(settle)

    async def run(pilot) -> None:
        await opened(pilot)
        # The seed holds no typing, so the page the step shows is first saved as the App would
        # (Ctrl+S); Go to then reads the plan summary as saved on every run.
        await pilot.press("ctrl+s")
        await wait(pilot, lambda: not pilot.app.session.changed())
        await pilot.press("f4")
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=run)


@pytest.mark.parametrize("theme", THEMES)
def test_crisis_dialog_on_a_positive_asq(snap_compare, repository, make_intake, fixed_clock, settle, make_app, theme) -> None:
    seed(repository, make_intake, page="asq", **{"asq.wished_dead": False})
    app = make_app(theme=theme)
    assert snap_compare(app, terminal_size=(80, 24), run_before=opened_at(settle, "y"))


@pytest.mark.parametrize("theme", THEMES)
def test_too_small(snap_compare, make_app, settle, theme) -> None:
    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=(72, 20), run_before=run)
