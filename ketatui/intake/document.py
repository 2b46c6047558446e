"""The intake document: one per person per intake, the single source of truth for validity.

Sections are optional so a draft can be saved at any point; ``missing_sections`` says what a
plan still needs (which step fills which section is in ``ketatui.steps``). Status moves draft →
submitted → reviewed → signed; a signed intake is never edited in place (an amendment is a new
revision, see storage).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, ValidationError

from ketatui.intake.fields import FieldProblem, UserName, label_for, problems_from
from ketatui.intake.goals import GoalsAndSupport
from ketatui.intake.history import MedicalHistory
from ketatui.intake.instruments import ASQ, GAD7, PHQ9
from ketatui.intake.json_input import JSONInputInvalid, load_json
from ketatui.intake.listing import Listing
from ketatui.intake.medications import Medications
from ketatui.intake.schema import SCHEMA_VERSION
from ketatui.intake.side_effects import SideEffectDiscussion
from ketatui.steps import REQUIRED_SECTIONS, STEP_IDS

Status = Literal["draft", "submitted", "reviewed", "signed"]
Route = Literal["iv_ketamine", "esketamine"]
Step = Literal[STEP_IDS]  # type: ignore[valid-type]  # the ids of ketatui.steps.STEPS


class Triage(BaseModel):
    """How urgent the intake is, as the core decided it at the last change; storage lists it.

    Derived (``ketatui.session.derive``), never typed by hand, like the plan: ``urgent`` when a
    rule raised an urgent flag or a suicide screen turned positive while it was being answered,
    ``blocked`` when the plan cannot be scheduled, ``review`` and ``caution`` when a flag of that
    severity was raised (the records list shows them), ``reasons`` the urgent flags' reasons.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    urgent: bool = Field(default=False, title="Urgent")
    blocked: bool = Field(default=False, title="Not schedulable")
    review: bool = Field(default=False, title="A flag to review")
    caution: bool = Field(default=False, title="A flag to monitor")
    reasons: list[str] = Field(default_factory=list, title="Why urgent")


def _record_id(value: str) -> str:
    """A record id is a lower-case UUID; anything else (a typo, a 100,000-character string) is refused."""
    try:
        ok = str(uuid.UUID(value)) == value
    except ValueError:
        ok = False
    if not ok:
        shown = value if len(value) <= 40 else f"{value[:36]}… ({len(value)} characters)"
        raise ValueError(f"{shown!r} is not a record id; use a lower-case UUID such as {uuid.UUID(int=0)}, or leave it out for a new intake")
    return value


RecordId = Annotated[str, AfterValidator(_record_id)]


class Intake(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    schema_version: Literal[SCHEMA_VERSION] = Field(default=SCHEMA_VERSION, title="Schema version")  # type: ignore[valid-type]
    record_id: RecordId = Field(default_factory=lambda: str(uuid.uuid4()), title="Record id")
    rev: StrictInt = Field(default=0, ge=0, title="Revision")
    status: Status = Field(default="draft", title="Status")
    training: bool = Field(default=False, title="Synthetic training record")
    created_at: datetime | None = Field(default=None, title="Created at")
    created_by: UserName | None = Field(default=None, title="Created by")
    updated_at: datetime | None = Field(default=None, title="Updated at")
    updated_by: UserName | None = Field(default=None, title="Updated by")
    signed_at: datetime | None = Field(default=None, title="Signed at")
    signed_by: UserName | None = Field(default=None, title="Signed by")
    amends_rev: StrictInt | None = Field(default=None, title="Amends revision")
    current_step: Step = Field(default="medical_history", title="Current step")
    route: Route = Field(default="iv_ketamine", title="Proposed route")

    medical_history: MedicalHistory | None = Field(default=None, title="Medical history")
    phq9: PHQ9 | None = Field(default=None, title="PHQ-9")
    gad7: GAD7 | None = Field(default=None, title="GAD-7")
    asq: ASQ | None = Field(default=None, title="ASQ suicide screen")
    medications: Medications | None = Field(default=None, title="Current medications")
    side_effects: SideEffectDiscussion | None = Field(default=None, title="Side-effect discussion")
    goals_support: GoalsAndSupport | None = Field(default=None, title="Goals and support")

    #: Answers typed on a screen that do not validate yet, kept so nothing is lost.
    form_state: dict[str, dict[str, Any]] = Field(default_factory=dict, title="Unfinished answers")
    #: The plan derived at the last save (``Plan.model_dump(mode="json")``); never typed by hand.
    plan: dict[str, Any] | None = Field(default=None, title="Plan")
    #: Urgency as derived at the last change (see ``Triage``); None on a record stored before it.
    triage: Triage | None = Field(default=None, title="Triage")
    #: The name and birth date the records list shows, typed answers included (``intake.listing``).
    listing: Listing | None = Field(default=None, title="Listed as")

    def missing_sections(self) -> list[FieldProblem]:
        return [
            FieldProblem(path=name, label=Intake.model_fields[name].title or name, message="not yet filled in")
            for name in REQUIRED_SECTIONS
            if getattr(self, name) is None
        ]


class IntakeInvalid(Exception):
    """An intake file or form that does not validate; carries every problem in plain words."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def parse_intake(data: str | bytes | dict[str, Any]) -> Intake:
    """Validate JSON text or a dict into an Intake, raising ``IntakeInvalid`` with plain problems."""
    if isinstance(data, (str, bytes)):
        try:
            data = load_json(data)
        except JSONInputInvalid as exc:
            label = "Intake file" if exc.where == "(file)" else label_for(Intake, exc.where)
            raise IntakeInvalid([FieldProblem(exc.where, label, str(exc))]) from None
    if not isinstance(data, dict):
        raise IntakeInvalid([FieldProblem("(file)", "Intake file", "must hold one JSON object (an intake), not a list or a value")])
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise IntakeInvalid(problems_from(exc, Intake)) from None


def intake_json_schema() -> dict[str, Any]:
    return Intake.model_json_schema()
