"""The records list and search: a small summary row per intake, kept in 256 encrypted shards.

A row holds what the list shows (name, date of birth, status, who and when, urgent/blocked,
training, step, the session dates ahead) and nothing else. Rows live in ``index/<first two hex
digits of the record id>.json.enc``, each shard a TinyDB table, so a save rewrites one shard of
about 1/256 of the rows (about 400 rows at 100k intakes) instead of the whole store.

Searching needs every row, so a process keeps them in memory in list order, column by column
(``columns.py``), and before every list or search re-reads exactly the shards whose file changed. A shard file is
never modified in place: every write seals it anew with a fresh random nonce, which sits in the
file's first bytes. Reading those few bytes of each shard (256 small reads) tells for certain
whether it changed, with no reliance on timestamps, so the cache never hides another process's
write. A changed shard moves only the rows that differ, each to its place by bisection.

Reading every shard of a large store is slow (about a second at 100k), so the rows are also kept
in two derived files, sealed like the rest (see ``saved_list.py``): the whole list in list order
and, small, its first rows with the count for each filter. Both name the shard nonces they were
made from; a shard that changed since is read again, so neither can hide a write. The first
page comes from the small one while the whole list loads in a thread.
"""

from __future__ import annotations

import bisect
import os
import sys
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import compress, repeat
from operator import contains, itemgetter, or_
from pathlib import Path
from typing import Any, Protocol

from ketatui.storage.documents import review_and_caution
from ketatui.storage.paths import open_file, read_fd
from ketatui.storage.repository import RecordSummary
from ketatui.storage.tinydb import columns

SHARDS = [f"{i:02x}" for i in range(256)]
TABLE = "summaries"

# Positions in a row tuple, and of the same fields in ``columns.Columns``.
(ID, NAME, NAME_KEY, DOB, STATUS, REV, UPDATED_AT, UPDATED_BY, CREATED_BY, URGENT, BLOCKED, TRAINING, STEP,
 SESSIONS, ID_DOB, AMENDS, REVIEW, CAUTION) = range(18)

#: Turns an ISO time into a string that sorts the other way round (newest first, ascending).
REVERSED = str.maketrans("0123456789", "9876543210")
#: Sorts after every ISO date: a record with no session ahead comes after those with one.
NO_SESSION = "~"


def shard_of(record_id: str) -> str:
    return record_id[:2]


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, for matching what was typed."""
    text = text.casefold()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold_all(names: list[str]) -> list[str]:
    """``fold`` of every name in one pass over one string (the separator survives folding)."""
    folded = fold("\x00".join(names)).split("\x00")
    return folded if len(folded) == len(names) else [fold(n) for n in names]


def summary_row(doc: dict[str, Any]) -> dict[str, Any]:
    """The stored summary of an intake document (current schema).

    Urgent and blocked are read from the triage the core stored with the document; a document
    stored before it had one falls back to the flags of its stored plan. The name and birth date
    are the ``listing`` the core derived (typed answers included, so a draft has its name as soon
    as it is typed), else the validated demographics. The session dates are those the course
    keeps ahead (``course_sessions``, given by the core when a session or visit is recorded) once
    there are any, else the stored plan's."""
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
    review, caution = review_and_caution(doc)
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
        "review": review,
        "caution": caution,
        "training": bool(doc.get("training", False)),
        "current_step": doc.get("current_step"),
        "sessions": _session_dates(plan, doc.get("course_sessions")),
        "amends_rev": doc.get("amends_rev"),
    }


def _session_dates(plan: dict[str, Any], course: Any) -> list[str]:
    """The session dates ahead, sorted (ISO text sorts as dates do): the course's once it has
    recorded sessions, else the plan's."""
    if isinstance(course, list):
        return sorted(str(d) for d in course if d)
    schedule = plan.get("schedule") or []
    return sorted(str(s["date"]) for s in schedule if isinstance(s, dict) and s.get("date"))


def _shared(value: Any) -> Any:
    """One copy of a string that repeats across rows (status, user, step, birth date)."""
    return sys.intern(value) if value.__class__ is str else value


