"""The goals and support step: what the person wants from treatment and who stands with them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from ketatui.intake.fields import LongText, Phone, RequiredText, Section, ShortText, question

LivingSituation = Literal[
    "lives alone", "with partner or family", "with others", "supported housing", "no fixed address", "not stated",
]


class Goal(Section):
    description: RequiredText = Field(title="Goal")
    target: RequiredText = Field(title="How we will know (measurable target)")
    by_when: ShortText = Field(default="", title="By when")


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
