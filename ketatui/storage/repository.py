"""The one storage interface the CLI and the screens use, whatever keeps the files.

Documents are intake dicts as ``Intake.model_dump(mode="json")`` gives them, keyed by a UUID
``record_id`` (never a backend's own row id). Every write names the revision it was based on
(``expected_rev``) and is refused with ``StaleRevision`` if another session saved in between,
so nobody's work is silently overwritten. A signed revision is never changed: ``amend`` starts
a new draft revision and the signed one stays readable through ``revisions``. Draft saves
replace the draft (its ``rev`` still counts up, and every save is in the audit log), so the
revisions kept are each signed revision plus the current one.

Additions to the agreed interface, all optional for callers:
``get(..., rev=N)`` reads one kept revision; ``revisions(..., user=...)`` audits the view;
``create_many`` writes many new intakes in one locked batch (demo data, imports);
``import_documents`` keeps status, signatures and timestamps of intakes from a file;
``read_only`` and ``notice`` say when and why a store was opened read-only.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

STATUSES = ("draft", "submitted", "reviewed", "signed")


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


@runtime_checkable
class Repository(Protocol):
    read_only: bool
    notice: str | None

    def create(self, doc: dict, *, user: str) -> dict: ...
    def create_many(self, docs: Iterable[dict], *, user: str) -> builtins.list[str]: ...
    def import_documents(self, docs: Iterable[dict], *, user: str) -> builtins.list[str]: ...
    def get(self, record_id: str, *, user: str, rev: int | None = None) -> dict: ...
    def save(self, doc: dict, *, user: str, expected_rev: int) -> dict: ...
    def sign(self, record_id: str, *, user: str, expected_rev: int) -> dict: ...
    def amend(self, record_id: str, *, user: str) -> dict: ...
    def revisions(self, record_id: str, *, user: str | None = None) -> builtins.list[dict]: ...
    def list(
        self,
        *,
        search: str | None = None,
        status: str | None = None,
        training: bool | None = None,
        limit: int | None = None,
    ) -> builtins.list[RecordSummary]: ...
    def drafts(self, *, user: str | None = None) -> builtins.list[RecordSummary]: ...
    def delete(self, record_id: str, *, user: str, expected_rev: int) -> None: ...
    def log_export(self, record_id: str, rev: int, *, user: str, target: str) -> None: ...


def open_repository(
    data_dir: Path | None = None,
    *,
    key_file: Path | None = None,
    passphrase: str | None = None,
    read_only: bool = False,
    create: bool = True,
) -> Repository:
    """Open (or, with ``create``, make) the store in ``data_dir``.

    ``data_dir`` defaults to ``KETATUI_DATA_DIR`` or the platform data folder; ``key_file`` to
    ``KETATUI_KEY_FILE`` or the platform config folder. With ``passphrase`` the key is derived
    from it instead (for a store created that way). ``create=False`` refuses to make a new
    store (``StoreMissing``), for commands that only read.
    """
    from ketatui.storage.paths import data_dir_from, key_file_from
    from ketatui.storage.tinydb.store import TinyDBRepository

    return TinyDBRepository.open(
        data_dir_from(data_dir),
        key_file=key_file_from(key_file),
        passphrase=passphrase,
        read_only=read_only,
        create=create,
    )
