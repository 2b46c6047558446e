"""The clinician app on the terminals clinicians have: a real ``ketatui`` on an 80x24 PTY under
each ``TERM`` (``COLORTERM`` unset, as over SSH), read through a VT emulator.

On every one the same page reads the same in words: the chosen answer is marked (●), a wrong
answer has its "!" message and the "Not moved on" notice. On 16-colour terminals (``linux``,
``vt220``) only the 16 ANSI colours are sent; with ``NO_COLOR`` no hue at all (greys only), so
nothing can rest on colour.

Run: ``.venv/bin/pytest -q tests/system/test_terminals.py``
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from terminal import CTRL_N, F3, TAB, Terminal

pytestmark = [pytest.mark.system, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX PTY")]

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "xterm-256color": ("xterm-256color", {}),
    "screen-256color": ("screen-256color", {}),
    "tmux-256color": ("tmux-256color", {}),
    "linux": ("linux", {}),
    "vt220": ("vt220", {}),
    "NO_COLOR": ("xterm-256color", {"NO_COLOR": "1"}),
}
SIXTEEN = {"default", "black", "red", "green", "brown", "blue", "magenta", "cyan", "white"}
SIXTEEN |= {f"bright{name}" for name in SIXTEEN - {"default"}}


def colours(term: Terminal) -> set[str]:
    """Every foreground and background colour on screen, as pyte names them (a name for the 16
    ANSI colours, six hex digits for any other)."""
    return {colour for row in term.cells() for cell in row for colour in (cell.fg, cell.bg)}


def grey(colour: str) -> bool:
    if colour in ("default", "black", "white", "brightblack", "brightwhite"):
        return True
    return len(colour) == 6 and colour[0:2] == colour[2:4] == colour[4:6]


@pytest.mark.parametrize("case", list(CASES))
def test_a_page_with_a_wrong_answer_reads_the_same_in_words(tmp_path: Path, case: str) -> None:
    term_name, extra = CASES[case]
    env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "NO_COLOR", "TEXTUAL", "COLUMNS", "LINES")}
    env.update(KETATUI_DATA_DIR=str(tmp_path / "data"), KETATUI_KEY_FILE=str(tmp_path / "store.key"),
               KETATUI_USER="dr.lee", TERM=term_name, **extra)
    term = Terminal(["timeout", "-s", "KILL", "120", sys.executable, "-m", "ketatui"], env, cwd=str(ROOT))
    try:
        screen = term.wait_for("Ctrl+N starts a new intake")
        assert "Clinician: dr.lee" in screen
        term.write(CTRL_N)
        term.wait_for("About the person")
        term.write("Pat Doe" + TAB + "1990-01-01" + TAB + "1" + TAB + "170" + TAB + "500" + F3)
        screen = term.wait_for(lambda shown: "! 500 is outside the accepted range 25 to" in shown and "Not moved on" in shown)
        assert "●1 female ○2 male ○3 intersex ○4 not stated" in screen, "the chosen answer is marked, not coloured"
        assert "Step 1 of 5: Medical history · page 1 of 10" in screen
        assert "· dr.lee" in screen.splitlines()[0]
        used = colours(term)
        if case in ("linux", "vt220"):
            assert used <= SIXTEEN, f"only the 16 ANSI colours on a 16-colour terminal: {sorted(used - SIXTEEN)}"
        if case == "NO_COLOR":
            assert all(grey(c) for c in used), f"NO_COLOR: no hue, greys only: {sorted(c for c in used if not grey(c))}"
    finally:
        term.close()
