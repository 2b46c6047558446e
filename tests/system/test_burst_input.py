"""Keys that arrive together land where they were typed: a real ``ketatui`` on an 80x24 PTY is sent
whole pages of answers in ONE write() (what a stalled SSH link delivers when it recovers), and
every field is checked on screen and in the store.

Run: ``.venv/bin/pytest -q tests/system/test_burst_input.py``
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from terminal import CTRL_N, F2, F3, TAB, Terminal

pytestmark = [pytest.mark.system, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX PTY")]

ROOT = Path(__file__).resolve().parents[2]
CTRL_S = "\x13"
DEMOGRAPHICS = "medical_history.demographics"
PSYCHIATRIC = "medical_history.psychiatric"

#: Page 1 (about the person) and page 2 (depression history), typed as a fast typist would.
PAGE_1 = "Fast Typist" + TAB + "1990-01-01" + TAB + "4" + TAB + "170" + TAB + "70"
PAGE_2 = "1" + TAB + "14" + TAB + "yny"  # MDD, 14 months; ECT yes, TMS no, ketamine before yes (each key moves on)
EXPECTED = {
    f"{DEMOGRAPHICS}.full_name": "Fast Typist",
    f"{DEMOGRAPHICS}.date_of_birth": "1990-01-01",
    f"{DEMOGRAPHICS}.sex": "not stated",
    f"{DEMOGRAPHICS}.height_cm": "170",
    f"{DEMOGRAPHICS}.weight_kg": "70",
    f"{PSYCHIATRIC}.diagnosis": "major depressive disorder",
    f"{PSYCHIATRIC}.episode_months": "14",
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(KETATUI_DATA_DIR=str(tmp_path / "data"), KETATUI_KEY_FILE=str(tmp_path / "store.key"),
               KETATUI_USER="dr.lee", TERM="xterm-256color")
    for name in ("NO_COLOR", "TEXTUAL", "COLUMNS", "LINES"):
        env.pop(name, None)
    return env


def stored_state(env: dict[str, str]) -> dict:
    from ketatui.intake.document import Intake
    from ketatui.storage import open_repository

    repository = open_repository(Path(env["KETATUI_DATA_DIR"]), key_file=Path(env["KETATUI_KEY_FILE"]))
    drafts = repository.drafts()
    assert drafts, "nothing was saved"
    return Intake.model_validate(repository.get(drafts[0].record_id, user="test")).form_state["medical_history"]


def wait_stored(env: dict[str, str], timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    values: dict = {}
    while time.monotonic() < deadline:
        try:
            values = stored_state(env)["values"]
        except AssertionError:
            values = {}
        if all(values.get(k) == v for k, v in EXPECTED.items()):
            return values
        time.sleep(0.2)
    return values


def start(env: dict[str, str]) -> Terminal:
    term = Terminal(["timeout", "-s", "KILL", "120", sys.executable, "-m", "ketatui"], env, cwd=str(ROOT))
    term.wait_for("Ctrl+N starts a new intake")  # the store is open
    return term


def test_two_pages_and_a_save_in_one_write_land_in_their_fields(env) -> None:
    term = start(env)
    try:
        # Everything from the records list on, in one write(): new intake, two pages, Next, Save.
        term.write(CTRL_N + PAGE_1 + F3 + PAGE_2 + CTRL_S)
        screen = term.wait_for("Draft saved")
        assert "page 2 of 10" in screen
        assert "●1 major depressive disorder" in screen
        assert "Length of current episode (months)  ▌14 " in screen
        line = {words: next(l for l in screen.splitlines() if words in l) for words in ("Had ECT before", "Had TMS before", "Had ketamine or esketamine")}
        assert "●y Yes" in line["Had ECT before"] and "●n No" in line["Had TMS before"]
        assert "●y Yes" in line["Had ketamine or esketamine"]
        values = wait_stored(env)
        assert {k: values.get(k) for k in EXPECTED} == EXPECTED
        assert values.get(f"{PSYCHIATRIC}.prior_ect") is True
        assert values.get(f"{PSYCHIATRIC}.prior_ketamine") is True
        assert values.get(f"{PSYCHIATRIC}.prior_tms") is False, "an answered no, not an unanswered question"
        term.write(F2)  # back to page 1: every answer is where it was typed
        screen = term.wait_for("About the person")
        assert "Full name                           ▌Fast Typist " in screen
        assert "Date of birth                       ▌1990-01-01 " in screen
        assert "●4 not stated" in screen and "○1 female" in screen
        assert "Height (cm)                         ▌170 " in screen
        assert "Weight (kg)                         ▌70 " in screen
    finally:
        term.close()


@pytest.mark.parametrize("gap", [0.0, 0.002, 0.01])
def test_a_page_typed_key_by_key_at_any_speed(env, gap: float) -> None:
    """The issue's own burst (name, Tab, date, Tab, 4 …) one key per write with small gaps."""
    term = start(env)
    try:
        term.write(CTRL_N)
        term.wait_for("About the person")
        for key in ["Fast Typist", TAB, "1990-01-01", TAB, "4", TAB, "170", TAB, "70", TAB]:
            for char in ([key] if key.startswith("\x1b") else key):
                term.write(char)
                if gap:
                    time.sleep(gap)
        screen = term.wait_for("Weight (kg)                         ▌70 ")
        assert "Full name                           ▌Fast Typist " in screen
        assert "Date of birth                       ▌1990-01-01 " in screen
        assert "●4 not stated" in screen
        assert "Height (cm)                         ▌170 " in screen
    finally:
        term.close()
