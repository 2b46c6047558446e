"""The default backend: TinyDB databases in encrypted files, laid out so one save stays small.

Layout of a store folder::

    store.json              what the store is and how to unlock it (no health data)
    .lock                   the write lock (flock); never a data file
    journal.json            present only while a write is in progress (record ids, no health data)
    audit.log               append-only, HMAC-chained (see audit.py)
    records/3f/<id>.json.enc one TinyDB per intake: table "revisions", every kept revision;
                            table "amendments", why each amendment was made;
                            table "course", its sessions and visits (one row each, latest rev);
                            table "course_plan", the session dates the course keeps ahead
    signers.json.enc        each clinician's signing passphrase (scrypt hash) and wrong tries
    index/3f.json.enc       one TinyDB per shard: table "summaries", the list rows (see index.py)
    index/list.json.enc     derived: the whole list, and index/head.json.enc its first rows (saved_list.py)
    tmp/                    temporary files of writes in progress

Every ``*.json.enc`` goes through ``SealedJSONStorage``, a TinyDB ``Storage`` that decrypts on
read and writes with temp file + fsync + atomic replace. A save therefore touches one small
record file, one index shard of ~1/256 of the rows, one audit line and the journal, whatever
the size of the store; opening a store reads only ``store.json`` and the key.

Writes happen under the store lock: recover an interrupted write (journal) if there is one,
check the stored revision, write the journal, the record, the index shard and the audit
line, then remove the journal. A writer killed at any point leaves either the old or the new
file in place; the next writer (or the next start) finishes the index and audit from the
journal, so the records list and the audit log always agree with the records.
"""

from __future__ import annotations

import builtins
import threading
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tinydb import Storage, TinyDB, where

from ketatui.intake.schema import SCHEMA_VERSION
from ketatui.storage import documents, signing
from ketatui.storage.tinydb import consistency, index
from ketatui.storage.atomic import clean_temp, fsync_dir, remove_durably, write_atomic
from ketatui.storage.tinydb.columns import Columns
from ketatui.storage.tinydb.audit import AuditLog, Entry, Head, now_iso
from ketatui.storage.tinydb.backup import backup
from ketatui.storage.tinydb.crypto import HEADER_BYTES, Keys, Unreadable, read_key_file
from ketatui.storage.errors import (
    InvalidRequest,
    NewerSchema,
    NoSigningPassphrase,
    RecordNotFound,
    SignedRecordLocked,
    SigningLocked,
    StaleCourseRecord,
    StaleRevision,
    StorageError,
    StoreCorrupt,
    StoreMissing,
    StoreUnwritable,
    WrongPassphrase,
)
from ketatui.storage.tinydb.layout import Layout
from ketatui.storage.tinydb.locking import StoreLock
from ketatui.storage.tinydb.meta import AuditAnchor, StoreMeta
from ketatui.storage.tinydb.saved_list import ListFiles
from ketatui.storage.tinydb.undo import Undo
from ketatui.storage.paths import check_path, read_private
from ketatui.storage.repository import NEXT_STATUS, STATUSES, AuditReport, BackupResult, RecordPage, RecordSummary

REVISIONS = "revisions"
AMENDMENTS = "amendments"
COURSE = "course"
COURSE_PLAN = "course_plan"  # the session dates the course plans ahead, as the core last worked them out
FIRST_KEYS_KEPT = 12  # first characters of searches whose rows are kept (4 bytes a row each)
DIR_MODE = 0o770  # narrowed by the umask; the data folder itself is checked for "others"
_SHARD_NAMES = frozenset(index.SHARDS)


class SealedFiles:
    """Reads and writes the store's encrypted JSON files; every failure names the file."""

    def __init__(self, layout: Layout, keys: Keys):
        self.layout = layout
        self.keys = keys

    def read_json(self, path: Path) -> dict[str, Any] | None:
        blob = read_private(path)
        return None if blob is None else self.decode(path, blob)

    def decode(self, path: Path, blob: bytes) -> dict[str, Any]:
        try:
            data = json.loads(self.keys.open(blob, self.layout.rel(path)))
        except Unreadable as exc:
            raise StoreCorrupt(path, str(exc)) from None
        except ValueError:
            raise StoreCorrupt(path, "decrypts to damaged data") from None
        if not isinstance(data, dict):
            raise StoreCorrupt(path, "decrypts to data of the wrong shape")
        return data

    def write_json(self, path: Path, data: dict[str, Any], *, sync_dir: bool) -> None:
        plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        write_atomic(path, self.keys.seal(plain, self.layout.rel(path)), self.layout.tmp, sync_dir=sync_dir)


class SealedJSONStorage(Storage):
    """TinyDB storage for one encrypted file; inside ``batch()`` it reads once and writes once."""

    def __init__(self, path: Path, files: SealedFiles, sync_dir: bool = True):
        self.path = path
        self._files = files
        self._sync_dir = sync_dir
        self._batching = False
        self._data: dict[str, Any] | None = None
        self._dirty = False

    def read(self) -> dict[str, Any] | None:
        if not self._batching:
            return self._files.read_json(self.path)
        if self._data is None:
            self._data = self._files.read_json(self.path) or {}
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        if self._batching:
            self._data, self._dirty = data, True
        else:
            self._files.write_json(self.path, data, sync_dir=self._sync_dir)

    @contextmanager
    def batch(self, *, new_file: bool = False) -> Iterator[None]:
        """Group TinyDB calls into one read and (if anything changed) one atomic write.
        ``new_file`` skips the read for a file that cannot exist yet."""
        self._batching, self._data, self._dirty = True, {} if new_file else None, False
        try:
            yield
            if self._dirty:
                self._files.write_json(self.path, self._data or {}, sync_dir=self._sync_dir)
        finally:
            self._batching, self._data, self._dirty = False, None, False

    def close(self) -> None:
        pass


@dataclass
class Change:
    """One record's part of a write: a revision to add, revisions to drop, or the whole record to delete."""

    entry: Entry
    add: dict[str, Any] | None = None
    drop: builtins.list[int] = field(default_factory=builtins.list)
    delete: bool = False
    new: bool = False
    amendment: dict[str, Any] | None = None  # why an amendment was made, kept with the record
    course: dict[str, Any] | None = None  # a session or visit to keep with the record
    course_plan: builtins.list[str] | None = None  # the course's dates ahead to keep with it (its row changes)
    listed: dict[str, Any] | None = None  # the current revision, listed again with ``course_plan``
    course_ahead: builtins.list[str] | None = None  # the course's dates ahead, read with the record file

    @property
    def record_id(self) -> str:
        return self.entry.record_id


