"""One writer at a time across processes: an ``flock`` on a separate lock file, held only for a write.

The lock is on ``<store>/.lock``, never on a data file, so readers are never blocked and a
data file is never held open across a replace. The kernel drops the lock when its holder dies
(even by ``kill -9``), so a crashed session cannot wedge the store. A lock taken on a lock file
that is no longer at its path (the store folder was replaced by a restore meanwhile) is let
go and taken again on the new one. Each acquisition opens its
own descriptor, which also serialises threads of one process.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ketatui.storage.errors import StorageError, StoreLocked

DEFAULT_TIMEOUT = 10.0


class StoreLock:
    def __init__(self, path: Path, timeout: float = DEFAULT_TIMEOUT):
        self.path = path
        self.timeout = timeout

    @contextmanager
    def hold(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the lock for the ``with`` body; raise ``StoreLocked`` after ``timeout`` seconds."""
        wait = self.timeout if timeout is None else timeout
        fd = self._acquire(wait)
        if fd is None:
            raise StoreLocked(self.path, wait)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @contextmanager
    def try_hold(self) -> Iterator[bool]:
        """Hold the lock if it is free right now; the body gets False (and no lock) if not."""
        fd = self._acquire(0.0)
        try:
            yield fd is not None
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o660)
        except OSError as exc:
            raise StorageError(
                f"Cannot use the lock file {self.path} ({exc.strerror or exc}). Nothing was changed. "
                f"Check that this account may write to {self.path.parent}."
            ) from None

    def _acquire(self, wait: float) -> int | None:
        fd = self._open()
        deadline = time.monotonic() + wait
        pause = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if self._still_the_lock_file(fd):
                    return fd
                # The store was replaced (a restore) while this waited: the lock held is the old
                # store's. Wait on the new store's lock file instead, or writes would not be serialised.
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
                fd = self._open()
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return None
                time.sleep(pause)
                pause = min(pause * 2, 0.02)

    def _still_the_lock_file(self, fd: int) -> bool:
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)
