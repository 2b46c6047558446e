"""One question on a form: its plain label, the control that takes the answer, and the problem
beneath it in the model's own words.

Labels come from the pydantic field titles (``Weight (kg)``), so the words on screen are the
words in every error message. A field is addressed by its dotted path in the intake
(``medical_history.vitals.pulse``), the same path ``problems_from`` reports, so a screen shows a
problem next to its field without knowing anything about the rule behind it.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static

from ketatui.intake.fields import NOT_KNOWN
from ketatui.screens.widgets.choice import ChoiceRow

if TYPE_CHECKING:
    from pydantic import BaseModel

PROBLEM_MARK = "! "


class YesBox(Checkbox):
    """A checkbox that shows ``[X]`` or ``[ ]``, so yes and no differ without colour."""

    @property
    def _button(self) -> Content:
        return Content.assemble(("[X]" if self.value else "[ ]", self.get_visual_style("toggle--button")))


def field_id(path: str) -> str:
    """A widget id for a dotted intake path (ids allow letters, digits, - and _ only)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", path)


class LabelledField(Vertical):
    """A label and a control on one line (or the label above, for questions), a problem line below."""

    def __init__(self, label: str | None, control: Widget, *, path: str, stacked: bool = False, classes: str | None = None) -> None:
        super().__init__(id=field_id(path), classes=("-stacked " if stacked else "") + (classes or ""))
        self.label = label
        self.control = control
        self.path = path
        self.stacked = stacked
        self._problem_text = ""

    def _in_audience_words(self) -> None:
        """On a step shown to a patient, the patient's words for the label (``IntakeStep.words``)
        and clinician-only questions hidden."""
        screen = self.screen
        words = getattr(screen, "words", None)
        if words is None:
            return
        if self.label:
            self.label = words(self.path, self.label)
        if isinstance(self.control, ChoiceRow):
            self.control.options = [(words(f"answer:{label}", label), value) for label, value in self.control.options]
        if not self.label and isinstance(self.control, Checkbox):
            self.control.label = words(self.path, str(self.control.label))
        if not screen.asks(self.path):
            self.display = False

    def compose(self) -> ComposeResult:
        self._in_audience_words()
        if self.stacked:
            if self.label:
                yield Label(self.label, classes="field-label")
            yield self.control
        else:
            with Horizontal(classes="field-row"):
                if self.label:
                    yield Label(self.label, classes="field-label")
                yield self.control
        yield Static("", classes="field-problem")

    @property
    def value(self) -> Any:
        control = self.control
        if isinstance(control, (Input, Checkbox, ChoiceRow)):
            return control.value
        raise TypeError(f"{type(control).__name__} has no value")

    @value.setter
    def value(self, value: Any) -> None:
        if isinstance(self.control, Input):
            self.control.value = "" if value is None else str(value)
        elif isinstance(self.control, Checkbox):
            self.control.value = bool(value)
        else:
            self.control.value = value

    @property
    def is_empty(self) -> bool:
        value = self.value
        return value is None or (isinstance(value, str) and not value.strip())

    @property
    def problem(self) -> str:
        """The problem shown beneath the field, as on screen ("" when none)."""
        return self._problem_text

    def show_problem(self, message: str | None) -> None:
        """Show the model's message beneath the field (None or "" clears it)."""
        if message and isinstance(self.control, ChoiceRow) and self.control.value is None and not self.has_class("-yes-no"):
            message = "not answered yet: choose one of the answers"
        text = PROBLEM_MARK + message if message else ""
        if text != self._problem_text:
            self._problem_text = text
            self.query_one(".field-problem", Static).update(text)
            self.set_class(bool(message), "-problem")


def _inner(annotation: Any) -> Any:
    """The type inside ``X | None``."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation


def title_of(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    return field.title or name.replace("_", " ").capitalize()


#: The answers of a yes/no question the rules read, with their keys; "not known" only where fair.
YES_NO_OPTIONS: list[tuple[str, Any]] = [("Yes", True), ("No", False)]
NOT_KNOWN_OPTION: tuple[str, Any] = ("Not known", NOT_KNOWN)
YES_NO_KEYS = ("y", "n", "u")


def yes_no_row(value: Any, *, not_known: bool) -> ChoiceRow:
    """y / n (/ u for not known) on the focused question; the key moves on to the next one."""
    options = YES_NO_OPTIONS + ([NOT_KNOWN_OPTION] if not_known else [])
    return ChoiceRow(options, keys=YES_NO_KEYS[: len(options)], value=value, advance_on_key=True, classes="yes-no")


def control_for(model: type[BaseModel], name: str, path: str, value: Any = None) -> LabelledField:
    """The right control for one model field: y/n (/u) for a question the rules read, a checkbox for
    another yes/no, a choice row for a fixed list of answers, a text box for everything else (typed
    as text so the model, not the box, judges it)."""
    field = model.model_fields[name]
    annotation = _inner(field.annotation)
    title = title_of(model, name)
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if extra.get("question") and bool in typing.get_args(field.annotation):
        return LabelledField(title, yes_no_row(value, not_known=bool(extra.get("not_known"))), path=path, classes="-yes-no")
    if annotation is bool:
        return LabelledField(None, YesBox(title, bool(value), compact=True), path=path, classes="-check")
    if typing.get_origin(annotation) is Literal:
        options = [(str(choice), choice) for choice in typing.get_args(annotation)]
        return LabelledField(title, ChoiceRow(options, value=value), path=path)
    placeholder = "YYYY-MM-DD" if annotation is date else ""
    box = Input("" if value is None else str(value), placeholder=placeholder, compact=True, select_on_focus=False)
    return LabelledField(title, box, path=path)
