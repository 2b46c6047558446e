"""The records list kept ready for the next process: two derived files beside the index shards.

``index/list.json.enc`` holds every row in list order for one day, column by column, in the
form a process keeps them (``columns.py``): a small JSON header, then each column packed (the
ids, names, folded names and times as one text each; a value that repeats, such as a status, a
user, a birth date or a schedule, written once in the header and referred to by a 2- or 4-byte
number; the flags and the shard number one byte a row). A process reads 100k rows from it in
well under a tenth of a second, and never holds more than the file and the columns at once.
``index/head.json.enc`` holds the first rows of the list and the count for each filter, enough to show the first page
at once. Both are sealed with the store key like every file that holds health data, and both
name the shard nonces they were made from: whoever reads them re-reads any shard that changed
since, so they can be behind but never wrong. They hold nothing the shards do not, so one that
is missing, unreadable or of another format is ignored and made again; restore and
``rebuild_index`` leave them out. They are written under the store lock (a write in progress
is skipped rather than waited for), whole or not at all, like every other file.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from array import array
from collections.abc import Callable
from itertools import repeat
from typing import TYPE_CHECKING, Any

from ketatui.storage.atomic import write_temp
from ketatui.storage.errors import StorageError
from ketatui.storage.paths import read_private
from ketatui.storage.tinydb import index
from ketatui.storage.tinydb.columns import BORN, SHARD, Columns, Shared
from ketatui.storage.tinydb.crypto import Unreadable
from ketatui.storage.tinydb.index import Head

if TYPE_CHECKING:
    from ketatui.storage.tinydb.layout import Layout
    from ketatui.storage.tinydb.locking import StoreLock
    from ketatui.storage.tinydb.store import SealedFiles

FORMAT = 4  # head files of another format are made again
LIST_FORMAT = 6  # the same of the whole-list file
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


_TEXT = {index.ID: "id", index.NAME: "name", index.NAME_KEY: "name_key", index.UPDATED_AT: "updated_at"}
_SHARED = {index.DOB: "dob", index.STATUS: "status", index.REV: "rev", index.UPDATED_BY: "updated_by",
           index.CREATED_BY: "created_by", index.STEP: "step", index.AMENDS: "amends_rev", index.SESSIONS: "sessions"}
_FLAG_NAMES = {index.URGENT: "urgent", index.BLOCKED: "blocked", index.TRAINING: "training", index.REVIEW: "review",
               index.CAUTION: "caution", SHARD: "shard"}
_SIZE = struct.Struct(">I")  # the length of the header that starts the file


def pack_columns(day: str, heads: dict[str, str], rows: Columns) -> bytes:
    """The whole-list file's plain text: its header (JSON) and each column packed after it."""
    parts: list[bytes] = []
    described: dict[str, Any] = {}
    at = 0

    def add(name: str, data: bytes, **about: Any) -> None:
        nonlocal at
        parts.append(data)
        described[name] = dict(about, at=at, size=len(data))
        at += len(data)

    for field, name in _TEXT.items():
        values = rows.column(field)
        try:
            text = "\x00".join(values)
        except TypeError:
            text = None
        if text is not None and text.count("\x00") == len(values) - 1:
            add(name, text.encode(), kind="text")
        else:  # a value holding the separator, or not text: written as JSON
            add(name, json.dumps(list(values), ensure_ascii=False).encode(), kind="json")
    for field, name in _SHARED.items():
        table: dict[Any, int] = {}
        codes = [table.setdefault(value, len(table)) for value in rows.column(field)]
        code = "H" if len(table) <= 0xFFFF else "I"
        add(name, array(code, codes).tobytes(), kind="shared", code=code, values=[list(v) if isinstance(v, tuple) else v for v in table])
    for field, name in _FLAG_NAMES.items():
        add(name, bytes(rows.column(field)), kind="flags")
    header = json.dumps({"format": LIST_FORMAT, "day": day, "heads": heads, "count": len(rows), "byteorder": sys.byteorder,
                         "name_chars": "".join(sorted(rows.name_chars())),
                         "itemsize": {code: array(code).itemsize for code in "HI"}, "columns": described},
                        ensure_ascii=False, separators=(",", ":")).encode()
    return b"".join([_SIZE.pack(len(header)), header, *parts])


def unpack_columns(plain: bytes) -> tuple[str, dict[str, str], Columns] | None:
    """The day, shard heads and rows of a whole-list file's plain text; None if it is of another
    format or does not hold together (it is then made again)."""
    (size,) = _SIZE.unpack_from(plain, 0)
    header = json.loads(plain[_SIZE.size:_SIZE.size + size])
    if not isinstance(header, dict) or header.get("format") != LIST_FORMAT or header.get("byteorder") != sys.byteorder \
            or header.get("itemsize") != {code: array(code).itemsize for code in "HI"}:
        return None
    body = memoryview(plain)[_SIZE.size + size:]
    count, described = header["count"], header["columns"]

    def blob(name: str) -> memoryview:
        about = described[name]
        if about["at"] < 0 or about["size"] < 0 or about["at"] + about["size"] > len(body):
            raise ValueError(name)
        return body[about["at"]:about["at"] + about["size"]]

    data: list[Any] = [None] * (SHARD + 1)
    for field, name in _TEXT.items():
        text = str(blob(name), "utf-8")
        if described[name]["kind"] == "json":
            data[field] = json.loads(text)
        else:
            data[field] = text.split("\x00") if count else []
    for field, name in _SHARED.items():
        values = described[name]["values"]
        if field == index.SESSIONS:
            values = [tuple(map(sys.intern, v)) for v in values]
        elif field in (index.DOB, index.STATUS, index.UPDATED_BY, index.CREATED_BY, index.STEP):
            values = [sys.intern(v) if isinstance(v, str) else v for v in values]
        codes = array(described[name]["code"])
        codes.frombytes(blob(name))
        if codes and max(codes) >= len(values):
            raise ValueError(name)
        data[field] = Shared(values, codes)
        if field == index.DOB:
            data[BORN] = Shared([v or "" for v in values], array(codes.typecode, codes))
    for field, name in _FLAG_NAMES.items():
        data[field] = bytearray(blob(name))
    if any(column is not None and len(column) != count for column in data):
        return None
    return header["day"], header["heads"], Columns(data, frozenset(header["name_chars"]))


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
        return self._write_plain(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())

    def _write_plain(self, path: Any, plain: bytes) -> bool:
        """``_write`` of plain text already made."""
        if not self._writable():
            return False
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

    def load_list(self) -> tuple[str, dict[str, bytes], Columns] | None:
        plain = self._open(self.list_path)  # the sealed bytes are let go as soon as they are opened
        if plain is None:
            return None
        try:
            found = unpack_columns(plain)
            if found is None:
                return None
            day, heads, rows = found
            return day, self._heads_in(heads), rows
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, struct.error):
            return None  # of an older format, or damaged: made again

    def _open(self, path: Any) -> bytes | None:
        """The plain text of a sealed derived file, or None if it is missing or does not open."""
        try:
            blob = read_private(path)
            return None if blob is None else self._files.keys.open(blob, self._layout.rel(path))
        except (StorageError, Unreadable):
            return None  # derived data: made again from the shards

    def save_list(self, day: str, heads: dict[str, bytes], rows: Columns) -> bool:
        return self._write_plain(self.list_path, pack_columns(day, self._heads_out(heads), rows))

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
