"""The PHQ-9, GAD-7 and ASQ as FHIR R5 Questionnaires, and answers to them as QuestionnaireResponses.

The Questionnaires are ours: the published wording of each instrument (``ketatui.intake.instruments``),
its LOINC codes where LOINC has them (PHQ-9 panel 44249-1, GAD-7 panel 69737-5 and their items;
the answers "Not at all" … "Nearly every day" are LOINC LA6568-5, LA6569-3, LA6570-1, LA6571-9),
and a canonical URL under ``CANONICAL_BASE``. They ship in ``ketatui/data/fhir/`` and in
``examples/fhir/``; a response names the one it answers by that URL and version, so an EHR (or
our import) can check an answer against the very question asked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from fhir.resources.codeableconcept import CodeableConcept
from fhir.resources.coding import Coding
from fhir.resources.questionnaire import Questionnaire, QuestionnaireItem, QuestionnaireItemAnswerOption
from fhir.resources.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.reference import Reference

from ketatui.intake.instruments import (
    ASQ,
    ASQ_ACUITY_QUESTION,
    ASQ_ATTRIBUTION,
    ASQ_EVER_TRIED_FOLLOW_UP,
    ASQ_QUESTIONS,
    FREQUENCY_CHOICES,
    GAD7,
    GAD7_ITEMS,
    GAD7_STEM,
    PHQ9,
    PHQ9_DIFFICULTY_CHOICES,
    PHQ9_DIFFICULTY_QUESTION,
    PHQ9_ITEMS,
    PHQ9_STEM,
    PHQ_ATTRIBUTION,
)

#: Where our conformance resources are named. A canonical URL is an identifier: it need not be
#: fetched, and the resources themselves ship with ketatui.
CANONICAL_BASE = "https://ketatui.org/fhir"
VERSION = "1.0.0"
LOINC = "http://loinc.org"

FREQUENCY_CODES = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")
DIFFICULTY_CODES = ("LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3")  # LA6575-0 is "Very", LA6574-3 "Extremely"
PHQ9_ITEM_CODES = ("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8")
PHQ9_DIFFICULTY_CODE = "69722-7"
GAD7_ITEM_CODES = ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7")
ASQ_FIELDS = ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried")


@dataclass(frozen=True)
class Instrument:
    key: str
    title: str
    panel: str | None  # LOINC panel code
    stem: str
    attribution: str

    @property
    def url(self) -> str:
        return f"{CANONICAL_BASE}/Questionnaire/{self.key}"

    @property
    def canonical(self) -> str:
        return f"{self.url}|{VERSION}"


PHQ9_Q = Instrument("phq-9", "Patient Health Questionnaire (PHQ-9)", "44249-1", PHQ9_STEM, PHQ_ATTRIBUTION)
GAD7_Q = Instrument("gad-7", "Generalized Anxiety Disorder 7-item (GAD-7)", "69737-5", GAD7_STEM, PHQ_ATTRIBUTION)
ASQ_Q = Instrument("asq", "Ask Suicide-Screening Questions (ASQ)", None, "", ASQ_ATTRIBUTION)
INSTRUMENTS = {i.key: i for i in (PHQ9_Q, GAD7_Q, ASQ_Q)}


def _loinc(code: str, display: str | None = None) -> Coding:
    return Coding(system=LOINC, code=code, display=display)


def _choices(codes: tuple[str, ...], words: tuple[str, ...]) -> list[QuestionnaireItemAnswerOption]:
    return [QuestionnaireItemAnswerOption(valueCoding=_loinc(code, word)) for code, word in zip(codes, words)]


def _frequency_items(prefix: str, texts: tuple[str, ...], codes: tuple[str, ...]) -> list[QuestionnaireItem]:
    return [QuestionnaireItem(linkId=f"{prefix}-{n}", code=[_loinc(code)], text=text, type="coding", required=True,
                              answerConstraint="optionsOnly", answerOption=_choices(FREQUENCY_CODES, FREQUENCY_CHOICES))
            for n, (text, code) in enumerate(zip(texts, codes), start=1)]


def questionnaire(instrument: Instrument) -> Questionnaire:
    """Our Questionnaire for ``instrument``, in the instrument's published wording."""
    if instrument is ASQ_Q:
        items = [QuestionnaireItem(linkId=f"asq-{n}", text=text, type="boolean", required=True)
                 for n, text in enumerate(ASQ_QUESTIONS, start=1)]
        items.insert(4, QuestionnaireItem(linkId="asq-4-details", text=ASQ_EVER_TRIED_FOLLOW_UP, type="string", required=False))
        items.append(QuestionnaireItem(linkId="asq-5", text=ASQ_ACUITY_QUESTION, type="boolean", required=False))
    elif instrument is PHQ9_Q:
        items = _frequency_items("phq9", PHQ9_ITEMS, PHQ9_ITEM_CODES)
        items.append(QuestionnaireItem(linkId="phq9-difficulty", code=[_loinc(PHQ9_DIFFICULTY_CODE)], text=PHQ9_DIFFICULTY_QUESTION,
                                       type="coding", required=False, answerConstraint="optionsOnly",
                                       answerOption=_choices(DIFFICULTY_CODES, PHQ9_DIFFICULTY_CHOICES)))
    else:
        items = _frequency_items("gad7", GAD7_ITEMS, GAD7_ITEM_CODES)
    group = QuestionnaireItem(linkId=instrument.key, text=instrument.stem or instrument.title, type="group", item=items)
    return Questionnaire(
        id=instrument.key, url=instrument.url, version=VERSION, name=instrument.key.replace("-", "").upper(),
        title=instrument.title, status="active", subjectType=["Patient"], publisher="ketatui",
        copyright=instrument.attribution, code=[_loinc(instrument.panel)] if instrument.panel else None, item=[group],
    )


