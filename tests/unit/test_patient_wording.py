"""The kiosk's words for a patient: every question a patient is asked has plain words, the
clinician-only ones are named, no clinical jargon, and a reading level of grade 8 or lower
(Flesch-Kincaid, textstat). The screens themselves are read in tests/ui/test_kiosk_wording.py."""

from __future__ import annotations

import re

import pytest
import textstat

from ketatui.intake.about_treatment import ABOUT_PAGES, about_markdown
from ketatui.intake.goals import Contact, Goal, GoalsAndSupport, TreatingClinician
from ketatui.intake.history import AntidepressantTrial, Demographics, PhysicalHealth, PsychiatricHistory, SubstanceUse, Vitals
from ketatui.intake.patient_wording import CLINICIAN_ONLY, JARGON, WORDS, asked, patient_words

GRADE = 8
SECTIONS = {
    "medical_history.demographics": Demographics, "medical_history.psychiatric": PsychiatricHistory,
    "medical_history.substance_use": SubstanceUse, "medical_history.physical": PhysicalHealth,
    "medical_history.vitals": Vitals, "medical_history.psychiatric.antidepressant_trials[]": AntidepressantTrial,
    "goals_support.goals[]": Goal, "goals_support.escort": Contact, "goals_support.emergency_contact": Contact,
    "goals_support.treating_clinicians[]": TreatingClinician,
}


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def jargon_in(text: str) -> list[str]:
    return [word for word in JARGON if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)]


def sentence(text: str) -> str:
    return text if text.endswith((".", "?")) else text + "."


def test_every_question_a_patient_is_asked_has_plain_words() -> None:
    paths = [f"{prefix}.{name}" for prefix, model in SECTIONS.items() for name, field in model.model_fields.items()
             if name != "antidepressant_trials" and not (field.json_schema_extra or {}).get("read_from")]  # not typed: read from another
    paths += [f"goals_support.{n}" for n in ("escort_every_session", "living_situation", "crisis_plan")]
    missing = [p for p in paths if asked(p) and patient_words(p, "") == ""]
    assert not missing, f"asked of a patient in the clinician's words: {missing}"
    assert not [p for p in CLINICIAN_ONLY if p in WORDS], "a clinician-only question has patient words: it is not asked"


def test_the_clinician_only_questions_are_the_ones_the_issue_names() -> None:
    for path in ("medical_history.vitals.systolic_bp", "medical_history.vitals.diastolic_bp", "medical_history.demographics.weight_kg",
                 "medical_history.psychiatric.diagnosis", "medical_history.psychiatric.antidepressant_trials[2].weeks_at_dose"):
        assert not asked(path)
    assert asked("medical_history.psychiatric.antidepressant_trials[2].medicine")


@pytest.mark.parametrize("page", ABOUT_PAGES, ids=lambda p: p.id)
def test_each_page_about_the_treatment_reads_at_grade_8_or_lower(page) -> None:
    assert grade(page.text) <= GRADE, f"{page.title}: grade {grade(page.text):.1f}"
    assert not jargon_in(page.title + " " + page.text)


def test_the_pages_cover_what_the_issue_asks_in_the_words_of_the_reference() -> None:
    text = " ".join(p.title + " " + p.text for p in ABOUT_PAGES).casefold()
    for fact in ("glutamate", "still being studied", "4 to 6", "40 minutes", "blood pressure", "must not drive",
                 "take you home", "follow-up", "how strong your depression is", "what you have tried before"):
        assert fact.casefold() in text, fact
    assert about_markdown().count("### ") == len(ABOUT_PAGES)


def test_the_patients_words_read_at_grade_8_or_lower_without_jargon() -> None:
    labels = " ".join(sentence(text) for key, text in WORDS.items() if not key.startswith("text:"))
    assert grade(labels) <= GRADE, f"the labels read at grade {grade(labels):.1f}"
    guidance = [text for key, text in WORDS.items() if key.startswith("text:") and len(text.split()) >= 8]
    for text in guidance:
        assert grade(text) <= GRADE, f"{text!r}: grade {grade(text):.1f}"
    offending = {key: jargon_in(text) for key, text in WORDS.items() if jargon_in(text)}
    assert not offending


def test_the_jargon_check_catches_clinical_words() -> None:
    assert jargon_in("Blood pressure, systolic (mmHg)") == ["systolic", "mmhg"]
    assert jargon_in("Tick each one the person has had") == ["the person"]
    assert grade("Contraindications include uncontrolled hypertension, intracerebral haemorrhage and aneurysmal vascular disease.") > GRADE


def test_the_take_home_sheet_carries_the_same_pages() -> None:
    from ketatui.clinical.plan import make_plan
    from ketatui.clinical.protocol import default_protocol
    from ketatui.exchange.markdown import take_home_markdown
    from ketatui.intake.document import parse_intake
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "01-treatment-resistant-uncomplicated.json"
    intake = parse_intake(example.read_text(encoding="utf-8"))
    sheet = take_home_markdown(make_plan(intake, default_protocol()), intake)
    assert about_markdown() in sheet
