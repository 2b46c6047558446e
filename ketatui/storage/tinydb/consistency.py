"""Do the record files, the records list and the audit log tell the same story?

The audit chain proves its own lines were not changed, and the head in ``store.json`` that none
were cut. What it cannot show alone is a record file put back from an older copy, a record file
deleted, or an index shard that lost rows. This check compares the three, record by record:

- every record file has a row in the records list at the same revision, and every row a file;
- every record's latest revision is the one its last audit line (create, import, update, submit,
  review, sign, amend) names; a record the log says was deleted or discarded has no file;
- every session or visit kept with an intake is at the revision its last ``course`` line names.

It reads every file without the lock, then checks again under the lock only the records that
disagreed, so writes in progress are not reported and writers are not held up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ketatui.storage.errors import StoreCorrupt

#: Audit actions that write a revision of the record they name.
WRITES = frozenset({"create", "import", "update", "submit", "review", "sign", "amend"})
REMOVES = frozenset({"delete", "discard"})


@dataclass
class AuditStory:
    """What the audit log says about each record: its latest revision, or that it was removed."""

    latest: dict[str, int] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    course: dict[str, int] = field(default_factory=dict)  # session or visit id -> latest rev

    @classmethod
    def of(cls, lines: Iterable[dict[str, Any]]) -> AuditStory:
        story = cls()
        for line in lines:
            action, record_id = line.get("action"), line.get("record_id")
            if action in WRITES:
                story.latest[record_id] = line.get("rev")
                story.removed.discard(record_id)
            elif action in REMOVES:
                story.removed.add(record_id)
                story.latest.pop(record_id, None)
            elif action == "course":
                parts = str(line.get("target") or "").split()
                if len(parts) == 4 and parts[2] == "rev" and parts[3].isdigit():
                    story.course[parts[1]] = int(parts[3])
        return story


@dataclass(frozen=True)
class Seen:
    """One record as found on disk: its latest revision (None: no file) and its row's (None: no row)."""

    file_rev: int | None
    row_rev: int | None
    course: dict[str, int]
    unreadable: str | None = None


def problems_of(record_id: str, seen: Seen, story: AuditStory) -> list[str]:
    """What is wrong with one record, in words (empty if the three agree)."""
    if seen.unreadable:
        return [f"intake {record_id}: {seen.unreadable}"]
    found = []
    logged = story.latest.get(record_id)
    if seen.file_rev is None:
        if seen.row_rev is not None:
            found.append(f"intake {record_id} is in the records list (revision {seen.row_rev}) but its record file is missing")
        elif logged is not None:
            found.append(f"intake {record_id} was last written at revision {logged} by the audit log, but its record file is missing")
        return found
    if seen.row_rev is None:
        found.append(f"intake {record_id} has a record file but no row in the records list: it is hidden from the list")
    elif seen.file_rev < seen.row_rev:
        found.append(f"intake {record_id}'s record file holds revision {seen.file_rev} but the records list has "
                     f"revision {seen.row_rev}: an older copy of the file was put back")
    elif seen.file_rev > seen.row_rev:
        found.append(f"intake {record_id}'s row in the records list is at revision {seen.row_rev}, its record file at "
                     f"{seen.file_rev}: an older copy of its index shard was put back (it is rebuilt when the intake is next opened)")
    if record_id in story.removed:
        found.append(f"intake {record_id} has a record file although the audit log says it was deleted")
    elif logged is None:
        found.append(f"intake {record_id} has a record file but no audit line ever wrote it")
    elif seen.file_rev < logged:
        found.append(f"intake {record_id}'s record file holds revision {seen.file_rev} but the audit log wrote "
                     f"revision {logged}: an older copy of the file was put back")
    elif seen.file_rev > logged:
        found.append(f"intake {record_id}'s record file holds revision {seen.file_rev} but the audit log's last "
                     f"write of it is revision {logged}: a change was made without an audit line")
    for course_id, rev in sorted(seen.course.items()):
        logged_course = story.course.get(course_id)
        if logged_course is None or rev != logged_course:
            said = "no audit line" if logged_course is None else f"the audit log's revision {logged_course}"
            found.append(f"session or visit {course_id} of intake {record_id} is at revision {rev} but has {said}")
    return found


def check(record_ids: Callable[[], set[str]], look: Callable[[str], Seen], story: Callable[[], AuditStory],
          locked: Callable[[], Any]) -> list[str]:
    """Every problem found; each is checked a second time under the lock (``locked``) before it is reported."""
    told = story()
    suspects = [rid for rid in sorted(record_ids()) if problems_of(rid, look(rid), told)]
    if not suspects:
        return []
    with locked():
        told = story()
        return [problem for rid in suspects for problem in problems_of(rid, look(rid), told)]


def record_ids_in(records: Path, index_ids: set[str]) -> set[str]:
    """Every record id with a file or a row."""
    return {p.name.removesuffix(".json.enc") for p in records.glob("*/*.json.enc")} | index_ids


__all__ = ["AuditStory", "Seen", "StoreCorrupt", "check", "problems_of", "record_ids_in"]
