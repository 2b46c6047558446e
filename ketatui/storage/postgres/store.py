"""The ``Repository`` on a PostgreSQL server, for a group of clinics that share one record.

Every change is one transaction: lock the record's row (``SELECT … FOR UPDATE``), check the
revision the caller read, write the sealed revision, the list row, the blind-index terms and the
audit line, commit. A client killed at any point leaves the change whole or absent; the server
keeps what it acknowledged. Several processes on several machines write safely at once.

The server holds ciphertext for everything that names or describes a person (see
``migrations.py`` for what is in clear and why); the keys stay with the clients.
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ketatui.storage import documents, signing
from ketatui.storage.errors import (
    DatabaseUnavailable,
    InvalidRequest,
    NoSigningPassphrase,
    RecordNotFound,
    SignedRecordLocked,
    SigningLocked,
    StaleCourseRecord,
    StorageError,
    WrongPassphrase,
)
from ketatui.storage.postgres import audit, blind
from ketatui.storage.postgres.connection import first_line
from ketatui.storage.postgres.keys import StoreKeys
from ketatui.storage.repository import NEXT_STATUS, STATUSES, AuditReport, RecordPage, RecordSummary
from ketatui.storage.tinydb.audit import Entry, Head, now_iso

#: How long a call waits for a connection before saying the server cannot be reached.
CONNECT_WAIT = 5.0
_LIST_COLUMNS = ("record_id, rev, status, urgent, blocked, training, current_step, updated_at, updated_by, summary, "
                 "(SELECT min(s) FROM unnest(sessions) s WHERE s >= %(today)s) AS next_session")


_SUMMARY_FIELDS = set(RecordSummary.model_fields)


def _json(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


class PostgresRepository:
    """``Repository`` over the tables in ``migrations.py``. Safe from many processes and threads."""

    def __init__(self, pool: ConnectionPool, keys: StoreKeys, where: str, *, read_only: bool, notice: str | None = None):
        self.pool = pool
        self.keys = keys
        self.where = where
        self.read_only = read_only
        self.notice = notice

    # ----- connections ------------------------------------------------------------------------

    @contextmanager
    def _tx(self, *, pipeline: bool = True, transaction: bool = True) -> Iterator[psycopg.Connection]:
        """One transaction on a pooled connection (``transaction=False``: single statements, for
        reads); a lost server becomes ``DatabaseUnavailable``. In pipeline mode the statements
        whose results are not read go out together with the next one that is (or the commit), so
        a save is three round trips to the server, not ten. COPY needs ``pipeline=False``."""
        try:
            with self.pool.connection(timeout=CONNECT_WAIT) as conn:
                if pipeline and transaction:
                    with conn.pipeline(), conn.transaction():
                        yield conn
                elif transaction:
                    with conn.transaction():
                        yield conn
                else:
                    yield conn
        except StorageError:
            raise
        except PoolTimeout:
            raise DatabaseUnavailable(self.where, f"no connection within {CONNECT_WAIT:g} s") from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise DatabaseUnavailable(self.where, first_line(exc)) from None

    @contextmanager
    def _writing(self, *, pipeline: bool = True) -> Iterator[psycopg.Connection]:
        if self.read_only:
            if self.notice:
                raise InvalidRequest(f"{self.notice}")
            raise InvalidRequest(f"The store in {self.where} was opened read-only; nothing was changed.")
        with self._tx(pipeline=pipeline) as conn:
            yield conn

    # ----- sealing ----------------------------------------------------------------------------

    def _seal(self, doc: Any, aad: str) -> bytes:
        return self.keys.seal(_json(doc), aad)

    def _open(self, blob: bytes, aad: str) -> Any:
        return json.loads(self.keys.open(blob, aad))

    def _revision(self, record_id: str, rev: int, body: bytes) -> dict[str, Any]:
        return documents.readable(self._open(body, f"revision/{record_id}/{rev}"))

    # ----- reading ----------------------------------------------------------------------------

    def _current(self, conn: psycopg.Connection, record_id: Any, *, lock: bool = False) -> dict[str, Any]:
        """The current revision (its row locked for the transaction with ``lock``)."""
        if not documents.valid_id(record_id):
            if not isinstance(record_id, str) or not record_id:
                raise InvalidRequest("This intake has no record id; create it before saving it.")
            raise RecordNotFound(str(record_id))
        row = conn.execute("SELECT r.rev, v.body FROM ketatui_records r JOIN ketatui_revisions v USING (record_id, rev) "
                           "WHERE r.record_id = %s" + (" FOR UPDATE OF r" if lock else ""), (record_id,)).fetchone()
        if row is None:
            raise RecordNotFound(record_id)
        return self._revision(record_id, row[0], row[1])

    def _all_revisions(self, conn: psycopg.Connection, record_id: str) -> builtins.list[dict[str, Any]]:
        if not documents.valid_id(record_id):
            raise RecordNotFound(str(record_id))
        rows = conn.execute("SELECT rev, body FROM ketatui_revisions WHERE record_id = %s ORDER BY rev", (record_id,)).fetchall()
        if not rows:
            raise RecordNotFound(record_id)
        return [self._revision(record_id, rev, body) for rev, body in rows]

    def get(self, record_id: str, *, user: str, rev: int | None = None) -> dict[str, Any]:
        with self._tx() as conn:
            if rev is None:
                doc = self._current(conn, record_id)
            else:
                revisions = self._all_revisions(conn, record_id)
                matching = [d for d in revisions if d["rev"] == rev]
                if not matching:
                    kept = ", ".join(str(d["rev"]) for d in revisions)
                    raise InvalidRequest(f"Intake {record_id} has no revision {rev}; the revisions kept are {kept}.")
                doc = matching[0]
            audit.append(conn, self.keys.audit_mac, [Entry("view", record_id, doc["rev"], user)])
        return doc

    def revisions(self, record_id: str, *, user: str | None = None) -> builtins.list[dict[str, Any]]:
        with self._tx() as conn:
            revisions = self._all_revisions(conn, record_id)
            audit.append(conn, self.keys.audit_mac, [Entry("view", record_id, d["rev"], user or "unknown") for d in revisions])
        return revisions

    def amendments(self, record_id: str, *, user: str) -> builtins.list[dict[str, Any]]:
        """Why each amendment of the record was made (rev, amends_rev, reason, by, at), oldest first."""
        with self._tx() as conn:
            intake = self._current(conn, record_id)
            rows = conn.execute("SELECT rev, body FROM ketatui_amendments WHERE record_id = %s ORDER BY rev", (record_id,)).fetchall()
            audit.append(conn, self.keys.audit_mac, [Entry("view", record_id, intake["rev"], user, target="amendments")])
        return [self._open(body, f"amendment/{record_id}/{rev}") for rev, body in rows]

    def list(self, *, search: str | None = None, status: str | None = None, urgent: bool | None = None,
             due: str | None = None, training: bool | None = None, offset: int = 0,
             limit: int | None = None) -> builtins.list[RecordSummary]:
        return self.page(search=search, status=status, urgent=urgent, due=due, training=training, offset=offset, limit=limit).rows

    def page(self, *, search: str | None = None, status: str | None = None, urgent: bool | None = None,
             due: str | None = None, training: bool | None = None, offset: int = 0,
             limit: int | None = None) -> RecordPage:
        if status is not None and status not in STATUSES:
            raise InvalidRequest(f"Unknown status {status!r}; use one of {', '.join(STATUSES)}.")
        if offset < 0 or (limit is not None and limit < 0):
            raise InvalidRequest(f"A page starts at 0 or later and holds 0 or more rows (offset {offset}, limit {limit}).")
        return self._page(search=search, status=status, urgent=urgent, due=due, training=training, offset=offset, limit=limit)

    def drafts(self, *, user: str | None = None) -> builtins.list[RecordSummary]:
        return self._page(status="draft", by=user).rows

    def _page(self, *, search: str | None = None, status: str | None = None, urgent: bool | None = None,
              due: str | None = None, training: bool | None = None, by: str | None = None,
              offset: int = 0, limit: int | None = None) -> RecordPage:
        today = date.today()
        where, params = self._filters(status=status, urgent=urgent, due=due, training=training, by=by)
        hits = self._hits(search or "", params)
        params |= {"today": today, "offset": offset, "limit": limit}
        source = "ketatui_records"
        if hits is not None:  # the searched ids first, from the indexes alone; then only their rows, by key
            # (= ANY(ARRAY(…)) keeps the planner on the key index whatever it guesses of the count)
            source = f"(SELECT * FROM ketatui_records WHERE record_id = ANY(ARRAY(SELECT record_id FROM ({hits}) AS hits))) r"
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = (f"SELECT {_LIST_COLUMNS}, count(*) OVER () FROM {source} {clause} "
               "ORDER BY urgent DESC, next_session ASC NULLS LAST, updated_at DESC, record_id "
               "OFFSET %(offset)s LIMIT %(limit)s")
        with self._tx(transaction=False) as conn:
            rows = conn.execute(sql, params).fetchall()
            if rows:
                total = rows[0][-1]
            elif offset:
                total = conn.execute(f"SELECT count(*) FROM {source} {clause}", params).fetchone()[0]
            else:
                total = 0
        return RecordPage([self._summary(row) for row in rows], total=total, offset=offset)

    @staticmethod
    def _filters(*, status: str | None, urgent: bool | None, due: str | None, training: bool | None,
                 by: str | None) -> tuple[builtins.list[str], dict[str, Any]]:
        where: builtins.list[str] = []
        params: dict[str, Any] = {}
        for name, value in (("status", status), ("urgent", urgent), ("training", training)):
            if value is not None:
                where.append(f"{name} = %({name})s")
                params[name] = value
        if due is not None:
            where.append("%(due)s::date = ANY(sessions)")
            params["due"] = due
        if by is not None:
            where.append("%(by)s IN (created_by, updated_by)")
            params["by"] = by
        return where, params

    def _hits(self, search: str, params: dict[str, Any]) -> str | None:
        """The record ids every typed word matches, as one query on the indexes (None: no search).

        Each word is the UNION of its hashes' rows and its record-id range; the words are
        INTERSECTed, so a common first name never costs a lookup of every row it matches."""
        words = []
        for number, wanted in enumerate(blind.search_words(self.keys, search)):
            either = []
            if wanted.terms:
                either.append(f"SELECT record_id FROM ketatui_search_terms WHERE term = ANY(%(terms{number})s)")
                params[f"terms{number}"] = list(wanted.terms)
            if wanted.id_prefix:
                # A range, not LIKE: it uses the primary key index in a prepared statement too.
                either.append(f"SELECT record_id FROM ketatui_records WHERE record_id >= %(id{number})s AND record_id < %(id_end{number})s")
                params[f"id{number}"] = wanted.id_prefix
                params[f"id_end{number}"] = wanted.id_prefix[:-1] + chr(ord(wanted.id_prefix[-1]) + 1)
            words.append(f"({' UNION '.join(either)})")
        return " INTERSECT ".join(words) if words else None

    def _summary(self, row: tuple[Any, ...]) -> RecordSummary:
        record_id, rev, status, urgent, blocked, training, step, updated_at, updated_by, summary, next_session = row[:11]
        named = self._open(summary, f"summary/{record_id}")
        return RecordSummary.model_construct(  # every field is set, from typed columns and our own sealed JSON
            _SUMMARY_FIELDS, record_id=record_id, full_name=named["full_name"], date_of_birth=named["date_of_birth"],
            status=status, rev=rev, updated_at=updated_at, updated_by=updated_by, urgent=urgent, blocked=blocked,
            training=training, current_step=step, next_session=next_session.isoformat() if next_session else None,
            amends_rev=named.get("amends_rev"), review=bool(named.get("review")), caution=bool(named.get("caution")))

    # ----- writing ----------------------------------------------------------------------------

    def _row(self, doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The list row of ``doc`` (sealed name and birth date) and its list fields."""
        fields = documents.list_fields(doc)
        record_id = doc["record_id"]
        summary = self._seal({"full_name": fields["full_name"], "date_of_birth": fields["date_of_birth"],
                              "amends_rev": doc.get("amends_rev"), "review": fields["review"], "caution": fields["caution"]},
                             f"summary/{record_id}")
        values = {"record_id": record_id, "rev": doc["rev"], "status": fields["status"], "urgent": fields["urgent"],
                  "blocked": fields["blocked"], "training": fields["training"], "current_step": fields["current_step"],
                  "sessions": fields["sessions"], "created_by": doc.get("created_by"), "updated_by": doc.get("updated_by"),
                  "updated_at": doc.get("updated_at"), "signed": doc.get("status") == "signed", "summary": summary}
        return values, fields

    def _insert_rows(self, conn: psycopg.Connection, docs: builtins.list[dict[str, Any]]) -> None:
        """New intakes: their list rows, first revisions and blind-index terms, a statement per table."""
        rows, revisions, terms = [], [], []
        for doc in docs:
            values, fields = self._row(doc)
            rows.append(values)
            revisions.append((doc["record_id"], doc["rev"], doc["status"], self._seal(doc, f"revision/{doc['record_id']}/{doc['rev']}")))
            terms += [(t, doc["record_id"]) for t in blind.record_terms(self.keys, fields["full_name"], fields["date_of_birth"])]
        with conn.cursor() as cur:
            cur.executemany("""INSERT INTO ketatui_records (record_id, rev, status, urgent, blocked, training, current_step,
                                   sessions, created_by, updated_by, updated_at, ever_signed, summary)
                               VALUES (%(record_id)s, %(rev)s, %(status)s, %(urgent)s, %(blocked)s, %(training)s, %(current_step)s,
                                   %(sessions)s::date[], %(created_by)s, %(updated_by)s, %(updated_at)s, %(signed)s, %(summary)s)""", rows)
            with cur.copy("COPY ketatui_revisions (record_id, rev, status, body) FROM STDIN") as copy:
                for row in revisions:
                    copy.write_row(row)
            with cur.copy("COPY ketatui_search_terms (term, record_id) FROM STDIN") as copy:
                for row in terms:
                    copy.write_row(row)

    def _update_row(self, conn: psycopg.Connection, doc: dict[str, Any], old: dict[str, Any]) -> None:
        """Rewrite the list row and, when the name or birth date changed, the blind-index terms."""
        values, fields = self._row(doc)
        conn.execute("""UPDATE ketatui_records SET rev = %(rev)s, status = %(status)s, urgent = %(urgent)s,
                            blocked = %(blocked)s, training = %(training)s, current_step = %(current_step)s,
                            sessions = CASE WHEN EXISTS (SELECT 1 FROM ketatui_course c WHERE c.record_id = %(record_id)s)
                                       THEN sessions ELSE %(sessions)s::date[] END,  -- once the course keeps dates, its own
                            updated_by = %(updated_by)s, updated_at = %(updated_at)s,
                            ever_signed = ever_signed OR %(signed)s, summary = %(summary)s
                        WHERE record_id = %(record_id)s""", values)
        before = documents.list_fields(old)
        if (before["full_name"], before["date_of_birth"]) == (fields["full_name"], fields["date_of_birth"]):
            return
        conn.execute("DELETE FROM ketatui_search_terms WHERE record_id = %s", (doc["record_id"],))
        terms = blind.record_terms(self.keys, fields["full_name"], fields["date_of_birth"])
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO ketatui_search_terms (term, record_id) VALUES (%s, %s)", [(t, doc["record_id"]) for t in terms])

    def _add_revision(self, conn: psycopg.Connection, doc: dict[str, Any]) -> None:
        conn.execute("INSERT INTO ketatui_revisions (record_id, rev, status, body) VALUES (%s, %s, %s, %s)",
                     (doc["record_id"], doc["rev"], doc["status"], self._seal(doc, f"revision/{doc['record_id']}/{doc['rev']}")))

    def _replace(self, conn: psycopg.Connection, current: dict[str, Any], new: dict[str, Any], entry: Entry, *, drop: bool = True) -> None:
        """Keep ``new`` as the current revision (dropping the current unsigned one) and log ``entry``."""
        if drop:
            conn.execute("DELETE FROM ketatui_revisions WHERE record_id = %s AND rev = %s", (current["record_id"], current["rev"]))
        self._add_revision(conn, new)
        self._update_row(conn, new, current)
        audit.append(conn, self.keys.audit_mac, [entry])

    def create(self, doc: dict[str, Any], *, user: str) -> dict[str, Any]:
        return self._insert([doc], user=user, action="create", keep=False, skip_existing=False)[0]

    def create_many(self, docs: Iterable[dict[str, Any]], *, user: str) -> builtins.list[str]:
        return [d["record_id"] for d in self._insert(builtins.list(docs), user=user, action="create", keep=False, skip_existing=False)]

    def import_documents(self, docs: Iterable[dict[str, Any]], *, user: str) -> builtins.list[str]:
        """Store intakes from elsewhere as they are (status, signatures, times); ids already here are skipped."""
        return [d["record_id"] for d in self._insert(builtins.list(docs), user=user, action="import", keep=True, skip_existing=True)]

    def _insert(self, docs: builtins.list[dict[str, Any]], *, user: str, action: str, keep: bool, skip_existing: bool) -> builtins.list[dict[str, Any]]:
        now = now_iso()
        prepared = [documents.prepare_new(d, user=user, now=now, keep=keep) for d in docs]
        ids = [d["record_id"] for d in prepared]
        if len(set(ids)) != len(ids):
            raise InvalidRequest("The same record id appears twice in what was given; nothing was stored.")
        try:
            with self._writing(pipeline=False) as conn:  # COPY
                present = {r[0] for r in conn.execute("SELECT record_id FROM ketatui_records WHERE record_id = ANY(%s)", (ids,))}
                if present and not skip_existing:
                    raise InvalidRequest(f"An intake with record id {sorted(present)[0]} is already stored; nothing was stored.")
                prepared = [d for d in prepared if d["record_id"] not in present]
                self._insert_rows(conn, prepared)
                audit.append(conn, self.keys.audit_mac, [Entry(action, d["record_id"], d["rev"], user) for d in prepared])
        except psycopg.errors.UniqueViolation:  # another client stored the same id in between
            raise InvalidRequest("An intake with one of these record ids was stored by another session meanwhile; nothing was stored.") from None
        return prepared

    def _editable(self, conn: psycopg.Connection, record_id: Any, expected_rev: int, what: str = "changed") -> dict[str, Any]:
        current = documents.current_schema(self._current(conn, record_id, lock=True))
        documents.check_rev(current, expected_rev)
        if current["status"] == "signed":
            raise SignedRecordLocked(record_id, current["rev"], what=what)
        return current

    def save(self, doc: dict[str, Any], *, user: str, expected_rev: int) -> dict[str, Any]:
        incoming = documents.current_schema(doc)
        record_id = incoming.get("record_id")
        with self._writing() as conn:
            current = self._editable(conn, record_id, expected_rev)
            if incoming.get("status") == "signed":
                raise InvalidRequest("An intake is signed with Sign, not by saving it with status 'signed'; nothing was saved.")
            new = dict(incoming)
            new.update(documents.carried_over(current), rev=current["rev"] + 1, updated_at=now_iso(), updated_by=user,
                       signed_at=None, signed_by=None)
            json.dumps(new)
            self._replace(conn, current, new, Entry("update", record_id, new["rev"], user))
        return new

    def sign(self, record_id: str, *, user: str, expected_rev: int, passphrase: str | None = None) -> dict[str, Any]:
        """Freeze the current revision as signed by ``user``; a wrong passphrase is counted and audited."""
        refused: StorageError | None = None
        with self._writing() as conn:
            current = self._editable(conn, record_id, expected_rev, what="signed again")
            if passphrase is not None:
                refused = self._check_signer(conn, user, passphrase, current)
            if refused is None:
                now = now_iso()
                new = dict(current, rev=current["rev"] + 1, status="signed", signed_at=now, signed_by=user, updated_at=now, updated_by=user)
                target = None if passphrase is not None else "without a passphrase"
                self._replace(conn, current, new, Entry("sign", record_id, new["rev"], user, target=target))
        if refused is not None:
            raise refused  # after the wrong try and its audit line were committed
        return new

    def set_status(self, record_id: str, status: str, *, user: str, expected_rev: int) -> dict[str, Any]:
        """Move an intake one step along draft → submitted → reviewed (signing is ``sign``); audited."""
        with self._writing() as conn:
            current = self._editable(conn, record_id, expected_rev)
            if NEXT_STATUS.get(current["status"]) != status or status == "signed":
                allowed = NEXT_STATUS.get(current["status"])
                then = "sign it with Sign" if allowed == "signed" else f"it can be marked {allowed} next"
                raise InvalidRequest(f"Intake {record_id} is {current['status']}, so it cannot be marked {status}: {then}. Nothing was changed.")
            new = dict(current, rev=current["rev"] + 1, status=status, updated_at=now_iso(), updated_by=user)
            self._replace(conn, current, new, Entry("submit" if status == "submitted" else "review", record_id, new["rev"], user))
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
        with self._writing() as conn:
            current = documents.current_schema(self._current(conn, record_id, lock=True))
            if current["status"] != "signed":
                raise InvalidRequest(f"Intake {record_id} is not signed (it is {current['status']}, revision {current['rev']}), "
                                     "so there is nothing to amend: open it and save your changes.")
            now = now_iso()
            new = dict(current, rev=current["rev"] + 1, status="draft", amends_rev=current["rev"],
                       signed_at=None, signed_by=None, updated_at=now, updated_by=user)
            note = {"rev": new["rev"], "amends_rev": current["rev"], "reason": reason, "by": user, "at": now}
            conn.execute("INSERT INTO ketatui_amendments (record_id, rev, body) VALUES (%s, %s, %s)",
                         (record_id, new["rev"], self._seal(note, f"amendment/{record_id}/{new['rev']}")))
            self._replace(conn, current, new, Entry("amend", record_id, new["rev"], user), drop=False)
        return new

    def _remove(self, record_id: str, *, user: str, expected_rev: int, action: str) -> None:
        with self._writing() as conn:
            current = documents.check_rev(self._current(conn, record_id, lock=True), expected_rev)
            ever_signed = conn.execute("SELECT ever_signed FROM ketatui_records WHERE record_id = %s", (record_id,)).fetchone()[0]
            if action == "discard" and (current["status"] != "draft" or ever_signed):
                what = "it is an amendment of a signed plan" if current["status"] == "draft" else f"it is {current['status']}"
                raise InvalidRequest(f"Intake {record_id} cannot be discarded: {what}, and only a draft that was never signed can be. Nothing was changed.")
            if action == "delete" and ever_signed and not current.get("training"):
                signed = conn.execute("SELECT max(rev) FROM ketatui_revisions WHERE record_id = %s AND status = 'signed'", (record_id,)).fetchone()[0]
                raise SignedRecordLocked(record_id, signed or current["rev"], what="deleted (signed records are kept)")
            conn.execute("DELETE FROM ketatui_records WHERE record_id = %s", (record_id,))
            audit.append(conn, self.keys.audit_mac, [Entry(action, record_id, current["rev"], user)])

    def discard(self, record_id: str, *, user: str, expected_rev: int) -> None:
        """Remove a draft that was never signed (a mistaken or abandoned intake); audited."""
        self._remove(record_id, user=user, expected_rev=expected_rev, action="discard")

    def delete(self, record_id: str, *, user: str, expected_rev: int) -> None:
        self._remove(record_id, user=user, expected_rev=expected_rev, action="delete")

    def log_export(self, record_id: str, rev: int, *, user: str, target: str) -> None:
        with self._tx() as conn:
            audit.append(conn, self.keys.audit_mac, [Entry("export", record_id, rev, user, target=target)])

    # ----- signing passphrases ----------------------------------------------------------------

    def has_signing_passphrase(self, user: str) -> bool:
        with self._tx(transaction=False) as conn:
            return conn.execute("SELECT 1 FROM ketatui_signers WHERE username = %s", (user,)).fetchone() is not None

    def set_signing_passphrase(self, user: str, passphrase: str) -> None:
        """Set ``user``'s signing passphrase, once; stored as an scrypt hash and audited."""
        if len(passphrase) < signing.MIN_LENGTH:
            raise InvalidRequest(f"Signing passphrase: use at least {signing.MIN_LENGTH} characters. Nothing was stored.")
        stored = signing.hash_passphrase(passphrase)
        with self._writing() as conn:
            added = conn.execute("INSERT INTO ketatui_signers (username, passphrase, attempts) VALUES (%s, %s, %s) "
                                 "ON CONFLICT DO NOTHING RETURNING username",
                                 (user, psycopg.types.json.Jsonb(stored), psycopg.types.json.Jsonb(signing.Attempts().as_record()))).fetchone()
            if added is None:
                raise InvalidRequest(f"{user} already has a signing passphrase; it is set once. Nothing was changed.")
            audit.append(conn, self.keys.audit_mac, [Entry("passphrase-set", "*", 0, user)])

    def _check_signer(self, conn: psycopg.Connection, user: str, passphrase: str, current: dict[str, Any]) -> StorageError | None:
        """Verify ``user``'s passphrase (the signer's row locked); a refusal is counted and audited and returned."""
        row = conn.execute("SELECT passphrase, attempts FROM ketatui_signers WHERE username = %s FOR UPDATE", (user,)).fetchone()
        if row is None:
            raise NoSigningPassphrase(user)
        stored, record = row
        attempts, now = signing.Attempts.of(record), signing.now()
        mac = self.keys.audit_mac
        if attempts.locked(now):
            audit.append(conn, mac, [Entry("sign-refused", current["record_id"], current["rev"], user, target="signing locked")])
            return SigningLocked(user, attempts.locked_until.isoformat(timespec="seconds"))  # type: ignore[union-attr]
        if signing.verify_passphrase(passphrase, stored):
            if attempts.failures:
                conn.execute("UPDATE ketatui_signers SET attempts = %s WHERE username = %s",
                             (psycopg.types.json.Jsonb(signing.Attempts().as_record()), user))
            return None
        attempts = attempts.failed(now)
        conn.execute("UPDATE ketatui_signers SET attempts = %s WHERE username = %s", (psycopg.types.json.Jsonb(attempts.as_record()), user))
        audit.append(conn, mac, [Entry("sign-refused", current["record_id"], current["rev"], user, target="wrong passphrase")])
        until = attempts.locked_until.isoformat(timespec="seconds") if attempts.locked_until else None
        return WrongPassphrase(user, attempts.left, until)

    # ----- the course -------------------------------------------------------------------------

    def add_course_record(self, record_id: str, doc: dict[str, Any], *, user: str, expected_rev: int | None = None,
                          sessions_ahead: builtins.list[str] | None = None) -> dict[str, Any]:
        """Keep one session or visit with its intake (a new one, or a correction of the revision named);
        ``sessions_ahead`` become the intake's session dates in the list."""
        if sessions_ahead is not None and not (isinstance(sessions_ahead, builtins.list) and all(_iso_day(d) for d in sessions_ahead)):
            raise InvalidRequest(f"Sessions ahead: give ISO dates such as 2026-03-09 (got {sessions_ahead!r}); nothing was stored.")
        if not isinstance(doc, dict):
            raise InvalidRequest("A session or visit must be a JSON object (a dict).")
        doc = dict(doc, record_id=doc.get("record_id") or str(uuid.uuid4()))
        course_id = doc["record_id"]
        if not documents.valid_id(course_id):
            raise InvalidRequest(f"{course_id!r} is not a record id (a lower-case UUID); nothing was stored.")
        if doc.get("intake_record_id") != record_id:
            raise InvalidRequest(f"This session or visit belongs to intake {doc.get('intake_record_id')}, not to {record_id}; nothing was stored.")
        with self._writing() as conn:
            intake = self._current(conn, record_id, lock=True)
            row = conn.execute("SELECT rev, body, record_id FROM ketatui_course WHERE course_id = %s FOR UPDATE", (course_id,)).fetchone()
            if row is not None and row[2] != record_id:
                raise InvalidRequest(f"Session or visit {course_id} is kept with another intake; nothing was stored.")
            current = self._open(row[1], f"course/{record_id}/{course_id}") if row else None
            if expected_rev is None and current is not None:
                raise InvalidRequest(f"Session or visit {course_id} is already stored (revision {current['rev']}); "
                                     "to correct it, give the revision you are correcting. Nothing was stored.")
            if expected_rev is not None:
                if current is None:
                    raise InvalidRequest(f"No session or visit {course_id} is kept with intake {record_id}, so there is nothing to correct; store it as new.")
                if current["rev"] != expected_rev:
                    raise StaleCourseRecord(course_id, expected_rev, current["rev"], current.get("recorded_by"), current.get("recorded_at"))
            new = dict(doc, rev=current["rev"] + 1 if current else 1)
            body = self._seal(new, f"course/{record_id}/{course_id}")
            conn.execute("INSERT INTO ketatui_course (course_id, record_id, rev, body) VALUES (%s, %s, %s, %s) "
                         "ON CONFLICT (course_id) DO UPDATE SET rev = EXCLUDED.rev, body = EXCLUDED.body",
                         (course_id, record_id, new["rev"], body))
            if sessions_ahead is not None:
                conn.execute("UPDATE ketatui_records SET sessions = %s::date[] WHERE record_id = %s", (sorted(sessions_ahead), record_id))
            target = f"{doc.get('kind', 'record')} {course_id} rev {new['rev']}"
            audit.append(conn, self.keys.audit_mac, [Entry("course", record_id, intake["rev"], user, target=target)])
        return new

    def course_records(self, record_id: str, *, user: str) -> builtins.list[dict[str, Any]]:
        """The intake's sessions and visits as stored (the reading is recorded in the audit log)."""
        with self._tx() as conn:
            intake = self._current(conn, record_id)
            rows = conn.execute("SELECT course_id, body FROM ketatui_course WHERE record_id = %s ORDER BY course_id", (record_id,)).fetchall()
            audit.append(conn, self.keys.audit_mac, [Entry("view", record_id, intake["rev"], user, target="course")])
        return [self._open(body, f"course/{record_id}/{course_id}") for course_id, body in rows]

    # ----- the audit trail and live updates ---------------------------------------------------

    def verify_audit(self, *, witness: str | None = None) -> AuditReport:
        """Check the audit chain and, with ``witness`` (``SEQ:MAC`` written down earlier), that it still reaches it."""
        given = Head.parse(witness) if witness else None  # ValueError for a malformed head, as the folder store
        with self._tx(pipeline=False) as conn:
            return audit.verify(conn, self.keys.audit_mac, f"table ketatui_audit in {self.where}", given)

    def audit_head(self) -> str:
        """The latest audit entry as ``SEQ:MAC``, to keep somewhere else as a witness."""
        with self._tx(transaction=False) as conn:
            return audit.head(conn)

    def audit_lines(self) -> builtins.list[dict[str, Any]]:
        """Every audit line, oldest first, as the embedded store writes them to ``audit.log``."""
        with self._tx(pipeline=False) as conn:
            return builtins.list(audit.lines(conn))

    def counts(self) -> dict[str, int]:
        """How many intakes, kept revisions, amendments, sessions and visits, and audit lines are stored."""
        with self._tx() as conn:
            return {table: conn.execute(f"SELECT count(*) FROM ketatui_{table}").fetchone()[0]
                    for table in ("records", "revisions", "amendments", "course", "audit")}


def _iso_day(value: Any) -> bool:
    """Whether ``value`` is an ISO date such as 2026-03-09."""
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False
