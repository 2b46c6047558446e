"""Side-effect discussion: every topic with how often it happens, marks by keyboard, free text,
validation messages, restore, and a missing mark reaching the plan summary as CONSENT-INCOMPLETE."""

from __future__ import annotations


import pytest
from textual.widgets import Markdown, Static, TextArea

from ketatui.intake.document import Intake
from ketatui.clinical.protocol import default_protocol
from ketatui.screens.plan_summary import PlanSummary
from ketatui.screens.side_effects import SideEffectsStep, TopicChecklist
from step_host import Host, Shell, steady
from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS


def host(intake: Intake | None = None, audience: str = "clinician") -> tuple[Host, SideEffectsStep]:
    step = SideEffectsStep(intake or Intake(), default_protocol(), audience=audience)
    return Host(step), step


def prompt_text(checklist: TopicChecklist, index: int) -> str:
    return checklist.get_option(SIDE_EFFECT_TOPICS[index].id).prompt.plain


async def test_every_topic_is_shown_in_plain_words_with_how_often():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        checklist = step.query_one(TopicChecklist)
        assert app.focused is checklist
        for index, topic in enumerate(SIDE_EFFECT_TOPICS):
            text = prompt_text(checklist, index)
            assert topic.title in text and topic.explanation in text
            assert f"How often: {topic.how_often}" in text
            assert text.startswith(f"[ ] {topic.title} — not yet discussed")
        assert "0 of 11 topics marked" in str(step.query_one("#se-count", Static).render())


async def test_space_marks_and_unmarks_the_highlighted_topic_in_words():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        checklist = step.query_one(TopicChecklist)
        await pilot.press("space", "down", "space", "down", "space", "space")
        await pilot.pause()
        assert checklist.marked == {SIDE_EFFECT_TOPICS[0].id, SIDE_EFFECT_TOPICS[1].id}
        assert prompt_text(checklist, 0).startswith("[x] Feeling detached or unreal — discussed and understood")
        assert prompt_text(checklist, 2).startswith("[ ]")
        assert "2 of 11 topics marked as discussed and understood; 9 still to go" in str(step.query_one("#se-count", Static).render())
        discussed = step.collect().sections["side_effects"].discussed
        assert discussed == {t.id: t.id in checklist.marked for t in SIDE_EFFECT_TOPICS}


async def test_concerns_and_questions_are_typed_and_reached_by_tab():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab", *"Worried about feeling out of control", "tab", *"Can I work the next day?")
        await pilot.pause()
        section = step.collect().sections["side_effects"]
        assert section.concerns == "Worried about feeling out of control"
        assert section.questions == "Can I work the next day?"
        assert app.fields_left >= 2


async def test_too_long_a_note_gets_the_models_message_beside_it():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        step.query_one("#se-concerns", TextArea).text = "x" * 4001
        result = step.collect()
        assert [(p.path, p.message) for p in result.problems] == [("side_effects.concerns", "must be at most 4000 characters")]
        assert result.form_state["concerns"] == "x" * 4001
        step.show_problems(result.problems)
        await pilot.pause()
        shown = step.query_one("#se-problem", Static)
        assert shown.display and "! The person's concerns: must be at most 4000 characters" in str(shown.render())
        assert step.query_one("#se-concerns").has_class("-invalid")
        step.show_problems([])
        await pilot.pause()
        assert not shown.display


async def test_restores_marks_and_notes(make_intake):
    intake = make_intake()
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert step.collect().sections["side_effects"] == intake.side_effects
        assert "11 of 11 topics marked" in str(step.query_one("#se-count", Static).render())


async def test_half_typed_answers_win_over_the_saved_section(make_intake):
    intake = make_intake()
    intake.form_state["side_effects"] = {"discussed": {"dissociation": True}, "concerns": "half", "questions": ""}
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert step.query_one(TopicChecklist).marked == {"dissociation"}
        assert step.query_one("#se-concerns", TextArea).text == "half"


async def test_patient_wording():
    app, step = host(audience="patient")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "What worries you" in str(step.query_one(".se-note Label").render())
        assert "Press space" in step.query_one(TopicChecklist).border_title


async def test_a_missing_mark_shows_as_consent_incomplete_on_the_summary(make_intake, today):
    intake = make_intake()
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Every topic arrives marked; unmark the bladder topic by keyboard.
        bladder = next(i for i, t in enumerate(SIDE_EFFECT_TOPICS) if t.id == "bladder")
        await pilot.press(*["down"] * bladder, "space")
        result = step.collect()
        assert result.valid and result.sections["side_effects"].discussed["bladder"] is False
        answered = intake.model_copy(update=result.sections)
        summary = PlanSummary(answered, default_protocol(), today=today)
        await app.push_screen(summary)
        await pilot.pause()
        text = summary.query_one("#ps-plan", Markdown).source
        assert "**REVIEW CONSENT-INCOMPLETE** — Side-effect discussion incomplete. Not yet marked as discussed and understood: bladder irritation" in text


async def test_all_marks_leave_no_consent_flag(make_intake, today):
    intake = make_intake()
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        answered = intake.model_copy(update=step.collect().sections)
        summary = PlanSummary(answered, default_protocol(), today=today)
        await app.push_screen(summary)
        await pilot.pause()
        assert "CONSENT-INCOMPLETE" not in summary.query_one("#ps-plan", Markdown).source


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
def test_snapshot_first_topic_marked(snap_compare, theme):
    """Each topic with how often, [x] or [ ] in words, and the two note boxes at 80x24."""
    intake = Intake(current_step="side_effects")
    assert snap_compare(Shell(intake, theme), press=["space", "down"], terminal_size=(80, 24), run_before=steady)


async def test_nothing_is_wider_than_80_columns():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        checklist = step.query_one(TopicChecklist)
        assert checklist.max_scroll_x == 0 and checklist.max_scroll_y > 0
        assert max(w.region.right for w in step.query("TopicChecklist, TextArea")) <= 80