def _as_tuple(row: dict[str, Any], _intern: Callable[[str], str] = sys.intern) -> tuple[Any, ...]:
    """A row as the tuple a page, the head file and the cache's comparisons use (``columns`` keeps the whole list)."""
    get = row.get
    name = get("full_name") or ""
    sessions = get("sessions")
    return (row["record_id"], name, fold(name), _shared(get("date_of_birth")), _shared(get("status")), get("rev"),
            get("updated_at") or "", _shared(get("updated_by")), _shared(get("created_by")),
            bool(get("urgent")), bool(get("blocked")), bool(get("training")), _shared(get("current_step")),
            tuple(map(_intern, sessions)) if sessions else (), id_dob(row["record_id"], get("date_of_birth")), get("amends_rev"),
            bool(get("review")), bool(get("caution")))


def id_dob(record_id: str, born: str | None) -> str:
    """What a search matches record ids and birth dates against: ``\\x00<id>\\x00<date>``, so
    "the id or the birth date starts with" is one ``in`` test (``\\x00`` + what was typed)."""
    return ID_DOB_FORMAT.format(record_id, born or "")


ID_DOB_FORMAT = "\x00{}\x00{}"


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
        training=t[TRAINING], current_step=t[STEP], next_session=next_session(t, today), amends_rev=t[AMENDS],
        review=t[REVIEW], caution=t[CAUTION],
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


def search_start(token: str) -> str | None:
    """What a record id or a birth date must start with to match a typed word, or None when the
    word cannot start either (only digits, a-f and - start an id or a date)."""
    return _date_token(token) or (token if _HEX.issuperset(token) else None)
_names, _ids, _id_dobs = itemgetter(NAME_KEY), itemgetter(ID), itemgetter(ID_DOB)


def narrow(rows: list[tuple[Any, ...]], search: str, name_chars: frozenset[str] | None = None) -> list[tuple[Any, ...]]:
    """The rows matching every word of ``search``: part of the name, or the start of the record
    id or of the birth date (``1984``, ``1984-03``; ``3/14/1984`` is read as ``1984-03-14``).

    Each word is one pass of C-level ``map``s of ``in`` tests over the rows, only those the word
    can pass (only digits, a-f and - start an id or a date; ``name_chars``, every character of
    every folded name, skips the name test for a word with another, such as a digit), so the
    interpreter runs no bytecode per row and a search over 100k rows takes milliseconds.
    """
    for token in (fold(t) for t in search.split()):
        tests = []
        if name_chars is None or name_chars.issuperset(token):
            tests.append(map(contains, map(_names, rows), repeat(token)))
        start = search_start(token)
        if start is not None:
            tests.append(map(contains, map(_id_dobs, rows), repeat("\x00" + start)))
        if not tests:
            return []
        rows = list(compress(rows, tests[0] if len(tests) == 1 else map(or_, *tests)))
    return rows


def give_back_memory() -> None:
    """Hand memory freed by the interpreter back to the system. The C library keeps freed heap
    memory for the process to reuse; after the list is read (tens of MB of file, shards and
    columns made anew, then let go) that would stay in the process's resident size for good.
    Where the C library cannot (not glibc), nothing is done."""
    global _trim
    if _trim is None:
        try:
            import ctypes

            _trim = ctypes.CDLL(None).malloc_trim
        except (ImportError, OSError, AttributeError):
            _trim = False
    if _trim:
        _trim(0)


_trim: Any = None  # glibc's malloc_trim, once looked up (False: there is none)


class SavedList(Protocol):
    """Where the cache keeps its derived files (``saved_list.ListFiles``)."""

    def writable(self) -> bool: ...
    def load_list(self) -> tuple[str, dict[str, bytes], columns.Columns] | None: ...
    def save_list(self, day: str, heads: dict[str, bytes], rows: columns.Columns) -> bool: ...
    def load_head(self) -> Head | None: ...
    def save_head(self, head: Head) -> bool: ...


_training, _filter_key = itemgetter(TRAINING), itemgetter(STATUS, URGENT, TRAINING)


def count_by_filter(rows: Iterable[tuple[Any, ...]]) -> Counter[tuple[str, bool, bool]]:
    """How many rows there are of each (status, urgent, training)."""
    return Counter(map(_filter_key, rows))


