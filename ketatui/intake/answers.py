"""Answered or not: which questions the rules read are still unanswered, or answered "not known".

A question (``ketatui.intake.fields.question``) has three states: yes, no and not answered
(None); a follow-up the person may not know also takes ``"not known"``. Nothing here reads None
as no. A step is not finished while ``unanswered`` lists anything on it; the rules raise a
review flag naming what ``unanswered`` and ``not_known`` find on a record that reached them so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ketatui.intake.fields import NOT_KNOWN


@dataclass(frozen=True)
class Question:
    """One question of a section: where it is, its plain name and whether it follows another."""

    path: str
    label: str
    follows: str | None  # the path of the question it follows (asked only when that one is yes)
    not_known_allowed: bool
    value: Any


def _extra(model: type[BaseModel], name: str) -> dict[str, Any]:
    extra = model.model_fields[name].json_schema_extra
    return extra if isinstance(extra, dict) else {}


def is_question(model: type[BaseModel], name: str) -> bool:
    """Whether ``model.name`` is a question the rules read (declared with ``question``)."""
    return bool(_extra(model, name).get("question"))


def questions(section: BaseModel, prefix: str) -> list[Question]:
    """Every question in ``section`` and the sections and rows inside it, in field order."""
    found: list[Question] = []
    model = type(section)
    for name, field in model.model_fields.items():
        value = getattr(section, name)
        path = f"{prefix}.{name}"
        if is_question(model, name):
            extra = _extra(model, name)
            follows = f"{prefix}.{extra['follows']}" if extra.get("follows") else None
            found.append(Question(path, field.title or name, follows, bool(extra.get("not_known")), value))
        elif isinstance(value, BaseModel):
            found += questions(value, path)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += [_numbered(q, field.title or name, index) for q in questions(item, f"{path}[{index}]")]
    return found


def _numbered(question: Question, row_title: str, index: int) -> Question:
    """A question in a list row is named with its row ("Antidepressant trials #2: In the current episode")."""
    return Question(question.path, f"{row_title} #{index + 1}: {question.label}", question.follows, question.not_known_allowed, question.value)


def asked(question: Question, everything: dict[str, Question]) -> bool:
    """A follow-up is asked only when the question it follows is yes; every other question always."""
    if question.follows is None:
        return True
    parent = everything.get(question.follows)
    return parent is not None and parent.value is True and asked(parent, everything)


def unanswered(section: BaseModel | None, prefix: str) -> list[Question]:
    """The questions asked in ``section`` that are not answered yet (None), in order."""
    if section is None:
        return []
    found = questions(section, prefix)
    by_path = {q.path: q for q in found}
    return [q for q in found if q.value is None and asked(q, by_path)]


def not_known(section: BaseModel | None, prefix: str) -> list[Question]:
    """The questions asked in ``section`` answered "not known"."""
    if section is None:
        return []
    found = questions(section, prefix)
    by_path = {q.path: q for q in found}
    return [q for q in found if q.value == NOT_KNOWN and asked(q, by_path)]


def names(found: list[Question]) -> str:
    """The questions' names in a sentence: "'Stroke', 'Glaucoma' and 'Pregnant'"."""
    quoted = [f"'{q.label}'" for q in found]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def no_answer_for(model: type[BaseModel], name: str) -> Any:
    """What "none of these" records for one question: no (False), or 0 for a count."""
    return 0 if _is_count(model.model_fields[name].annotation) else False


def _is_count(annotation: Any) -> bool:
    """Whether the answer is a whole number (``int``, ``Annotated[int, ...]``, optionally None)."""
    import typing

    for arg in typing.get_args(annotation) or (annotation,):
        base = typing.get_args(arg)[0] if typing.get_origin(arg) is typing.Annotated else arg
        if base is int:
            return True
    return False


def rest_answered_no(model: type[BaseModel], **answers: Any) -> BaseModel:
    """``model`` with ``answers`` and every other question it asks answered no: "none of these",
    as an explicit answer (a follow-up is left to its own answer; it is asked only after a yes)."""
    for name in model.model_fields:
        if is_question(model, name) and name not in answers and not _extra(model, name).get("follows"):
            answers[name] = no_answer_for(model, name)
    return model(**answers)


@dataclass(frozen=True)
class QuestionField:
    """A question as a form asks it, before anything is answered: path, name, what it follows."""

    path: str
    label: str
    follows: str | None
    yes_no: bool  # answered y / n (/ u), rather than from a list or with a number


def question_fields(model: type[BaseModel], prefix: str = "") -> list[QuestionField]:
    """Every question ``model`` asks, in the sections inside it too (rows of a list apart)."""
    import typing

    found: list[QuestionField] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        if is_question(model, name):
            follows = _extra(model, name).get("follows")
            follows_path = (f"{prefix}.{follows}" if prefix else follows) if follows else None
            found.append(QuestionField(path, field.title or name, follows_path, bool in typing.get_args(field.annotation)))
            continue
        inner = [a for a in (typing.get_args(field.annotation) or (field.annotation,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        if inner and typing.get_origin(field.annotation) is not list:
            found += question_fields(inner[0], path)
    return found
