"""What an amendment changed: two revisions of an intake compared, answer by answer, in words.

Each change is the answer's label as the forms show it (from the models' field titles, e.g.
"Medical history › Vital signs › Systolic blood pressure"), the old value and the new one.
Bookkeeping (revision, who and when, status, unfinished answers, derived triage) is left out:
it changes on every save and says nothing about the person. Of the derived plan, only what a
clinician re-signs for is compared: whether it can be scheduled, the sessions and the start.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ketatui.intake.document import Intake

#: Fields every save changes, or that are derived and compared apart (the plan).
BOOKKEEPING = frozenset({
    "schema_version", "record_id", "rev", "status", "training", "created_at", "created_by", "updated_at",
    "updated_by", "signed_at", "signed_by", "amends_rev", "current_step", "form_state", "plan", "triage", "listing",
})
#: The parts of the plan a signature stands for, with their labels.
PLAN_PARTS = (
    (("schedulable",), "Plan › Can be scheduled"),
    (("course", "sessions"), "Plan › Sessions planned"),
    (("start_date",), "Plan › First session"),
)
BLANK = "(blank)"


@dataclass(frozen=True)
class Change:
    """One answer that differs: its label, the value before and the value after, as shown."""

    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


def shown(value: Any) -> str:
    """A value as a person reads it."""
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(shown(v) for v in value)
    return str(value)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``Demographics | None`` or ``list[Trial]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    """Every answer in ``value`` by its path (lists of sections by index, lists of words whole)."""
    if isinstance(value, dict):
        out: dict[tuple[Any, ...], Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, (*path, key)))
        return out
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        out = {}
        for i, item in enumerate(value):
            out.update(_leaves(item, (*path, i)))
        return out
    return {path: value}


def label(path: tuple[Any, ...], model: type[BaseModel] | None = Intake) -> str:
    """The label of the answer at ``path``: each level's field title, rows numbered from 1."""
    words: list[str] = []
    for part in path:
        if isinstance(part, int):
            words[-1] = f"{words[-1]} {part + 1}" if words else str(part + 1)
            continue
        field = model.model_fields.get(part) if model is not None else None
        words.append(field.title if field is not None and field.title else str(part).replace("_", " ").capitalize())
        model = _model_in(field.annotation) if field is not None else None
    return " › ".join(words)


def _dig(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What differs between two revisions (stored documents), in the order the forms ask."""
    before = _leaves({k: v for k, v in old.items() if k not in BOOKKEEPING})
    after = _leaves({k: v for k, v in new.items() if k not in BOOKKEEPING})
    order = list(before) + [p for p in after if p not in before]
    found = [Change(label(p), shown(before.get(p)), shown(after.get(p))) for p in order
             if shown(before.get(p)) != shown(after.get(p))]
    for keys, words in PLAN_PARTS:
        was, now = shown(_dig(old.get("plan"), keys)), shown(_dig(new.get("plan"), keys))
        if was != now:
            found.append(Change(words, was, now))
    return found

