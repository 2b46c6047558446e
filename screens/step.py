"""The contract every intake step screen keeps, so the clinician, kiosk and trainer apps can
reuse the same steps with their own App, wording and navigation.

A step renders one section of the intake and collects answers. Which steps there are, their
titles and the module of each screen are in ``ketatui.steps``; ``step_screen`` builds one. It never decides anything
clinical: it builds the section through its pydantic model (the single source of truth for
validity) and shows the model's problems next to the fields. The App owns navigation, saving
and the progress line; a step only answers ``collect()`` and ``show_problems()``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual.message import Message
from textual.screen import Screen

from ketatui.intake.fields import FieldProblem
from ketatui.intake.document import Intake
from ketatui.clinical.protocol import Protocol
from ketatui.screens.quiet_focus import QuietFocus
from ketatui.screens.steady_resize import SteadyResize
from ketatui.steps import step


@dataclass
class StepResult:
    """What a step hands back to the App when asked."""

    #: Section values to set on the intake, keyed by Intake field name (e.g. {"medications": Medications(...)});
    #: empty when the answers do not validate yet.
    sections: dict[str, Any] = field(default_factory=dict)
    #: Every problem, path relative to the intake (e.g. "medical_history.vitals.systolic_bp").
    problems: list[FieldProblem] = field(default_factory=list)
    #: Raw answers exactly as typed, stored in ``Intake.form_state[step_id]`` so nothing is lost.
    form_state: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems


class IntakeStep(QuietFocus, SteadyResize, Screen):
    """Base class for the five steps. Subclasses set the class variables and implement the two methods."""

    step_id: ClassVar[str]  # one of the ids in ketatui.steps.STEPS
    step_title: ClassVar[str]  # the step table's title unless the subclass words it otherwise
    help_text: ClassVar[str]  # F1: why these questions are asked, in the audience's words

    class FieldLeft(Message):
        """Posted when focus leaves a field, so the App saves the draft (answers are never lost)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "step_id" in vars(cls) and "step_title" not in vars(cls):
            cls.step_title = step(cls.step_id).title

    def __init__(self, intake: Intake, protocol: Protocol, *, audience: str = "clinician") -> None:
        super().__init__()
        self.intake = intake
        self.protocol = protocol
        self.audience = audience  # "clinician" | "patient" | "trainee": wording only, never logic

    def words(self, key: str, default: str) -> str:
        """What to show for a field path, ``page:<id>`` or ``text:<id>``: the patient's words when
        the audience is a patient (``ketatui.intake.patient_wording``), else ``default``."""
        if self.audience != "patient":
            return default
        from ketatui.intake.patient_wording import patient_words

        return patient_words(key, default)

    def asks(self, path: str) -> bool:
        """Whether this audience is asked the question at ``path`` (a patient is not asked the
        clinician-only ones; the clinician completes them)."""
        if self.audience != "patient":
            return True
        from ketatui.intake.patient_wording import asked

        return asked(path)

    def collect(self) -> StepResult:  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def show_problems(self, problems: list[FieldProblem]) -> None:  # pragma: no cover
        raise NotImplementedError


def step_class(step_id: str) -> type[IntakeStep] | None:
    """The ``IntakeStep`` subclass for ``step_id``, or None when its module is not installed."""
    module_name = step(step_id).screen
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, IntakeStep) and getattr(value, "step_id", None) == step_id:
            return value
    return None


def step_screen(step_id: str, intake: Intake, protocol: Protocol, audience: str) -> IntakeStep:
    """The screen for ``step_id`` on ``intake``; a step missing from this build says so plainly."""
    cls = step_class(step_id)
    if cls is None:
        from ketatui.screens.unavailable import UnavailableStep

        return UnavailableStep(step_id, intake, protocol, audience=audience)
    return cls(intake, protocol, audience=audience)
