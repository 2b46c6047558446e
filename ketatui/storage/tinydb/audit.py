"""The audit log: who did what to which record and when, one line per action, never health data.

``audit.log`` is append-only JSON lines::

    {"action":"update","mac":"…","prev":"…","record_id":"…","rev":4,"seq":118,"ts":"…","user":"dr.lee"}

Each line carries ``prev``, the MAC of the line before it, and ``mac``, an HMAC-SHA256 (with a
key derived from the store key) over everything else in the line. Changing, inserting or
removing a line breaks the chain at that point, and a new MAC cannot be forged without the
key. A line cut short by a killed process is not part of the chain (the next line links to
the one before it), so ``verify`` reports it as an interrupted write rather than tampering.
Appends happen under the store lock, as one ``write`` followed by ``fsync``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
ACTIONS = frozenset({"create", "import", "view", "update", "submit", "review", "sign", "sign-refused", "amend", "export",
                     "delete", "discard", "recover", "restore", "course", "passphrase-set",
                     # the clinician's session (record "*"): the idle lock, its unlock, a wrong
                     # passphrase at the lock, and closing ketatui from the lock
                     "lock", "unlock", "unlock-refused", "logoff"})
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


@dataclass
class Verification:
    entries: int = 0
    interrupted: list[int] = field(default_factory=list)  # line numbers of cut-short lines
    problems: list[str] = field(default_factory=list)

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
    def __init__(self, path: Path, mac_key: bytes):
        self.path = path
        self._key = mac_key

    def append(self, entries: Iterable[Entry]) -> None:
        """Append ``entries``; the caller holds the store lock."""
        entries = list(entries)
        if not entries:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o660)
        try:
            last, torn = self._tail(fd)
            seq, prev = (last["seq"], last["mac"]) if last else (0, GENESIS)
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
            os.write(fd, b"".join(out))
            os.fsync(fd)
        finally:
            os.close(fd)

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

    def verify(self) -> Verification:
        result = Verification()
        prev, seq = GENESIS, 0
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
            result.entries += 1
        return result
