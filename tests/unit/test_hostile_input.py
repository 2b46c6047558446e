"""Hostile input through the real CLI entry point: every one is refused as bad input (exit 2)
with a message naming the field, never the catch-all, and nothing it holds can drive the terminal.

Each test calls ``ketatui.cli.main`` in-process, as the ``ketatui`` script does.
"""

from __future__ import annotations

import json
import uuid

import pytest

import builders
from ketatui.cli import main

CATCH_ALL = "something went wrong"


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """``run(*args) -> (code, out, err)`` with a throwaway store and no settings from the environment."""
    for name in ("KETATUI_CONFIG", "KETATUI_DATA_DIR", "KETATUI_KEY_FILE", "KETATUI_USER", "KETATUI_BACKEND", "KETATUI_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("KETATUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KETATUI_KEY_FILE", str(tmp_path / "store.key"))
    monkeypatch.setenv("KETATUI_USER", "dr.lee")
    monkeypatch.chdir(tmp_path)

    def call(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        assert CATCH_ALL not in err and "Traceback" not in err
        return code, out, err

    return call


def write(tmp_path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


# ----- 7: bad input reaches a bad-input error -------------------------------------------------


@pytest.mark.parametrize("command", [("plan",), ("records", "import")])
def test_json_nested_a_thousand_deep_is_bad_input(run, tmp_path, command):
    path = write(tmp_path, "deep.json", "[" * 1000 + "]" * 1000)
    code, _, err = run(*command, path)
    assert code == 2
    assert "nested too deeply" in err


@pytest.mark.parametrize("command", [("plan",), ("records", "import")])
def test_a_five_thousand_digit_number_is_bad_input(run, tmp_path, command):
    path = write(tmp_path, "big.json", '{"rev": ' + "9" * 5000 + "}")
    code, _, err = run(*command, path)
    assert code == 2
    assert "rev" in err and "is a number with 5,000 digits" in err
    assert "9" * 100 not in err


def test_a_section_that_is_not_an_object_names_it_in_import(run, tmp_path):
    code, _, err = run("records", "import", write(tmp_path, "mh.json", {"medical_history": "x"}))
    assert code == 2
    assert "Medical history: expected a group of fields [medical_history]" in err


def test_an_invalid_record_id_is_named_and_never_echoed_whole(run, tmp_path):
    data = builders.build_data(record_id="x" * 100_000)
    code, _, err = run("records", "import", write(tmp_path, "long-id.json", data))
    assert code == 2
    assert "Record id:" in err and "100000 characters" in err
    assert len(err) < 1000


def test_the_same_record_id_twice_is_bad_input_naming_the_id(run, tmp_path):
    record_id = str(uuid.uuid4())
    one = write(tmp_path, "one.json", builders.build_data(record_id=record_id))
    two = write(tmp_path, "two.json", [builders.build_data(record_id=str(uuid.uuid4())), builders.build_data(record_id=record_id)])
    code, _, err = run("records", "import", one, two)
    assert code == 2
    assert record_id in err and "given twice" in err and "two.json (intake 2)" in err
    code, out, _ = run("records", "list", "--format", "json")
    assert json.loads(out or "[]") == []  # nothing was imported


def test_the_same_record_id_twice_in_one_file_is_bad_input(run, tmp_path):
    record_id = str(uuid.uuid4())
    both = write(tmp_path, "both.json", [builders.build_data(record_id=record_id)] * 2)
    code, _, err = run("records", "import", both)
    assert code == 2 and record_id in err


# ----- 8: terminal injection -------------------------------------------------------------------

HOSTILE = "Ana\x1b[2J\x00\u202eBell"


@pytest.mark.parametrize(
    ("path", "label"),
    [("medical_history.demographics.full_name", "Full name"),
     ("medical_history.physical.other_conditions", "Other conditions"),
     ("goals_support.crisis_plan", "Crisis plan")],
)
def test_control_characters_in_text_fields_are_refused_by_name(run, tmp_path, path, label):
    data = builders.build_data({path: HOSTILE})
    for command in (("plan",), ("records", "import")):
        code, out, err = run(*command, write(tmp_path, "hostile.json", data))
        assert code == 2
        assert f"{label}: contains the control character U+001B (escape)" in err
        assert "\x1b" not in out + err


def test_a_note_keeps_its_line_breaks_and_tabs(run, tmp_path):
    data = builders.build_data({"goals_support.crisis_plan": "Call Sam\n\tthen the crisis line"})
    code, _, _ = run("plan", write(tmp_path, "ok.json", data))
    assert code == 0


def test_a_name_refuses_a_line_break(run, tmp_path):
    data = builders.build_data({"medical_history.demographics.full_name": "Ana\nBell"})
    code, _, err = run("plan", write(tmp_path, "two-lines.json", data))
    assert code == 2 and "Full name: contains the control character U+000A (line break)" in err


def _store_raw(tmp_path, doc: dict) -> str:
    """Put ``doc`` in the store as an older ketatui could have (no model in between)."""
    from ketatui.storage import open_repository
    from ketatui.settings import Settings

    repo = open_repository(Settings(data_dir=tmp_path / "data", key_file=tmp_path / "store.key", user="dr.lee"))
    return repo.import_documents([doc], user="dr.lee")[0]


def test_control_characters_already_stored_are_escaped_on_every_printout(run, tmp_path):
    doc = builders.build_data()
    doc["medical_history"]["demographics"]["full_name"] = HOSTILE
    doc["listing"] = {"full_name": HOSTILE, "date_of_birth": "1984-03-14"}
    doc["medical_history"]["physical"]["other_conditions"] = "see \x1b]0;pwned\x07 note"
    record_id = _store_raw(tmp_path, doc)
    code, out, _ = run("records", "list")
    assert code == 0 and "Ana\\u001b[2J\\u0000\\u202eBell" in out
    shown = [run("records", "list")[1], run("records", "list", "--format", "json")[1],
             run("records", "show", record_id, "--format", "markdown")[1], run("records", "show", record_id)[1]]
    for out in shown:
        assert not any(c in out for c in "\x1b\x00\u202e\x07"), out
    assert "Ana\\u001b[2J" in shown[2]  # the Markdown shows the stored name, escaped
    assert json.loads(shown[1])[0]["full_name"] == HOSTILE  # JSON stays JSON that means the same


# ----- 9: numbers and answers are strict -------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [("phq9.answers", [True] * 9, "PHQ-9 question #1: enter a whole number"),
     ("phq9.answers", ["1"] * 9, "PHQ-9 question #1: enter a whole number"),
     ("phq9.answers", [1.0] * 9, "PHQ-9 question #1: enter a whole number"),
     ("gad7.answers", [False] * 7, "GAD-7 question #1: enter a whole number"),
     ("asq.wished_dead", 1, "ASQ question 1 (wished you were dead): answer yes or no"),
     ("medical_history.demographics.weight_kg", True, "Weight (kg): enter a number, not true or false"),
     ("medical_history.vitals.pulse", True, "Pulse (beats per minute): enter a number, not true or false"),
     ("medical_history.demographics.height_cm", float("nan"), "Height (cm): enter a number (NaN and infinity are not numbers)"),
     ("medical_history.demographics.height_cm", float("inf"), "Height (cm): enter a number (NaN and infinity are not numbers)"),
     ("rev", True, "Revision: enter a whole number")],
)
def test_numbers_and_answers_are_never_taken_from_another_type(run, tmp_path, path, value, expected):
    data = builders.build_data({path: value})
    code, _, err = run("plan", write(tmp_path, "typed.json", json.dumps(data)))
    assert code == 2
    assert expected in err


def test_a_number_given_as_text_in_a_form_field_is_still_read(run, tmp_path):
    """What a screen hands over is text: "72" stays a valid pulse, only true/false and NaN are refused."""
    from ketatui.intake.history import Vitals

    assert Vitals(systolic_bp="128", diastolic_bp="82", pulse="72").pulse == 72
