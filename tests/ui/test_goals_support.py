"""Goals and support: goals and clinicians added and removed by keyboard, contacts, living
situation and crisis plan collected through the model, messages beside their fields, restore."""

from __future__ import annotations


import pytest
from textual.widgets import Input, TextArea

from builders import build_intake
from ketatui.intake.document import Intake
from ketatui.clinical.protocol import default_protocol
from ketatui.screens.goals_support import FieldGroup, GoalsSupportStep
from step_host import Host, Shell, steady
from ketatui.screens.widgets import ChoiceRow


def host(intake: Intake | None = None) -> tuple[Host, GoalsSupportStep]:
    step = GoalsSupportStep(intake or Intake(), default_protocol())
    return Host(step), step


def box(group: FieldGroup, name: str) -> Input:
    return group.fields()[name].control


async def test_starts_on_the_first_goal_with_its_keys_in_the_footer():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is box(step.goal_groups()[0], "description")
        assert {b.id for b in GoalsSupportStep.BINDINGS} == {"goals_support.add_goal", "goals_support.add_clinician", "goals_support.remove_row"}
        shown = {b.binding.description for b in step.active_bindings.values() if b.binding.show}
        assert {"Add goal", "Add clinician", "Remove row"} <= shown


async def test_a_complete_answer_by_keyboard_alone():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"Back to work", "tab", *"3 days a week for 2 weeks", "tab", *"March")
        await pilot.press("ctrl+n", *"Feel less hopeless", "tab", *"PHQ-9 below 10")
        await pilot.press("tab", "tab", "tab")  # past the by-when box and the Add button, onto the escort box
        assert isinstance(app.focused, ChoiceRow) and app.focused.value is None, "the escort question starts unanswered"
        await pilot.press("y", *"Sam Ellis", "tab", *"husband", "tab", *"+1 555 201 3344")
        await pilot.press("tab", *"Sam Ellis", "tab", "tab", *"+1 555 201 3344")
        await pilot.press("ctrl+t", *"Dr Natarajan", "tab", *"psychiatrist")
        step._field("living_situation").control.focus()
        await pilot.press("2")
        step.query_one("#gs-crisis-plan", TextArea).focus()
        await pilot.press(*"Call Sam, then 988")
        await pilot.pause()
        result = step.collect()
        assert result.valid, result.problems
        section = result.sections["goals_support"]
        assert [(g.description, g.target, g.by_when) for g in section.goals] == [
            ("Back to work", "3 days a week for 2 weeks", "March"),
            ("Feel less hopeless", "PHQ-9 below 10", ""),
        ]
        assert section.escort_every_session is True
        assert (section.escort.name, section.escort.relationship, section.escort.phone) == ("Sam Ellis", "husband", "+1 555 201 3344")
        assert section.emergency_contact.name == "Sam Ellis" and section.emergency_contact.relationship == ""
        assert [(c.name, c.role) for c in section.treating_clinicians] == [("Dr Natarajan", "psychiatrist")]
        assert section.living_situation == "with partner or family"
        assert section.crisis_plan == "Call Sam, then 988"
        assert app.fields_left > 5


async def test_blank_contacts_and_rows_are_left_out():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        result = step.collect()
        assert [(p.path, p.label, p.message) for p in result.problems] == [
            ("goals_support.escort_every_session", "Someone takes them home after every session", "not answered: press y or n")
        ], "the escort question is never read as no: the step is not finished until it is answered"
        section = result.sections["goals_support"]
        assert section.escort_every_session is None
        assert section.goals == [] and section.treating_clinicians == []
        assert section.escort is None and section.emergency_contact is None
        # The raw rows are still kept for the draft.
        assert len(result.form_state["goals"]) == 1


async def test_validation_messages_sit_beside_their_fields():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n", *"Sleep through the night")  # goal 1 left blank, goal 2 has no target
        escort = step.query_one(".gs-escort", FieldGroup)
        box(escort, "name").value = "Sam"
        box(escort, "phone").value = "12ab"
        result = step.collect()
        assert sorted((p.path, p.message) for p in result.problems) == [
            ("goals_support.escort.phone", "enter a phone number: digits, spaces, brackets or dashes, optionally starting with +"),
            ("goals_support.goals[0].target", "this is required"),
        ]
        step.show_problems(result.problems)
        await pilot.pause()
        blank, second = step.goal_groups()
        assert second.fields()["target"].problem == "! this is required"
        assert blank.fields()["target"].problem == ""
        assert escort.fields()["phone"].problem.startswith("! enter a phone number")
        assert escort.fields()["name"].problem == ""
        # Fixed answers clear the messages.
        box(second, "target").value = "6 nights in 7"
        box(escort, "phone").value = "555 201 3344"
        step._field("escort_every_session").value = True
        result = step.collect()
        assert result.valid
        step.show_problems(result.problems)
        await pilot.pause()
        assert second.fields()["target"].problem == "" and escort.fields()["phone"].problem == ""


