"""A real ``python -m ketatui`` under a PTY at 80x24, killed mid-intake, then a new App resumes.

SIGKILL gives no warning: what was saved when the last field was left must be enough. SIGHUP is
what a dropped SSH connection sends (here both as a signal and by closing the terminal): the App
saves what is on screen, even the field still being typed in, before it goes.
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

import pytest

from ketatui.intake.document import Intake
from ketatui.screens.clinician_app import ClinicianApp
from ketatui.screens.medical_history import MedicalHistoryStep
from ketatui.screens.widgets import field_id

pytestmark = [pytest.mark.system, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX PTY")]

ROOT = Path(__file__).resolve().parents[2]
F2, F3, TAB, CTRL_N = "\x1bOQ", "\x1bOR", "\t", "\x0e"
VALUES = "medical_history.demographics"


class Terminal:
    """``python -m ketatui [ARGS]`` on a fresh 80x24 pseudo-terminal, its output drained in a thread."""

    def __init__(self, env: dict[str, str], args: tuple[str, ...] = ()) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the terminal's size, then ketatui (never back into pytest)
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
                os.chdir(ROOT)
                os.execvpe(sys.executable, [sys.executable, "-m", "ketatui", *args], env)
            finally:
                os._exit(127)
        self.output = bytearray()
        self.closed = False
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text.encode() in self.output:
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared on the terminal; last output: {bytes(self.output[-600:])!r}")

    def keys(self, *keys: str) -> None:
        """One key (or word) at a time, at a steady typist's pace. Keys that arrive in one burst
        across a focus change are a separate matter (burst-proof input), not what this file tests."""
        for key in keys:
            os.write(self.fd, key.encode())
            time.sleep(0.3)

    def exit_status(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("ketatui did not exit")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.fd)


@pytest.fixture
def store(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(KETATUI_DATA_DIR=str(tmp_path / "data"), KETATUI_KEY_FILE=str(tmp_path / "store.key"),
               KETATUI_USER="dr.lee", TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    env.pop("TEXTUAL", None)
    return env


def stored_answers(env: dict[str, str]) -> dict | None:
    """The medical history's saved answers, read from the store by another process (this one)."""
    from ketatui.storage import open_repository

    repository = open_repository(Path(env["KETATUI_DATA_DIR"]), key_file=Path(env["KETATUI_KEY_FILE"]))
    drafts = repository.drafts()
    if not drafts:
        return None
    doc = Intake.model_validate(repository.get(drafts[0].record_id, user="test"))
    return doc.form_state.get("medical_history")


def wait_stored(env: dict[str, str], check, what: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = stored_answers(env)
        if state and check(state):
            return state
        time.sleep(0.1)
    raise AssertionError(f"the store never had {what}: {stored_answers(env)}")


def type_first_page_and_part_of_the_second(term: Terminal) -> None:
    term.wait_for("ketatui · records")
    term.wait_for("Ctrl+N starts a new intake")  # the store opens in a thread; the list says when it has
    term.keys(CTRL_N)
    term.wait_for("About the person")
    term.keys("Alex Moreno", TAB, "1985-03-01", TAB, "2", TAB, "175", TAB, "70", F3)
    term.wait_for("page 2 of 10")
    term.keys("1", TAB, "14")


async def resumed(env: dict[str, str], monkeypatch) -> tuple[int, dict[str, str]]:
    """A new App on the same store: the first draft opens where it was left; what does it show?"""
    for key in ("KETATUI_DATA_DIR", "KETATUI_KEY_FILE", "KETATUI_USER"):
        monkeypatch.setenv(key, env[key])
    app = ClinicianApp()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if app.ready and getattr(app.screen, "rows", None):
                break
            await pilot.pause(0.05)
        await pilot.press("enter")
        for _ in range(200):
            if isinstance(app.screen, MedicalHistoryStep) and app.focused is not None:
                break
            await pilot.pause(0.05)
        step = app.screen
        assert isinstance(step, MedicalHistoryStep)
        page = step.page
        shown = {f"{name}": step.query_one(f"#{field_id(name)}").value for name in (
            "medical_history.psychiatric.diagnosis", "medical_history.psychiatric.episode_months")}
        await pilot.press("f2")
        await pilot.pause(0.2)
        shown.update({name: step.query_one(f"#{field_id(f'{VALUES}.{name}')}").value for name in (
            "full_name", "date_of_birth", "sex", "height_cm", "weight_kg")})
    return page, shown


EXPECTED = {
    "full_name": "Alex Moreno", "date_of_birth": "1985-03-01", "sex": "male", "height_cm": "175", "weight_kg": "70",
    "medical_history.psychiatric.diagnosis": "major depressive disorder", "medical_history.psychiatric.episode_months": "14",
}


async def test_sigkill_after_a_field_is_left_loses_nothing(store, monkeypatch) -> None:
    term = Terminal(store)
    try:
        type_first_page_and_part_of_the_second(term)
        term.keys(TAB)  # leave the field: that saves it
        wait_stored(store, lambda s: s["values"].get("medical_history.psychiatric.episode_months") == "14", "the episode length")
        os.kill(term.pid, signal.SIGKILL)
        assert term.exit_status() == -signal.SIGKILL
    finally:
        term.close()
    page, shown = await resumed(store, monkeypatch)
    assert page == 1, "the same page of the same step"
    assert shown == EXPECTED


@pytest.mark.parametrize("how", ["SIGHUP", "terminal closed"])
async def test_a_dropped_connection_keeps_even_the_field_being_typed(store, monkeypatch, how: str) -> None:
    term = Terminal(store)
    try:
        type_first_page_and_part_of_the_second(term)  # "14" typed, the field not left
        time.sleep(0.3)
        if how == "SIGHUP":
            os.kill(term.pid, signal.SIGHUP)
        else:
            term.close()  # the SSH connection drops: the kernel hangs up the terminal
        assert term.exit_status() in (128 + signal.SIGHUP, -signal.SIGHUP)
    finally:
        term.close()
    state = stored_answers(store)
    assert state["values"]["medical_history.psychiatric.episode_months"] == "14"
    page, shown = await resumed(store, monkeypatch)
    assert page == 1
    assert shown == EXPECTED
