"""Moving a clinic's embedded store (a folder) into a database, with everything it keeps.

Every intake comes across with each kept revision, its amendment reasons, its sessions and
visits, and the folder's whole audit log, line for line. The database store is made under the
folder store's own key description (key file, or passphrase with its salt), so the same key
opens it and the copied audit chain still verifies; one more line records the copy. It all
happens in one transaction: a copy that fails leaves the database as it was. Afterwards the
numbers are counted again on both sides and must agree, and the audit chain is checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ketatui.storage.backends import open_repository
from ketatui.storage.errors import InvalidRequest, StoreCorrupt
from ketatui.storage.postgres import audit
from ketatui.storage.postgres.opening import open_store
from ketatui.storage.repository import AuditReport
from ketatui.storage.tinydb.audit import Entry

if TYPE_CHECKING:
    from ketatui.settings import Settings

KINDS = ("records", "revisions", "amendments", "course", "audit")


@dataclass
class CopyReport:
    source: dict[str, int] = field(default_factory=dict)
    copied: dict[str, int] = field(default_factory=dict)
    audit: AuditReport | None = None

    @property
    def ok(self) -> bool:
        return self.source == self.copied and self.audit is not None and self.audit.ok


def _folder_description(folder: Path) -> dict[str, Any]:
    path = folder / "store.json"
    try:
        data = json.loads(path.read_text())
        return {"kind": data["kind"], "format": 1, "key": data["key"], "check": data["check"]}
    except FileNotFoundError:
        raise InvalidRequest(f"There is no ketatui store in {folder} (no store.json). Check --from.") from None
    except (ValueError, KeyError, TypeError):
        raise StoreCorrupt(path, "is damaged (it is not a ketatui store description)") from None


def _audit_file_lines(folder: Path) -> list[dict[str, Any]]:
    """The folder store's complete audit lines in order (a line cut short by a kill is not in the chain)."""
    lines = []
    path = folder / "audit.log"
    if not path.exists():
        return lines
    with open(path, "rb") as f:
        for raw in f:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and all(k in line for k in ("seq", "ts", "user", "action", "record_id", "rev", "prev", "mac")):
                lines.append(line)
    return lines


def copy_folder_to_database(source: Settings, destination: Settings, *, user: str) -> CopyReport:
    """Copy the folder store ``source`` describes into the empty database ``destination`` names."""
    folder = Path(source.data_dir)
    description = _folder_description(folder)
    src = open_repository(source, read_only=True, create=False)
    dest = open_store(destination, read_only=False, create=True, description=description)
    already = dest.counts()
    if already["records"] or already["audit"]:
        raise InvalidRequest(f"The database {dest.where} already holds a store ({already['records']} intakes, "
                             f"{already['audit']} audit lines); copy only into an empty database. Nothing was copied.")
    report = CopyReport(source=dict.fromkeys(KINDS, 0))
    with dest._writing(pipeline=False) as conn:  # COPY
        ids = [row.record_id for row in src.list()]
        for record_id in ids:
            revisions = src.revisions(record_id, user=user)
            amendments = src.amendments(record_id, user=user)
            course = src.course_records(record_id, user=user)
            dest._insert_rows(conn, [revisions[-1]])
            for doc in revisions[:-1]:
                dest._add_revision(conn, doc)
            for note in amendments:
                conn.execute("INSERT INTO ketatui_amendments (record_id, rev, body) VALUES (%s, %s, %s)",
                             (record_id, note["rev"], dest._seal(note, f"amendment/{record_id}/{note['rev']}")))
            for item in course:
                conn.execute("INSERT INTO ketatui_course (course_id, record_id, rev, body) VALUES (%s, %s, %s, %s)",
                             (item["record_id"], record_id, item["rev"], dest._seal(item, f"course/{record_id}/{item['record_id']}")))
            for kind, count in (("records", 1), ("revisions", len(revisions)), ("amendments", len(amendments)), ("course", len(course))):
                report.source[kind] += count
        lines = _audit_file_lines(folder)  # read last: it holds the reads made for this copy
        audit.insert_rows(conn, [audit.to_row(line) for line in lines])
        audit.append(conn, dest.keys.audit_mac, [Entry("import", "*", 0, user, target=f"copy of {len(ids)} intakes from a folder store")])
        report.source["audit"] = len(lines) + 1
    report.copied = dest.counts()
    report.audit = dest.verify_audit()
    return report
