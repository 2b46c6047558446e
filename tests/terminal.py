"""A program on a real pseudo-terminal, read through a VT emulator (pyte) as a person sees it.

Used by the system tests that need what is on screen rather than the bytes sent: ketatui under
several ``TERM`` values, over ssh, and fed keys in bursts. ``text()`` is the 24 lines of the
screen; ``cells()`` gives each character's colours and attributes, for the colour checks.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import termios
import threading
import time
from collections.abc import Callable, Sequence

import pyte

F2, F3, F4, TAB, ENTER, CTRL_N, CTRL_Q, ESC = "\x1bOQ", "\x1bOR", "\x1bOS", "\t", "\r", "\x0e", "\x11", "\x1b"


class Terminal:
    """``argv`` on a fresh ``columns``x``lines`` pseudo-terminal; its output drained in a thread."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], *, columns: int = 80, lines: int = 24,
                 cwd: str | None = None) -> None:
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._lock = threading.Lock()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the terminal's size, then the program (never back into pytest)
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], list(argv), env)
            finally:
                os._exit(127)
        self.closed = False
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.raw += chunk
                try:
                    self.stream.feed(chunk)
                except Exception:  # an odd sequence must not stop the reading
                    pass
                if b"\x1b[6n" in chunk:  # a cursor position request (ssh's tty probe): answer like a terminal
                    y, x = self.screen.cursor.y + 1, self.screen.cursor.x + 1
                    os.write(self.fd, f"\x1b[{y};{x}R".encode())

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.screen.display)

    def cells(self) -> list[list]:
        """Each line's characters with their colours and attributes (pyte ``Char``)."""
        with self._lock:
            return [[self.screen.buffer[y][x] for x in range(self.screen.columns)] for y in range(self.screen.lines)]

    def wait_for(self, what: str | Callable[[str], bool], timeout: float = 30.0) -> str:
        """The screen once it shows ``what`` (or ``what(screen)`` is true)."""
        check = what if callable(what) else (lambda screen: what in screen)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.text()
            if check(shown):
                return shown
            if self.exited() is not None and not check(self.text()):
                break
            time.sleep(0.05)
        raise AssertionError(f"{what!r} never appeared on the terminal; the screen shows:\n{self.text()}")

    def write(self, data: str | bytes) -> None:
        """Everything in ONE write(): to the program it arrives as a burst."""
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def keys(self, *keys: str, gap: float = 0.3) -> None:
        """One key (or word) at a time, at a steady typist's pace."""
        for key in keys:
            self.write(key)
            time.sleep(gap)

    def exited(self) -> int | None:
        if hasattr(self, "_status"):
            return self._status
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return -1
        if pid:
            self._status = os.waitstatus_to_exitcode(status)
            return self._status
        return None

    def exit_status(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.exited()
            if status is not None:
                return status
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"the program did not exit; the screen shows:\n{self.text()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """The program and everything it started (a ``timeout`` wrapper's child too): the child of
        ``pty.fork`` leads its own session and process group."""
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        """Hang up: close the terminal (the kernel sends SIGHUP), then make sure the child is gone."""
        if not self.closed:
            self.closed = True
            os.close(self.fd)
            deadline = time.monotonic() + 10
            while self.exited() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.exited() is None:
                self.kill()
                self.exit_status()
