"""Known conditions: every health answer the plan rests on, with what it means for treatment.

A condition answered yes belongs in the plan even when it raises no flag (treated high blood
pressure still means a reading before every session), and a question left unanswered is shown as
"not answered", never as "no". The names are the intake's own field titles; the meanings are
ours, from the clinical reference (sections 1.2 and 1.4). Which flag a condition raised is read
from the flags the rules raised, never decided again here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from ketatui.clinical.flags import Flag
from ketatui.intake.fields import Section
from ketatui.intake.history import MedicalHistory

_MH = "medical_history"


class KnownCondition(BaseModel):
    """One condition or history answer, as answered, with its follow-up answers and what it means."""

    model_config = ConfigDict(frozen=True)

    name: str
    answer: str
    follow_ups: list[str] = Field(default_factory=list)
    means: str
    flags: list[str] = Field(default_factory=list)
    source_fields: list[str] = Field(default_factory=list)


def answer_words(value: object) -> str:
    """How an answer reads: yes, no or not answered (None is never read as "no")."""
    if value is None:
        return "not answered"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


@dataclass(frozen=True)
class _Question:
    section: str                      # under medical_history: "physical", "psychiatric", "substance_use"
    field: str
    means: str
    follow_ups: tuple[str, ...] = ()  # fields asked when this one is yes


_BP_SURGES = "BP before every session; surges are more likely, most in the first three sessions"
_BP_HAZARD = "a rise in blood pressure is a serious hazard; no session until a physician documents clearance"
_HEART = "ketamine raises heart work and blood pressure; a clinician reviews it before the first session"
_PRESSURE = "ketamine can raise the pressure in the skull further; great caution, an alternative may be better"
_EYE = "ketamine can raise the pressure in the eye; a clinician reviews it first"

#: The yes/no questions the plan reports when answered yes or left unanswered, in the order asked.
QUESTIONS: tuple[_Question, ...] = (
    _Question("psychiatric", "psychosis", "the evidence for ketamine excludes psychotic features; a clinician weighs the risk first"),
    _Question("psychiatric", "bipolar_disorder", "watch for a switch into mania; ask about it before every session", ("mood_stabiliser",)),
    _Question("substance_use", "active_substance_use_disorder", "assess the risk of misuse first; no serial sessions during active misuse"),
    _Question("substance_use", "past_ketamine_or_pcp_misuse", "assess the risk of misuse first and ask about use outside the clinic at every visit"),
    _Question("substance_use", "cannabis_use", "none on treatment days or for 24 hours after"),
    _Question("physical", "hypertension", _BP_SURGES, ("hypertension_controlled",)),
    _Question("physical", "coronary_disease", _HEART),
    _Question("physical", "heart_failure", _HEART),
    _Question("physical", "arrhythmia", _HEART),
    _Question("physical", "pulmonary_hypertension", _HEART),
    _Question("physical", "aneurysm", _BP_HAZARD),
    _Question("physical", "arteriovenous_malformation", _BP_HAZARD),
    _Question("physical", "stroke", _BP_HAZARD),
    _Question("physical", "intracerebral_haemorrhage", _BP_HAZARD),
    _Question("physical", "raised_intracranial_pressure", _PRESSURE),
    _Question("physical", "seizures", "no rule of its own: the clinician weighs it (medicines that lower the seizure threshold, such as theophylline, are flagged)"),
    _Question("physical", "glaucoma", _EYE),
    _Question("physical", "recent_eye_surgery", _EYE),
    _Question("physical", "liver_disease", "liver tests (ALP and GGT included) before the first session and at the end of the course"),
    _Question("physical", "hyperthyroidism", "uncontrolled: no session until cleared; controlled: watch blood pressure and heart rate", ("hyperthyroidism_controlled",)),
    _Question("physical", "bladder_symptoms", "recorded as the baseline; urinary symptoms are asked about at every visit"),
    _Question("physical", "pregnant", "ketamine and esketamine may harm a developing baby; no session until cleared"),
    _Question("physical", "trying_to_conceive", "ketamine and esketamine may harm a developing baby; no session until cleared"),
    _Question("physical", "breastfeeding", "not recommended during treatment; a clinician reviews it first"),
    _Question("physical", "ketamine_allergy", "no session until a physician documents clearance"),
)

#: Free-text answers shown as typed: no rule reads them, so the clinician must.
FREE_TEXT: tuple[tuple[str, str], ...] = (
    ("physical", "other_allergies"),
    ("physical", "other_conditions"),
    ("substance_use", "details"),
)


def _title(section: Section, field: str) -> str:
    return type(section).model_fields[field].title or field.replace("_", " ")


def _flags_for(paths: list[str], flags: list[Flag]) -> list[str]:
    return [f.code for f in flags if set(paths) & set(f.source_fields)]


def known_conditions(history: MedicalHistory, flags: list[Flag]) -> list[KnownCondition]:
    """Every condition answered yes or left unanswered, each with its follow-ups, meaning and flags."""
    found: list[KnownCondition] = []
    for q in QUESTIONS:
        section = getattr(history, q.section)
        value = getattr(section, q.field, False)
        if value is False:
            continue
        path = f"{_MH}.{q.section}.{q.field}"
        paths = [path]
        follow_ups = []
        if value is True:  # a follow-up is only asked once its question is yes
            for follow in q.follow_ups:
                follow_ups.append(f"{_title(section, follow).lower()}: {answer_words(getattr(section, follow, None))}")
                paths.append(f"{_MH}.{q.section}.{follow}")
        means = q.means if value is True else "not answered: ask before the plan is signed"
        found.append(KnownCondition(name=_title(section, q.field), answer=answer_words(value), follow_ups=follow_ups,
                                    means=means, flags=_flags_for(paths, flags), source_fields=paths))
    drinks = history.substance_use.alcohol_drinks_per_week
    if drinks != 0:  # a number of drinks, or None: not answered
        path = f"{_MH}.substance_use.alcohol_drinks_per_week"
        means = "no alcohol on treatment days or for 24 hours after" if drinks else "not answered: ask before the plan is signed"
        found.append(KnownCondition(name=_title(history.substance_use, "alcohol_drinks_per_week"), answer=answer_words(drinks),
                                    means=means, flags=_flags_for([path], flags), source_fields=[path]))
    for section_name, field in FREE_TEXT:
        section = getattr(history, section_name)
        text = " ".join((getattr(section, field, "") or "").split())  # one line in the plan, as written
        if text:
            path = f"{_MH}.{section_name}.{field}"
            found.append(KnownCondition(name=_title(section, field), answer=text,
                                        means="as written: no rule reads it, so a clinician checks it", source_fields=[path]))
    return found


def earlier_treatments(history: MedicalHistory) -> list[str]:
    """ECT, TMS and ketamine before, in words ("Had ECT before: yes", "Had ketamine …: yes (responded)")."""
    psych = history.psychiatric
    lines = []
    for field in ("prior_ect", "prior_tms", "prior_ketamine"):
        value = getattr(psych, field, False)
        words = answer_words(value)
        if field == "prior_ketamine" and value is True:
            response = getattr(psych, "prior_ketamine_response", None)
            words += f" ({'response not answered' if response is None else response})"
        lines.append(f"{_title(psych, field)}: {words}")
    return lines