class Head:
    """The first rows of the list for one day, and how many rows each filter keeps.

    ``rows`` are the first ``HEAD_ROWS`` of the whole list, ``kept`` the first of those that are
    not training records (the browser hides them by default); a list shorter than ``HEAD_ROWS``
    holds every such row. ``counts`` maps (status, urgent, training) to a number of rows."""

    ROWS = 200

    def __init__(self, day: str, heads: dict[str, bytes], rows: list[tuple[Any, ...]], kept: list[tuple[Any, ...]],
                 counts: dict[tuple[str, bool, bool], int]):
        self.day, self.heads, self.rows, self.kept, self.counts = day, heads, rows, kept, counts

    @classmethod
    def of(cls, day: str, heads: dict[str, bytes], ordered: list[tuple[Any, ...]],
           counts: Counter[tuple[str, bool, bool]] | None = None) -> Head:
        """``counts``, when given, are ``count_by_filter(ordered)`` kept up to date by the caller."""
        return cls.of_columns(day, heads, columns.Columns.of(ordered), counts)

    @classmethod
    def of_columns(cls, day: str, heads: dict[str, bytes], ordered: columns.Columns,
                   counts: Counter[tuple[str, bool, bool]] | None = None) -> Head:
        """The head of the whole list ``ordered``; ``counts`` as in ``of``."""
        counts = ordered.counts() if counts is None else counts
        if any(n for (_, _, training), n in counts.items() if not training):
            kept = ordered.rows(ordered.first(cls.ROWS, hide_training=True))
        else:
            kept = []  # nothing but training records: no need to look through them all
        return cls(day, dict(heads), ordered.rows(ordered.first(cls.ROWS)), kept, {key: n for key, n in counts.items() if n})

    def page(self, *, status: str | None, urgent: bool | None, training: bool | None, offset: int,
             limit: int) -> tuple[list[tuple[Any, ...]], int] | None:
        """The rows of the page and the total, or None if the rows kept here cannot tell."""
        rows = self.kept if training is False else self.rows
        chosen = matching(rows, status=status, urgent=urgent, training=training)
        if len(chosen) < offset + limit and len(rows) >= self.ROWS:
            return None
        total = sum(n for (s, u, t), n in self.counts.items()
                    if (status is None or s == status) and (urgent is None or u == urgent) and (training is None or t == training))
        return chosen[offset:offset + limit], total


