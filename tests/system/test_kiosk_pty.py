"""The real ``ketatui kiosk`` under a PTY at 80x24, read as a terminal shows it (pyte).

One kiosk is sent every escape key and the interrupt, quit and suspend signals, and must still
be running and answering keys; then nobody touches it, and after the short idle timeout and its
warning the terminal is cleared (scrollback too) and shows the welcome again. A second test runs
a kiosk and the clinician's App side by side: a positive suicide screen at the kiosk is urgent
at the top of the clinician's records list within 2 seconds.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import threading
import time
from pathlib import Path

import pyte
import pytest

from ketatui.kiosk.staff_pin import hash_pin

pytestmark = [pytest.mark.system, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX PTY")]

ROOT = Path(__file__).resolve().parents[2]
ENTER, TAB, F3, CTRL_O = "\r", "\t", "\x1bOR", "\x0f"
#: Ctrl+C, Ctrl+Q, Ctrl+\, Ctrl+Z, Ctrl+P, Ctrl+D, Escape, then F1, F2 and F4 to F12 (F3 is Next).
ESCAPE_KEYS = ("\x03", "\x11", "\x1c", "\x1a", "\x10", "\x04", "\x1b",
               "\x1bOP", "\x1bOQ", "\x1bOS", "\x1b[15~", "\x1b[17~", "\x1b[18~", "\x1b[19~", "\x1b[20~",
               "\x1b[21~", "\x1b[23~", "\x1b[24~")
PIN = "246810"


class Terminal:
    """A command on a fresh 80x24 pseudo-terminal; its output drained in a thread into a screen."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the terminal's size, then ketatui (never back into pytest)
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
                os.chdir(ROOT)
                os.execvpe(sys.executable, [sys.executable, "-m", "ketatui", *args], env)
            finally:
                os._exit(127)
        self.raw = bytearray()
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.raw += chunk
                self.stream.feed(chunk)

    def lines(self) -> list[str]:
        with self.lock:
            return list(self.screen.display)

    def text(self) -> str:
        return " ".join(" ".join(self.lines()).split())

    def wait_for(self, words: str, timeout: float = 30.0) -> float:
        """Wait until ``words`` are on the screen; the moment they were seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if words in self.text():
                return time.monotonic()
            time.sleep(0.02)
        raise AssertionError(f"{words!r} never appeared; the screen:\n" + "\n".join(self.lines()))

    def keys(self, *keys: str, pause: float = 0.25) -> None:
        for key in keys:
            os.write(self.fd, key.encode())
            time.sleep(pause)

    def state(self) -> str:
        """The process's state letter (R, S, T for stopped, Z); "gone" once reaped."""
        pid, _ = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            return "gone"
        return Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


