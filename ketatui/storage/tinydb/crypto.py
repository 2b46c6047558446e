"""Encryption at rest: AES-256-GCM for every file that holds health data, and the key that opens it.

One master key per store, from a key file (32 random bytes, base64, created with mode 0600 on
first use) or derived from a passphrase with scrypt (salt and cost kept in ``store.json``). Two
keys are derived from it with HKDF: one encrypts data files, one signs the audit log, so the
audit MAC never reuses the encryption key.

A sealed file is ``MAGIC | 12-byte random nonce | ciphertext+tag``. The file's path inside the
store is the associated data, so a file copied over another (say one person's record over
someone else's) fails to open instead of showing the wrong person's data.
"""

from __future__ import annotations

import base64
import binascii
import errno
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ketatui.storage.atomic import fsync_dir
from ketatui.storage.errors import MissingKey
from ketatui.storage.paths import KEY_FORBIDDEN, check_mode

MAGIC = b"KTUI1"
NONCE_BYTES = 12
#: The magic and the nonce: unique to each sealing, so they identify one version of a file.
HEADER_BYTES = len(MAGIC) + NONCE_BYTES
KEY_BYTES = 32
SCRYPT_DEFAULTS = {"n": 2**15, "r": 8, "p": 1}


class Unreadable(Exception):
    """A sealed file that is not ours, is damaged, or was sealed with another key."""


@dataclass(frozen=True)
class Keys:
    """The two working keys derived from a store's master key."""

    data: AESGCM
    audit_mac: bytes

    @classmethod
    def from_master(cls, master: bytes) -> Keys:
        return cls(AESGCM(_derive(master, b"ketatui data v1")), _derive(master, b"ketatui audit v1"))

    def seal(self, plaintext: bytes, aad: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return MAGIC + nonce + self.data.encrypt(nonce, plaintext, aad.encode())

    def open(self, blob: bytes, aad: str) -> bytes:
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
            raise Unreadable("not an encrypted ketatui file (it is empty, truncated or of another kind)")
        nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
        try:
            return self.data.decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], aad.encode())
        except InvalidTag:
            raise Unreadable("could not be decrypted: it is damaged or was written with another key") from None


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(master)


def read_key_file(path: Path) -> bytes:
    """The master key from ``path``; refuses a missing, open or malformed key file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise MissingKey(
            f"The key file {path} does not exist, but this store was created with a key. Nothing was "
            "read or changed. Point KETATUI_KEY_FILE (or --key-file) at the store's key file."
        ) from None
    try:
        check_mode(path, os.fstat(fd).st_mode, KEY_FORBIDDEN)
        raw = os.read(fd, 4096)
    except IsADirectoryError:
        raise MissingKey(f"The key file {path} is a folder, not a key file. Nothing was read or changed. "
                         "Point KETATUI_KEY_FILE (or --key-file) at the store's key file.") from None
    except OSError as exc:
        raise MissingKey(f"The key file {path} cannot be read ({exc.strerror or exc}). Nothing was read or changed. "
                         "Check its owner and permissions.") from None
    finally:
        os.close(fd)
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise MissingKey(
            f"The file {path} is not a ketatui key file (expected one line of base64 holding "
            f"{KEY_BYTES} bytes). Nothing was read or changed. Check KETATUI_KEY_FILE."
        )
    return key


def create_key_file(path: Path) -> bytes:
    """Write a new random master key to ``path`` with mode 0600; never overwrites a file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        data = base64.b64encode(key) + b"\n"
        if os.write(fd, data) != len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        os.fsync(fd)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    fsync_dir(path.parent)  # the new key's name must survive a power cut as surely as the store it opens
    return key


def key_from_passphrase(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    if not passphrase:
        raise MissingKey("The passphrase is empty. Nothing was read or changed. Give the store's passphrase.")
    return Scrypt(salt=salt, length=KEY_BYTES, **params).derive(passphrase.encode())