async def test_remove_goal_and_clinician_rows():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"one", "ctrl+n", *"two", "ctrl+n", *"three")
        await pilot.pause()
        assert [g.values()["description"] for g in step.goal_groups()] == ["one", "two", "three"]
        box(step.goal_groups()[1], "target").focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [g.values()["description"] for g in step.goal_groups()] == ["one", "three"]
        assert app.focused is box(step.goal_groups()[1], "description")
        assert [str(g.query_one(".gs-group-heading").render()) for g in step.goal_groups()] == ["Goal 1", "Goal 2"]
        await pilot.press("ctrl+t", *"Dr A")
        await pilot.pause()
        assert [c.values()["name"] for c in step.clinician_groups()] == ["", "Dr A"]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [c.values()["name"] for c in step.clinician_groups()] == [""]
        # Removing the last one leaves an empty one to type in.
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert len(step.clinician_groups()) == 1
        # Outside a list, remove says what to do instead of guessing.
        step.query_one(".gs-escort", FieldGroup).first_box().control.focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert len(step.goal_groups()) == 2


async def test_restores_the_saved_section(make_intake):
    intake = make_intake(goals_support={"treating_clinicians": [{"name": "Dr Natarajan", "role": "psychiatrist", "phone": "555 201 9000"}]})
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        collected = step.collect().sections["goals_support"]
        no_dates = {"goals": {"__all__": {"by_date"}}}
        assert collected.model_dump(exclude=no_dates) == intake.goals_support.model_dump(exclude=no_dates)
        assert [g.by_date is not None for g in collected.goals] == [bool(g.by_when) for g in intake.goals_support.goals], \
            "a goal saved with words only gets its date when the step is collected"


async def test_half_typed_answers_win_over_the_saved_section(make_intake):
    intake = make_intake()
    intake.form_state["goals_support"] = {"goals": [{"description": "half", "target": "", "by_when": ""}], "escort": {"name": "", "relationship": "", "phone": "12"}}
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert step.goal_groups()[0].values()["description"] == "half"
        assert step.query_one(".gs-escort", FieldGroup).values()["phone"] == "12"


async def test_nothing_is_wider_than_80_columns(make_intake):
    app, step = host(make_intake())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert step.query_one("#gs-body").max_scroll_x == 0
        assert max(widget.region.right for widget in step.query("Input, ChoiceRow, TextArea") if widget.region) <= 80


async def test_a_ticked_escort_box_without_an_escort_says_so_at_the_escort():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        step._field("escort_every_session").value = True
        result = step.collect()
        assert [p.path for p in result.problems] == ["goals_support.escort"]
        step.show_problems(result.problems)
        await pilot.pause()
        escort = step.query_one(".gs-escort", FieldGroup)
        assert escort.fields()["name"].problem == f"! {result.problems[0].message}"
        assert "escort's name and phone" in result.problems[0].message


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
def test_snapshot_goals_restored(snap_compare, theme):
    """Two goals with targets from a saved intake, then the escort, at 80x24."""
    intake = build_intake(current_step="goals_support")
    assert snap_compare(Shell(intake, theme), terminal_size=(80, 24), run_before=steady)


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
def test_snapshot_problem_beside_the_field(snap_compare, theme):
    """A goal without its target: the model's message sits under the box, marked with '!'."""
    intake = Intake(current_step="goals_support")
    assert snap_compare(Shell(intake, theme), press=[*"Sleep through the night", "f3"], terminal_size=(80, 24), run_before=steady)


async def test_an_added_clinician_is_scrolled_into_view():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        box = step.clinician_groups()[-1].first_box().control
        assert app.focused is box
        assert step.query_one("#gs-body").scrollable_content_region.contains_region(box.region)