def _iso_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _valid_id(record_id: Any) -> bool:
    try:
        return isinstance(record_id, str) and str(uuid.UUID(record_id)) == record_id
    except ValueError:
        return False


class TinyDBRepository:
    """``Repository`` over the layout above. Safe to use from several processes and threads."""

    def __init__(self, layout: Layout, keys: Keys, meta: StoreMeta, *, read_only: bool):
        self.layout = layout
        self.files = SealedFiles(layout, keys)
        self.keys = keys
        self.audit = AuditLog(layout.audit, keys.audit_mac, AuditAnchor(layout.meta, layout.tmp, keys))
        self.meta = meta
        self.lock = StoreLock(layout.lock)
        self.read_only = read_only
        self.notice: str | None = None
        #: Repairs made while this store was open (a damaged or lost index shard rebuilt), in words.
        self.repairs: builtins.list[str] = []
        self._held = threading.local()  # whether this thread holds the store lock
        saved = ListFiles(layout, self.files, self.lock, writable=lambda: not self.read_only)
        self._summaries = index.SummaryCache(layout.shard, self._shard_rows, HEADER_BYTES, saved)
        # The last search (filters, text, rows kept), so typing on narrows what it kept.
        self._last_search: tuple[tuple[Any, ...], str, Sequence[int]] | None = None
        self._first_keys: dict[str, Any] = {}  # rows kept by one typed character, for one version of the list

    # ----- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path, *, key_file: Path, passphrase: str | None, read_only: bool, create: bool) -> TinyDBRepository:
        layout = Layout(root)
        if root.exists():
            check_path(root)
        if layout.meta.exists() or layout.holds_store_files():
            meta = StoreMeta.read(layout.meta)
            keys = meta.unlock(key_file, passphrase)
        elif not create or read_only:
            raise StoreMissing(root)
        else:
            meta, keys = cls._create_store(layout, key_file=key_file, passphrase=passphrase)
        repo = cls(layout, keys, meta, read_only=read_only)
        if meta.schema_version > SCHEMA_VERSION:
            repo.read_only = True
            repo.notice = str(NewerSchema(f"The store in {root}", meta.schema_version, SCHEMA_VERSION))
        if not repo.read_only:
            with repo.lock.try_hold() as held:
                if held:  # otherwise a writer is busy and will recover on its own
                    repo._held.on = True
                    try:
                        repo._recover()
                        clean_temp(layout.tmp)
                        repo._rebuild_lost_shards()
                    finally:
                        repo._held.on = False
        return repo

    @staticmethod
    def _create_store(layout: Layout, *, key_file: Path, passphrase: str | None) -> tuple[StoreMeta, Keys]:
        if passphrase is None and key_file.exists():
            read_key_file(key_file)  # refuse an open or malformed key before making anything
        layout.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_path(layout.root)
        layout.tmp.mkdir(mode=DIR_MODE, exist_ok=True)
        with StoreLock(layout.lock).hold():
            if layout.meta.exists():  # another process created it first
                meta = StoreMeta.read(layout.meta)
                return meta, meta.unlock(key_file, passphrase)
            created = StoreMeta.create(layout.meta, layout.tmp, key_file=key_file, passphrase=passphrase,
                                       schema_version=SCHEMA_VERSION, now=now_iso())
            for folder in (layout.records, layout.index):
                folder.mkdir(mode=DIR_MODE, exist_ok=True)
            fsync_dir(layout.root)
            return created

    # ----- reading ---------------------------------------------------------------------------

    def _db(self, path: Path, *, sync_dir: bool = True) -> TinyDB:
        return TinyDB(path, storage=SealedJSONStorage, files=self.files, sync_dir=sync_dir)

    def _stored(self, record_id: str) -> builtins.list[dict[str, Any]]:
        """Every kept revision of a record (older schemas migrated), oldest first; [] if there is none."""
        if not _valid_id(record_id):
            return []
        docs = self._db(self.layout.record(record_id)).table(REVISIONS, cache_size=0).all()
        return sorted((self._readable(dict(d)) for d in docs), key=lambda d: d.get("rev", 0))

    def _existing(self, record_id: str, *, check_list: bool = False) -> builtins.list[dict[str, Any]]:
        """Every kept revision, after checking the file against the records list: a file older than
        its row was put back from an older copy; a row without a file lost its file; a file
        without a row is put back in the list (the list is derived from the files). A write
        (which holds the lock) checks the row when it updates it instead (``_update_rows``), so a
        save reads its shard once."""
        if getattr(self._held, "on", False) and not check_list:
            return self._stored(record_id) or self._missing(record_id)
        listed = self._listed_rev(record_id)  # the row first: a write replaces the file before the row
        revisions = self._stored(record_id)
        path = self.layout.record(record_id)
        if not revisions:
            if listed is not None and not self.layout.journal.exists():
                raise StoreCorrupt(path, f"is missing, although the records list has intake {record_id} at revision {listed}: "
                                         "the record file was deleted")
            raise RecordNotFound(record_id)
        latest = revisions[-1].get("rev", 0)
        if listed is None:
            self._repair_shard(index.shard_of(record_id), f"intake {record_id} had a record file but no row", record_id)
        elif latest > listed and not self.layout.journal.exists():  # no write in progress: the row is out of date
            self._repair_shard(index.shard_of(record_id), f"its row of intake {record_id} was at revision {listed}, "
                                                           f"the record file at {latest}", record_id, latest)
        elif latest < listed:
            raise StoreCorrupt(path, f"holds revision {latest} of intake {record_id}, but the records list has revision {listed}: "
                                     "an older copy of the file was put back. It is not used")
        return revisions

    def _missing(self, record_id: str) -> builtins.list[dict[str, Any]]:
        listed = self._listed_rev(record_id)
        if listed is not None:
            raise StoreCorrupt(self.layout.record(record_id), f"is missing, although the records list has intake {record_id} "
                                                               f"at revision {listed}: the record file was deleted")
        raise RecordNotFound(record_id)

    def _listed_rev(self, record_id: str) -> int | None:
        """The revision the records list has for ``record_id`` (None if it has no row); a damaged shard is rebuilt."""
        shard = index.shard_of(record_id)
        try:
            row = self._db(self.layout.shard(shard)).table(index.TABLE, cache_size=0).get(where("record_id") == record_id)
        except StoreCorrupt:
            self._repair_shard(shard, "it could not be read")
            row = self._db(self.layout.shard(shard)).table(index.TABLE, cache_size=0).get(where("record_id") == record_id)
        return row.get("rev") if row is not None else None

    # ----- the records list is derived: a damaged or lost shard is rebuilt from the record files -----

    def _repair_shard(self, shard: str, why: str, record_id: str | None = None, rev: int | None = None) -> None:
        """Rebuild ``shard`` under the lock (taking it if this thread does not hold it). If the store
        is read-only, say how it will be repaired instead."""
        if self.read_only:
            raise StoreCorrupt(self.layout.shard(shard), f"needs rebuilding ({why})",
                               hint="The records list is rebuilt from the record files by the next command that "
                                    "opens the store for writing, e.g. `ketatui records list`; no restore is needed.")
        if getattr(self._held, "on", False):
            self._rebuild_shard(shard, why)
            return
        with self._locked():
            if record_id is not None and self._listed_rev(record_id) not in (None, *([] if rev is None else range(rev))):
                return  # a write in progress brought the row up to date meanwhile
            self._rebuild_shard(shard, why)

    def _rebuild_shard(self, shard: str, why: str) -> int:
        """Write ``shard`` afresh from the record files (the lock is held), audit it and say so."""
        rows = []
        for path in sorted((self.layout.records / shard).glob("*.json.enc")):
            try:
                revisions = self._stored(path.name.removesuffix(".json.enc"))
            except StoreCorrupt:
                continue  # a damaged record file says so itself when it is opened
            if revisions:
                rows.append(self._row(revisions[-1], self._course_ahead(revisions[-1]["record_id"])))
        self.layout.index.mkdir(mode=DIR_MODE, exist_ok=True)
        self.files.write_json(self.layout.shard(shard), {index.TABLE: {str(n): row for n, row in enumerate(rows, start=1)}}, sync_dir=True)
        what = f"index shard {shard} rebuilt from {len(rows)} record file(s) because {why}"
        self.audit.append([Entry("recover", "*", 0, "ketatui", target=what)])
        self.repairs.append(f"The records list was repaired: {what}. No record was changed.")
        return len(rows)

    def _rebuild_lost_shards(self) -> None:
        """Rebuild every shard whose file is gone while record files of that shard exist (the lock is held)."""
        if not self.layout.records.exists():
            return
        try:
            shards = {entry.name[:2] for entry in os.scandir(self.layout.index) if entry.name.endswith(".json.enc")}
        except FileNotFoundError:
            shards = set()
        for folder in os.scandir(self.layout.records):  # two folder reads, whatever the size of the store
            if folder.name in _SHARD_NAMES and folder.name not in shards and any(
                    name.endswith(".json.enc") for name in os.listdir(folder.path)):
                self._rebuild_shard(folder.name, "its file was missing")

    @contextmanager
    def _listed(self, today: str) -> Iterator[Columns]:
        """Every list row, up to date and unchanged while the block runs; a shard that cannot be
        read is rebuilt first (at most once per shard)."""
        for _ in range(len(index.SHARDS)):
            try:
                self._summaries.rows(today)
                break
            except StoreCorrupt as exc:
                if exc.path.parent != self.layout.index:
                    raise
                self._repair_shard(exc.path.name[:2], "it could not be read")
        else:
            self._summaries.rows(today)
        with self._summaries.held() as rows:
            yield rows

    def _shard_rows(self, path: Path, blob: bytes) -> Iterable[dict[str, Any]]:
        return (self.files.decode(path, blob).get(index.TABLE) or {}).values()

    @staticmethod
    def _readable(doc: dict[str, Any]) -> dict[str, Any]:
        """A stored revision in the current schema (newer documents are returned as they are)."""
        return documents.readable(doc)

    def get(self, record_id: str, *, user: str, rev: int | None = None) -> dict[str, Any]:
        revisions = self._existing(record_id)
        if rev is None:
            doc = revisions[-1]
        else:
            matching = [d for d in revisions if d["rev"] == rev]
            if not matching:
                kept = ", ".join(str(d["rev"]) for d in revisions)
                raise InvalidRequest(f"Intake {record_id} has no revision {rev}; the revisions kept are {kept}.")
            doc = matching[0]
        self._log([Entry("view", record_id, doc["rev"], user)])
        return doc

    def revisions(self, record_id: str, *, user: str | None = None) -> builtins.list[dict[str, Any]]:
        revisions = self._existing(record_id)
        self._log([Entry("view", record_id, d["rev"], user or "unknown") for d in revisions])
        return revisions

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
    ) -> builtins.list[RecordSummary]:
        return self.page(search=search, status=status, urgent=urgent, due=due, training=training,
                         offset=offset, limit=limit).rows

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
    ) -> RecordPage:
        if status is not None and status not in STATUSES:
            raise InvalidRequest(f"Unknown status {status!r}; use one of {', '.join(STATUSES)}.")
        if offset < 0 or (limit is not None and limit < 0):
            raise InvalidRequest(f"A page starts at 0 or later and holds 0 or more rows (offset {offset}, limit {limit}).")
        today = date.today().isoformat()
        if not search and due is None and limit is not None:
            first = self._summaries.first_page(today, status=status, urgent=urgent, training=training, offset=offset, limit=limit)
            if first is not None:  # a new process: the first page while the whole list loads
                return RecordPage([index.to_summary(r, today) for r in first[0]], total=first[1], offset=offset)
        with self._listed(today) as rows:
            filters = (rows.version, status, urgent, due, training)
            last = self._last_search
            if search and last is not None and last[0] == filters and search.startswith(last[1]) and len(last[2]) * 4 < len(rows):
                # Typed on: every row the longer search keeps, the shorter one kept too (when
                # it kept most rows, a pass over whole columns is quicker than over those).
                chosen = rows.narrow(last[2], search, rows.name_chars())
            elif search and len(search.strip()) == 1:
                # The first key of a search: the rows it keeps are kept for this version of the
                # list, as clinicians start many searches with the same few letters.
                chosen = rows.select(within=self._first_key(search.strip(), rows), status=status, urgent=urgent, due=due, training=training)
            else:
                chosen = rows.select(search=search, status=status, urgent=urgent, due=due, training=training,
                                     name_chars=rows.name_chars() if search else None)
            self._last_search = (filters, search or "", chosen)
            shown = chosen[offset:] if limit is None else chosen[offset:offset + limit]
            return RecordPage([index.to_summary(rows.row(at), today) for at in shown], total=len(chosen), offset=offset)

    def early_page(self, *, search: str | None = None, status: str | None = None, urgent: bool | None = None,
                   training: bool | None = None, offset: int = 0, limit: int) -> RecordPage | None:
        """``EarlyPages``: a search answered from the head file while the whole list loads."""
        if not search or not search.strip() or offset < 0 or limit <= 0 or (status is not None and status not in STATUSES):
            return None
        today = date.today().isoformat()
        found = self._summaries.early(today, search=search, status=status, urgent=urgent, training=training,
                                      offset=offset, limit=limit)
        if found is None:
            return None
        rows, total, counted = found
        return RecordPage([index.to_summary(r, today) for r in rows], total=total, offset=offset, counted=counted)

    def _first_key(self, key: str, rows: Columns) -> Sequence[int]:
        """The positions of every row of ``rows`` one typed character keeps, in list order."""
        if self._first_keys.get("") != rows.version:
            self._first_keys = {"": rows.version}
        kept = self._first_keys.get(key)
        if kept is None:
            if len(self._first_keys) > FIRST_KEYS_KEPT:
                self._first_keys = {"": rows.version}
            kept = self._first_keys[key] = rows.narrow(None, key, rows.name_chars())
        return kept

    def drafts(self, *, user: str | None = None) -> builtins.list[RecordSummary]:
        today = date.today().isoformat()
        with self._listed(today) as rows:
            return [index.to_summary(rows.row(at), today) for at in rows.select(status="draft", created_or_updated_by=user)]

    def amendments(self, record_id: str, *, user: str) -> builtins.list[dict[str, Any]]:
        """Why each amendment of the record was made (rev, amends_rev, reason, by, at), oldest first."""
        intake = self._existing(record_id)[-1]
        notes = [dict(d) for d in self._db(self.layout.record(record_id)).table(AMENDMENTS, cache_size=0).all()]
        self._log([Entry("view", record_id, intake["rev"], user, target="amendments")])
        return sorted(notes, key=lambda n: n["rev"])

    # ----- writing ---------------------------------------------------------------------------

    def create(self, doc: dict[str, Any], *, user: str) -> dict[str, Any]:
        return self._insert([doc], user=user, action="create", keep=False, skip_existing=False)[0]

    def create_many(self, docs: Iterable[dict[str, Any]], *, user: str) -> builtins.list[str]:
        stored = self._insert(builtins.list(docs), user=user, action="create", keep=False, skip_existing=False)
        return [d["record_id"] for d in stored]

    def import_documents(self, docs: Iterable[dict[str, Any]], *, user: str) -> builtins.list[str]:
        """Store intakes from elsewhere as they are (status, signatures, times); ids already here are skipped."""
        stored = self._insert(builtins.list(docs), user=user, action="import", keep=True, skip_existing=True)
        return [d["record_id"] for d in stored]

    def _insert(self, docs: builtins.list[dict[str, Any]], *, user: str, action: str, keep: bool, skip_existing: bool) -> builtins.list[dict[str, Any]]:
        now = now_iso()
        prepared = [self._prepare_new(d, user=user, now=now, keep=keep) for d in docs]
        ids = [d["record_id"] for d in prepared]
        if len(set(ids)) != len(ids):
            raise InvalidRequest("The same record id appears twice in what was given; nothing was stored.")
        with self._locked():
            present = {rid for rid in ids if self.layout.record(rid).exists()}
            if present and not skip_existing:
                raise InvalidRequest(f"An intake with record id {sorted(present)[0]} is already stored; nothing was stored.")
            prepared = [d for d in prepared if d["record_id"] not in present]
            self._commit([Change(Entry(action, d["record_id"], d["rev"], user), add=d, new=True) for d in prepared])
        return prepared

    def save(self, doc: dict[str, Any], *, user: str, expected_rev: int) -> dict[str, Any]:
        incoming = self._current_schema(doc)
        record_id = incoming.get("record_id")
        with self._locked():
            current = self._check_editable(record_id, expected_rev)
            if incoming.get("status") == "signed":
                raise InvalidRequest("An intake is signed with Sign, not by saving it with status 'signed'; nothing was saved.")
            new = dict(incoming)
            new.update(self._carried_over(current), rev=current["rev"] + 1, updated_at=now_iso(), updated_by=user,
                       signed_at=None, signed_by=None)
            self._commit([Change(Entry("update", record_id, new["rev"], user), add=new, drop=[current["rev"]])])
        return new

    def sign(self, record_id: str, *, user: str, expected_rev: int, passphrase: str | None = None) -> dict[str, Any]:
        """Freeze the current revision as signed by ``user``. With ``passphrase`` (the screens always
        give one) it must be ``user``'s signing passphrase: a wrong one is counted and audited."""
        with self._locked():
            current = self._check_editable(record_id, expected_rev, what="signed again")
            if passphrase is not None:
                self._check_signer(user, passphrase, current)
            now = now_iso()
            new = dict(current, rev=current["rev"] + 1, status="signed", signed_at=now, signed_by=user,
                       updated_at=now, updated_by=user)
            target = None if passphrase is not None else "without a passphrase"
            self._commit([Change(Entry("sign", record_id, new["rev"], user, target=target), add=new, drop=[current["rev"]])])
        return new

    def set_status(self, record_id: str, status: str, *, user: str, expected_rev: int) -> dict[str, Any]:
        """Move an intake one step along draft → submitted → reviewed (signing is ``sign``); audited."""
        with self._locked():
            current = self._check_editable(record_id, expected_rev)
            if NEXT_STATUS.get(current["status"]) != status or status == "signed":
                allowed = NEXT_STATUS.get(current["status"])
                then = "sign it with Sign" if allowed == "signed" else f"it can be marked {allowed} next"
                raise InvalidRequest(f"Intake {record_id} is {current['status']}, so it cannot be marked {status}: {then}. Nothing was changed.")
            new = dict(current, rev=current["rev"] + 1, status=status, updated_at=now_iso(), updated_by=user)
            action = "submit" if status == "submitted" else "review"
            self._commit([Change(Entry(action, record_id, new["rev"], user), add=new, drop=[current["rev"]])])
        return new

    def submit(self, record_id: str, *, user: str, expected_rev: int) -> dict[str, Any]:
        return self.set_status(record_id, "submitted", user=user, expected_rev=expected_rev)

    def review(self, record_id: str, *, user: str, expected_rev: int) -> dict[str, Any]:
        return self.set_status(record_id, "reviewed", user=user, expected_rev=expected_rev)

    def amend(self, record_id: str, *, user: str, reason: str) -> dict[str, Any]:
        """Start a new draft revision of a signed intake; ``reason`` is required and kept with it."""
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason:
            raise InvalidRequest("Reason for the amendment: required. Say why the signed plan is being changed; nothing was changed.")
        with self._locked():
            current = self._current_schema(self._existing(record_id)[-1])
            if current["status"] != "signed":
                raise InvalidRequest(
                    f"Intake {record_id} is not signed (it is {current['status']}, revision {current['rev']}), "
                    "so there is nothing to amend: open it and save your changes."
                )
            now = now_iso()
            new = dict(current, rev=current["rev"] + 1, status="draft", amends_rev=current["rev"],
                       signed_at=None, signed_by=None, updated_at=now, updated_by=user)
            note = {"rev": new["rev"], "amends_rev": current["rev"], "reason": reason, "by": user, "at": now}
            self._commit([Change(Entry("amend", record_id, new["rev"], user), add=new, amendment=note)])
        return new

    def discard(self, record_id: str, *, user: str, expected_rev: int) -> None:
        """Remove a draft that was never signed (a mistaken or abandoned intake); audited."""
        with self._locked():
            revisions = self._existing(record_id)
            current = self._check_rev(revisions[-1], expected_rev)
            if current["status"] != "draft" or any(d["status"] == "signed" for d in revisions):
                what = "it is an amendment of a signed plan" if current["status"] == "draft" else f"it is {current['status']}"
                raise InvalidRequest(f"Intake {record_id} cannot be discarded: {what}, and only a draft that was never signed can be. Nothing was changed.")
            self._commit([Change(Entry("discard", record_id, current["rev"], user), delete=True)])

    # ----- signing passphrases ---------------------------------------------------------------

    def has_signing_passphrase(self, user: str) -> bool:
        return user in self._signers()

    def set_signing_passphrase(self, user: str, passphrase: str) -> None:
        """Set ``user``'s signing passphrase, once; stored as an scrypt hash and audited."""
        if len(passphrase) < signing.MIN_LENGTH:
            raise InvalidRequest(f"Signing passphrase: use at least {signing.MIN_LENGTH} characters. Nothing was stored.")
        stored = signing.hash_passphrase(passphrase)  # slow on purpose: before taking the lock
        with self._locked():
            signers = self._signers()
            if user in signers:
                raise InvalidRequest(f"{user} already has a signing passphrase; it is set once. Nothing was changed.")
            signers[user] = {"passphrase": stored, **signing.Attempts().as_record()}
            self.files.write_json(self.layout.signers, {"signers": signers}, sync_dir=True)
            self.audit.append([Entry("passphrase-set", "*", 0, user)])

    def check_signing_passphrase(self, user: str, passphrase: str) -> None:
        """Check ``user``'s signing passphrase without signing anything (unlocking a locked
        screen): a wrong one counts toward the same lock as signing and is audited as
        ``unlock-refused``. Raises ``NoSigningPassphrase``, ``WrongPassphrase`` or ``SigningLocked``."""
        with self._locked():
            self._check_signer(user, passphrase, {"record_id": "*", "rev": 0}, refused="unlock-refused")

    def log_access(self, user: str, action: str) -> None:
        """An audit line about the clinician's session, not a record: ``lock``, ``unlock``, ``logoff``."""
        if action not in ("lock", "unlock", "logoff"):
            raise InvalidRequest(f"{action!r} is not a session event to audit (lock, unlock or logoff). Nothing was logged.")
        self._log([Entry(action, "*", 0, user)])

    def _signers(self) -> dict[str, Any]:
        data = self.files.read_json(self.layout.signers) or {}
        return dict(data.get("signers") or {})

    def _check_signer(self, user: str, passphrase: str, current: dict[str, Any], refused: str = "sign-refused") -> None:
        """Verify ``user``'s passphrase (the lock is held); count, audit and refuse a wrong one."""
        signers = self._signers()
        if user not in signers:
            raise NoSigningPassphrase(user)
        record = signers[user]
        attempts, now = signing.Attempts.of(record), signing.now()
        locked = Entry(refused, current["record_id"], current["rev"], user, target="signing locked")
        if attempts.locked(now):
            self.audit.append([locked])
            raise SigningLocked(user, attempts.locked_until.isoformat(timespec="seconds"))  # type: ignore[union-attr]
        if signing.verify_passphrase(passphrase, record["passphrase"]):
            if attempts.failures:
                signers[user] = {**record, **signing.Attempts().as_record()}
                self.files.write_json(self.layout.signers, {"signers": signers}, sync_dir=True)
            return
        attempts = attempts.failed(now)
        signers[user] = {**record, **attempts.as_record()}
        self.files.write_json(self.layout.signers, {"signers": signers}, sync_dir=True)
        self.audit.append([Entry(refused, current["record_id"], current["rev"], user, target="wrong passphrase")])
        until = attempts.locked_until.isoformat(timespec="seconds") if attempts.locked_until else None
        raise WrongPassphrase(user, attempts.left, until)

    def delete(self, record_id: str, *, user: str, expected_rev: int) -> None:
        with self._locked():
            revisions = self._existing(record_id)
            current = self._check_rev(revisions[-1], expected_rev)
            signed = [d for d in revisions if d["status"] == "signed"]
            if signed and not current.get("training"):
                raise SignedRecordLocked(record_id, signed[-1]["rev"], what="deleted (signed records are kept)")
            self._commit([Change(Entry("delete", record_id, current["rev"], user), delete=True)])

    def log_export(self, record_id: str, rev: int, *, user: str, target: str) -> None:
        self._log([Entry("export", record_id, rev, user, target=target)])

    # ----- the course: sessions and visits kept in the intake's own file ---------------------

    def add_course_record(self, record_id: str, doc: dict[str, Any], *, user: str, expected_rev: int | None = None,
                          sessions_ahead: builtins.list[str] | None = None) -> dict[str, Any]:
        """Keep one session or visit with its intake. A new one (``expected_rev`` None) gets rev 1 and,
        if it has none, a record id; a correction names the rev it replaces and is refused with
        ``StaleRevision`` if it moved on. ``sessions_ahead`` are kept with them (table
        ``course_plan``) and listed as the intake's session dates from then on."""
        if sessions_ahead is not None and not (isinstance(sessions_ahead, builtins.list) and all(_iso_date(d) for d in sessions_ahead)):
            raise InvalidRequest(f"Sessions ahead: give ISO dates such as 2026-03-09 (got {sessions_ahead!r}); nothing was stored.")
        if not isinstance(doc, dict):
            raise InvalidRequest("A session or visit must be a JSON object (a dict).")
        doc = dict(doc, record_id=doc.get("record_id") or str(uuid.uuid4()))
        course_id = doc["record_id"]
        if not _valid_id(course_id):
            raise InvalidRequest(f"{course_id!r} is not a record id (a lower-case UUID); nothing was stored.")
        if doc.get("intake_record_id") != record_id:
            raise InvalidRequest(f"This session or visit belongs to intake {doc.get('intake_record_id')}, not to {record_id}; nothing was stored.")
        with self._locked():
            intake = self._existing(record_id, check_list=True)[-1]  # no row update here to check it later
            db = self._db(self.layout.record(record_id))
            current = db.table(COURSE, cache_size=0).get(where("record_id") == course_id)
            if expected_rev is None and current is not None:
                raise InvalidRequest(f"Session or visit {course_id} is already stored (revision {current['rev']}); "
                                     "to correct it, give the revision you are correcting. Nothing was stored.")
            if expected_rev is not None:
                if current is None:
                    raise InvalidRequest(f"No session or visit {course_id} is kept with intake {record_id}, so there is nothing to correct; store it as new.")
                if current["rev"] != expected_rev:
                    raise StaleCourseRecord(course_id, expected_rev, current["rev"], current.get("recorded_by"), current.get("recorded_at"))
            new = dict(doc, rev=current["rev"] + 1 if current else 1)
            json.dumps(new)  # refuse anything JSON cannot hold before writing
            entry = Entry("course", record_id, intake["rev"], user, target=f"{doc.get('kind', 'record')} {course_id} rev {new['rev']}")
            self._commit([Change(entry, course=new, course_plan=sessions_ahead, listed=intake if sessions_ahead is not None else None)])
        return new

    def _course_kept(self, entry: Entry) -> bool:
        """Whether the session or visit an interrupted ``course`` write names ("session <id> rev <n>") is in the file."""
        _, course_id, _, rev = str(entry.target).split()
        kept = self._db(self.layout.record(entry.record_id)).table(COURSE, cache_size=0).get(where("record_id") == course_id)
        return kept is not None and kept.get("rev") == int(rev)

    def course_records(self, record_id: str, *, user: str) -> builtins.list[dict[str, Any]]:
        """The intake's sessions and visits as stored (the reading is recorded in the audit log)."""
        intake = self._existing(record_id)[-1]
        docs = [dict(d) for d in self._db(self.layout.record(record_id)).table(COURSE, cache_size=0).all()]
        self._log([Entry("view", record_id, intake["rev"], user, target="course")])
        return docs

    # ----- maintenance (``Maintainable``) ----------------------------------------------------

    def backup(self, destination: Path) -> BackupResult:
        return backup(self.layout, destination)

    def verify_audit(self, *, witness: str | None = None) -> AuditReport:
        """Check the audit chain, that it reaches its head (and ``witness``, a head written down
        earlier as ``SEQ:MAC``), and that records, list and log agree (``consistency``)."""
        found = self.audit.verify(Head.parse(witness) if witness else None)
        problems = found.problems + self._consistency_problems()
        return AuditReport(str(self.layout.audit), found.entries, problems, found.interrupted,
                           head=str(found.head) if found.head else None)

    def audit_head(self) -> str:
        """The audit log's latest entry as ``SEQ:MAC``, to keep somewhere else (printed, syslog) as a witness."""
        head = self.audit.anchor.read() if self.audit.anchor is not None else None
        head = head or self.audit.head()
        return str(head) if head else "0:" + "0" * 64

    def _consistency_problems(self) -> builtins.list[str]:
        rows: dict[str, int] = {}
        problems: builtins.list[str] = []
        for shard in index.SHARDS:
            try:
                data = self.files.read_json(self.layout.shard(shard)) or {}
            except StoreCorrupt:
                problems.append(f"index shard {shard} cannot be read; the next command that opens the store for writing rebuilds it")
                continue
            for row in (data.get(index.TABLE) or {}).values():
                rows[row["record_id"]] = row.get("rev")

        def row_rev(record_id: str) -> int | None:
            try:
                row = self._db(self.layout.shard(index.shard_of(record_id))).table(index.TABLE, cache_size=0).get(where("record_id") == record_id)
            except StoreCorrupt:
                return rows.get(record_id)
            return row.get("rev") if row is not None else None

        def look(record_id: str) -> consistency.Seen:
            try:
                revisions = self._stored(record_id)
                kept = self._db(self.layout.record(record_id)).table(COURSE, cache_size=0).all() if revisions else []
            except StoreCorrupt as exc:
                return consistency.Seen(None, None, {}, unreadable=str(exc).split(". Nothing was changed")[0])
            return consistency.Seen(revisions[-1].get("rev") if revisions else None, row_rev(record_id),
                                    {c["record_id"]: c["rev"] for c in kept})

        @contextmanager
        def locked() -> Iterator[None]:
            try:
                with self.lock.hold():
                    yield
            except StorageError:  # no right to take the lock (a read-only account): check as it is
                yield

        return problems + consistency.check(lambda: consistency.record_ids_in(self.layout.records, set(rows)), look,
                                            lambda: consistency.AuditStory.of(self.audit.lines_after(0)), locked)

    # ----- helpers for writing ---------------------------------------------------------------

    def _current_schema(self, doc: dict[str, Any]) -> dict[str, Any]:
        return documents.current_schema(doc)

    def _prepare_new(self, doc: dict[str, Any], *, user: str, now: str, keep: bool) -> dict[str, Any]:
        """Called before taking the lock: the backend-neutral rules for a new document."""
        return documents.prepare_new(doc, user=user, now=now, keep=keep)

    @staticmethod
    def _carried_over(current: dict[str, Any]) -> dict[str, Any]:
        """Fields a save cannot change: identity, origin and the amendment link."""
        return {k: current.get(k) for k in ("record_id", "created_at", "created_by", "training", "amends_rev")} | {
            "schema_version": SCHEMA_VERSION
        }

    @staticmethod
    def _check_rev(current: dict[str, Any], expected_rev: int) -> dict[str, Any]:
        if current["rev"] != expected_rev:
            raise StaleRevision(current["record_id"], expected_rev, current["rev"], current.get("updated_by"), current.get("updated_at"))
        return current

    def _check_editable(self, record_id: Any, expected_rev: int, what: str = "changed") -> dict[str, Any]:
        if not isinstance(record_id, str) or not record_id:
            raise InvalidRequest("This intake has no record id; create it before saving it.")
        current = self._current_schema(self._existing(record_id)[-1])
        self._check_rev(current, expected_rev)
        if current["status"] == "signed":
            raise SignedRecordLocked(record_id, current["rev"], what=what)
        return current

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the store lock for a change: refuse if read-only, finish any interrupted write first."""
        if self.read_only:
            if self.notice:
                raise NewerSchema(f"The store in {self.layout.root}", self.meta.schema_version, SCHEMA_VERSION)
            raise InvalidRequest(f"The store in {self.layout.root} was opened read-only; nothing was changed.")
        with self.lock.hold():
            latest = StoreMeta.read(self.layout.meta)
            if latest.schema_version > SCHEMA_VERSION:
                self.read_only, self.meta = True, latest
                self.notice = str(NewerSchema(f"The store in {self.layout.root}", latest.schema_version, SCHEMA_VERSION))
                raise NewerSchema(f"The store in {self.layout.root}", latest.schema_version, SCHEMA_VERSION)
            self._held.on = True
            try:
                self._recover()
                yield
            finally:
                self._held.on = False

    def _log(self, entries: builtins.list[Entry]) -> None:
        """Append audit lines (views, exports), which is allowed on a read-only store too."""
        with self.lock.hold():
            self._held.on = True
            try:
                if not self.read_only:
                    self._recover()
                self.audit.append(entries)
            finally:
                self._held.on = False

    def _commit(self, changes: builtins.list[Change]) -> None:
        """Write ``changes`` (the lock is held): journal, records, index shards, audit, journal gone.

        All or nothing: if any file cannot be written (a full disk, a file-size limit, an audit
        log that is read-only), every file already replaced is put back and ``StoreUnwritable``
        names the file. A process killed half-way is finished by the next writer (``_recover``)."""
        if not changes:
            return
        layout = self.layout
        try:
            self._write_journal([c.entry for c in changes])
        except OSError as exc:
            raise StoreUnwritable(layout.journal, exc) from None
        undo = Undo(layout.tmp)
        try:
            self._apply(changes, undo)
            self.audit.append(c.entry for c in changes)
        except StoreUnwritable:
            self._undo(undo)
            raise
        except OSError as exc:
            self._undo(undo)
            raise StoreUnwritable(Path(exc.filename) if exc.filename else layout.root, exc) from None
        except Exception:
            self._undo(undo)
            raise
        # Anything else (the process being stopped) leaves the journal: the next writer finishes the write.
        remove_durably(layout.journal)
        undo.forget()

    def _apply(self, changes: builtins.list[Change], undo: Undo) -> None:
        """The record files and index shards of ``changes``, each kept in ``undo`` before it is replaced."""
        layout = self.layout
        dirs: set[Path] = set()
        for change in changes:
            path = layout.record(change.record_id)
            dirs.add(path.parent)
            if not path.parent.exists():
                path.parent.mkdir(mode=DIR_MODE, exist_ok=True)
                dirs.add(layout.records)
            undo.keep(path)
            if change.delete:
                path.unlink(missing_ok=True)
                continue
            self._write_record(change)
        by_shard: dict[str, builtins.list[Change]] = {}
        for change in changes:
            if change.delete or change.add is not None or change.listed is not None:
                by_shard.setdefault(index.shard_of(change.record_id), []).append(change)
        for shard, group in by_shard.items():
            undo.keep(layout.shard(shard))
            self._update_shard(shard, group)
        for folder in sorted(dirs) + [layout.index]:
            fsync_dir(folder)

    def _update_shard(self, shard: str, group: builtins.list[Change]) -> None:
        try:
            self._update_rows(self._db(self.layout.shard(shard), sync_dir=False), group)
        except StoreCorrupt:  # a damaged shard: the index is derived, so build it again and go on
            self._rebuild_shard(shard, "it could not be read")
            self._update_rows(self._db(self.layout.shard(shard), sync_dir=False), group)

    def _update_rows(self, db: TinyDB, group: builtins.list[Change]) -> None:
        with db.storage.batch():
            table = db.table(index.TABLE, cache_size=0)
            fresh = [index.summary_row(c.add) for c in group if c.new and c.add is not None]
            if fresh:
                table.insert_multiple(fresh)
            for c in group:
                if c.delete:
                    table.remove(where("record_id") == c.record_id)
                elif not c.new and c.add is not None:
                    row = table.get(where("record_id") == c.record_id)
                    if row is not None and row.get("rev", 0) >= c.add["rev"]:
                        # The record file was older than its row: an older copy put back. Refuse (the
                        # write is undone) rather than build on it and lose the revisions after it.
                        raise StoreCorrupt(self.layout.record(c.record_id),
                                           f"holds revision {c.add['rev'] - 1} of intake {c.record_id}, but the records list has "
                                           f"revision {row['rev']}: an older copy of the file was put back. It is not used")
                    table.upsert(self._row(c.add, c.course_ahead), where("record_id") == c.record_id)
                elif c.listed is not None:  # the course's dates ahead changed: the same revision, listed anew
                    table.upsert(self._row(c.listed, c.course_plan), where("record_id") == c.record_id)

    def _undo(self, undo: Undo) -> None:
        """Put a failed write back and drop its journal; if even that fails, the journal stays for ``_recover``."""
        try:
            undo.roll_back()
            remove_durably(self.layout.journal)
        except OSError:
            pass

    # ----- the journal: the write in progress, MACed so that only this store's writers can plant one

    def _journal_mac(self, body: dict[str, Any]) -> str:
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hmac.new(self.keys.audit_mac, b"journal " + text.encode(), hashlib.sha256).hexdigest()

    def _write_journal(self, entries: builtins.list[Entry]) -> None:
        head = self.audit.head()
        body = {"pid": os.getpid(), "audit_size": self.audit.size(), "audit_seq": head.seq if head else 0,
                "entries": [vars(e) for e in entries]}
        write_atomic(self.layout.journal, json.dumps(dict(body, mac=self._journal_mac(body))).encode(), self.layout.tmp)

    def _read_journal(self) -> tuple[builtins.list[Entry], builtins.list[dict[str, Any]]] | None:
        """The journal's entries and the audit lines written after it, or None if there is no journal.
        A journal this store did not write (no MAC or a wrong one), or an old one put back (the
        audit log has moved on since), is set aside, audited, and not acted on."""
        try:
            raw = self.layout.journal.read_bytes()
        except FileNotFoundError:
            return None
        problem = "it is damaged"
        try:
            journal = json.loads(raw)
            body = {k: v for k, v in journal.items() if k != "mac"}
            if not hmac.compare_digest(str(journal.get("mac", "")), self._journal_mac(body)):
                problem = "its MAC does not match, so it was not written by this store"
            else:
                entries = [Entry(**e) for e in journal["entries"]]
                head = self.audit.head()
                seq = head.seq if head else 0
                if journal["audit_seq"] <= seq <= journal["audit_seq"] + len(entries):
                    return entries, self.audit.lines_after(int(journal["audit_size"]))
                problem = f"it belongs to an earlier write (the audit log was at entry {journal['audit_seq']} then, {seq} now)"
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
        aside = self.layout.root / f"journal.rejected-{now_iso()[:19].replace(':', '')}-{os.getpid()}.json"
        os.replace(self.layout.journal, aside)
        fsync_dir(self.layout.root)
        what = f"journal.json set aside as {aside.name}, not acted on: {problem}"
        self.audit.append([Entry("recover", "*", 0, "ketatui", target=what)])
        self.repairs.append(f"A {what}. No record was changed.")
        return None

    def _write_record(self, change: Change) -> None:
        db = self._db(self.layout.record(change.record_id), sync_dir=False)
        with db.storage.batch(new_file=change.new):
            if change.course is not None:
                db.table(COURSE, cache_size=0).upsert(change.course, where("record_id") == change.course["record_id"])
                if change.course_plan is not None:
                    plan = db.table(COURSE_PLAN, cache_size=0)
                    plan.truncate()
                    plan.insert({"sessions_ahead": sorted(change.course_plan), "by": change.entry.user, "at": now_iso()})
                return
            table = db.table(REVISIONS, cache_size=0)
            if change.drop:
                table.remove(lambda d: self._readable(d).get("rev") in change.drop)
            table.insert(change.add)
            if change.amendment is not None:
                db.table(AMENDMENTS, cache_size=0).insert(change.amendment)
            if not change.new:
                kept = db.table(COURSE_PLAN, cache_size=0).all()
                change.course_ahead = builtins.list(kept[-1].get("sessions_ahead") or []) if kept else None

    def _recover(self) -> None:
        """Finish a write interrupted by a crash (the lock is held): make the index and the audit
        log agree with the record files named in the journal, then drop the journal and stray temp files."""
        found = self._read_journal()
        if found is None:
            return
        entries, logged = found
        missing: builtins.list[Entry] = []
        for entry in entries:
            revisions = self._stored(entry.record_id)
            self._reindex(entry.record_id, revisions[-1] if revisions else None)
            if entry.action == "course":
                happened = self._course_kept(entry)
            else:
                happened = not revisions if entry.action in ("delete", "discard") else any(d["rev"] == entry.rev for d in revisions)
            if happened and not any(entry.matches(line) for line in logged):
                missing.append(Entry(entry.action, entry.record_id, entry.rev, entry.user, entry.target, recovered=True))
        for folder in {self.layout.index, *(self.layout.record(e.record_id).parent for e in entries)}:
            if folder.exists():
                fsync_dir(folder)
        self.audit.append(missing)
        clean_temp(self.layout.tmp)
        remove_durably(self.layout.journal)

    def rebuild_index(self) -> int:
        """Rewrite every index shard from the record files (after a restore); the number of records.
        The caller holds the lock or is the only user of the folder."""
        shards: dict[str, builtins.list[dict[str, Any]]] = {s: [] for s in index.SHARDS}
        for path in self.layout.records.glob("*/*.json.enc"):
            record_id = path.name.removesuffix(".json.enc")
            revisions = self._stored(record_id)
            if not revisions:
                raise StoreCorrupt(path, "holds no revisions")
            shards[index.shard_of(record_id)].append(self._row(revisions[-1], self._course_ahead(record_id)))
        for shard, rows in shards.items():
            self.files.write_json(self.layout.shard(shard), {index.TABLE: {str(n): row for n, row in enumerate(rows, start=1)}}, sync_dir=False)
        for derived in (self.layout.index / "list.json.enc", self.layout.index / "head.json.enc"):
            derived.unlink(missing_ok=True)  # made again from the new shards by the next list
        fsync_dir(self.layout.index)
        return sum(len(rows) for rows in shards.values())

    def _course_ahead(self, record_id: str) -> builtins.list[str] | None:
        """The session dates the course keeps ahead for this intake, or None before any are kept."""
        kept = self._db(self.layout.record(record_id)).table(COURSE_PLAN, cache_size=0).all()
        return builtins.list(kept[-1].get("sessions_ahead") or []) if kept else None

    def _row(self, doc: dict[str, Any], ahead: builtins.list[str] | None) -> dict[str, Any]:
        """The list row of a revision, with the course's dates ahead when it has any."""
        return index.summary_row(doc if ahead is None else dict(doc, course_sessions=ahead))

    def _reindex(self, record_id: str, current: dict[str, Any] | None) -> None:
        row = self._row(current, self._course_ahead(record_id)) if current is not None else None
        shard = index.shard_of(record_id)
        db = self._db(self.layout.shard(shard), sync_dir=False)
        try:
            db.storage.read()
        except StoreCorrupt:
            self._rebuild_shard(shard, "it could not be read")
            return
        with db.storage.batch():
            table = db.table(index.TABLE, cache_size=0)
            if row is None:
                table.remove(where("record_id") == record_id)
            else:
                stored = table.get(where("record_id") == record_id)
                if stored is None or dict(stored) != row:
                    table.upsert(row, where("record_id") == record_id)
