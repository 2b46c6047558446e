"""The goals and support step: what the person wants from treatment and who stands with them."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ketatui.intake.fields import LongText, Phone, RequiredText, Section, ShortText, question
from ketatui.intake.target_date import TargetDateUnreadable, read_target_date

#: The validation context key that says the answers are being typed now, and counts from this day.
INTAKE_DATE = "intake_date"

LivingSituation = Literal[
    "lives alone", "with partner or family", "with others", "supported housing", "no fixed address", "not stated",
]


def _intake_date(info: ValidationInfo) -> date | None:
    context = info.context if isinstance(info.context, dict) else {}
    found = context.get(INTAKE_DATE)
    return found if isinstance(found, date) else None


class Goal(Section):
    """A goal with a measurable target. "By when" keeps the person's words; ``by_date`` is the date
    read from them, counted from the intake date, when they are typed (validation context
    ``intake_date``). A stored goal keeps the date it was given and is never read again."""

    description: RequiredText = Field(title="Goal")
    target: RequiredText = Field(title="Target: how we will know")
    by_when: ShortText = Field(default="", title="By when",
                               description="as the person says it: '3 months', 'in 6 weeks', '2027-03-01', 'by March'")
    by_date: date | None = Field(default=None, title="By (date)",
                                 description="the date read from 'By when', counted from the intake date",
                                 json_schema_extra={"read_from": "by_when"})

    @model_validator(mode="before")
    @classmethod
    def _date_from_words(cls, data: Any, info: ValidationInfo) -> Any:
        start = _intake_date(info)
        if start is not None and isinstance(data, dict) and not data.get("by_date"):
            words = data.get("by_when")
            if isinstance(words, str) and words.strip():
                try:
                    data = {**data, "by_date": read_target_date(words, start)}
                except TargetDateUnreadable:
                    pass  # said on the field itself, below
        return data

    @field_validator("by_when")
    @classmethod
    def _readable(cls, value: str, info: ValidationInfo) -> str:
        start = _intake_date(info)
        if value and start is not None:
            read_target_date(value, start)  # raises, saying what to write instead
        return value


class Contact(Section):
    name: RequiredText = Field(title="Name")
    relationship: ShortText = Field(default="", title="Relationship")
    phone: Phone = Field(title="Phone")


class TreatingClinician(Section):
    name: RequiredText = Field(title="Name")
    role: ShortText = Field(default="", title="Role")
    phone: ShortText = Field(default="", title="Phone")


class GoalsAndSupport(Section):
    goals: list[Goal] = Field(default_factory=list, title="Goal", max_length=10)
    escort_every_session: bool | None = question("Someone takes them home after every session")
    escort: Contact | None = Field(default=None, title="Escort home", validate_default=True)
    emergency_contact: Contact | None = Field(default=None, title="Emergency contact")
    treating_clinicians: list[TreatingClinician] = Field(default_factory=list, title="Treating clinician", max_length=10)
    living_situation: LivingSituation = Field(default="not stated", title="Living situation")
    crisis_plan: LongText = Field(default="", title="Crisis plan")

    @field_validator("escort")
    @classmethod
    def _escort_named(cls, value: Contact | None, info: ValidationInfo) -> Contact | None:
        if value is None and info.data.get("escort_every_session"):
            raise ValueError("give the escort's name and phone, or untick 'Someone takes them home after every session'")
        return value
