"""Signing passphrases: a clinician confirms who they are before a plan is frozen with their name.

A passphrase is set once per clinician and kept only as an scrypt hash with its own random salt
and the cost parameters it was made with, so a later change of the defaults still verifies old
hashes. Checking uses ``Scrypt.verify``, which compares in constant time. Wrong tries are
counted per clinician: after ``MAX_TRIES`` in a row, signing is refused for ``LOCKED_FOR``.
The store keeps these records (encrypted like everything else) and audits every failure; the
passphrase itself is never stored, logged or shown.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MIN_LENGTH = 8
MAX_TRIES = 5
LOCKED_FOR = timedelta(minutes=15)
#: scrypt cost: 2**15 × 8 × 1 takes about 0.1 s and 32 MB, once per signature.
COST = {"n": 2**15, "r": 8, "p": 1}
LENGTH = 32


class PassphraseRefused(Exception):
    """A new passphrase that cannot be used; the message says why and what to type instead."""


def check_new(passphrase: str, again: str) -> None:
    """Refuse a new passphrase that is too short or was not typed the same twice."""
    if len(passphrase) < MIN_LENGTH:
        raise PassphraseRefused(f"Signing passphrase: use at least {MIN_LENGTH} characters (it has {len(passphrase)}).")
    if passphrase != again:
        raise PassphraseRefused("Signing passphrase: the two entries differ; type the same passphrase twice.")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _kdf(salt: bytes, n: int, r: int, p: int) -> Scrypt:
    return Scrypt(salt=salt, length=LENGTH, n=n, r=r, p=p)


def hash_passphrase(passphrase: str) -> dict[str, Any]:
    """A stored form of ``passphrase``: scrypt with a random salt, the parameters kept alongside."""
    salt = os.urandom(16)
    digest = _kdf(salt, **COST).derive(passphrase.encode())
    return {"kdf": "scrypt", **COST, "salt": _b64(salt), "hash": _b64(digest)}


def verify_passphrase(passphrase: str, stored: dict[str, Any]) -> bool:
    """Whether ``passphrase`` is the one ``stored`` was made from (constant-time comparison)."""
    kdf = _kdf(base64.b64decode(stored["salt"]), int(stored["n"]), int(stored["r"]), int(stored["p"]))
    try:
        kdf.verify(passphrase.encode(), base64.b64decode(stored["hash"]))
    except InvalidKey:
        return False
    return True


@dataclass(frozen=True)
class Attempts:
    """Wrong tries in a row and, once there were too many, until when signing is refused."""

    failures: int = 0
    locked_until: datetime | None = None

    @classmethod
    def of(cls, record: dict[str, Any]) -> Attempts:
        until = record.get("locked_until")
        return cls(int(record.get("failures", 0)), datetime.fromisoformat(until) if until else None)

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def failed(self, now: datetime) -> Attempts:
        """One more wrong try; the last allowed one locks signing for ``LOCKED_FOR``."""
        failures = 0 if self.locked_until is not None and now >= self.locked_until else self.failures
        failures += 1
        return Attempts(failures, now + LOCKED_FOR if failures >= MAX_TRIES else None)

    @property
    def left(self) -> int:
        return max(0, MAX_TRIES - self.failures)

    def as_record(self) -> dict[str, Any]:
        return {"failures": self.failures, "locked_until": self.locked_until.isoformat() if self.locked_until else None}


def now() -> datetime:
    return datetime.now(timezone.utc)
