"""A PHQ-9 or GAD-7 answered elsewhere (a patient portal), read from a FHIR R5 QuestionnaireResponse.

Only a response to our own Questionnaire is taken (``fhir_questionnaires``: its canonical URL,
and version if it names one), completed, with exactly one answer from our answer list for every
question and no question we did not ask. Anything else is refused with the reason, naming the
item, so a score is never guessed from a form that asked something else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fhir.resources.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from ketatui.exchange.fhir_questionnaires import (
    DIFFICULTY_CODES,
    FREQUENCY_CODES,
    GAD7_Q,
    LOINC,
    PHQ9_Q,
    VERSION,
    Instrument,
)
from ketatui.exchange.fhir_export import RECORD_ID_SYSTEM


class ResponseRefused(ValueError):
    """The response is not one ketatui can add to a record; the message says why and what to do."""


@dataclass(frozen=True)
class ImportedScore:
    instrument: Instrument
    answers: dict[str, Any]  # as the PHQ9 / GAD7 section stores them
    day: date
    response_id: str | None
    record_id: str | None  # the ketatui record the response names, if it names one


def _items(items: list[Any] | None) -> list[Any]:
    flat = []
    for item in items or []:
        if item.item:
            flat += _items(item.item)
        if item.answer or not item.item:
            flat.append(item)
    return flat


def _choice(item: Any, codes: tuple[str, ...], what: str) -> int:
    answers = item.answer or []
    if len(answers) != 1 or answers[0].valueCoding is None:
        raise ResponseRefused(f"item {item.linkId} ({what}): needs exactly one coded answer, it has {len(answers)}")
    coding = answers[0].valueCoding
    if coding.system != LOINC or coding.code not in codes:
        raise ResponseRefused(f"item {item.linkId} ({what}): the answer {coding.system}|{coding.code} is not one of ours "
                              f"(LOINC {', '.join(codes)})")
    return codes.index(coding.code)


def read_response(text: str) -> ImportedScore:
    """The PHQ-9 or GAD-7 answers in ``text`` (a QuestionnaireResponse as JSON), or ``ResponseRefused``."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ResponseRefused(f"it is not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        raise ResponseRefused(f"it is a {data.get('resourceType') if isinstance(data, dict) else type(data).__name__}, "
                              "not a FHIR QuestionnaireResponse")
    try:
        qr = QuestionnaireResponse.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ResponseRefused(f"it is not a valid FHIR R5 QuestionnaireResponse ({'.'.join(map(str, first['loc']))}: {first['msg']})") from None
    url, _, version = (qr.questionnaire or "").partition("|")
    instrument = {PHQ9_Q.url: PHQ9_Q, GAD7_Q.url: GAD7_Q}.get(url)
    if instrument is None:
        raise ResponseRefused(f"it answers the questionnaire {qr.questionnaire or '(none named)'}, not our PHQ-9 ({PHQ9_Q.url}) "
                              f"or GAD-7 ({GAD7_Q.url}); only those can be added as follow-up scores")
    if version and version != VERSION:
        raise ResponseRefused(f"it answers version {version} of {url}; this ketatui reads version {VERSION}")
    if qr.status not in ("completed", "amended"):
        raise ResponseRefused(f"its status is {qr.status}: only a completed response gives a score")
    if qr.authored is None:
        raise ResponseRefused("it does not say when it was answered (authored); the score needs its date")
    prefix, count = ("phq9", 9) if instrument is PHQ9_Q else ("gad7", 7)
    wanted = {f"{prefix}-{n}" for n in range(1, count + 1)}
    allowed = wanted | ({"phq9-difficulty"} if instrument is PHQ9_Q else set())
    found: dict[str, Any] = {}
    for item in _items(qr.item):
        if item.linkId == instrument.key and not item.answer:
            continue
        if item.linkId not in allowed:
            raise ResponseRefused(f"item {item.linkId} is not a question of our {instrument.title}")
        if item.linkId in found:
            raise ResponseRefused(f"item {item.linkId} is answered twice")
        found[item.linkId] = item
    missing = sorted(wanted - set(found), key=lambda k: int(k.split("-")[1]))
    if missing:
        raise ResponseRefused(f"question{'s' if len(missing) > 1 else ''} {', '.join(missing)} of the {instrument.title} "
                              "are not answered; a total needs every answer")
    answers: dict[str, Any] = {"answers": [_choice(found[f"{prefix}-{n}"], FREQUENCY_CODES, f"question {n}") for n in range(1, count + 1)]}
    if "phq9-difficulty" in found:
        answers["difficulty"] = _choice(found["phq9-difficulty"], DIFFICULTY_CODES, "difficulty")
    authored = qr.authored
    day = authored.date() if isinstance(authored, datetime) else date.fromisoformat(str(authored)[:10])
    record_id = None
    if qr.subject is not None and qr.subject.identifier is not None and qr.subject.identifier.system == RECORD_ID_SYSTEM:
        record_id = qr.subject.identifier.value
    return ImportedScore(instrument, answers, day, qr.id, record_id)
