"""Shared field types and the plain-words error formatting every model uses.

Every field carries a ``title`` a clinician would say out loud ("Weight (kg)"); errors are
reported as "Weight (kg): must be between 25 and 350" so a screen or the CLI can show them
next to the field without knowing pydantic's vocabulary.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError, ValidationInfo, field_validator

from ketatui.intake.plain_text import refuse_controls_in_line, refuse_controls_in_notes

PHONE_PATTERN = r"^\+?[0-9(][0-9 ()\-]{5,22}[0-9]$"  # "(555) 201-3344" may open with a bracket

#: One line of text (a name, a dose): no control characters at all, not even a line break.
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(refuse_controls_in_line)]
#: A note: line breaks and tabs are kept; other control characters are refused.
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), AfterValidator(refuse_controls_in_notes)]
RequiredText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(refuse_controls_in_line)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=PHONE_PATTERN)]
#: Who did something (a user name from the settings or a file): one line, no control characters.
UserName = Annotated[str, StringConstraints(max_length=200), AfterValidator(refuse_controls_in_line)]


def _is_number(annotation: Any) -> bool:
    """Whether a field holds a number (``int``, ``float``, optionally ``None``)."""
    if annotation in (int, float):
        return True
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and any(a in (int, float) for a in typing.get_args(annotation))


class Section(BaseModel):
    """Base for every intake section: unknown keys are refused so typos in files are caught, a
    number is never taken from true/false, and NaN or infinity is never a number."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_yes_or_no(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name and _is_number(cls.model_fields[info.field_name].annotation):
            raise ValueError("enter a number, not true or false")
        return value


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field, in words a person can act on."""

    path: str  # dotted path into the document, e.g. "medical_history.vitals.systolic_bp"
    label: str  # the field's plain name, e.g. "Intake blood pressure, systolic (mmHg)"
    message: str  # what is wrong and what is accepted

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


#: Leaf labels that mean nothing alone ("Phone" of whom?), so the parent's label goes first.
_NEEDS_CONTEXT = frozenset({"Name", "Phone", "Relationship", "Role"})


def _title_for(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> tuple[str, str, Any]:
    """Walk the model along ``loc`` and return (dotted path, plain label, the innermost field)."""
    labels: list[str] = []
    parts: list[str] = []
    current: Any = model
    last_field = None
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
            if labels:
                labels[-1] = f"{labels[-1]} #{item + 1}"
            continue
        parts.append(str(item))
        field = None
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(item))
        if field is None:
            labels.append(str(item).replace("_", " ").capitalize())
            current = None
            continue
        labels.append(field.title or str(item).replace("_", " ").capitalize())
        current = _inner_model(field.annotation)
        last_field = field
    # The innermost label is the most useful; keep one level of context for list rows.
    label = labels[-1] if labels else "Intake"
    if len(labels) >= 2 and label in _NEEDS_CONTEXT:
        label = f"{labels[-2]}, {label.lower()}"
    elif len(labels) >= 2 and "#" in labels[-2]:
        label = f"{labels[-2]}, {label}"
    return ".".join(parts), label, last_field


def label_for(model: type[BaseModel], path: str) -> str:
    """The plain label of the field at a dotted path such as ``phq9.answers[2]`` ("PHQ-9 question #3")."""
    loc = tuple(int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", path))
    return _title_for(model, loc)[1]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


_TYPE_WORDS = {
    "int_parsing": "enter a whole number",
    "int_type": "enter a whole number",
    "int_from_float": "enter a whole number",
    "float_parsing": "enter a number",
    "float_type": "enter a number",
    "bool_parsing": "answer yes or no",
    "bool_type": "answer yes or no",
    "date_parsing": "enter a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "enter a date as YYYY-MM-DD",
    "date_from_datetime_inexact": "enter a date as YYYY-MM-DD",
    "date_type": "enter a date as YYYY-MM-DD",
    "missing": "this is required",
    "extra_forbidden": "is not a field ketatui knows; check the spelling",
    "string_type": "enter text",
    "list_type": "expected a list",
    "model_type": "expected a group of fields",
    "dict_type": "expected a group of fields",
    "uuid_parsing": "expected a record id (UUID)",
    "json_invalid": "is not valid JSON",
    "finite_number": "enter a number (NaN and infinity are not numbers)",
    "recursion_loop": "is nested too deeply",
}


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(field: Any) -> tuple[Any, Any]:
    low = high = None
    for item in getattr(field, "metadata", ()) or ():
        low = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else low
        low = getattr(item, "gt", None) if getattr(item, "gt", None) is not None else low
        high = getattr(item, "le", None) if getattr(item, "le", None) is not None else high
        high = getattr(item, "lt", None) if getattr(item, "lt", None) is not None else high
    return low, high


def _message(error: dict[str, Any], field: Any = None, known: list[str] | None = None) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        low, high = _bounds(field)
        if low is not None and high is not None:
            return f"{_number(error.get('input'))} is outside the accepted range {_number(low)} to {_number(high)}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "extra_forbidden" and known:
        return f"{_TYPE_WORDS[kind]} (known here: {', '.join(known)})"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind in {"greater_than_equal", "greater_than"}:
        return f"must be at least {_number(ctx.get('ge', ctx.get('gt')))}"
    if kind in {"less_than_equal", "less_than"}:
        return f"must be at most {_number(ctx.get('le', ctx.get('lt')))}"
    if kind == "string_too_short":
        return "this is required" if ctx.get("min_length") == 1 else f"needs at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == PHONE_PATTERN:
            return "enter a phone number: digits, spaces, brackets or dashes, optionally starting with +"
        return "is not in the expected format"
    if kind in {"literal_error", "enum"}:
        return f"choose one of: {ctx.get('expected', '')}".replace("'", "")
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} (has {ctx.get('actual_length')})"
    if kind == "too_long":
        return f"can have at most {ctx.get('max_length')} (has {ctx.get('actual_length')})"
    return re.sub(r"^Input should be", "should be", error["msg"])


def _known_fields(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model at ``loc``, to list beside an unknown key."""
    current = model
    for item in loc:
        if isinstance(item, int):
            continue
        field = current.model_fields.get(str(item)) if current is not None else None
        current = _inner_model(field.annotation) if field is not None else None
    return list(current.model_fields) if current is not None else []