class SummaryCache:
    """Every row in list order, current with the shard files; see the module's docstring."""

    #: Below this many rows reading every shard is quick, so no derived file is written.
    SAVE_FROM = 3000
    #: The whole-list file is written again once this many shards changed since it was. Writing
    #: it takes the interpreter for a moment, slowing every save and search meanwhile; a new
    #: process reads again each shard it missed (about 10 ms each).
    STALE_SHARDS = 32
    #: A whole-list file that fell behind is written again only once the list has not been asked
    #: for this long (seconds): writing it beside a run of saves and searches made their slowest
    #: ones several times slower.
    QUIET = 1.0
    #: ... unless this many shards moved on: a new process would then read most of them again.
    STALE_AT_ONCE = 128

    def __init__(self, shard_path: Callable[[str], Path], decode: Callable[[Path, bytes], Iterable[dict[str, Any]]], header: int,
                 saved: SavedList | None = None):
        self._decode = decode
        self._header = header
        self._saved = saved
        self._paths = {shard: shard_path(shard) for shard in SHARDS}
        self._lock = threading.RLock()
        self._heads: dict[str, bytes] = {}  # each shard's file head (nonce) its rows were read from
        self._all = columns.Columns.empty()  # every row in list order for ``_day``; read and changed under ``_lock``
        self._day = ""
        self._loaded = False
        self._ready = False  # the whole list has been read once
        self._head: Head | None = None  # the head file the first page came from, until then
        self._loading: threading.Thread | None = None
        self._list_heads: dict[str, bytes] | None = None  # the heads the whole-list file on disk was made from
        self._list_day = ""
        self._head_current = False  # the head file on disk tells what the cache holds
        self.writes: list[threading.Thread] = []  # whole-list files being written (tests wait for them)
        self._asked_at = 0.0  # when the list was last asked for (monotonic): see ``QUIET``
        self.version = 0  # counts changes of ``_all``: results kept from an older one are stale
        self._counts: Counter[tuple[str, bool, bool]] | None = None  # ``_all.counts()``, kept up to date

    # --- the first page, before the whole list is read ---

    def first_page(self, today: str, *, status: str | None, urgent: bool | None, training: bool | None,
                   offset: int, limit: int) -> tuple[list[tuple[Any, ...]], int] | None:
        """A page (and the total) from the head file, if it is current and holds enough rows;
        the whole list then loads in a thread. None: ask ``rows``."""
        with self._lock:
            if self._loaded or self._saved is None:
                return None
            head = self._saved.load_head()
            if head is None or head.day != today or head.heads != self._current_heads():
                return None
            answer = head.page(status=status, urgent=urgent, training=training, offset=offset, limit=limit)
            self._head = head
            if answer is not None and self._loading is None:
                self._loading = threading.Thread(target=self._load_quietly, args=(today,), name="ketatui-list", daemon=True)
                self._loading.start()
            return answer

    def early(self, today: str, *, search: str, status: str | None, urgent: bool | None, training: bool | None,
              offset: int, limit: int) -> tuple[list[tuple[Any, ...]], int, bool] | None:
        """While the whole list is being read: the page of a search from the head file's rows,
        with the matches found there and whether those are all of them; None when the head
        cannot tell (it is behind, or holds too few matches). The head's rows are the first of
        the list in order, so the matches among them are the first matches of the whole list.
        Never waits for the thread reading the list (nor takes its lock)."""
        head = self._head
        if self._ready or head is None or head.day != today or head.heads != self._current_heads():
            return None
        rows = head.kept if training is False else head.rows
        chosen = matching(rows, search=search, status=status, urgent=urgent, training=training)
        whole = len(rows) < Head.ROWS  # the head holds every row these filters can keep
        if not whole and len(chosen) < offset + limit:
            return None
        return chosen[offset:offset + limit], len(chosen), whole

    def _load_quietly(self, today: str) -> None:
        try:
            self.rows(today)
        except Exception:
            pass  # the next list asks again and says what is wrong

    # --- every row ---

    @contextmanager
    def held(self) -> Iterator[columns.Columns]:
        """The list as ``rows`` last brought it up to date, unchanged while the block runs."""
        with self._lock:
            yield self._all

    def rows(self, today: str | None = None) -> columns.Columns:
        """Every row as of now, in list order for ``today``. The list changes in place when a
        shard changes: read it inside ``held``."""
        today = today or date.today().isoformat()
        with self._lock:
            self._asked_at = time.monotonic()
            heads = self._current_heads()
            first = not self._loaded
            if first:
                self._load_saved()
            if today != self._day:
                self._install(self._all.sorted(today))
                self._day, self._head_current = today, False
            changed = [s for s in SHARDS if heads.get(s) != self._heads.get(s)]
            if changed:
                self._apply(changed, today)
            if first or len(changed) > self.STALE_SHARDS:
                give_back_memory()  # the file or the shards read, and a list made anew, are let go
            self._keep(today)
            self._ready, self._head = True, None
            return self._all

    def _install(self, rows: columns.Columns) -> None:
        self.version += 1
        rows.version = self.version
        self._all = rows

    def _current_heads(self) -> dict[str, bytes]:
        """The first bytes (magic and nonce) of every shard file there is."""
        heads = {}
        for shard, path in self._paths.items():
            fd = open_file(path)
            if fd is None:
                continue
            try:
                heads[shard] = read_fd(fd, path, size=self._header)
            finally:
                os.close(fd)
        return heads

    def _load_saved(self) -> None:
        self._loaded = True
        saved = self._saved.load_list() if self._saved is not None else None
        if saved is None:
            return
        day, heads, rows = saved
        self._install(rows)
        self._day, self._heads = day, dict(heads)
        self._list_heads, self._list_day = dict(heads), day
        self._counts = None
        head = self._head  # the head file the first page came from tells this list, unless a shard moved since
        self._head_current = head is not None and head.day == day and head.heads == self._heads

    def _read_shard(self, shard: str) -> tuple[bytes | None, list[tuple[Any, ...]]]:
        path = self._paths[shard]
        fd = open_file(path)
        if fd is None:
            return None, []
        try:
            blob = read_fd(fd, path)
        finally:
            os.close(fd)
        # A row only ever lives in the shard its record id names (one put elsewhere is not listed).
        return blob[:self._header], [_as_tuple(r) for r in self._decode(path, blob) if str(r.get("record_id", ""))[:2] == shard]

    def _apply(self, changed: list[str], today: str) -> None:
        """Read the changed shards again, one at a time, and move the rows that differ."""
        rows = self._all
        before = rows.positions_in(changed)  # each record id of those shards, with its position
        removed: list[int] = []
        added: list[tuple[Any, ...]] = []
        heads: dict[str, bytes | None] = {}  # taken on only once every shard was read (one may be damaged)
        for shard in changed:
            heads[shard], shard_rows = self._read_shard(shard)
            seen: set[str] = set()  # a record listed twice in its shard is listed once
            for row in shard_rows:  # only the rows that differ are kept past this loop
                record_id = row[ID]
                if record_id in seen:
                    continue
                seen.add(record_id)
                at = before.pop(record_id, None)
                if at is not None:
                    if rows.row(at) == row:
                        continue
                    removed.append(at)
                added.append(row)
        for shard, head in heads.items():
            if head is None:
                self._heads.pop(shard, None)
            else:
                self._heads[shard] = head
        removed.extend(before.values())  # rows whose record left its shard
        self._head_current = False  # it names the shard heads
        if not removed and not added:
            return
        if self._counts is not None:
            self._counts.subtract(count_by_filter(rows.rows(removed)))
            self._counts.update(count_by_filter(added))
        self._install(rows.moved(removed, added, today))

    def _keep(self, today: str) -> None:
        """Write the head file, and the whole-list file when it fell behind, for the next process."""
        saved = self._saved
        if saved is None or len(self._all) < self.SAVE_FROM or not saved.writable():
            return
        if not self._head_current:
            if self._counts is None:
                self._counts = self._all.counts()
            self._head_current = saved.save_head(Head.of_columns(today, self._heads, self._all, self._counts))  # else: the next list
        moved = len(SHARDS) if self._list_heads is None else \
            sum(1 for s in SHARDS if self._heads.get(s) != self._list_heads.get(s))
        behind = self._list_heads is None or self._list_day != today or moved > self.STALE_SHARDS
        if behind and not any(t.is_alive() for t in self.writes):
            # No file yet, or far behind: written at once. Else once the list is not in use (``QUIET``).
            wait = moved <= self.STALE_AT_ONCE
            self._list_heads, self._list_day = dict(self._heads), today
            writer = threading.Thread(target=self._save_quietly, args=(wait,), name="ketatui-list-save", daemon=True)
            self.writes = [writer]
            writer.start()

    def _save_quietly(self, wait: bool) -> None:
        while wait:
            time.sleep(self.QUIET)
            with self._lock:
                wait = time.monotonic() - self._asked_at < self.QUIET
        with self._lock:  # the list as it is now (a copy: it changes in place)
            today, heads, rows = self._day, dict(self._heads), self._all.copy()
            self._list_heads, self._list_day = heads, today
        try:
            written = self._saved.save_list(today, heads, rows)  # type: ignore[union-attr]
        except Exception:
            written = False
        if not written:
            with self._lock:
                self._list_heads = None  # the next list tries again


def matching(
    rows: Iterable[tuple[Any, ...]],
    *,
    search: str | None = None,
    status: str | None = None,
    urgent: bool | None = None,
    due: str | None = None,
    training: bool | None = None,
    created_or_updated_by: str | None = None,
    name_chars: frozenset[str] | None = None,
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
        chosen = narrow(chosen, search, name_chars)
    return chosen


def order_for(today: str) -> Callable[[tuple[Any, ...]], tuple[bool, str, str, str]]:
    """The list order: urgent first, then by the next session (soonest first; none last), then
    most recently updated, then by record id (so every row has one place)."""

    def order(r: tuple[Any, ...]) -> tuple[bool, str, str, str]:
        return (not r[URGENT], next_session(r, today) or NO_SESSION, r[UPDATED_AT].translate(REVERSED), r[ID])

    return order
