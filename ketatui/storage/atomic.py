"""Crash-safe file replacement: a reader sees the old file or the new one, never a mix.

Write to a temporary file in the store's own ``tmp/`` folder (same file system, so the rename
is atomic), fsync it, ``os.replace`` it over the target, then fsync the target's folder so the
rename itself survives a power cut. A process killed half-way leaves at most a stray file in
``tmp/``; ``clean_temp`` removes those while holding the store lock, when no writer can be
using them. (The derived list files are written out before the lock is taken and renamed under
it; one swept away meanwhile is simply not renamed, and written again later.)
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

FILE_MODE = 0o660  # further narrowed by the umask; never readable by others


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, tmp_dir: Path, *, sync_dir: bool = True, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``data``. With ``sync_dir=False`` the caller fsyncs the folder."""
    tmp = write_temp(path, data, tmp_dir, mode=mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def write_temp(path: Path, data: bytes, tmp_dir: Path, *, mode: int = FILE_MODE) -> Path:
    """``data`` written and fsynced in a new file in ``tmp_dir``, ready to be renamed over
    ``path`` (errors name ``path``). The caller renames it, or removes it."""
    tmp = tmp_dir / f"{os.getpid()}-{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            if written <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            view = view[written:]
        os.fsync(fd)
    except BaseException as exc:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from None
        raise
    os.close(fd)
    return tmp


def _naming(error: OSError, path: Path) -> OSError:
    """``error`` naming ``path`` (the file being written) rather than a temp file or nothing at all,
    so "No space left on device" says which file could not be written."""
    return type(error)(error.errno, error.strerror or str(error), str(path))


def remove_durably(path: Path) -> bool:
    """Delete ``path`` and make the deletion durable; False if it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True


def clean_temp(tmp_dir: Path) -> int:
    """Remove every file left in ``tmp_dir``; only call with the store lock held."""
    removed = 0
    for entry in os.scandir(tmp_dir):
        if entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
            removed += 1
    return removed
