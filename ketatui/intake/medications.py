"""The current medications step: what the person takes, as they said it.

Names are kept exactly as entered; recognising them against the catalogue is the rules'
job (``ketatui.clinical.rules``), so an unrecognised name is never dropped or rewritten.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from ketatui.intake.fields import RequiredText, Section, ShortText


class MedicationEntry(Section):
    name: RequiredText = Field(title="Medication name")
    dose: ShortText = Field(default="", title="Dose")
    how_often: ShortText = Field(default="", title="How often")
    reason: ShortText = Field(default="", title="What it is for")


class Medications(Section):
    items: list[MedicationEntry] = Field(default_factory=list, title="Medication", max_length=60)
    none_taken: bool = Field(default=False, title="Takes no medications")

    @model_validator(mode="after")
    def _none_means_none(self) -> "Medications":
        if self.none_taken and self.items:
            raise ValueError(
                "'Takes no medications' is ticked but medications are listed; untick it or remove the rows"
            )
        if not self.none_taken and not self.items:
            # An untouched step must never read as "no medications": interactions would go unchecked.
            raise ValueError("list each medication taken, or tick 'Takes no medications'")
        return self
