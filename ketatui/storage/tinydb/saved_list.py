"""The records list kept ready for the next process: two derived files beside the index shards.

``index/list.json.enc`` holds every row in list order for one day, column by column (repeated
values such as statuses, users and dates are written once and referred to by number), so a
process reads 100k rows in a fraction of what the 256 shards take. ``index/head.json.enc``
holds the first rows of the list and the count for each filter, enough to show the first page
at once. Both are sealed with the store key like every file that holds health data, and both
name the shard nonces they were made from: whoever reads them re-reads any shard that changed
since, so they can be behind but never wrong. They hold nothing the shards do not, so one that
is missing, unreadable or of another format is ignored and made again; restore and
``rebuild_index`` leave them out. They are written under the store lock (a write in progress
is skipped rather than waited for), whole or not at all, like every other file.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable
from itertools import repeat
from typing import TYPE_CHECKING, Any

from ketatui.storage.atomic import write_temp
from ketatui.storage.errors import StorageError
from ketatui.storage.tinydb import index
from ketatui.storage.tinydb.index import Head

if TYPE_CHECKING:
    from ketatui.storage.tinydb.layout import Layout
    from ketatui.storage.tinydb.locking import StoreLock
    from ketatui.storage.tinydb.store import SealedFiles

FORMAT = 4  # files of another format are made again
#: Columns written as they are; the others as numbers into a table of their distinct values.
_PLAIN = {index.ID: "id", index.NAME: "name", index.REV: "rev", index.UPDATED_AT: "updated_at"}
_CODED = {index.DOB: "dob", index.STATUS: "status", index.UPDATED_BY: "updated_by", index.CREATED_BY: "created_by",
          index.STEP: "step", index.AMENDS: "amends_rev"}
_FLAGS = (index.URGENT, index.BLOCKED, index.TRAINING, index.REVIEW, index.CAUTION)


def encode_rows(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Rows as columns."""
    columns: dict[str, Any] = {name: [r[at] for r in rows] for at, name in _PLAIN.items()}
    for at, name in _CODED.items():
        table: dict[Any, int] = {}
        columns[name] = {"values": None, "at": [table.setdefault(r[at], len(table)) for r in rows]}
        columns[name]["values"] = list(table)
    u, b, t, rv, c = _FLAGS
    columns["flags"] = [r[u] | r[b] << 1 | r[t] << 2 | r[rv] << 3 | r[c] << 4 for r in rows]
    dates: dict[str, int] = {}
    columns["sessions"] = {"at": [[dates.setdefault(d, len(dates)) for d in r[index.SESSIONS]] for r in rows]}
    columns["sessions"]["values"] = list(dates)
    return columns


def decode_rows(columns: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Columns back to the cache's row tuples, equal to those read from the shards. Every loop
    here is a C-level ``map``: no bytecode runs per row."""
    names = columns["name"]
    coded = {name: list(map(columns[name]["values"].__getitem__, columns[name]["at"])) for name in _CODED.values()}
    flags = columns["flags"]
    dates = list(map(sys.intern, columns["sessions"]["values"]))
    sessions = list(map(tuple, map(map, repeat(dates.__getitem__), columns["sessions"]["at"])))
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    sessions = list(map(shared.setdefault, sessions, sessions))  # one copy of each schedule (rows are never changed)
    bit = [list(map(bool, map(int.__and__, flags, repeat(1 << n)))) for n in range(len(_FLAGS))]
    dob = columns["dob"]
    born = [d or "" for d in dob["values"]]
    id_dob = map(index.ID_DOB_FORMAT.format, columns["id"], map(born.__getitem__, dob["at"]))
    return list(zip(columns["id"], names, index.fold_all(names), coded["dob"], coded["status"], columns["rev"],
                    columns["updated_at"], coded["updated_by"], coded["created_by"], bit[0], bit[1], bit[2],
                    coded["step"], sessions, id_dob, coded["amends_rev"], bit[3], bit[4]))


class ListFiles:
    """Reads and writes the two files for one store (``index.SavedList``)."""

    def __init__(self, layout: Layout, files: SealedFiles, lock: StoreLock, writable: Callable[[], bool]):
        self.list_path = layout.index / "list.json.enc"
        self.head_path = layout.index / "head.json.enc"
        self._layout, self._files, self._lock, self._writable = layout, files, lock, writable

    def _read(self, path: Any) -> dict[str, Any] | None:
        try:
            data = self._files.read_json(path)
        except StorageError:
            return None  # derived data: made again from the shards
        return data if data is not None and data.get("format") == FORMAT else None

    def writable(self) -> bool:
        """Whether the files may be written (never on a store opened read-only)."""
        return self._writable()

    def _write(self, path: Any, data: dict[str, Any]) -> bool:
        """Whether the file was written (not on a read-only store, nor while a write holds the lock).

        The file is written out before the lock is taken, and only renamed into place under it:
        a save never waits while megabytes of list go to disk. (A file renamed late is still
        right: it names the shards it was made from, and a reader re-reads any that changed.)"""
        if not self._writable():
            return False
        plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        sealed = self._files.keys.seal(plain, self._layout.rel(path))
        tmp = write_temp(path, sealed, self._layout.tmp)
        try:
            with self._lock.try_hold() as held:
                if held:  # a writer is busy: the next list writes it instead
                    os.replace(tmp, path)  # FileNotFoundError: swept as a stray file, see clean_temp
            return held
        except FileNotFoundError:
            return False
        finally:
            tmp.unlink(missing_ok=True)

    @staticmethod
    def _heads_out(heads: dict[str, bytes]) -> dict[str, str]:
        return {shard: head.hex() for shard, head in heads.items()}

    @staticmethod
    def _heads_in(heads: dict[str, str]) -> dict[str, bytes]:
        return {shard: bytes.fromhex(head) for shard, head in heads.items()}

    def load_list(self) -> tuple[str, dict[str, bytes], list[tuple[Any, ...]]] | None:
        data = self._read(self.list_path)
        if data is None:
            return None
        gc.disable()  # 100k new tuples: the collector would scan them again and again
        try:
            return data["day"], self._heads_in(data["heads"]), decode_rows(data["columns"])
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        finally:
            gc.enable()

    def save_list(self, day: str, heads: dict[str, bytes], rows: list[tuple[Any, ...]]) -> bool:
        return self._write(self.list_path, {"format": FORMAT, "day": day, "heads": self._heads_out(heads), "columns": encode_rows(rows)})

    def load_head(self) -> Head | None:
        data = self._read(self.head_path)
        if data is None:
            return None
        try:
            counts = {(s, bool(u), bool(t)): n for s, u, t, n in data["counts"]}
            return Head(data["day"], self._heads_in(data["heads"]), decode_rows(data["rows"]), decode_rows(data["kept"]), counts)
        except (KeyError, TypeError, ValueError, IndexError):
            return None

    def save_head(self, head: Head) -> bool:
        return self._write(self.head_path, {
            "format": FORMAT, "day": head.day, "heads": self._heads_out(head.heads),
            "rows": encode_rows(head.rows), "kept": encode_rows(head.kept),
            "counts": [[s, u, t, n] for (s, u, t), n in head.counts.items()],
        })