@pytest.fixture
def clinic(tmp_path: Path) -> dict[str, str]:
    """One store, one key, a staff PIN and a short idle time, through the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    env.update({
        "KETATUI_DATA_DIR": str(tmp_path / "data"), "KETATUI_KEY_FILE": str(tmp_path / "store.key"),
        "KETATUI_CONFIG": str(tmp_path / "settings.toml"), "KETATUI_KIOSK_IDLE_WARNING": "3",
        "KETATUI_KIOSK_STAFF_PIN": hash_pin(PIN), "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
    })
    (tmp_path / "settings.toml").write_text('clinic_contact = "the front desk, 555-0100"\n')
    return env


@pytest.fixture
def terminals():
    started: list[Terminal] = []

    def start(args: list[str], env: dict[str, str]) -> Terminal:
        started.append(Terminal(args, env))
        return started[-1]

    yield start
    for terminal in started:
        terminal.stop()


def test_no_key_or_signal_ends_the_kiosk_and_the_idle_reset_brings_back_the_welcome(clinic, terminals) -> None:
    kiosk = terminals(["kiosk", "--idle-timeout", "5"], dict(clinic, KETATUI_USER="waiting-room"))
    kiosk.wait_for("Press Enter to begin.")
    kiosk.keys(ENTER)
    kiosk.wait_for("About the treatment (1 of 6)")
    kiosk.keys(*ESCAPE_KEYS)
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
        os.kill(kiosk.pid, sig)
        time.sleep(0.3)
        assert kiosk.state() not in ("gone", "T", "Z"), f"{sig.name} stopped or ended the kiosk"
    assert kiosk.state() not in ("gone", "T", "Z")
    # Still answering keys, on the same page: nothing above took it anywhere.
    assert "About the treatment (1 of 6)" in kiosk.text()
    kiosk.keys(*[ENTER] * 6)
    kiosk.wait_for("Your full name")
    kiosk.keys("Sam Rivera", TAB)
    kiosk.wait_for("Sam Rivera")
    # Nobody touches it: the warning, then the welcome, with the screen and scrollback cleared.
    kiosk.wait_for("Are you still there?", timeout=15)
    before = len(kiosk.raw)
    kiosk.wait_for("Press Enter to begin.", timeout=15)
    assert b"\x1b[3J" in kiosk.raw[before:], "the scrollback was not cleared"
    assert "Sam" not in kiosk.text() and kiosk.state() not in ("gone", "T", "Z")


def test_a_positive_screen_at_the_kiosk_is_urgent_at_the_top_of_the_clinicians_list_within_2_seconds(clinic, terminals) -> None:
    clinician = terminals([], dict(clinic, KETATUI_USER="dr.lee"))
    clinician.wait_for("No records here")
    kiosk = terminals(["kiosk", "--idle-timeout", "600"], dict(clinic, KETATUI_USER="waiting-room"))
    kiosk.wait_for("Press Enter to begin.")
    kiosk.keys(*[ENTER] * 7)
    kiosk.wait_for("Your full name")
    kiosk.keys("Sam Rivera", TAB, "1985-02-03", TAB, "2", TAB, F3)
    kiosk.wait_for("Months you have felt this way")
    kiosk.keys("14", CTRL_O, F3)  # none of these: every question on the page answered no
    for title in ("Medicines for depression you have tried", "Alcohol and drugs", "Your heart, blood and brain",
                  "Your eyes, liver, thyroid and more", "nothing to fill in", "Over the last 2 weeks"):
        kiosk.wait_for(title)
        if title in ("Alcohol and drugs", "Your heart, blood and brain", "Your eyes, liver, thyroid and more"):
            kiosk.keys(CTRL_O)
        if title != "Over the last 2 weeks":
            kiosk.keys(F3)
    time.sleep(0.5)  # the first question takes the focus as the page is drawn
    kiosk.keys(*"00000000", pause=0.3)
    clinician_first_row = lambda: next((line for line in clinician.lines() if "Sam Rivera" in line or "no name" in line), "")  # noqa: E731
    kiosk.keys("1", pause=0)  # question 9: "Several days"
    shown = kiosk.wait_for("Please tell a member of staff now", timeout=10)
    deadline = shown + 2.0
    while time.monotonic() < deadline and not ("!!" in clinician_first_row() and "Sam Rivera" in clinician_first_row()):
        time.sleep(0.02)
    row = clinician_first_row()
    print(f"urgent at the top of the clinician's list {time.monotonic() - shown:.2f} s after the kiosk's crisis screen")
    assert "!!" in row and "Sam Rivera" in row, f"not urgent on the clinician's list 2 s after the kiosk's crisis screen:\n" + "\n".join(clinician.lines())
    rows = [line for line in clinician.lines() if "!!" in line or "Sam Rivera" in line]
    assert rows[0] == row, "the urgent intake is the first row"


def test_hash_pin_asks_twice_without_echo_and_prints_the_settings_line(clinic, terminals) -> None:
    from ketatui.kiosk.staff_pin import StaffPin

    maker = terminals(["kiosk", "--hash-pin"], clinic)
    maker.wait_for("New staff PIN")
    maker.keys("135790\r")
    maker.wait_for("The same PIN again")
    maker.keys("135790\r")
    maker.wait_for("kiosk_staff_pin = ")
    assert "135790" not in maker.text(), "the PIN was shown as it was typed"
    maker.wait_for("Put this line in the kiosk's settings file")
    printed = bytes(maker.raw).decode().replace("\r", "").replace("\n", "")
    hashed = printed.split('kiosk_staff_pin = "', 1)[1].split('"', 1)[0]
    assert StaffPin(hashed, Path(clinic["KETATUI_DATA_DIR"]) / "tries.json").check("135790").ok
