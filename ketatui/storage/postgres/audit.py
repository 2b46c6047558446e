"""The audit trail in the database: an append-only table, chained by MAC.

Each row is one line of the embedded store's ``audit.log`` (seq, ts, user, action, record id,
rev, target, prev, mac) with the same HMAC-SHA256 over the same fields, so a store copied from
a folder keeps its chain and ``audit verify`` reads both alike. Lines are appended inside the
transaction of the change they record, under a transaction-scoped advisory lock, so the chain
has no gaps and a change is never kept without its line (or a line without its change).

The database refuses UPDATE, DELETE and TRUNCATE on the table (migration 2); someone who can
drop that trigger still cannot forge a MAC without the key, which only clients hold.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Any

import psycopg

from ketatui.storage.repository import AuditReport
from ketatui.storage.tinydb.audit import GENESIS, Entry, Head, _mac as line_mac, now_iso

#: Serialises appends to the chain across every client of the database.
CHAIN_LOCK = 0x6B746175  # "ktau"
COLUMNS = ("seq", "ts", "username", "action", "record_id", "rev", "target", "recovered", "prev", "mac")


def append(conn: psycopg.Connection, key: bytes, entries: Iterable[Entry]) -> None:
    """Append ``entries`` in the caller's transaction."""
    entries = list(entries)
    if not entries:
        return
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
    last = conn.execute("SELECT seq, mac FROM ketatui_audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = last if last else (0, GENESIS)
    ts = now_iso()
    rows = []
    for e in entries:
        seq += 1
        line: dict[str, Any] = {"seq": seq, "ts": ts, "user": e.user, "action": e.action,
                                "record_id": e.record_id, "rev": e.rev, "prev": prev}
        if e.target is not None:
            line["target"] = e.target
        if e.recovered:
            line["recovered"] = True
        line["mac"] = prev = line_mac(key, line)
        rows.append(to_row(line))
    insert_rows(conn, rows)


def to_row(line: dict[str, Any]) -> tuple[Any, ...]:
    return (line["seq"], line["ts"], line["user"], line["action"], line["record_id"], line["rev"],
            line.get("target"), bool(line.get("recovered")), line["prev"], line["mac"])


def insert_rows(conn: psycopg.Connection, rows: list[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO ketatui_audit ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})", rows)


def as_line(row: tuple[Any, ...]) -> dict[str, Any]:
    """A row as the audit line it was MACed as (``target`` and ``recovered`` only when set)."""
    seq, ts, user, action, record_id, rev, target, recovered, prev, mac = row
    line: dict[str, Any] = {"seq": seq, "ts": ts, "user": user, "action": action, "record_id": record_id, "rev": rev, "prev": prev}
    if target is not None:
        line["target"] = target
    if recovered:
        line["recovered"] = True
    line["mac"] = mac
    return line


def lines(conn: psycopg.Connection, *, batch: int = 5000) -> Iterable[dict[str, Any]]:
    """Every audit line in order, read in batches so a long trail does not fill memory."""
    after = 0
    while True:
        rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM ketatui_audit WHERE seq > %s ORDER BY seq LIMIT %s",
                            (after, batch)).fetchall()
        if not rows:
            return
        for row in rows:
            yield as_line(row)
        after = rows[-1][0]


def verify(conn: psycopg.Connection, key: bytes, where: str, witness: Head | None = None) -> AuditReport:
    """Check every line's MAC, that each follows the one before and, if given, that the chain still
    reaches a head written down earlier (``witness``, as ``ketatui audit head`` printed it)."""
    problems: list[str] = []
    prev, seq, count = GENESIS, 0, 0
    at_witness = ""
    for line in lines(conn):
        count += 1
        if not hmac.compare_digest(str(line["mac"]), line_mac(key, line)):
            problems.append(f"entry {line['seq']} was changed after it was written: its MAC does not match")
        elif line["prev"] != prev or line["seq"] != seq + 1:
            problems.append(f"entry {line['seq']} does not follow entry {seq}: an entry before it was removed, inserted or reordered")
        prev, seq = line["mac"], line["seq"]
        if witness is not None and seq == witness.seq:
            at_witness = str(prev)
    if witness is not None:
        if seq < witness.seq:
            problems.append(f"the audit table ends at entry {seq}, but the head you gave is entry {witness.seq}: "
                            "entries were cut from the end or the table was replaced")
        elif not hmac.compare_digest(at_witness, witness.mac):
            problems.append(f"entry {witness.seq} is not the one the head you gave names: the table was replaced or rewritten")
    return AuditReport(where, count, problems, head=f"{seq}:{prev}" if seq else None)


def head(conn: psycopg.Connection) -> str:
    last = conn.execute("SELECT seq, mac FROM ketatui_audit ORDER BY seq DESC LIMIT 1").fetchone()
    return f"{last[0]}:{last[1]}" if last else "0:" + GENESIS
