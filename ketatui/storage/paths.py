"""The permission rule for a store's files, and reading them under it.

Where the store and its key are comes from the settings (``ketatui.settings``); the key lives
outside the data folder by default so a copy of the data (or a backup) is useless without it.

Permissions: nothing in the store may be open to "others" (the last octal digit), so a shared
server can give the clinic's group access (``chmod 770``/``660`` with ``umask 007``) while
everybody else is kept out. The key file may at most be readable by the group.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ketatui.storage.errors import InsecurePermissions, StoreUnreadable

#: Permission bits that must be clear on the data folder and every file in it.
OTHERS = 0o007
#: Permission bits that must be clear on the key file (group may read it, nothing more).
KEY_FORBIDDEN = 0o037


def check_mode(path: Path, mode: int, forbidden: int = OTHERS) -> None:
    """Refuse a file or folder whose mode grants any of ``forbidden``."""
    if mode & forbidden:
        allowed = stat.S_IMODE(mode) & ~forbidden
        raise InsecurePermissions(path, stat.S_IMODE(mode), f"chmod {allowed:o} {path}")


def check_path(path: Path, forbidden: int = OTHERS) -> None:
    check_mode(path, path.stat().st_mode, forbidden)


def open_file(path: Path) -> int | None:
    """A read-only descriptor for ``path``, or None if there is no such file."""
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreUnreadable(path, exc) from None


def read_fd(fd: int, path: Path, *, offset: int = 0, size: int | None = None) -> bytes:
    """Bytes of the file behind ``fd`` (all of it by default), after checking nobody else may read it."""
    try:
        status = os.fstat(fd)
        check_mode(path, status.st_mode)
        if size is not None:
            return os.pread(fd, size, offset)
        # One read of the whole file (one copy in memory, not chunks and their join); more only
        # if it grew meanwhile.
        chunks = [os.read(fd, status.st_size + 1)]
        while chunks[-1] and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        raise StoreUnreadable(path, exc) from None


def read_private(path: Path) -> bytes | None:
    """The whole of ``path``, or None if it does not exist; refuses a file open to others."""
    fd = open_file(path)
    if fd is None:
        return None
    try:
        return read_fd(fd, path)
    finally:
        os.close(fd)
