"""``store.json``: what kind of store a folder holds and how to unlock it. No health data.

It records the layout version, the highest intake schema version written, where the key comes
from (a key file, or a passphrase with its scrypt salt and cost) and a short check value
sealed with the store key, so a wrong key is caught before any record is touched.

It also keeps the audit log's head (``AuditAnchor``): the latest entry's sequence number and
MAC, under a MAC of their own, rewritten with every append. An older ketatui ignores it, so
the store stays readable by one. (Removing the head together with the log is noticed by the
consistency check: records would have no audit line.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketatui.storage.atomic import write_atomic
from ketatui.storage.tinydb.audit import Head
from ketatui.storage.tinydb.crypto import SCRYPT_DEFAULTS, Keys, Unreadable, create_key_file, key_from_passphrase, read_key_file
from ketatui.storage.errors import MissingKey, NewerSchema, StoreCorrupt, WrongKey
from ketatui.storage.paths import read_private

KIND = "ketatui-store"
LAYOUT_VERSION = 1
_CHECK = b"ketatui store key check"


@dataclass
class StoreMeta:
    path: Path
    data: dict[str, Any]

    @property
    def schema_version(self) -> int:
        return int(self.data.get("schema_version", 1))

    @property
    def uses_passphrase(self) -> bool:
        return self.data["key"]["source"] == "passphrase"

    @classmethod
    def read(cls, path: Path) -> StoreMeta:
        raw = read_private(path)
        if raw is None:
            raise StoreCorrupt(path, "is missing although the folder holds store files")
        try:
            data = json.loads(raw)
            ok = isinstance(data, dict) and data.get("kind") == KIND and isinstance(data.get("key"), dict)
        except (ValueError, UnicodeDecodeError):
            ok = False
        if not ok:
            raise StoreCorrupt(path, "is damaged (it is not a ketatui store description)")
        if int(data.get("format", 0)) > LAYOUT_VERSION:
            raise NewerSchema(f"The store in {path.parent}", int(data["format"]), LAYOUT_VERSION)
        return cls(path, data)

    def unlock(self, key_file: Path, passphrase: str | None) -> Keys:
        """The store's keys, after proving they are the right ones."""
        if self.uses_passphrase:
            if passphrase is None:
                raise MissingKey(
                    f"The store in {self.path.parent} is protected by a passphrase and none was given. "
                    "Nothing was read or changed. Set KETATUI_PASSPHRASE or enter the passphrase."
                )
            k = self.data["key"]
            master = key_from_passphrase(passphrase, base64.b64decode(k["salt"]), {p: int(k[p]) for p in SCRYPT_DEFAULTS})
            source = "the passphrase given"
        else:
            master = read_key_file(key_file)
            source = f"the key file {key_file}"
        keys = Keys.from_master(master)
        try:
            check = keys.open(base64.b64decode(self.data["check"]), "store.json")
        except (Unreadable, KeyError, ValueError):
            check = b""
        if check != _CHECK:
            raise WrongKey(self.path.parent, source)
        return keys

    def save(self, tmp_dir: Path) -> None:
        write_atomic(self.path, json.dumps(self.data, indent=2).encode() + b"\n", tmp_dir)

    @classmethod
    def create(cls, path: Path, tmp_dir: Path, *, key_file: Path, passphrase: str | None, schema_version: int, now: str) -> tuple[StoreMeta, Keys]:
        """Describe a new store; makes a key file if none exists (an existing one is reused)."""
        if passphrase is not None:
            salt = secrets.token_bytes(16)
            master = key_from_passphrase(passphrase, salt, SCRYPT_DEFAULTS)
            key: dict[str, Any] = {"source": "passphrase", "kdf": "scrypt", "salt": base64.b64encode(salt).decode(), **SCRYPT_DEFAULTS}
        else:
            master = read_key_file(key_file) if key_file.exists() else create_key_file(key_file)
            key = {"source": "file"}
        keys = Keys.from_master(master)
        data = {
            "kind": KIND,
            "format": LAYOUT_VERSION,
            "created_at": now,
            "schema_version": schema_version,
            "key": key,
            "check": base64.b64encode(keys.seal(_CHECK, "store.json")).decode(),
        }
        meta = cls(path, data)
        meta.save(tmp_dir)
        return meta, keys


class AuditAnchor:
    """The audit head kept in ``store.json``, rewritten (whole file, atomically) after every append."""

    def __init__(self, path: Path, tmp_dir: Path, keys: Keys):
        self.path = path
        self.tmp_dir = tmp_dir
        self.keys = keys

    def _mac(self, seq: int, mac: str) -> str:
        return hmac.new(self.keys.audit_mac, f"audit head {seq} {mac}".encode(), hashlib.sha256).hexdigest()

    def read(self) -> Head | None:
        """The head as kept, or None if none is kept; a head whose MAC does not match is ``StoreCorrupt``."""
        data = StoreMeta.read(self.path).data.get("audit_head")
        if data is None:
            return None
        try:
            head = Head(int(data["seq"]), str(data["mac"]))
            ok = hmac.compare_digest(str(data["check"]), self._mac(head.seq, head.mac))
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise StoreCorrupt(self.path, "holds an audit head that was changed by hand (its MAC does not match)")
        return head

    def write(self, head: Head) -> None:
        meta = StoreMeta.read(self.path)
        data = dict(meta.data, audit_head={"seq": head.seq, "mac": head.mac, "check": self._mac(head.seq, head.mac)})
        # No fsync of the folder: a head lost in a power cut is an older head, which the log still reaches.
        write_atomic(self.path, json.dumps(data, indent=2).encode() + b"\n", self.tmp_dir, sync_dir=False)
