"""The intake's steps, in order: the one vocabulary the core, the screens and storage share.

Each step names the intake sections it fills, which of them a plan cannot be made without, and
the screen module that shows it (a string, so the core never imports a screen, and an App loads
a step's screen only when it is shown). Storage keeps only a step id (``current_step``).

May import: the standard library only (the App reads this table before its first paint).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One step of the intake, as every role walks it."""

    id: str
    title: str
    #: The intake sections the step fills in (Intake field names).
    sections: tuple[str, ...]
    #: Those of ``sections`` a plan needs; a step is finished when they are all there.
    required: tuple[str, ...]
    #: The module holding the step's screen (an ``IntakeStep`` subclass with this ``step_id``).
    screen: str


STEPS: tuple[Step, ...] = (
    Step("medical_history", "Medical history", ("medical_history", "phq9", "gad7", "asq"),
         ("medical_history", "phq9", "asq"), "ketatui.screens.medical_history"),
    Step("medications", "Current medications", ("medications",), ("medications",), "ketatui.screens.medications"),
    Step("side_effects", "Side-effect discussion", ("side_effects",), ("side_effects",), "ketatui.screens.side_effects"),
    Step("goals_support", "Goals and support", ("goals_support",), ("goals_support",), "ketatui.screens.goals_support"),
    Step("summary", "Plan summary", (), (), "ketatui.screens.plan_summary"),
)

STEP_IDS: tuple[str, ...] = tuple(s.id for s in STEPS)
_BY_ID = {s.id: s for s in STEPS}

#: Every section a plan cannot be made without, in the order the steps ask for them.
REQUIRED_SECTIONS: tuple[str, ...] = tuple(name for s in STEPS for name in s.required)


def step(step_id: str) -> Step:
    """The step called ``step_id``; a ``KeyError`` names an id no step has."""
    try:
        return _BY_ID[step_id]
    except KeyError:
        raise KeyError(f"no step is called {step_id!r}; the steps are {', '.join(STEP_IDS)}") from None


def number(step_id: str) -> int:
    """``1`` for the first step: the step's place as the progress line shows it."""
    return STEP_IDS.index(step(step_id).id) + 1


def after(step_id: str) -> str | None:
    """The step after ``step_id``, or None on the last one."""
    index = number(step_id)
    return STEP_IDS[index] if index < len(STEP_IDS) else None


def before(step_id: str) -> str | None:
    """The step before ``step_id``, or None on the first one."""
    index = number(step_id) - 1
    return STEP_IDS[index - 1] if index > 0 else None