def problems_from(error: ValidationError, model: type[BaseModel] | None = None, prefix: tuple[Any, ...] = ()) -> list[FieldProblem]:
    """Turn a pydantic ``ValidationError`` into plain problems, one per field."""
    found: list[FieldProblem] = []
    for item in error.errors(include_url=False):
        path, label, field = _title_for(model, tuple(item["loc"]))
        if prefix:
            path = ".".join(str(p) for p in prefix) + ("." + path if path else "")
        known = _known_fields(model, tuple(item["loc"])[:-1]) if item["type"] == "extra_forbidden" else None
        found.append(FieldProblem(path=path or "(document)", label=label, message=_message(item, field, known)))
    return found


#: The third answer to a follow-up the person may not know ("Blood pressure controlled by treatment?").
NOT_KNOWN = "not known"


def question(title: str, *, follows: str | None = None, not_known: bool = False) -> Any:
    """A question the rules read: yes, no (and ``NOT_KNOWN`` where fair) or not answered (None).

    Its default is None, so no answer is ever assumed: a step is not finished while it is None
    (``ketatui.intake.answers``), and the rules name it in a review flag if a record reaches them
    so. ``follows`` names the sibling question it follows: it is asked only when that one is yes.
    """
    from pydantic import Field

    extra: dict[str, Any] = {"question": True}
    if follows:
        extra["follows"] = follows
    if not_known:
        extra["not_known"] = True
    return Field(default=None, title=title, json_schema_extra=extra)
