"""How an intake is listed: the name and birth date the records list shows and searches.

Derived in the core on every change, like the triage, and stored with the document, so storage
lists a draft by its name as soon as the name is typed, before its page validates. What was
typed (``form_state``) wins over the validated demographics: it is newer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ketatui.intake.plain_text import without_controls

#: Listed text: derived, so it is cleaned rather than refused (control characters dropped, cut to 200).
ListedText = Annotated[str, BeforeValidator(lambda v: without_controls(v).strip()[:200] if isinstance(v, str) else v)]

if TYPE_CHECKING:
    from ketatui.intake.document import Intake

#: Where the medical-history page keeps what was typed for the name and the birth date.
TYPED_NAME = "medical_history.demographics.full_name"
TYPED_BIRTH_DATE = "medical_history.demographics.date_of_birth"


class Listing(BaseModel):
    """The name and birth date as listed; None until something is typed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    full_name: ListedText | None = Field(default=None, title="Name as listed")
    date_of_birth: ListedText | None = Field(default=None, title="Birth date as listed")


def _typed(intake: Intake, path: str) -> str | None:
    values: Any = (intake.form_state.get("medical_history") or {}).get("values") or {}
    value = values.get(path) if isinstance(values, dict) else None
    # What was typed is kept as typed in the form; the listing drops control characters (a paste can carry them).
    return without_controls(value).strip()[:200] or None if isinstance(value, str) else None


def listing(intake: Intake) -> Listing:
    """The name and birth date to list ``intake`` under: typed answers first, then the sections."""
    demo = intake.medical_history.demographics if intake.medical_history else None
    name = _typed(intake, TYPED_NAME) or (demo.full_name if demo else None)
    born = _typed(intake, TYPED_BIRTH_DATE) or (demo.date_of_birth.isoformat() if demo and demo.date_of_birth else None)
    return Listing(full_name=name, date_of_birth=born)
