"""The staff PIN that lets staff (and only staff) leave the kiosk or release a crisis hold.

The PIN lives in the settings file only as an scrypt hash (``kiosk_staff_pin``; ``ketatui kiosk
--hash-pin`` makes the line), checked in constant time. Wrong tries are counted in a small file
next to the kiosk's log, so a restart does not give a patient fresh tries: after ``MAX_TRIES``
wrong PINs in a row the PIN is refused for ``LOCKED_FOR``. Every try is written to the kiosk log
by the caller (``ketatui.kiosk.log``); the PIN itself is never stored, logged or shown.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ketatui.storage.atomic import write_atomic
from ketatui.storage.signing import hash_passphrase, now, verify_passphrase

MIN_DIGITS = 6
MAX_TRIES = 5
LOCKED_FOR = timedelta(minutes=5)
PREFIX = "scrypt:"


class PinRefused(Exception):
    """A new PIN that cannot be used; the message says why and what to type instead."""


def check_new_pin(pin: str, again: str) -> None:
    if not pin.isdigit() or len(pin) < MIN_DIGITS:
        raise PinRefused(f"Staff PIN: use at least {MIN_DIGITS} digits and nothing else.")
    if pin != again:
        raise PinRefused("Staff PIN: the two entries differ; type the same PIN twice.")


def hash_pin(pin: str) -> str:
    """The text to put in the settings file as ``kiosk_staff_pin``."""
    return PREFIX + base64.b64encode(json.dumps(hash_passphrase(pin)).encode()).decode()


def stored_form(text: str) -> dict[str, Any]:
    """The hash behind a ``kiosk_staff_pin`` setting; ValueError says what is wrong with it."""
    if not text.startswith(PREFIX):
        raise ValueError("is not a hashed PIN; make one with `ketatui kiosk --hash-pin`")
    try:
        stored = json.loads(base64.b64decode(text[len(PREFIX):], validate=True))
        if not {"salt", "hash", "n", "r", "p"} <= set(stored):
            raise ValueError
    except ValueError:
        raise ValueError("is damaged; make a new one with `ketatui kiosk --hash-pin`") from None
    return stored


@dataclass(frozen=True)
class Verdict:
    """What one try came to: ``ok``; otherwise how many tries are left, or until when it is locked."""

    ok: bool
    left: int = MAX_TRIES
    locked_until: datetime | None = None

    def words(self) -> str:
        if self.ok:
            return "PIN accepted."
        if self.locked_until is not None:
            return f"Too many wrong PINs. The PIN is locked until {self.locked_until.astimezone():%H:%M}."
        return f"That PIN is not right. {self.left} {'try' if self.left == 1 else 'tries'} left before it locks."


class StaffPin:
    """Checks PINs against the hash, counting wrong tries in ``tries_file``."""

    def __init__(self, hashed: str, tries_file: Path) -> None:
        self._stored = stored_form(hashed)
        self._file = tries_file

    def _read(self) -> tuple[int, datetime | None]:
        try:
            record = json.loads(self._file.read_text(encoding="utf-8"))
            until = record.get("locked_until")
            return int(record.get("failures", 0)), datetime.fromisoformat(until) if until else None
        except (OSError, ValueError, TypeError, AttributeError):
            return 0, None

    def _write(self, failures: int, until: datetime | None) -> None:
        data = json.dumps({"failures": failures, "locked_until": until.isoformat() if until else None}).encode()
        self._file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self._file.parent / "tmp"
        tmp.mkdir(exist_ok=True, mode=0o700)
        write_atomic(self._file, data, tmp)

    def locked_until(self, at: datetime | None = None) -> datetime | None:
        failures, until = self._read()
        return until if until is not None and (at or now()) < until else None

    def check(self, pin: str, at: datetime | None = None) -> Verdict:
        """One try. A locked PIN is refused without being checked."""
        at = at or now()
        failures, until = self._read()
        if until is not None and at < until:
            return Verdict(False, 0, until)
        if until is not None:
            failures = 0  # the lock has run out: a fresh set of tries
        if verify_passphrase(pin, self._stored):
            self._write(0, None)
            return Verdict(True)
        failures += 1
        until = at + LOCKED_FOR if failures >= MAX_TRIES else None
        self._write(failures, until)
        return Verdict(False, max(0, MAX_TRIES - failures), until)
