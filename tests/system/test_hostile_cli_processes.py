"""A handful of hostile intakes through a real ``ketatui`` process (the many are in-process, in
tests/unit/test_fuzz_cli.py): the exit status, the words on stderr and no escape sequence
reaching the terminal are what a clinician would see."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]
BASE = json.loads((ROOT / "examples" / "01-treatment-resistant-uncomplicated.json").read_text(encoding="utf-8"))


def with_value(path: str, raw: str) -> str:
    data = json.loads(json.dumps(BASE))
    data.pop("record_id", None)
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = "__X__"
    return json.dumps(data).replace('"__X__"', raw)


CASES = [
    ("deep nesting", "[" * 1000 + "]" * 1000, "nested too deeply", "ntake file"),
    ("5,000-digit number", with_value("rev", "9" * 5000), "5,000 digits", "Revision"),
    ("NaN", with_value("medical_history.demographics.weight_kg", "NaN"), "NaN and infinity are not numbers", "Weight (kg)"),
    ("escape in a name", with_value("medical_history.demographics.full_name", json.dumps("Ana\x1b[2J")), "U+001B (escape)", "Full name"),
    ("true as an answer", with_value("phq9.answers", "[true,1,1,1,1,1,1,1,1]"), "enter a whole number", "PHQ-9 question #1"),
    ("a string for a section", with_value("medical_history", '"x"'), "expected a group of fields", "Medical history"),
]


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), KETATUI_DATA_DIR=str(tmp_path / "data"),
               KETATUI_KEY_FILE=str(tmp_path / "store.key"), KETATUI_USER="dr.lee")

    def call(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ketatui", *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=60)

    return call


@pytest.mark.parametrize(("what", "text", "words", "field"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_intake_is_bad_input_in_plain_words(run, tmp_path, what, text, words, field):
    source = tmp_path / "intake.json"
    source.write_text(text, encoding="utf-8")
    for command in (["plan", str(source), "--format", "markdown"], ["records", "import", str(source)]):
        result = run(*command)
        assert result.returncode == 2, (command, result.stderr)
        assert words in result.stderr and field in result.stderr
        assert "Traceback" not in result.stderr and "something went wrong" not in result.stderr
        assert "\x1b" not in result.stdout + result.stderr


def test_bytes_that_are_not_utf8_and_a_folder_name_the_file(run, tmp_path):
    bad = tmp_path / "latin1.json"
    bad.write_bytes(with_value("medical_history.demographics.full_name", '"Jos\xe9"').encode("latin-1"))
    folder = tmp_path / "a-folder.json"
    folder.mkdir()
    for source in (bad, folder):
        result = run("records", "import", str(source))
        assert result.returncode == 2 and source.name in result.stderr and "Traceback" not in result.stderr
