"""Saying which questions are not answered yet, by name, and taking the cursor to the first.

A question the rules read is never taken as no (``ketatui.intake.answers``): a step holding one
unanswered is not finished, and the person is told which, in their own words.
"""

from __future__ import annotations

from textual.app import App

from ketatui.intake.fields import FieldProblem
from ketatui.screens.step import IntakeStep
from ketatui.screens.widgets import LabelledField
from ketatui.screens.widgets.field import field_id


def unanswered_in(problems: list[FieldProblem]) -> list[FieldProblem]:
    return [p for p in problems if p.message.startswith("not answered")]


def tell_unanswered(app: App, step: IntakeStep, problems: list[FieldProblem], *, title: str) -> bool:
    """Name every unanswered question and focus the first; False when none is unanswered."""
    missing = unanswered_in(problems)
    if not missing:
        return False
    names = "; ".join(step.words(p.path, p.label) for p in missing)
    app.notify(f"Not answered: {names}. Press y or n{' on each' if len(missing) > 1 else ''}.", title=title, severity="warning")
    first = step.query(f"#{field_id(missing[0].path)}")
    if first and isinstance(first.first(), LabelledField):
        first.first().control.focus()
        first.first().scroll_visible(animate=False)
    return True
