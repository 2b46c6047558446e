"""The medical history step: who the person is, their depression so far, and their health.

Field titles are the words shown to the clinician and used in every error message. Ranges
are wide human ranges; a value outside them is a typo, not a clinical finding.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from ketatui.intake.fields import LongText, RequiredText, Section, ShortText, question

#: A yes/no question the rules read; None is "not answered", never "no".
YesNo = bool | None
#: A follow-up the person may honestly not know the answer to.
YesNoNotKnown = bool | Literal["not known"] | None

Sex = Literal["female", "male", "intersex", "not stated"]
Diagnosis = Literal[
    "major depressive disorder",
    "bipolar depression",
    "persistent depressive disorder",
    "other",
]


class Demographics(Section):
    full_name: RequiredText = Field(title="Full name")
    date_of_birth: date = Field(title="Date of birth")
    sex: Sex = Field(title="Sex")
    height_cm: float = Field(title="Height (cm)", ge=100, le=250)
    weight_kg: float = Field(title="Weight (kg)", ge=25, le=350)

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, value: date) -> date:
        today = date.today()
        if value > today:
            raise ValueError("cannot be in the future; enter the date as YYYY-MM-DD")
        if value.year < today.year - 120:
            raise ValueError("is more than 120 years ago; check the year")
        return value

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def bmi(self) -> float:
        return round(self.weight_kg / (self.height_cm / 100) ** 2, 1)


class AntidepressantTrial(Section):
    """One antidepressant tried in the current episode, as the ATRQ records it."""

    medicine: RequiredText = Field(title="Antidepressant")
    dose_mg_per_day: float = Field(title="Highest daily dose (mg)", gt=0, le=3000)
    weeks_at_dose: int = Field(title="Weeks at that dose", ge=0, le=520)
    improvement_percent: int = Field(title="Improvement (%)", ge=0, le=100)
    in_current_episode: YesNo = question("In the current episode")
    stopped_for_side_effects: bool = Field(default=False, title="Stopped because of side effects")


class PsychiatricHistory(Section):
    diagnosis: Diagnosis = Field(title="Working diagnosis")
    episode_months: int = Field(title="Length of current episode (months)", ge=0, le=720)
    antidepressant_trials: list[AntidepressantTrial] = Field(default_factory=list, title="Antidepressant trials", max_length=40)
    prior_ect: YesNo = question("Had ECT before")
    prior_tms: YesNo = question("Had TMS before")
    prior_ketamine: YesNo = question("Had ketamine or esketamine treatment before")
    prior_ketamine_response: Literal["not applicable", "responded", "did not respond"] | None = question(
        "Response to earlier ketamine treatment", follows="prior_ketamine"
    )
    psychosis: YesNo = question("Psychotic disorder or psychotic features, now or before")
    bipolar_disorder: YesNo = question("Bipolar disorder")
    mood_stabiliser: YesNo = question("Takes a mood stabiliser")

    @field_validator("prior_ketamine_response")
    @classmethod
    def _ketamine_response_needs_prior(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value not in (None, "not applicable") and info.data.get("prior_ketamine") is not True:
            raise ValueError(
                "only applies after earlier ketamine treatment; answer 'Had ketamine or "
                "esketamine treatment before' first, or choose 'not applicable'"
            )
        return value


class SubstanceUse(Section):
    active_substance_use_disorder: YesNo = question("Active substance use disorder")
    past_ketamine_or_pcp_misuse: YesNo = question("Past misuse of ketamine or PCP")
    alcohol_drinks_per_week: Annotated[int, Field(ge=0, le=300)] | None = question("Alcoholic drinks per week")
    cannabis_use: YesNo = question("Uses cannabis")
    details: LongText = Field(default="", title="Substance use details")


class PhysicalHealth(Section):
    """Conditions that change whether or how ketamine can be given (clinical reference §1.2)."""

    hypertension: YesNo = question("High blood pressure (diagnosed)")
    hypertension_controlled: YesNoNotKnown = question("Blood pressure controlled by treatment", follows="hypertension", not_known=True)
    coronary_disease: YesNo = question("Coronary heart disease or angina")
    heart_failure: YesNo = question("Heart failure")
    arrhythmia: YesNo = question("Irregular heart rhythm")
    pulmonary_hypertension: YesNo = question("Pulmonary hypertension")
    aneurysm: YesNo = question("Aneurysm (aorta, brain or other arteries)")
    arteriovenous_malformation: YesNo = question("Arteriovenous malformation")
    stroke: YesNo = question("Stroke")
    intracerebral_haemorrhage: YesNo = question("Bleeding in the brain")
    raised_intracranial_pressure: YesNo = question("Raised pressure in the skull (incl. after head injury)")
    seizures: YesNo = question("Seizures or epilepsy")
    glaucoma: YesNo = question("Glaucoma or raised eye pressure")
    recent_eye_surgery: YesNo = question("Eye surgery or eye injury in the last 3 months")
    liver_disease: YesNo = question("Liver disease or cirrhosis")
    hyperthyroidism: YesNo = question("Overactive thyroid")
    hyperthyroidism_controlled: YesNoNotKnown = question("Overactive thyroid controlled", follows="hyperthyroidism", not_known=True)
    bladder_symptoms: YesNo = question("Urinary frequency, urgency, pain or cystitis")
    pregnant: YesNo = question("Pregnant")
    trying_to_conceive: YesNo = question("Trying to conceive")
    breastfeeding: YesNo = question("Breastfeeding")
    ketamine_allergy: YesNo = question("Allergic reaction to ketamine or esketamine")
    other_allergies: ShortText = Field(default="", title="Other allergies")
    other_conditions: LongText = Field(default="", title="Other conditions")


class Vitals(Section):
    """Blood pressure and pulse measured at intake, seated and rested."""

    systolic_bp: int = Field(title="Blood pressure, systolic (mmHg)", ge=60, le=280)
    diastolic_bp: int = Field(title="Blood pressure, diastolic (mmHg)", ge=30, le=180)
    pulse: int = Field(title="Pulse (beats per minute)", ge=25, le=250)

    @field_validator("diastolic_bp")
    @classmethod
    def _diastolic_below_systolic(cls, value: int, info: ValidationInfo) -> int:
        systolic = info.data.get("systolic_bp")
        if systolic is not None and value >= systolic:
            raise ValueError(
                f"{value} must be lower than the systolic {systolic}; check the two numbers were not swapped"
            )
        return value


class MedicalHistory(Section):
    demographics: Demographics = Field(title="About the person")
    psychiatric: PsychiatricHistory = Field(title="Depression and mental health history")
    substance_use: SubstanceUse = Field(default_factory=SubstanceUse, title="Alcohol and drugs")
    physical: PhysicalHealth = Field(default_factory=PhysicalHealth, title="Physical health")
    vitals: Vitals = Field(title="Intake blood pressure and pulse")
