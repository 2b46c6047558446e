"""The records list and search: a small summary row per intake, kept in 256 encrypted shards.

A row holds what the list shows (name, date of birth, status, who and when, urgent/blocked,
training, step) and nothing else. Rows live in ``index/<first two hex digits of the record
id>.json.enc``, each shard a TinyDB table, so a save rewrites one shard of about 1/256 of the
rows (about 400 rows at 100k intakes) instead of the whole store.

Searching needs every row, so a process keeps the shards it has read in memory as compact
tuples and, before every list or search, re-reads exactly the shards whose file changed. A
shard file is never modified in place: every write seals it anew with a fresh random nonce,
which sits in the file's first bytes. Reading those few bytes of each shard (256 small reads)
tells for certain whether it changed, with no reliance on timestamps, so the cache never
hides another process's write.
"""

from __future__ import annotations

import heapq
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from ketatui.storage.paths import open_file, read_fd
from ketatui.storage.repository import RecordSummary

SHARDS = [f"{i:02x}" for i in range(256)]
TABLE = "summaries"

# Positions in a cached row tuple.
ID, NAME, NAME_KEY, DOB, STATUS, REV, UPDATED_AT, UPDATED_BY, CREATED_BY, URGENT, BLOCKED, TRAINING, STEP = range(13)


