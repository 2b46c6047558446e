"""What every backend does to an intake document before keeping it, whatever keeps the bytes.

The rules of the ``Repository`` interface that are about the document, not the files: a new
intake gets an id, rev 1 and who/when (an import keeps its own, times normalised to UTC); a
save cannot change identity or origin; a stale ``expected_rev`` is refused naming who saved;
older schemas are migrated and newer ones never overwritten; the list row is read from what
the core stored (``listing``, ``triage``, the plan's session dates), never decided here.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from ketatui.intake.migrations import migrate, version_of
from ketatui.intake.schema import SCHEMA_VERSION
from ketatui.storage.errors import InvalidRequest, NewerSchema, StaleRevision
from ketatui.storage.repository import STATUSES


def utc(value: Any) -> Any:
    """An ISO timestamp normalised to UTC with microseconds, so stored times sort as text."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def valid_id(record_id: Any) -> bool:
    try:
        return isinstance(record_id, str) and str(uuid.UUID(record_id)) == record_id
    except ValueError:
        return False


def readable(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored revision in the current schema (newer documents are returned as they are)."""
    return doc if version_of(doc) >= SCHEMA_VERSION else migrate(doc)


def current_schema(doc: Any) -> dict[str, Any]:
    """``doc`` migrated to the current schema; a newer one is refused, never downgraded."""
    if not isinstance(doc, dict):
        raise InvalidRequest("An intake must be a JSON object (a dict).")
    try:
        version = version_of(doc)
    except ValueError as exc:
        raise InvalidRequest(f"This intake cannot be stored: {exc}.") from None
    if version > SCHEMA_VERSION:
        raise NewerSchema(f"Intake {doc.get('record_id')}", version, SCHEMA_VERSION)
    return migrate(doc) if version < SCHEMA_VERSION else doc


def prepare_new(doc: dict[str, Any], *, user: str, now: str, keep: bool) -> dict[str, Any]:
    """A new intake as it will be stored; ``keep`` (an import) keeps its status, rev and times."""
    new = dict(current_schema(doc))
    if not new.get("record_id"):
        new["record_id"] = str(uuid.uuid4())
    if not valid_id(new["record_id"]):
        raise InvalidRequest(f"{new['record_id']!r} is not a record id (a lower-case UUID); nothing was stored.")
    if new.get("status", "draft") not in STATUSES:
        raise InvalidRequest(f"Unknown status {new.get('status')!r}; use one of {', '.join(STATUSES)}.")
    new["schema_version"] = SCHEMA_VERSION
    new.setdefault("status", "draft")
    if new["status"] == "signed" and not keep:
        raise InvalidRequest("A new intake cannot be stored as signed; create it, then sign it.")
    new["training"] = bool(new.get("training", False))
    if keep:
        rev = new.get("rev")
        new["rev"] = rev if isinstance(rev, int) and rev >= 1 else 1
        for key in ("created_at", "updated_at", "signed_at"):
            new[key] = utc(new.get(key))
        new["created_at"] = new["created_at"] or now
        new["created_by"] = new.get("created_by") or user
        new["updated_at"] = new["updated_at"] or now
        new["updated_by"] = new.get("updated_by") or user
    else:
        new.update(rev=1, created_at=utc(new.get("created_at")) or now, created_by=new.get("created_by") or user,
                   updated_at=now, updated_by=user, signed_at=None, signed_by=None, amends_rev=None)
    json.dumps(new)  # refuse anything JSON cannot hold before writing
    return new


def carried_over(current: dict[str, Any]) -> dict[str, Any]:
    """Fields a save cannot change: identity, origin and the amendment link."""
    return {k: current.get(k) for k in ("record_id", "created_at", "created_by", "training", "amends_rev")} | {
        "schema_version": SCHEMA_VERSION
    }


def check_rev(current: dict[str, Any], expected_rev: int) -> dict[str, Any]:
    if current["rev"] != expected_rev:
        raise StaleRevision(current["record_id"], expected_rev, current["rev"], current.get("updated_by"), current.get("updated_at"))
    return current


def review_and_caution(doc: dict[str, Any]) -> tuple[bool, bool]:
    """Whether the intake carries a flag to review and one to monitor, for the records list's
    FLAGS: the triage the core stored, or for a document stored before the triage said so, the
    severities of its stored plan's flags."""
    triage = doc.get("triage")
    if isinstance(triage, dict) and "review" in triage:
        return bool(triage.get("review")), bool(triage.get("caution"))
    flags = (doc.get("plan") or {}).get("flags") or []
    severities = {f.get("severity") for f in flags if isinstance(f, dict)}
    return "review" in severities, "caution" in severities


def list_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """What the records list needs of an intake (current schema).

    Urgent and blocked are the triage the core stored; a document stored before it had one falls
    back to its plan's flags. The name and birth date are the core's ``listing`` (typed answers
    included, so a draft is found by name at once), else the validated demographics."""
    demo = ((doc.get("medical_history") or {}).get("demographics") or {})
    listing = doc.get("listing") if isinstance(doc.get("listing"), dict) else {}
    plan = doc.get("plan") or {}
    triage = doc.get("triage")
    if isinstance(triage, dict):
        urgent, blocked = bool(triage.get("urgent")), bool(triage.get("blocked"))
    else:
        flags = plan.get("flags") or []
        urgent = any(isinstance(f, dict) and f.get("severity") == "urgent" for f in flags)
        blocked = bool(plan) and not plan.get("schedulable", True)
    schedule = plan.get("schedule") or []
    review, caution = review_and_caution(doc)
    return {
        "full_name": listing.get("full_name") or demo.get("full_name") or "",
        "date_of_birth": listing.get("date_of_birth") or demo.get("date_of_birth"),
        "status": doc.get("status", "draft"),
        "urgent": urgent,
        "blocked": blocked,
        "review": review,
        "caution": caution,
        "training": bool(doc.get("training", False)),
        "current_step": doc.get("current_step"),
        "sessions": sorted(str(s["date"]) for s in schedule if isinstance(s, dict) and s.get("date")),
    }
