"""A scripted trainee: runs a scenario through the real trainer App, step by step, the way a trainee
who asked every question would record the answers, then finishes with F8.

Answers are put into the real widgets of each step (the box, the choice row, the tick box, the
topic list), found by their intake path, and the trainee moves on with F3 as a person would; the
crisis dialog is closed when it comes up. ``leave_out`` names answers the trainee fails to record
(``"medications.items[1]"``), for a run with a deliberate miss.
"""

from __future__ import annotations

import time
from typing import Any

from ketatui.screens.crisis import CrisisScreen
from ketatui.screens.goals_support import FieldGroup
from ketatui.screens.medical_history import PAGE_IDS, TRIALS, flatten
from ketatui.screens.training_scorecard import ScorecardScreen
from ketatui.screens.widgets import LabelledField
from ketatui.training.scenario import Scenario


async def until(pilot, check, what: str, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}; on {type(pilot.app.screen).__name__}")


def _widget_value(field: LabelledField, value: Any) -> Any:
    from textual.widgets import Input

    if isinstance(field.control, Input):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value)
    return value


def _left_out(path: str, leave_out: set[str]) -> bool:
    return any(path == gone or path.startswith(gone + ".") or path.startswith(gone + "[") for gone in leave_out)


async def _close_crisis(pilot) -> None:
    await pilot.pause()
    if isinstance(pilot.app.screen, CrisisScreen):
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(pilot.app.screen, CrisisScreen), "the crisis dialog to close")


async def _medical_history(pilot, data: dict[str, Any], leave_out: set[str]) -> None:
    app = pilot.app
    answers: dict[str, Any] = {}
    for name in ("medical_history", "phq9", "gad7", "asq"):
        if data.get(name) is not None:
            flatten(data[name], name, answers)
    answers = {p: v for p, v in answers.items() if not _left_out(p, leave_out)}
    trials = [t for i, t in enumerate(data["medical_history"]["psychiatric"]["antidepressant_trials"])
              if not _left_out(f"{TRIALS}[{i}]", leave_out)]
    for index, page_id in enumerate(PAGE_IDS):
        step = await until(pilot, lambda: app.step if app.step and app.step.step_id == "medical_history"
                           and app.step.page == index and app.step.query(f"#{page_id} *") else None, f"page {page_id}")
        if page_id == "trials":
            for _ in trials[1:]:
                await pilot.press("ctrl+n")
            await until(pilot, lambda: len(step.query(f"#{page_id} LabelledField")) >= 6 * max(1, len(trials)), "the trial rows")
        for field in step.query(f"#{page_id} LabelledField").results(LabelledField):
            if field.path in answers:
                field.value = _widget_value(field, answers[field.path])
        if page_id in ("phq9", "asq"):  # a positive screen opens the crisis dialog; question 5 shows after a yes
            await _close_crisis(pilot)
            await _close_crisis(pilot)
        for field in step.query(f"#{page_id} LabelledField").results(LabelledField):
            if field.path in answers and field.value != _widget_value(field, answers[field.path]):
                field.value = _widget_value(field, answers[field.path])
        await pilot.press("f3")
    await until(pilot, lambda: app.step is not None and app.step.step_id == "medications", "the medications step")


async def _medications(pilot, data: dict[str, Any], leave_out: set[str]) -> None:
    step = pilot.app.step
    await until(pilot, lambda: step.rows(), "the first medication row")
    section = data["medications"]
    items = [item for i, item in enumerate(section["items"]) if not _left_out(f"medications.items[{i}]", leave_out)]
    step.query_one("#none-taken").value = bool(section["none_taken"])
    for _ in items[1:]:
        await pilot.press("ctrl+n")
    await until(pilot, lambda: len(step.rows()) >= len(items), "the medication rows")
    for row, item in zip(step.rows(), items):
        for name, value in item.items():
            row.field(name).value = str(value or "")
    await pilot.pause()
    await pilot.press("f3")
    await until(pilot, lambda: pilot.app.step.step_id == "side_effects", "the side-effect step")


async def _side_effects(pilot, data: dict[str, Any], leave_out: set[str]) -> None:
    step = pilot.app.step
    topics = step.query_one("#se-topics")
    for topic_id, discussed in data["side_effects"]["discussed"].items():
        topics.set_marked(topic_id, bool(discussed) and not _left_out(f"side_effects.discussed.{topic_id}", leave_out))
    await pilot.pause()
    await pilot.press("f3")
    await until(pilot, lambda: pilot.app.step.step_id == "goals_support", "the goals step")


async def _goals_support(pilot, data: dict[str, Any], leave_out: set[str]) -> None:
    step = pilot.app.step
    section = {k: v for k, v in data["goals_support"].items() if not _left_out(f"goals_support.{k}", leave_out)}
    for _ in section.get("goals", [])[1:]:
        await step.action_add_goal()
    for group, goal in zip(step.goal_groups(), section.get("goals", [])):
        for name, field in group.fields().items():
            field.value = str(goal.get(name) or "")
    step._field("escort_every_session").value = section.get("escort_every_session")
    for css, key in ((".gs-escort", "escort"), (".gs-emergency", "emergency_contact")):
        contact = section.get(key) or {}
        for name, field in step.query_one(css, FieldGroup).fields().items():
            field.value = str(contact.get(name) or "")
    step._field("living_situation").value = section.get("living_situation", "not stated")
    step.query_one("#gs-crisis-plan").text = section.get("crisis_plan", "")
    await pilot.pause()
    await pilot.press("f3")
    await until(pilot, lambda: pilot.app.step.step_id == "summary", "the plan summary")


async def run_scenario(pilot, scenario: Scenario, *, leave_out: set[str] = frozenset()) -> None:
    """From the picker: start ``scenario``, record every answer (but ``leave_out``), finish on the summary."""
    app = pilot.app
    await until(pilot, lambda: app.ready and app.picker is not None and app.picker.library is not None, "the scenarios")
    options = app.picker.query_one("#picker-list")
    options.highlighted = next(i for i, s in enumerate(app.library.scenarios) if s.id == scenario.id)
    await pilot.press("enter")
    await until(pilot, lambda: app.step is not None and app.focused is not None, "the first step")
    data = scenario.correct_data
    await _medical_history(pilot, data, set(leave_out))
    await _medications(pilot, data, set(leave_out))
    await _side_effects(pilot, data, set(leave_out))
    await _goals_support(pilot, data, set(leave_out))
    await pilot.press("f8")
    await until(pilot, lambda: isinstance(app.screen, ScorecardScreen), "the scorecard")
    await until(pilot, lambda: not app.busy_saving, "the last save")
