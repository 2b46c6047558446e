"""The audit log: who did what to which record and when, one line per action, never health data.

``audit.log`` is append-only JSON lines::

    {"action":"update","mac":"…","prev":"…","record_id":"…","rev":4,"seq":118,"ts":"…","user":"dr.lee"}

Each line carries ``prev``, the MAC of the line before it, and ``mac``, an HMAC-SHA256 (with a
key derived from the store key) over everything else in the line. Changing, inserting or
removing a line breaks the chain at that point, and a new MAC cannot be forged without the
key. A line cut short by a killed process is not part of the chain (the next line links to
the one before it), so ``verify`` reports it as an interrupted write rather than tampering.
Appends happen under the store lock, as one ``write`` followed by ``fsync``; a write cut short
(a full disk, a file-size limit) is undone and reported, never left as a half line.

The chain alone cannot show that lines were cut from the end, or that the whole file was
deleted: what is left is still a valid chain. So every append also records the latest entry
(its sequence number and MAC, under a MAC of their own) as the *head* in ``store.json``
(``meta.AuditAnchor``). ``verify`` checks the chain reaches that head; a log that ends before
it was cut. What stays out of reach without a copy kept elsewhere: putting back an older copy
of the whole folder (log and head together). ``ketatui audit head`` prints the head so it can be
written down or sent to syslog, and ``ketatui audit verify --head SEQ:MAC`` checks against it.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from ketatui.storage.errors import StoreCorrupt, StoreUnreadable, StoreUnwritable

GENESIS = "0" * 64
ACTIONS = frozenset({"create", "import", "view", "update", "submit", "review", "sign", "sign-refused", "amend", "export",
                     "delete", "discard", "recover", "restore", "course", "passphrase-set"})
_FIELDS = ("seq", "ts", "user", "action", "record_id", "rev", "prev", "mac")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Entry:
    """One action to log; ``target`` says where an export went (a kind, never a patient's name)."""

    action: str
    record_id: str
    rev: int
    user: str
    target: str | None = None
    recovered: bool = False

    def matches(self, line: dict[str, Any]) -> bool:
        return (line.get("action"), line.get("record_id"), line.get("rev")) == (self.action, self.record_id, self.rev)


@dataclass(frozen=True)
class Head:
    """The latest entry of the chain: its sequence number and MAC."""

    seq: int
    mac: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.mac}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """A head as ``str`` gives it (``SEQ:MAC``); ``ValueError`` if it is not one."""
        seq, _, mac = text.strip().partition(":")
        if not seq.isdigit() or len(mac) != 64 or any(c not in "0123456789abcdef" for c in mac):
            raise ValueError(f"{text[:80]!r} is not an audit head; give it as `ketatui audit head` printed it (SEQ:MAC)")
        return cls(int(seq), mac)


class Anchor(Protocol):
    """Where the head is kept, out of the log's reach (``store.json``)."""

    def read(self) -> Head | None: ...
    def write(self, head: Head) -> None: ...


@dataclass
class Verification:
    entries: int = 0
    interrupted: list[int] = field(default_factory=list)  # line numbers of cut-short lines
    problems: list[str] = field(default_factory=list)
    head: Head | None = None  # the last entry of the chain as read

    @property
    def ok(self) -> bool:
        return not self.problems


