"""The records list and search: a small summary row per intake, kept in 256 encrypted shards.

A row holds what the list shows (name, date of birth, status, who and when, urgent/blocked,
training, step, the planned session dates) and nothing else. Rows live in ``index/<first two hex digits of the record
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

import bisect
import heapq
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from ketatui.storage.paths import open_file, read_fd
from ketatui.storage.repository import RecordSummary

SHARDS = [f"{i:02x}" for i in range(256)]
TABLE = "summaries"

# Positions in a cached row tuple.
(ID, NAME, NAME_KEY, DOB, STATUS, REV, UPDATED_AT, UPDATED_BY, CREATED_BY, URGENT, BLOCKED, TRAINING, STEP,
 SESSIONS, NEWEST_FIRST) = range(15)

#: Turns an ISO time into a string that sorts the other way round (newest first, ascending).
_REVERSED = str.maketrans("0123456789", "9876543210")
#: Sorts after every ISO date: a record with no session ahead comes after those with one.
_NO_SESSION = "~"


def shard_of(record_id: str) -> str:
    return record_id[:2]


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, for matching what was typed."""
    text = text.casefold()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def summary_row(doc: dict[str, Any]) -> dict[str, Any]:
    """The stored summary of an intake document (current schema).

    Urgent and blocked are read from the triage the core stored with the document; a document
    stored before it had one falls back to the flags of its stored plan. The name and birth date
    are the ``listing`` the core derived (typed answers included, so a draft has its name as soon
    as it is typed), else the validated demographics. Session dates are the stored plan's."""
    demo = ((doc.get("medical_history") or {}).get("demographics") or {})
    listing = doc.get("listing") if isinstance(doc.get("listing"), dict) else {}
    plan = doc.get("plan") or {}
    flags = plan.get("flags") or []
    triage = doc.get("triage")
    if isinstance(triage, dict):
        urgent, blocked = bool(triage.get("urgent")), bool(triage.get("blocked"))
    else:
        urgent = any(isinstance(f, dict) and f.get("severity") == "urgent" for f in flags)
        blocked = bool(plan) and not plan.get("schedulable", True)
    return {
        "record_id": doc["record_id"],
        "full_name": listing.get("full_name") or demo.get("full_name") or "",
        "date_of_birth": listing.get("date_of_birth") or demo.get("date_of_birth"),
        "status": doc.get("status", "draft"),
        "rev": doc["rev"],
        "updated_at": doc.get("updated_at"),
        "updated_by": doc.get("updated_by"),
        "created_by": doc.get("created_by"),
        "urgent": urgent,
        "blocked": blocked,
        "training": bool(doc.get("training", False)),
        "current_step": doc.get("current_step"),
        "sessions": _session_dates(plan),
    }


def _session_dates(plan: dict[str, Any]) -> list[str]:
    """The dates of the plan's sessions, sorted (ISO text sorts as dates do)."""
    schedule = plan.get("schedule") or []
    return sorted(str(s["date"]) for s in schedule if isinstance(s, dict) and s.get("date"))


def _shared(value: Any) -> Any:
    """One copy of a string that repeats across rows (status, user, step, birth date)."""
    return sys.intern(value) if value.__class__ is str else value


def _as_tuple(row: dict[str, Any], _intern: Callable[[str], str] = sys.intern) -> tuple[Any, ...]:
    """A row as the compact tuple the cache keeps (the first list of 100k rows builds 100k of these)."""
    get = row.get
    name = get("full_name") or ""
    updated = get("updated_at") or ""
    sessions = get("sessions")
    return (row["record_id"], name, fold(name), _shared(get("date_of_birth")), _shared(get("status")), get("rev"),
            updated, _shared(get("updated_by")), _shared(get("created_by")),
            bool(get("urgent")), bool(get("blocked")), bool(get("training")), _shared(get("current_step")),
            tuple(map(_intern, sessions)) if sessions else (), updated.translate(_REVERSED))


def next_session(t: tuple[Any, ...], today: str) -> str | None:
    """The first planned session on or after ``today`` (ISO date), or None."""
    sessions = t[SESSIONS]
    if not sessions:
        return None
    at = bisect.bisect_left(sessions, today)
    return sessions[at] if at < len(sessions) else None


#: Every summary has every field set; one set object serves them all (a summary is frozen).
_ALL_FIELDS = set(RecordSummary.model_fields)


