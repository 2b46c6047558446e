"""``ketatui course`` and ``ketatui schema session`` as a user runs them: a real process each time.

The JSON keys scripts rely on are pinned here; a bad sessions file exits 2 with each problem
listed by record and field, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from builders import EXAMPLES

pytestmark = pytest.mark.system

INTAKE = EXAMPLES / "course" / "intake.json"
SESSIONS = EXAMPLES / "course" / "sessions.json"


def ketatui(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    done = subprocess.run([sys.executable, "-m", "ketatui", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_course_json_keeps_its_keys_and_moves_the_dates() -> None:
    done = ketatui("course", str(INTAKE), "--sessions", str(SESSIONS), "--today", "2027-03-19")
    assert done.returncode == 0, done.stderr
    course = json.loads(done.stdout)
    assert {k: course[k] for k in ("sessions_planned", "sessions_given", "sessions_min", "sessions_max", "baseline_phq9", "latest_phq9",
                                   "change_percent", "response", "schedulable")} == {
        "sessions_planned": 6, "sessions_given": 4, "sessions_min": 4, "sessions_max": 8, "baseline_phq9": 18, "latest_phq9": 11,
        "change_percent": 38.9, "response": "partial", "schedulable": True}
    assert course["schedule"] == [{"number": 5, "date": "2027-03-22", "phase": "induction"}, {"number": 6, "date": "2027-03-25", "phase": "induction"}]
    assert course["follow_up"][0]["date"] == "2027-04-01"
    held = next(d for d in course["decisions"] if d["code"] == "SESSION-HOLD-BP")
    assert set(held) == {"code", "severity", "title", "reason", "source_fields"}
    assert held["severity"] == "stop" and "168/98" in held["reason"] and held["source_fields"] == ["[2].bp_pre.systolic", "[2].bp_pre.diastolic"]
    assert {d["code"] for d in course["decisions"]} == {"SESSION-HOLD-BP", "SESSION-MISSED", "SESSION-NOT-READY"}


def test_course_markdown_is_the_clinicians_summary() -> None:
    done = ketatui("course", str(INTAKE), "--sessions", str(SESSIONS), "--today", "2027-03-19", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("# Treatment course")
    assert "**STOP SESSION-HOLD-BP**" in text and "PHQ-9 18 → 11, a 38.9 % fall: partial response" in text
    assert "5. Mon 22 Mar 2027 (induction)" in text and "0.5 mg/kg × 56.9 kg = 28.5 mg" in text
    assert "| Mon 15 Mar 2027 | session 4 | missed |" in text


def test_the_progress_sheet_speaks_plainly() -> None:
    done = ketatui("course", str(INTAKE), "--sessions", str(SESSIONS), "--today", "2027-03-19", "--format", "sheet")
    assert done.returncode == 0, done.stderr
    assert "# Your progress, Sam" in done.stdout and "- Session 5: Mon 22 Mar 2027" in done.stdout
    assert "SESSION-" not in done.stdout and "988" in done.stdout


def test_an_invalid_sessions_file_exits_2_with_each_problem_by_field(tmp_path: Path) -> None:
    records = json.loads(SESSIONS.read_text())
    records[2]["bp_pre"]["systolic"] = 400
    records[4]["reason"] = ""
    records[5]["number"] = 7
    bad = tmp_path / "sessions.json"
    bad.write_text(json.dumps(records), encoding="utf-8")
    done = ketatui("course", str(INTAKE), "--sessions", str(bad))
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0] == f"ketatui: {bad} is not valid:"
    assert "  - Record 3 (session), Blood pressure before dosing, systolic (mmHg): 400 is outside the accepted range 60 to 280 [[2].bp_pre.systolic]" in lines
    assert any(line.startswith("  - Record 5 (session), Why held or missed: is required when the session is missed") and line.endswith("[[4].reason]") for line in lines)


def test_sessions_of_another_person_are_refused(tmp_path: Path) -> None:
    records = json.loads(SESSIONS.read_text())
    records[0]["intake_record_id"] = "00000000-0000-4000-8000-000000000000"
    bad = tmp_path / "sessions.json"
    bad.write_text(json.dumps(records), encoding="utf-8")
    done = ketatui("course", str(INTAKE), "--sessions", str(bad))
    assert done.returncode == 2
    assert "belongs to intake 00000000-0000-4000-8000-000000000000, not to this intake" in done.stderr and "[[0].intake_record_id]" in done.stderr


def test_schema_session_describes_a_session_or_a_visit_and_plain_schema_is_still_the_intake() -> None:
    done = ketatui("schema", "session")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    assert schema["discriminator"]["propertyName"] == "kind"
    assert set(schema["discriminator"]["mapping"]) == {"session", "follow_up"}
    assert {"bp_pre", "bp_40min", "bp_discharge", "dose_mg", "phq9", "escort_confirmed"} <= set(schema["$defs"]["TreatmentSession"]["properties"])
    intake = json.loads(ketatui("schema").stdout)
    assert "medical_history" in intake["properties"]


def test_sessions_kept_in_the_store_give_the_same_course_as_the_files(tmp_path: Path) -> None:
    store = ("--data-dir", str(tmp_path / "store"), "--key-file", str(tmp_path / "store.key"))

    def in_store(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")} | {"KETATUI_USER": "nurse.lee"}
        done = subprocess.run([sys.executable, "-m", "ketatui", *args], capture_output=True, text=True, env=env, timeout=60)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    assert in_store("records", "import", str(INTAKE), *store).returncode == 0
    records = json.loads(SESSIONS.read_text())
    dosed_anyway = dict(records[2], status="given", reason="", dose_mg_per_kg=0.5, dosing_weight_kg=56.9)  # BP 168/98 before dosing
    for number, record in enumerate([records[0], records[1], dosed_anyway, *records[3:]]):
        path = tmp_path / f"record-{number}.json"
        path.write_text(json.dumps(record), encoding="utf-8")
        done = in_store("records", "session", "add", "3d8a7c52", str(path), *store)
        assert done.returncode == 0, done.stderr
        if record is dosed_anyway:
            assert done.stdout.splitlines() == ["Session 3 held: Blood pressure before dosing 168/98 is at or above 160/100: not dosed today.",
                                                "Stored session 3 (held) as revision 1: a1f0c3e2-0003-4a6b-8c1d-2e3f4a5b6c03"]
    from_store = in_store("records", "course", "3d8a7c52", "--today", "2027-03-19", *store)
    from_files = ketatui("course", str(INTAKE), "--sessions", str(SESSIONS), "--today", "2027-03-19")
    assert from_store.returncode == 0, from_store.stderr
    stored, filed = json.loads(from_store.stdout), json.loads(from_files.stdout)
    assert (stored["sessions_given"], stored["sessions_held"], stored["sessions_missed"], stored["schedule"]) == (4, 1, 1, filed["schedule"])
    assert {d["code"] for d in stored["decisions"]} == {d["code"] for d in filed["decisions"]}

    out_of_turn = tmp_path / "out-of-turn.json"
    out_of_turn.write_text(json.dumps(dict(records[5], record_id="a1f0c3e2-0007-4a6b-8c1d-2e3f4a5b6c07", date="2027-03-22", number=7)), encoding="utf-8")
    refused = in_store("records", "session", "add", "3d8a7c52", str(out_of_turn), *store)
    assert refused.returncode == 2 and "so this is session 5" in refused.stderr and "[[0].number]" in refused.stderr
    audit = (tmp_path / "store" / "audit.log").read_text().splitlines()
    assert sum(1 for line in audit if json.loads(line)["action"] == "course") == 6