def _mac(key: bytes, line: dict[str, Any]) -> str:
    body = json.dumps({k: v for k, v in line.items() if k != "mac"}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def _parse(raw: bytes) -> dict[str, Any] | None:
    """A complete audit line, or None for a line cut short (or otherwise not a line at all)."""
    try:
        line = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(line, dict) or not all(k in line for k in _FIELDS):
        return None
    return line


class AuditLog:
    def __init__(self, path: Path, mac_key: bytes, anchor: Anchor | None = None):
        self.path = path
        self._key = mac_key
        self.anchor = anchor

    def append(self, entries: Iterable[Entry]) -> None:
        """Append ``entries`` and move the head to the last of them; the caller holds the store lock.
        A write that cannot be finished is undone (the file is cut back to where it was) and raises
        ``StoreUnwritable`` naming the file."""
        entries = list(entries)
        if not entries:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o660)
        except OSError as exc:
            raise StoreUnwritable(self.path, exc) from None
        try:
            last, torn = self._tail(fd)
            try:
                head = self.anchor.read() if self.anchor is not None else None
            except StoreCorrupt:  # the head was edited: say so in the log itself and go on from the log
                head = None
                entries.insert(0, Entry("recover", "*", 0, "ketatui", target="store.json's audit head was changed by hand; "
                                        "the chain goes on from the log's last entry"))
            seq, prev = (last["seq"], last["mac"]) if last else (0, GENESIS)
            if head is not None and head.seq > seq:
                # Lines were cut from the end (or the file deleted): go on from the anchored head,
                # so the gap stays visible to ``verify`` instead of a new chain starting unnoticed.
                seq, prev = head.seq, head.mac
            out = [b"\n"] if torn else []
            ts = now_iso()
            for e in entries:
                if e.action not in ACTIONS:
                    raise ValueError(f"unknown audit action {e.action!r}")
                seq += 1
                line: dict[str, Any] = {"seq": seq, "ts": ts, "user": e.user, "action": e.action,
                                        "record_id": e.record_id, "rev": e.rev, "prev": prev}
                if e.target is not None:
                    line["target"] = e.target
                if e.recovered:
                    line["recovered"] = True
                line["mac"] = prev = _mac(self._key, line)
                out.append(json.dumps(line, sort_keys=True, separators=(",", ":")).encode() + b"\n")
            self._write_all(fd, b"".join(out))
        finally:
            os.close(fd)
        if self.anchor is not None:
            try:
                self.anchor.write(Head(seq, prev))
            except OSError:
                # The lines are written and synced: the write is complete. A head left one step
                # behind is still one the log reaches, and the next append moves it on.
                pass

    def _write_all(self, fd: int, data: bytes) -> None:
        """Write and fsync every byte of ``data``, or cut the file back and raise ``StoreUnwritable``."""
        start = os.fstat(fd).st_size
        view = memoryview(data)
        try:
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                view = view[written:]
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
            except OSError:
                pass  # a cut-short line is not part of the chain; verify reports it as interrupted
            raise StoreUnwritable(self.path, exc) from None

    def head(self) -> Head | None:
        """The last complete entry in the file, or None for an empty log."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreUnreadable(self.path, exc) from None
        try:
            last, _ = self._tail(fd)
        except OSError as exc:
            raise StoreUnreadable(self.path, exc) from None
        finally:
            os.close(fd)
        return Head(last["seq"], last["mac"]) if last else None

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def lines_after(self, offset: int) -> list[dict[str, Any]]:
        """The complete lines written after byte ``offset`` (for recovery after a crash)."""
        try:
            with open(self.path, "rb") as f:
                f.seek(offset)
                return [line for line in map(_parse, f.read().split(b"\n")) if line is not None]
        except FileNotFoundError:
            return []

    def _tail(self, fd: int) -> tuple[dict[str, Any] | None, bool]:
        """The last complete line and whether the file ends in a cut-short line."""
        size = os.fstat(fd).st_size
        if size == 0:
            return None, False
        torn = os.pread(fd, 1, size - 1) != b"\n"
        chunk = 4096
        while True:
            start = max(0, size - chunk)
            pieces = os.pread(fd, size - start, start).split(b"\n")
            if start:
                pieces = pieces[1:]  # may begin mid-line
            for raw in reversed(pieces):
                line = _parse(raw)
                if line is not None:
                    return line, torn
            if start == 0:
                return None, torn
            chunk *= 4

    def lines(self) -> Iterator[tuple[int, bytes]]:
        try:
            with open(self.path, "rb") as f:
                for number, raw in enumerate(f, start=1):
                    yield number, raw.rstrip(b"\n")
        except FileNotFoundError:
            return

    def verify(self, witness: Head | None = None) -> Verification:
        """Check the chain line by line, then that it reaches the head kept in ``store.json`` and,
        if given, a head written down earlier (``witness``)."""
        result = Verification()
        prev, seq = GENESIS, 0
        seen: dict[int, str] = {}
        for number, raw in self.lines():
            line = _parse(raw)
            if line is None:
                result.interrupted.append(number)
                continue
            if not hmac.compare_digest(str(line["mac"]), _mac(self._key, line)):
                result.problems.append(f"line {number} (entry {line['seq']}) was changed after it was written: its MAC does not match")
            elif line["prev"] != prev or line["seq"] != seq + 1:
                result.problems.append(
                    f"line {number} (entry {line['seq']}) does not follow entry {seq}: "
                    "a line before it was removed, inserted or reordered"
                )
            prev, seq = line["mac"], line["seq"]
            if isinstance(seq, int):
                seen[seq] = str(prev)
            result.entries += 1
        result.head = Head(seq, prev) if seq else None
        try:
            anchored = self.anchor.read() if self.anchor is not None else None
        except StoreCorrupt as exc:
            result.problems.append(str(exc).split(". Nothing was changed")[0].replace("The store file ", ""))
            anchored = None
        for name, expected in (("the head kept in store.json", anchored), ("the head you gave", witness)):
            if expected is None:
                continue
            if seq < expected.seq:
                where = "the audit log is missing or empty" if not seq else f"the audit log ends at entry {seq}"
                result.problems.append(f"{where}, but {name} is entry {expected.seq}: "
                                       f"{expected.seq - seq} entr{'y was' if expected.seq - seq == 1 else 'ies were'} cut from the end or the file was deleted or replaced")
            elif not hmac.compare_digest(seen.get(expected.seq, ""), expected.mac):
                result.problems.append(f"entry {expected.seq} is not the one {name} names: the log was replaced or rewritten")
        return result