def shipped(instrument: Instrument) -> dict:
    """The Questionnaire as shipped in ``ketatui/data/fhir/`` (what ``write_questionnaires`` wrote)."""
    text = resources.files("ketatui").joinpath("data", "fhir", f"Questionnaire-{instrument.key}.json").read_text(encoding="utf-8")
    return json.loads(text)


def questionnaire_json(instrument: Instrument) -> str:
    return questionnaire(instrument).model_dump_json(indent=2, exclude_none=True) + "\n"


# ----- responses --------------------------------------------------------------------------------


def _coded(code: str, word: str) -> QuestionnaireResponseItemAnswer:
    return QuestionnaireResponseItemAnswer(valueCoding=_loinc(code, word))


def _frequency_answers(prefix: str, texts: tuple[str, ...], answers: list[int]) -> list[QuestionnaireResponseItem]:
    return [QuestionnaireResponseItem(linkId=f"{prefix}-{n}", text=text, answer=[_coded(FREQUENCY_CODES[a], FREQUENCY_CHOICES[a])])
            for n, (text, a) in enumerate(zip(texts, answers), start=1)]


def response(instrument: Instrument, answers: PHQ9 | GAD7 | ASQ, *, rid: str, subject: Reference, authored: datetime | str) -> QuestionnaireResponse:
    """The answers as a completed QuestionnaireResponse to our Questionnaire."""
    if isinstance(answers, PHQ9):
        items = _frequency_answers("phq9", PHQ9_ITEMS, answers.answers)
        if answers.difficulty is not None:
            d = answers.difficulty
            items.append(QuestionnaireResponseItem(linkId="phq9-difficulty", text=PHQ9_DIFFICULTY_QUESTION,
                                                   answer=[_coded(DIFFICULTY_CODES[d], PHQ9_DIFFICULTY_CHOICES[d])]))
    elif isinstance(answers, GAD7):
        items = _frequency_answers("gad7", GAD7_ITEMS, answers.answers)
    else:
        values = [getattr(answers, f) for f in ASQ_FIELDS]
        items = [QuestionnaireResponseItem(linkId=f"asq-{n}", text=text, answer=[QuestionnaireResponseItemAnswer(valueBoolean=v)])
                 for n, (text, v) in enumerate(zip(ASQ_QUESTIONS, values), start=1)]
        if answers.ever_tried_details:
            items.append(QuestionnaireResponseItem(linkId="asq-4-details", text=ASQ_EVER_TRIED_FOLLOW_UP,
                                                   answer=[QuestionnaireResponseItemAnswer(valueString=answers.ever_tried_details)]))
        if answers.thoughts_right_now is not None:
            items.append(QuestionnaireResponseItem(linkId="asq-5", text=ASQ_ACUITY_QUESTION,
                                                   answer=[QuestionnaireResponseItemAnswer(valueBoolean=answers.thoughts_right_now)]))
    group = QuestionnaireResponseItem(linkId=instrument.key, item=items)
    return QuestionnaireResponse(id=rid, questionnaire=instrument.canonical, status="completed", subject=subject,
                                 authored=authored, item=[group])


def panel_code(instrument: Instrument) -> CodeableConcept | None:
    return CodeableConcept(coding=[_loinc(instrument.panel)], text=instrument.title) if instrument.panel else None
