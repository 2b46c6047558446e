"""A terminal that goes away without a SIGHUP reaching ketatui (a wrapper kept it, or the login's
shell did not pass it on): the App notices the terminal has gone, saves what was typed, and exits,
instead of reading end-of-file for ever at full CPU with health data in memory."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from terminal import CTRL_N, TAB, Terminal

from ketatui.storage.backends import open_repository

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]
# SIGHUP blocked before ketatui starts (a blocked signal stays blocked across exec): the kernel's
# hang-up never reaches it, so only its own watch of the terminal can notice.
NO_HANGUP = ("import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP}); "
             "os.execv(sys.executable, [sys.executable, '-m', 'ketatui'])")


def test_a_terminal_gone_without_a_hang_up_still_saves_and_ends_the_app(tmp_path: Path) -> None:
    env = dict(os.environ, KETATUI_DATA_DIR=str(tmp_path / "data"), KETATUI_KEY_FILE=str(tmp_path / "store.key"),
               KETATUI_USER="dr.lee", TERM="xterm-256color")
    term = Terminal([sys.executable, "-c", NO_HANGUP], env, cwd=str(ROOT))
    try:
        term.wait_for("Ctrl+N starts a new intake")
        term.write(CTRL_N)
        term.wait_for("About the person")
        term.write("Robin Gone" + TAB)
        term.wait_for("Robin Gone")
        time.sleep(0.5)
        os.close(term.fd)  # the terminal goes; no SIGHUP reaches the program
        term.closed = True
        deadline = time.monotonic() + 30
        while term.exited() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert term.exited() is not None, "ketatui kept running after its terminal had gone"
    finally:
        term.kill()
    repository = open_repository(tmp_path / "data", key_file=tmp_path / "store.key")
    assert [row.full_name for row in repository.list()] == ["Robin Gone"]  # what was typed was saved
