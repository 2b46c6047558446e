"""Plan summary: not schedulable first, flags most serious first with severity in words, the
course, schedule and support; Save asks the App; Export writes the chosen version in a worker
and says where it went, or why it could not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Input, Markdown, Static

from builders import EXAMPLES, TODAY, build_intake
from ketatui.exchange.markdown import plan_markdown, take_home_markdown
from ketatui.intake.document import Intake, parse_intake
from ketatui.clinical.plan import make_plan
from ketatui.clinical.protocol import default_protocol
from ketatui.settings import Settings
from ketatui.screens.intake_app import IntakeApp
from ketatui.screens.export_dialog import ExportDialog, default_export_name
from ketatui.screens.plan_summary import PlanSummary
from ketatui.screens.widgets import ChoiceRow
import step_host


class Host(step_host.Host):
    """The shared step host, also recording each Save the summary asks the App for."""

    def __init__(self, step: PlanSummary) -> None:
        super().__init__(step)
        self.saves: list[PlanSummary.SaveRequested] = []

    def on_plan_summary_save_requested(self, message: PlanSummary.SaveRequested) -> None:
        self.saves.append(message)


def example(name: str) -> Intake:
    return parse_intake((EXAMPLES / name).read_text(encoding="utf-8"))


class Shell(IntakeApp):
    """The real App shell (progress line, footer, theme) opened on one intake, for snapshots."""

    CSS_PATH = Host.CSS_PATH

    def __init__(self, intake: Intake, theme: str) -> None:
        super().__init__(settings=Settings(user="snapshot", theme=theme), protocol=default_protocol())
        self.opening = intake

    def show_start(self) -> None:
        self.call_later(self.open_intake, self.new_session(self.opening))

    def make_step(self, step_id: str):
        if step_id == "summary":  # the fixed day, so the dates in the screenshot never move
            return PlanSummary(self.intake, self.protocol, audience=self.AUDIENCE, today=TODAY, export_dir=Path("/tmp/exports"))
        return super().make_step(step_id)


async def steady(pilot) -> None:
    """Wait for the step, then stop cursors blinking so every screenshot is the same."""
    await pilot.pause()
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False

def host(intake: Intake, audience: str = "clinician", export_dir: Path | None = None) -> tuple[Host, PlanSummary]:
    step = PlanSummary(intake, default_protocol(), audience=audience, today=TODAY, export_dir=export_dir)
    return Host(step), step


def shown(step: PlanSummary) -> str:
    return step.query_one("#ps-plan", Markdown).source


def status(step: PlanSummary) -> str:
    return str(step.query_one("#ps-status", Static).render())


def positions(text: str, *needles: str) -> list[int]:
    return [text.index(needle) for needle in needles]


async def test_positive_suicide_screen_is_not_schedulable_and_urgent_comes_first():
    app, step = host(example("04-positive-suicide-screen.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(step)
        assert step.plan is not None and not step.plan.schedulable
        first_section = text.index("## ")
        assert text[first_section:].startswith("## Not schedulable until reviewed")
        severities = [f.severity for f in step.plan.flags]
        assert severities[0] == "urgent"
        words = [f"**{f.severity.upper()} {f.code}**" for f in step.plan.flags]
        assert positions(text, *words) == sorted(positions(text, *words))
        sections = positions(text, "## Not schedulable", "## Flags", "## Course", "## Schedule", "## Re-checks",
                             "## Follow-up", "## Discharge rules", "## Goals and support")
        assert sections == sorted(sections)
        assert "**URGENT RISK-SUICIDE-SCREEN**" in text


async def test_blood_pressure_out_of_range_is_not_schedulable_with_stop_before_review():
    app, step = host(example("03-blood-pressure-out-of-range.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(step)
        assert text.index("## Not schedulable until reviewed") < text.index("## Flags, most serious first")
        assert "BP 184/112 at intake is at or above 180/110" in text
        assert text.index("**STOP BP-SEVERE**") < text.index("**REVIEW BP-ELEVATED**") < text.index("**CAUTION AGE-OLDER**")
        assert "Dates are set once the flags above are cleared." in text


async def test_a_schedulable_plan_shows_the_course_reasons_and_dates():
    intake = build_intake()
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(step)
        plan = make_plan(intake, default_protocol(), today=TODAY)
        assert text == plan_markdown(plan, intake)
        assert "Not schedulable" not in text
        assert f"(range {plan.course.sessions_min}–{plan.course.sessions_max})" in text
        assert f"1. {plan.schedule[0].date.strftime('%a %d %b %Y')}" in text


async def test_the_summary_scrolls_by_keyboard_at_80_by_24():
    app, step = host(example("03-blood-pressure-out-of-range.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        body = step.query_one("#ps-body")
        assert app.focused is body
        assert body.max_scroll_y > 0 and body.max_scroll_x == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0


async def test_the_patient_sees_the_take_home_sheet():
    intake = build_intake()
    app, step = host(intake, audience="patient")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert shown(step) == take_home_markdown(step.plan, intake, default_protocol().clinic_name)


async def test_missing_sections_are_named_and_flags_so_far_still_shown():
    intake = build_intake(medications=None, side_effects=None)
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(step)
        assert step.plan is None
        assert "- Current medications: not yet filled in" in text
        assert "- Side-effect discussion: not yet filled in" in text
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
        assert "Nothing to export yet" in status(step)


async def test_flags_so_far_use_severity_words(make_intake):
    intake = make_intake({"medical_history.vitals.systolic_bp": 184}).model_copy(update={"goals_support": None})
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "**STOP — do not schedule until a physician documents clearance** · BP-SEVERE" in shown(step)


async def test_save_asks_the_app_with_the_plan():
    app, step = host(example("03-blood-pressure-out-of-range.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert len(app.saves) == 1
        assert app.saves[0].plan == step.plan and app.saves[0].intake is step.intake


async def test_export_writes_the_clinician_plan_where_it_says(tmp_path, monkeypatch):
    started_in, exports = tmp_path / "started-here", tmp_path / "exports"  # the export folder is made on first use
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    intake = example("03-blood-pressure-out-of-range.json")
    app, step = host(intake, export_dir=exports)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        expected_name = f"plan-ruth-okafor-{TODAY.isoformat()}.md"
        assert dialog.query_one("#export-path", Input).value == expected_name
        assert str(dialog.query_one("#export-folder", Static).render()) == f"Folder: {exports}"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert list(started_in.iterdir()) == []  # never the folder the App was started in
        written = exports / expected_name
        assert written.read_text(encoding="utf-8") == plan_markdown(step.plan, intake)
        assert status(step) == f"Written to {written}"
        assert oct(written.stat().st_mode & 0o007) == "0o0"  # health data: never readable by others


@pytest.mark.parametrize(("key", "parts"), [("2", ["patient"]), ("3", ["clinician", "patient"])])
async def test_export_the_patient_sheet_or_both(tmp_path, key, parts):
    intake = example("03-blood-pressure-out-of-range.json")
    app, step = host(intake, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-path", Input).value = "sheet.md"
        await pilot.press("tab", key)  # from the file name to the version, chosen by its key
        assert dialog.query_one(ChoiceRow).value == (parts[0] if len(parts) == 1 else "both")
        if app.focused is not dialog.query_one("#export-ok"):
            await pilot.press("enter")  # on the version row, Enter moves on to Export
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = (tmp_path / "sheet.md").read_text(encoding="utf-8")
        versions = {"clinician": plan_markdown(step.plan, intake), "patient": take_home_markdown(step.plan, intake, default_protocol().clinic_name)}
        assert text == "\n\n---\n\n".join(versions[p] for p in parts)


async def test_an_existing_file_is_replaced_only_when_asked_twice(tmp_path, monkeypatch):
    (tmp_path / "plan.md").write_text("keep me")
    app, step = host(example("03-blood-pressure-out-of-range.json"), export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-path", Input).value = "plan.md"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert "plan.md already exists" in str(dialog.query_one("#export-message", Static).render())
        assert (tmp_path / "plan.md").read_text() == "keep me"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (tmp_path / "plan.md").read_text().startswith("# Treatment plan (draft)")


async def test_a_write_error_is_shown_in_words_and_nothing_crashes(tmp_path, monkeypatch):
    app, step = host(example("03-blood-pressure-out-of-range.json"), export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = "no-such-folder/plan.md"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        words = status(step)
        assert words.startswith(f"! Could not write {tmp_path / 'no-such-folder' / 'plan.md'}: No such file or directory")
        assert step.query_one("#ps-status").has_class("-failed")
        assert not (tmp_path / "no-such-folder").exists()
        assert app.is_running


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
async def test_a_read_only_folder_is_reported(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    app, step = host(example("03-blood-pressure-out-of-range.json"), export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = "locked/plan.md"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Permission denied" in status(step)


async def test_the_dialog_refuses_an_empty_name_and_a_folder_and_escape_cancels(tmp_path, monkeypatch):
    app, step = host(example("03-blood-pressure-out-of-range.json"), export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        message = dialog.query_one("#export-message", Static)
        dialog.query_one("#export-path", Input).value = "  "
        await pilot.press("enter")
        assert "Type a file name" in str(message.render())
        dialog.query_one("#export-path", Input).value = str(tmp_path)
        await pilot.press("enter")
        assert "is a folder" in str(message.render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is step
        assert list(tmp_path.iterdir()) == []


def test_default_export_name_is_safe_for_any_file_system():
    assert default_export_name("Ruth O'Kafor-Smith", TODAY) == f"plan-ruth-o-kafor-smith-{TODAY.isoformat()}.md"
    assert default_export_name(None, TODAY) == f"plan-{TODAY.isoformat()}.md"
    assert "/" not in default_export_name("../../etc/passwd", TODAY)


async def test_the_plan_is_derived_again_when_the_summary_is_shown_again(make_intake):
    intake = make_intake()
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "SUPPORT-NO-ESCORT" not in shown(step)
        step.intake = intake.model_copy(update={"goals_support": intake.goals_support.model_copy(update={"escort_every_session": False})})
        await app.push_screen(ExportDialog("x.md", Path("/nonexistent")))
        app.pop_screen()
        await pilot.pause()
        assert "**STOP SUPPORT-NO-ESCORT**" in shown(step)


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
def test_snapshot_not_schedulable_first(snap_compare, theme):
    """Blood pressure out of range: 'Not schedulable until reviewed' first, then STOP before REVIEW."""
    intake = example("03-blood-pressure-out-of-range.json").model_copy(update={"current_step": "summary"})
    assert snap_compare(Shell(intake, theme), terminal_size=(80, 24), run_before=steady)


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
def test_snapshot_export_dialog(snap_compare, theme, monkeypatch):
    """The export dialog over the summary, with its default file name in the folder shown."""
    intake = example("03-blood-pressure-out-of-range.json").model_copy(update={"current_step": "summary"})
    assert snap_compare(Shell(intake, theme), press=["e"], terminal_size=(80, 24), run_before=steady)


async def test_closing_a_dialog_keeps_the_place_in_the_plan(tmp_path, monkeypatch):
    app, step = host(example("03-blood-pressure-out-of-range.json"), export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        body = step.query_one("#ps-body")
        place = body.scroll_y
        assert place > 0
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is step and body.scroll_y == place


async def test_a_patient_can_neither_save_nor_write_files(tmp_path, monkeypatch):
    app, step = host(build_intake(), audience="patient", export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown_keys = {b.binding.id for b in step.active_bindings.values() if b.enabled}
        assert not {"summary.save", "summary.export"} & shown_keys
        await pilot.press("e", "s")
        await pilot.pause()
        assert app.screen is step and app.saves == [] and list(tmp_path.iterdir()) == []
