"""The store's keys on a database server: described in ``ketatui_store``, held only by clients.

The description is the one a TinyDB store keeps in ``store.json`` (where the master key comes
from: a key file, or a passphrase with its scrypt salt and cost; and a short check value sealed
with the key), so ``ketatui store copy`` can move a folder's store to a database under the very
same key and its audit chain still verifies. The server never sees a key.

Three working keys are derived from the master key with HKDF: the data key and the audit MAC
key (the same derivation as the embedded store), and the blind-index key for search.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ketatui.storage.errors import MissingKey, WrongKey
from ketatui.storage.tinydb.crypto import (
    KEY_BYTES,
    SCRYPT_DEFAULTS,
    Keys,
    Unreadable,
    create_key_file,
    key_from_passphrase,
    read_key_file,
)

KIND = "ketatui-store"
FORMAT = 1
_CHECK = b"ketatui store key check"
_CHECK_AAD = "store.json"


@dataclass(frozen=True)
class StoreKeys:
    """What a client needs to read and write a store: seal/open, the audit MAC, blind hashes."""

    sealing: Keys
    blind_key: bytes

    @classmethod
    def from_master(cls, master: bytes) -> StoreKeys:
        blind = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"ketatui blind index v1").derive(master)
        return cls(Keys.from_master(master), blind)

    @property
    def audit_mac(self) -> bytes:
        return self.sealing.audit_mac

    def seal(self, plaintext: bytes, aad: str) -> bytes:
        return self.sealing.seal(plaintext, aad)

    def open(self, blob: bytes, aad: str) -> bytes:
        return self.sealing.open(bytes(blob), aad)

    def blind(self, domain: str, value: str) -> int:
        """A keyed hash of ``value`` as a signed 64-bit number (a ``bigint`` column)."""
        digest = hmac.new(self.blind_key, f"{domain}\x00{value}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


def describe_new(key_file: Path, passphrase: str | None) -> tuple[dict[str, Any], StoreKeys]:
    """The description of a new store and its keys; makes a key file if none exists."""
    if passphrase is not None:
        salt = secrets.token_bytes(16)
        master = key_from_passphrase(passphrase, salt, SCRYPT_DEFAULTS)
        key: dict[str, Any] = {"source": "passphrase", "kdf": "scrypt", "salt": base64.b64encode(salt).decode(), **SCRYPT_DEFAULTS}
    else:
        master = read_key_file(key_file) if key_file.exists() else create_key_file(key_file)
        key = {"source": "file"}
    keys = StoreKeys.from_master(master)
    check = base64.b64encode(keys.seal(_CHECK, _CHECK_AAD)).decode()
    return {"kind": KIND, "format": FORMAT, "key": key, "check": check}, keys


def unlock(description: dict[str, Any], *, where: str, key_file: Path, passphrase: str | None) -> StoreKeys:
    """The store's keys, after proving they are the right ones with the check value."""
    key = description.get("key") or {}
    if key.get("source") == "passphrase":
        if passphrase is None:
            raise MissingKey(f"The store in {where} is protected by a passphrase and none was given. "
                             "Nothing was read or changed. Set KETATUI_PASSPHRASE or enter the passphrase.")
        master = key_from_passphrase(passphrase, base64.b64decode(key["salt"]), {p: int(key[p]) for p in SCRYPT_DEFAULTS})
        source = "the passphrase given"
    else:
        master = read_key_file(key_file)
        source = f"the key file {key_file}"
    keys = StoreKeys.from_master(master)
    try:
        ok = keys.open(base64.b64decode(description["check"]), _CHECK_AAD) == _CHECK
    except (Unreadable, KeyError, ValueError):
        ok = False
    if not ok:
        raise WrongKey(Path(where), source)
    return keys