def to_summary(t: tuple[Any, ...], today: str) -> RecordSummary:
    return RecordSummary.model_construct(
        _ALL_FIELDS, record_id=t[ID], full_name=t[NAME], date_of_birth=t[DOB], status=t[STATUS], rev=t[REV],
        updated_at=t[UPDATED_AT] or None, updated_by=t[UPDATED_BY], urgent=t[URGENT], blocked=t[BLOCKED],
        training=t[TRAINING], current_step=t[STEP], next_session=next_session(t, today),
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
        self._paths = {shard: shard_path(shard) for shard in SHARDS}
        self._all: list[tuple[Any, ...]] = []  # every shard's rows in list order, rebuilt only when one changed
        self._sorted_for = ""  # the day ``_all`` was ordered for (the next session depends on it)
        self.version = 0  # counts rebuilds of ``_all``: results kept from an older one are stale

    def rows(self, today: str | None = None) -> list[tuple[Any, ...]]:
        """Every row as of now, in list order for ``today`` (the list is shared: callers never
        change it). Sorted once when a shard changed or the day turned, so a search only filters."""
        today = today or date.today().isoformat()
        changed = False
        for shard in SHARDS:
            changed |= self._fresh(shard)
        if changed or today != self._sorted_for:
            every = [row for shard in SHARDS if shard in self._shards for row in self._shards[shard][1]]
            every.sort(key=order_for(today))
            self._all, self._sorted_for = every, today
            self.version += 1
        return self._all

    def _fresh(self, shard: str) -> bool:
        """Read the shard again if its file was rewritten (or removed); whether it changed."""
        path = self._paths[shard]
        fd = open_file(path)
        if fd is None:
            return self._shards.pop(shard, None) is not None
        try:
            head = read_fd(fd, path, size=self._header)
            cached = self._shards.get(shard)
            if cached is not None and cached[0] == head:
                return False
            blob = read_fd(fd, path)
        finally:
            os.close(fd)
        self._shards[shard] = (head, [_as_tuple(r) for r in self._decode(path, blob)])
        return True


def matching(
    rows: Iterable[tuple[Any, ...]],
    *,
    search: str | None = None,
    status: str | None = None,
    urgent: bool | None = None,
    due: str | None = None,
    training: bool | None = None,
    created_or_updated_by: str | None = None,
) -> list[tuple[Any, ...]]:
    """The rows every given filter keeps; ``due`` keeps those with a session on that ISO date."""
    chosen = rows if isinstance(rows, list) else list(rows)
    if status is not None:
        chosen = [r for r in chosen if r[STATUS] == status]
    if urgent is not None:
        chosen = [r for r in chosen if r[URGENT] == urgent]
    if training is not None:
        chosen = [r for r in chosen if r[TRAINING] == training]
    if due is not None:
        chosen = [r for r in chosen if due in r[SESSIONS]]
    if created_or_updated_by is not None:
        chosen = [r for r in chosen if created_or_updated_by in (r[CREATED_BY], r[UPDATED_BY])]
    if search:
        chosen = narrow(chosen, search)
    return chosen


def order_for(today: str) -> Callable[[tuple[Any, ...]], tuple[bool, str, str]]:
    """The list order: urgent first, then by the next session (soonest first; none last), then
    most recently updated."""

    def order(r: tuple[Any, ...]) -> tuple[bool, str, str]:
        return (not r[URGENT], next_session(r, today) or _NO_SESSION, r[NEWEST_FIRST])

    return order


def page(chosen: list[tuple[Any, ...]], *, offset: int = 0, limit: int | None = None, today: str | None = None,
         ordered: bool = False) -> list[RecordSummary]:
    """Rows ``offset`` to ``offset + limit`` of ``chosen`` in list order (``order_for``).
    ``ordered`` says ``chosen`` is in that order already (filtered from ``SummaryCache.rows``),
    so a page costs nothing more than the filtering; otherwise only the page is ordered in full."""
    today = today or date.today().isoformat()
    wanted = None if limit is None else offset + limit
    if not ordered:
        key = order_for(today)
        chosen = heapq.nsmallest(wanted, chosen, key=key) if wanted is not None and wanted < len(chosen) else sorted(chosen, key=key)
    return [to_summary(r, today) for r in chosen[offset:wanted]]
