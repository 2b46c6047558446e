"""``ketatui train`` and ``demo-data`` as a trainer runs them: real processes, the trainer App on a
real pseudo-terminal, and the real store never touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from test_resume_after_kill import Terminal

pytestmark = [pytest.mark.system, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX PTY")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), KETATUI_DATA_DIR=str(tmp_path / "data"),
               KETATUI_KEY_FILE=str(tmp_path / "ketatui.key"), KETATUI_USER="sam.trainee",
               KETATUI_TRAINING_DATA_DIR=str(tmp_path / "training"), KETATUI_SCENARIOS_DIR=str(tmp_path / "scenarios"))
    return env


@pytest.fixture
def ketatui(env, tmp_path):
    def run(*args: str, expect: int = 0, **extra_env: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "ketatui", *args], cwd=tmp_path, env={**env, **extra_env},
                                capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert "Traceback" not in result.stderr
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    return run


def test_list_shows_every_scenario_and_json_gives_id_title_and_expected_flags(ketatui, tmp_path) -> None:
    table = ketatui("train", "--list").stdout
    assert table.splitlines()[0].split()[:2] == ["SCENARIO", "TITLE"]
    assert "bp-out-of-range" in table and "BP-SEVERE" in table and "11 scenario(s)" in table
    listed = json.loads(ketatui("train", "--list", "--format", "json").stdout)
    assert {s["id"]: s["expected_flags"] for s in listed}["maoi-stimulant-brands"] == ["INT-MAOI", "INT-STIMULANT"]
    assert all({"id", "title", "expected_flags"} <= set(s) for s in listed)

    own = tmp_path / "scenarios"
    own.mkdir()
    base = (ROOT / "ketatui" / "data" / "scenarios" / "no-escort.toml").read_text()
    (own / "bus.toml").write_text(base.replace('id = "no-escort"', 'id = "bus-home"'))
    (own / "typo.toml").write_text(base.replace('id = "no-escort"', 'id = "typo"').replace("pulse = 74", "pulse = 7"))
    out = ketatui("train", "--list", "--format", "json", expect=2)
    assert "bus-home" in {s["id"] for s in json.loads(out.stdout)}
    assert "typo.toml cannot be used" in out.stderr and "key 'intake.medical_history.vitals.pulse'" in out.stderr


def test_results_and_summary_list_kept_scorecards(ketatui, tmp_path) -> None:
    from ketatui.clinical.protocol import default_protocol
    from ketatui.training.results import Results
    from ketatui.training.scenario import Library
    from ketatui.training.scorecard import score

    library, start = Library(), datetime(2027, 1, 11, 9, tzinfo=timezone.utc)
    for trainee, scenario_id, drop in (("sam.trainee", "pregnancy", True), ("ana", "pregnancy", False)):
        scenario = library.get(scenario_id)
        intake = scenario.correct_intake()
        intake.medical_history.physical.trying_to_conceive = not drop
        Results(tmp_path / "training" / "scorecards").save(score(
            scenario, intake, default_protocol(), trainee=trainee, started_at=start, finished_at=start + timedelta(minutes=11),
            crisis_help_shown=False))
    mine = ketatui("train", "results").stdout
    assert "Scorecards of sam.trainee" in mine and "pregnancy" in mine and "CI-PREGNANCY" in mine and "11 min 00 s" in mine
    assert "perfect" in ketatui("train", "results", "--trainee", "ana").stdout
    view = ketatui("train", "summary").stdout
    assert "CI-PREGNANCY" in view and "sam.trainee (1)" in view and "###############..............." in view
    assert json.loads(ketatui("train", "summary", "--format", "json").stdout)["flags"][0]["missed_by"] == {"sam.trainee": 1}


def test_an_unknown_scenario_or_an_overlapping_folder_is_refused_in_words(ketatui, tmp_path) -> None:
    assert "'nope' is not a scenario" in ketatui("train", "nope", expect=2).stderr
    out = ketatui("train", "--list", expect=2, KETATUI_TRAINING_DATA_DIR=str(tmp_path / "data" / "training"))
    assert "overlaps the real store" in out.stderr


def test_demo_data_never_goes_into_a_store_with_real_records(ketatui, tmp_path) -> None:
    ketatui("records", "import", str(ROOT / "examples" / "01-treatment-resistant-uncomplicated.json"))
    before = {p: p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file() and p.name != ".lock"}
    out = ketatui("demo-data", "--count", "3", expect=2)
    assert "holds 1 real record(s)" in out.stderr and "--training-store" in out.stderr
    assert {p: p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file() and p.name != ".lock"} == before
    assert "Created 3 synthetic" in ketatui("demo-data", "--count", "3", "--training-store").stdout
    rows = json.loads(ketatui("records", "list", "--format", "json", "--data-dir", str(tmp_path / "training" / "store"),
                              "--key-file", str(tmp_path / "training" / "training.key")).stdout)
    assert len(rows) == 3 and all(r["training"] for r in rows)


def test_the_trainer_app_on_a_real_terminal_with_no_colour(env, tmp_path) -> None:
    term = Terminal({**env, "NO_COLOR": "1", "TERM": "xterm-256color"}, ("train", "bp-out-of-range"))
    term.wait_for("TRAINING", timeout=30)
    term.wait_for("get on with it")  # the patient's first words
    os.write(term.fd, b"\x1b[17~")  # F6 on Full name
    term.wait_for("14th of June 1974")
    os.write(term.fd, b"\x11")  # ctrl+q
    assert term.exit_status(timeout=20) == 0
    term.close()
    assert not (tmp_path / "data").exists() and not (tmp_path / "ketatui.key").exists(), "the real store was never opened"