def shard_of(record_id: str) -> str:
    return record_id[:2]


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, for matching what was typed."""
    text = text.casefold()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _urgent_draft(doc: dict[str, Any]) -> bool:
    """A draft has no plan until every section is in, but a positive suicide screen answered on
    step 1 must put it at the top of the list at once: ask the rules about what is there."""
    if not doc.get("asq") and not doc.get("phq9"):
        return False
    from pydantic import ValidationError

    from ketatui.intake.document import Intake
    from ketatui.clinical.protocol import default_protocol
    from ketatui.clinical.rules import evaluate

    try:
        intake = Intake.model_validate({k: v for k, v in doc.items() if k in Intake.model_fields})
    except ValidationError:
        return False
    return any(flag.severity == "urgent" for flag in evaluate(intake, default_protocol()))


def summary_row(doc: dict[str, Any]) -> dict[str, Any]:
    """The stored summary of an intake document (current schema)."""
    demo = ((doc.get("medical_history") or {}).get("demographics") or {})
    plan = doc.get("plan") or {}
    flags = plan.get("flags") or []
    return {
        "record_id": doc["record_id"],
        "full_name": demo.get("full_name") or "",
        "date_of_birth": demo.get("date_of_birth"),
        "status": doc.get("status", "draft"),
        "rev": doc["rev"],
        "updated_at": doc.get("updated_at"),
        "updated_by": doc.get("updated_by"),
        "created_by": doc.get("created_by"),
        "urgent": any(isinstance(f, dict) and f.get("severity") == "urgent" for f in flags) if plan else _urgent_draft(doc),
        "blocked": bool(plan) and not plan.get("schedulable", True),
        "training": bool(doc.get("training", False)),
        "current_step": doc.get("current_step"),
    }


def _shared(value: Any) -> Any:
    """One copy of a string that repeats across rows (status, user, step, birth date)."""
    return sys.intern(value) if isinstance(value, str) else value


def _as_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    name = row.get("full_name") or ""
    return (row["record_id"], name, fold(name), _shared(row.get("date_of_birth")), _shared(row.get("status")), row.get("rev"),
            row.get("updated_at") or "", _shared(row.get("updated_by")), _shared(row.get("created_by")),
            bool(row.get("urgent")), bool(row.get("blocked")), bool(row.get("training")), _shared(row.get("current_step")))


#: Every summary has every field set; one set object serves them all (a summary is frozen).
_ALL_FIELDS = set(RecordSummary.model_fields)


def to_summary(t: tuple[Any, ...]) -> RecordSummary:
    return RecordSummary.model_construct(
        _ALL_FIELDS, record_id=t[ID], full_name=t[NAME], date_of_birth=t[DOB], status=t[STATUS], rev=t[REV],
        updated_at=t[UPDATED_AT] or None, updated_by=t[UPDATED_BY], urgent=t[URGENT], blocked=t[BLOCKED],
        training=t[TRAINING], current_step=t[STEP],
    )


def _date_token(token: str) -> str | None:
    """An ISO date or date prefix from what was typed (``1980``, ``1980-04``, ``4/2/1980``)."""
    if "/" in token:
        parts = token.split("/")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[2]), int(parts[0]), int(parts[1])).isoformat()
            except ValueError:
                return None
        return None
    if token[:4].isdigit() and all(c.isdigit() or c == "-" for c in token):
        return token
    return None


_HEX = frozenset("0123456789abcdef-")


def narrow(rows: list[tuple[Any, ...]], search: str) -> list[tuple[Any, ...]]:
    """The rows matching every word of ``search``: part of the name, start of the record id, or birth date.

    One pass per word, each a comprehension with only the tests that word can pass (a word
    with letters other than a-f cannot start a record id), so a search over 100k rows stays
    well under the budget.
    """
    for token in (fold(t) for t in search.split()):
        day = _date_token(token)
        if day is not None:
            rows = [r for r in rows if token in r[NAME_KEY] or r[ID].startswith(token) or (r[DOB] or "").startswith(day)]
        elif _HEX.issuperset(token):
            rows = [r for r in rows if token in r[NAME_KEY] or r[ID].startswith(token)]
        else:
            rows = [r for r in rows if token in r[NAME_KEY]]
    return rows


class SummaryCache:
    """Every shard's rows, re-read only when its file was rewritten."""

    def __init__(self, shard_path: Callable[[str], Path], decode: Callable[[Path, bytes], Iterable[dict[str, Any]]], header: int):
        self._path = shard_path
        self._decode = decode
        self._header = header
        self._shards: dict[str, tuple[bytes, list[tuple[Any, ...]]]] = {}

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for shard in SHARDS:
            yield from self._fresh(shard)

    def _fresh(self, shard: str) -> list[tuple[Any, ...]]:
        path = self._path(shard)
        fd = open_file(path)
        if fd is None:
            self._shards.pop(shard, None)
            return []
        try:
            head = read_fd(fd, path, size=self._header)
            cached = self._shards.get(shard)
            if cached is not None and cached[0] == head:
                return cached[1]
            blob = read_fd(fd, path)
        finally:
            os.close(fd)
        rows = [_as_tuple(r) for r in self._decode(path, blob)]
        self._shards[shard] = (head, rows)
        return rows


def select(
    rows: Iterable[tuple[Any, ...]],
    *,
    search: str | None,
    status: str | None,
    training: bool | None,
    created_or_updated_by: str | None = None,
    limit: int | None,
) -> list[RecordSummary]:
    """Filter, then order urgent first and most recently updated first."""
    chosen = list(rows)
    if status is not None:
        chosen = [r for r in chosen if r[STATUS] == status]
    if training is not None:
        chosen = [r for r in chosen if r[TRAINING] == training]
    if created_or_updated_by is not None:
        chosen = [r for r in chosen if created_or_updated_by in (r[CREATED_BY], r[UPDATED_BY])]
    if search:
        chosen = narrow(chosen, search)
    ordered: list[tuple[Any, ...]] = []
    for group in ([r for r in chosen if r[URGENT]], [r for r in chosen if not r[URGENT]]):
        want = None if limit is None else limit - len(ordered)
        if want is not None and want <= 0:
            break
        if want is not None and want < len(group):
            ordered += heapq.nlargest(want, group, key=lambda r: r[UPDATED_AT])
        else:
            ordered += sorted(group, key=lambda r: r[UPDATED_AT], reverse=True)
    return [to_summary(r) for r in ordered]
