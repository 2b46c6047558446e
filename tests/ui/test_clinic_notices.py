"""What a clinician sees of the clinic's defaults and of the wording points: the US crisis lines
named as defaults on the records screen, the clinic's own lines in the crisis box, an acute
positive ASQ headed as such, and the plan summary in Go to once saved and exported."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from ketatui.screens.crisis import CrisisScreen
from ketatui.screens.help import HelpScreen
from ketatui.screens.step_picker import StepPicker
from ketatui.settings import CrisisLine

from test_medical_history_asq import asq_draft

SAMARITANS = [CrisisLine(name="Samaritans", how="Call 116 123, any time")]
NOTICE = "! US crisis lines in use (988, 911, 741741): set crisis_contacts (F1)"


async def yes_to_asq_question_1(d) -> None:
    """Open the stored ASQ draft and answer question 1 yes: the crisis box opens."""
    await d.open_record()
    await d.until(lambda: d.app.step is not None and "ASQ suicide screen" in d.text(), "the ASQ page")
    await d.type("y")
    await d.until(lambda: isinstance(d.app.screen, CrisisScreen), "the crisis box")


async def test_the_records_screen_says_the_us_defaults_are_in_use_and_f1_says_how_to_change_them(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: app.ready and NOTICE in d.text(), "the notice under the title")
        lines = d.text().splitlines()
        assert any(line.strip() == NOTICE for line in lines[:3]), "near the top, on a line of its own"
        assert all(len(line) <= 80 for line in lines)
        await d.keys("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        shown = d.text()
        assert "These crisis contacts are the built-in US defaults (988, 911, 741741);" in shown, "first, before the rest"
        assert "set crisis_contacts" in shown and "KETATUI_CRISIS_CONTACTS" in shown and "`ketatui config`" in shown


async def test_a_clinic_with_its_own_lines_sees_no_notice_and_its_lines_in_the_crisis_box(make_app, driver_for, repository, make_intake) -> None:
    repository.create(asq_draft(make_intake), user="test")
    app = make_app(crisis_contacts=SAMARITANS)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: app.ready and "Name" in d.text(), "the records")
        assert "US crisis lines" not in d.text()
        await yes_to_asq_question_1(d)
        assert "Samaritans: Call 116 123, any time" in d.text()
        assert "988" not in d.text() and "built-in US lines" not in d.text()


async def test_the_default_lines_in_the_crisis_box_are_named_as_us_defaults(make_app, driver_for, repository, make_intake) -> None:
    repository.create(asq_draft(make_intake), user="test")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await yes_to_asq_question_1(d)
        shown = " ".join(d.text().split())
        assert "988 Suicide & Crisis Lifeline" in shown
        assert "These are the built-in US lines (988, 911, 741741)" in shown and "crisis_contacts" in shown


async def test_a_yes_to_asq_question_5_heads_the_crisis_box_as_acute_with_its_instruction(make_app, driver_for, repository, make_intake) -> None:
    repository.create(asq_draft(make_intake), user="test")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await yes_to_asq_question_1(d)
        assert "!! URGENT — act now: Positive suicide screen" in d.text()
        await d.keys("escape")
        for _ in range(3):
            await d.type("n")  # questions 2 to 4
        assert d.focused_path == "asq.thoughts_right_now"
        await d.type("y")  # question 5: thoughts of killing themselves right now
        await d.until(lambda: isinstance(app.screen, CrisisScreen), "the crisis box again, now acute")
        shown = d.text()
        assert "!! URGENT — act now: Thoughts of suicide right now" in shown
        assert "Positive suicide screen" not in shown
        note = str(app.screen.query_one(".dialog-note", Static).render())
        assert "Acute positive screen: imminent risk" in shown and "must not leave and must not be left alone" in note
        assert "full safety evaluation now" in note
        await d.keys("escape")
        panel = str(app.step.query_one("#crisis-panel", Static).render())
        assert panel.startswith("!! URGENT — act now: Thoughts of suicide right now"), "the panel on the page says it too"
        await d.keys("f9")
        assert "Thoughts of suicide right now" in " ".join(d.text().split()), "and F9 shows it again"


def go_to_offered(app) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_go_to_shows_the_plan_summary_saved_and_exported_not_next_to_do(make_app, driver_for, repository, make_intake, tmp_path, monkeypatch) -> None:
    intake = make_intake()
    intake.status, intake.current_step = "draft", "summary"
    repository.create(intake.model_dump(mode="json"), user="test")
    app = make_app(export_dir=tmp_path / "exports")
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.open_record()
        await d.until(lambda: app.step is not None and app.step.step_id == "summary", "the summary")
        await d.keys("s")
        await d.saved()
        await d.keys("f4")
        assert isinstance(app.screen, StepPicker)
        assert go_to_offered(app)[-1] == "5. Plan summary (plan saved)"
        await d.keys("escape", "e")
        await d.until(lambda: app.screen is not app.step, "the export dialog")
        await d.keys("enter")
        await app.workers.wait_for_complete()
        await d.until(lambda: "Written to" in d.text(), "the export written")
        await d.keys("f4")
        assert go_to_offered(app)[-1] == "5. Plan summary (plan saved and exported)"
        assert not any("next to do" in line for line in go_to_offered(app))


async def test_by_when_keeps_the_words_reads_the_date_and_says_what_to_write_when_it_cannot() -> None:
    from datetime import date, datetime, timezone

    from ketatui.clinical.protocol import default_protocol
    from ketatui.intake.document import Intake
    from ketatui.screens.goals_support import GoalsSupportStep
    from step_host import Host

    intake = Intake(created_at=datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc))
    step = GoalsSupportStep(intake, default_protocol())
    app = Host(step)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"Back to work", "tab", *"3 days a week", "tab", *"3 months")
        await pilot.pause()
        goal = step.collect().sections["goals_support"].goals[0]
        assert (goal.by_when, goal.by_date) == ("3 months", date(2027, 3, 3)), "counted from the day the intake began"
        await pilot.press(*["backspace"] * 8, *"soon")
        await pilot.pause()
        result = step.collect()
        assert not result.valid
        step.show_problems(result.problems)
        await pilot.pause()
        shown = " ".join(str(w.render()) for w in step.query(".problem, Static") if "soon" in str(w.render()))
        assert "'soon' is not a date; write e.g. 2027-03-01, 'by March', '3 months' or 'in 6 weeks'" in " ".join(shown.split())
