"""The flag vocabulary: stable codes, their severity and title (DESIGN.md, Flags).

Codes never change; the protocol tunes thresholds only. Rules in ``ketatui.clinical.rules`` raise them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["urgent", "stop", "review", "caution", "info"]
SEVERITIES: tuple[Severity, ...] = ("urgent", "stop", "review", "caution", "info")

SEVERITY_WORDS: dict[str, str] = {
    "urgent": "URGENT — act now",
    "stop": "STOP — do not schedule until a physician documents clearance",
    "review": "REVIEW — clinician must look before the first session",
    "caution": "CAUTION — monitor or adjust",
    "info": "INFO",
}

#: code -> (severity, title). Order within a severity is the order shown.
FLAG_DEFINITIONS: dict[str, tuple[Severity, str]] = {
    "RISK-SUICIDE-ACUTE": ("urgent", "Thoughts of suicide right now"),
    "RISK-SUICIDE-SCREEN": ("urgent", "Positive suicide screen"),
    "CI-HYPERSENSITIVITY": ("stop", "Allergy to ketamine or esketamine"),
    "CI-VASCULAR": ("stop", "Aneurysm or arteriovenous malformation"),
    "CI-BRAIN-BLEED": ("stop", "History of bleeding in the brain"),
    "CI-STROKE": ("stop", "History of stroke"),
    "CI-THYROTOXICOSIS": ("stop", "Uncontrolled overactive thyroid"),
    "BP-SEVERE": ("stop", "Blood pressure too high to treat"),
    "CI-PREGNANCY": ("stop", "Pregnant or trying to conceive"),
    "AGE-MINOR": ("stop", "Under 18"),
    "INT-THEOPHYLLINE": ("stop", "Theophylline or aminophylline"),
    "SUPPORT-NO-ESCORT": ("stop", "Nobody to take them home"),
    "MED-KETAMINE": ("review", "Already taking ketamine or esketamine"),
    "BP-ELEVATED": ("review", "Blood pressure raised"),
    "PSYCHOSIS": ("review", "Psychosis, now or before"),
    "SUBSTANCE-USE": ("review", "Substance use or past ketamine misuse"),
    "BREASTFEEDING": ("review", "Breastfeeding"),
    "CARDIAC": ("review", "Heart or lung circulation disease"),
    "ICP-IOP": ("review", "Raised pressure in the skull or eye"),
    "LIVER": ("review", "Liver disease"),
    "BIPOLAR": ("review", "Bipolar disorder"),
    "INT-BENZODIAZEPINE": ("review", "Benzodiazepine"),
    "INT-LAMOTRIGINE": ("review", "Lamotrigine"),
    "INT-MAOI": ("review", "MAOI antidepressant"),
    "INT-STIMULANT": ("review", "Stimulant"),
    "INT-OPIOID": ("review", "Opioid"),
    "INT-NALTREXONE": ("review", "Naltrexone"),
    "MED-UNRECOGNISED": ("review", "Medication not recognised"),
    "SUPPORT-NO-CONTACT": ("review", "No emergency contact"),
    "CONSENT-INCOMPLETE": ("review", "Side-effect discussion incomplete"),
    "ANSWER-MISSING": ("review", "Question not answered"),
    "ANSWER-NOT-KNOWN": ("review", "Answer not known"),
    "BLADDER": ("caution", "Bladder symptoms"),
    "AGE-OLDER": ("caution", "Aged 65 or older"),
    "INT-SEDATIVE": ("caution", "Other sedating medicine"),
    "INT-CYP3A4-INHIBITOR": ("caution", "Strong CYP3A4 inhibitor"),
    "INT-CYP-INDUCER": ("caution", "Enzyme inducer"),
    "INT-THYROID": ("caution", "Thyroid hormone"),
    "INT-ALCOHOL": ("caution", "Drinks alcohol"),
    "INT-CANNABIS": ("caution", "Uses cannabis"),
    "BMI-HIGH": ("info", "BMI 30 or more"),
    "INT-NMDA": ("info", "Another NMDA-acting medicine"),
    "NOT-TRD": ("info", "Not treatment-resistant by the history given"),
    "SEVERITY-MILD": ("info", "Mild depression on the PHQ-9"),
}

_ORDER = {code: index for index, code in enumerate(FLAG_DEFINITIONS)}


class Flag(BaseModel):
    """A finding the clinician must see, with the answer that raised it."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    title: str
    reason: str
    source_fields: list[str] = Field(min_length=1)

    @property
    def blocks_scheduling(self) -> bool:
        return self.severity in ("urgent", "stop")


def make_flag(code: str, reason: str, *source_fields: str) -> Flag:
    severity, title = FLAG_DEFINITIONS[code]
    return Flag(code=code, severity=severity, title=title, reason=reason, source_fields=list(source_fields))


def sort_flags(flags: list[Flag]) -> list[Flag]:
    """Most serious first; within a severity, the vocabulary's order."""
    return sorted(flags, key=lambda f: (SEVERITIES.index(f.severity), _ORDER.get(f.code, len(_ORDER))))
