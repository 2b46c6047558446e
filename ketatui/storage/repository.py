"""The one storage interface the CLI, the session and the screens use, whatever keeps the files.

Documents are intake dicts as ``Intake.model_dump(mode="json")`` gives them, keyed by a UUID
``record_id`` (never a backend's own row id). Every write names the revision it was based on
(``expected_rev``) and is refused with ``StaleRevision`` if another session saved in between,
so nobody's work is silently overwritten. A signed revision is never changed: ``amend`` starts
a new draft revision and the signed one stays readable through ``revisions``. Draft saves
replace the draft (its ``rev`` still counts up, and every save is in the audit log), so the
revisions kept are each signed revision plus the current one.

Statuses run draft → submitted → reviewed → signed: ``submit`` and ``review`` move one step
(``set_status``), ``sign`` freezes the revision, checking the clinician's signing passphrase
(set once with ``set_signing_passphrase``, kept hashed; wrong tries are counted and audited).
``amend`` needs a reason, kept with the record (``amendments``). ``discard`` removes a draft
that was never signed. Every act, and every view, is one audit line naming the user.

The records list: ``list`` (or ``page``, which also says how many match) filters by a search
(part of a name, the start of a record id, a birth date), status, urgent, a session due on a
date and training, and orders urgent first, then by the next planned session, then the most
recently updated; ``offset`` and ``limit`` page through it.

Additions to the agreed interface, all optional for callers:
``get(..., rev=N)`` reads one kept revision; ``revisions(..., user=...)`` audits the view;
``create_many`` writes many new intakes in one locked batch (demo data, imports);
``import_documents`` keeps status, signatures and timestamps of intakes from a file;
``read_only`` and ``notice`` say when and why a store was opened read-only.

The course: each treatment session and follow-up visit is a document of its own, kept with its
intake, with its own ``record_id`` and ``rev``. ``add_course_record`` stores a new one
(``expected_rev=None``) or a correction of the revision named; ``course_records`` reads them all.
Its ``sessions_ahead`` (optional) are the ISO dates of the sessions the course still plans, as
the core worked them out with this record: from then on the records list orders the intake by
them (its ``next_session``) instead of by the first plan's dates.

A store that ketatui itself can back up and whose audit log it can check is also
``Maintainable``; a server backend may leave backups to the database's own tools and still be
``Auditable``.

This module names no backend: backends are found by name in ``ketatui.storage.backends``.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

STATUSES = ("draft", "submitted", "reviewed", "signed")
#: The one status each status moves on to.
NEXT_STATUS = {"draft": "submitted", "submitted": "reviewed", "reviewed": "signed"}


class RecordSummary(BaseModel):
    """One row of the records list: enough to find, sort and badge an intake, nothing clinical."""

    model_config = ConfigDict(frozen=True)

    record_id: str
    full_name: str
    date_of_birth: str | None
    status: str
    rev: int
    updated_at: str | None
    updated_by: str | None
    urgent: bool
    blocked: bool
    training: bool
    current_step: str | None
    #: A flag to review before the first session, and one to monitor (severities ``review``, ``caution``).
    review: bool = False
    caution: bool = False
    #: The first planned session on or after today (ISO date): the course's dates once a session
    #: or visit is recorded (``add_course_record(..., sessions_ahead=)``), else the stored plan's.
    next_session: str | None = None
    #: The signed revision this draft amends (an amendment is never discarded), else None.
    amends_rev: int | None = None


@dataclass(frozen=True)
class RecordPage:
    """One page of the records list and how many records match in all."""

    rows: builtins.list[RecordSummary]
    total: int
    offset: int = 0
    #: False for an early page (``EarlyPages``): the rows are right, but ``total`` only counts the
    #: matches found so far (at least that many match).
    counted: bool = True


@runtime_checkable
class Repository(Protocol):
    read_only: bool
    notice: str | None

    def create(self, doc: dict, *, user: str) -> dict: ...
    def create_many(self, docs: Iterable[dict], *, user: str) -> builtins.list[str]: ...
    def import_documents(self, docs: Iterable[dict], *, user: str) -> builtins.list[str]: ...
    def get(self, record_id: str, *, user: str, rev: int | None = None) -> dict: ...
    def save(self, doc: dict, *, user: str, expected_rev: int) -> dict: ...
    def set_status(self, record_id: str, status: str, *, user: str, expected_rev: int) -> dict: ...
    def submit(self, record_id: str, *, user: str, expected_rev: int) -> dict: ...
    def review(self, record_id: str, *, user: str, expected_rev: int) -> dict: ...
    def sign(self, record_id: str, *, user: str, expected_rev: int, passphrase: str | None = None) -> dict: ...
    def amend(self, record_id: str, *, user: str, reason: str) -> dict: ...
    def amendments(self, record_id: str, *, user: str) -> builtins.list[dict]: ...
    def discard(self, record_id: str, *, user: str, expected_rev: int) -> None: ...
    def has_signing_passphrase(self, user: str) -> bool: ...
    def set_signing_passphrase(self, user: str, passphrase: str) -> None: ...
    def check_signing_passphrase(self, user: str, passphrase: str) -> None: ...
    def log_access(self, user: str, action: str) -> None: ...
    def revisions(self, record_id: str, *, user: str | None = None) -> builtins.list[dict]: ...
    def list(
        self,
        *,
        search: str | None = None,
        status: str | None = None,
        urgent: bool | None = None,
        due: str | None = None,
        training: bool | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> builtins.list[RecordSummary]: ...
    def page(
        self,
        *,
        search: str | None = None,
        status: str | None = None,
        urgent: bool | None = None,
        due: str | None = None,
        training: bool | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> RecordPage: ...
    def drafts(self, *, user: str | None = None) -> builtins.list[RecordSummary]: ...
    def delete(self, record_id: str, *, user: str, expected_rev: int) -> None: ...
    def log_export(self, record_id: str, rev: int, *, user: str, target: str) -> None: ...
    def add_course_record(self, record_id: str, doc: dict, *, user: str, expected_rev: int | None = None,
                          sessions_ahead: builtins.list[str] | None = None) -> dict: ...
    def course_records(self, record_id: str, *, user: str) -> builtins.list[dict]: ...


@dataclass(frozen=True)
class BackupResult:
    """Where a backup was written, how many intakes it holds and its size in bytes."""

    path: Path
    records: int
    size: int


@dataclass(frozen=True)
class AuditReport:
    """What checking the audit log found: ``problems`` means it was altered; ``interrupted``
    lists lines cut short by a killed write, which are not tampering."""

    where: str
    entries: int
    problems: builtins.list[str] = field(default_factory=builtins.list)
    interrupted: builtins.list[int] = field(default_factory=builtins.list)
    #: The latest entry as ``SEQ:MAC``, for a witness kept elsewhere (None if the backend has none).
    head: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@runtime_checkable
class EarlyPages(Protocol):
    """A backend that reads its whole list slowly in a new process may answer a search at once
    from the first rows it already holds, when those are enough to tell the page for certain.
    The page's rows are then exactly those ``page`` will give; only the count is not known yet
    (``RecordPage.counted`` is False unless the rows held are the whole list)."""

    def early_page(self, *, search: str | None = None, status: str | None = None, urgent: bool | None = None,
                   training: bool | None = None, offset: int = 0, limit: int) -> RecordPage | None: ...


@runtime_checkable
class Auditable(Protocol):
    """A store whose audit chain ketatui can check (``ketatui audit verify``), server or folder."""

    def verify_audit(self) -> AuditReport: ...


@runtime_checkable
class Maintainable(Protocol):
    """A store ketatui can back up to one file and whose audit chain it can check."""

    def backup(self, destination: Path) -> BackupResult: ...
    def verify_audit(self) -> AuditReport: ...


@runtime_checkable
class AuditAnchored(Protocol):
    """A store whose audit head can be written down elsewhere (a witness) and checked against later:
    ``audit_head()`` gives ``SEQ:MAC``; ``verify_audit(witness=...)`` checks the log still reaches it."""

    def audit_head(self) -> str: ...
    def verify_audit(self, *, witness: str | None = None) -> AuditReport: ...
