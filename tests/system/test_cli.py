"""The ``ketatui`` command as a user runs it: a real ``python -m ketatui`` process each time.

Output keys that scripts rely on are pinned here; every error path exits 2 with each problem
listed by field and never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from ketatui.intake.schema import SCHEMA_VERSION

from ketatui import __version__
from ketatui.clinical.protocol import Protocol, default_protocol, parse_protocol

from builders import EXAMPLES, build_data, protocol_toml

pytestmark = pytest.mark.system

BASE = EXAMPLES / "01-treatment-resistant-uncomplicated.json"


def ketatui(*args: str, stdin: str | None = None, cwd: Path | None = None, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")} | extra_env
    done = subprocess.run([sys.executable, "-m", "ketatui", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def write_intake(tmp_path: Path, paths: dict | None = None, **sections) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(build_data(paths, **sections)), encoding="utf-8")
    return path


def test_plan_json_keys_are_stable() -> None:
    done = ketatui("plan", str(BASE), "--start", "2027-03-01")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert {"schedulable", "course", "schedule", "flags", "reassessments", "follow_up", "protocol_version"} <= set(plan)
    assert plan["schedulable"] is True
    assert plan["protocol_version"] == "default-2026.1"
    course = plan["course"]
    assert {k: course[k] for k in ("route", "sessions", "sessions_min", "sessions_max", "per_week", "weeks")} == {
        "route": "iv_ketamine", "sessions": 6, "sessions_min": 4, "sessions_max": 8, "per_week": 2, "weeks": 3}
    assert [s["number"] for s in plan["schedule"]] == [1, 2, 3, 4, 5, 6]
    assert plan["schedule"][0]["date"] == "2027-03-01"
    assert all(date.fromisoformat(s["date"]) for s in plan["schedule"])
    assert plan["reassessments"] and plan["follow_up"]


def test_plan_flags_have_code_severity_title_reason_and_fields() -> None:
    done = ketatui("plan", str(EXAMPLES / "03-blood-pressure-out-of-range.json"))
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["schedulable"] is False and plan["schedule"] == []
    flag = plan["flags"][0]
    assert set(flag) == {"code", "severity", "title", "reason", "source_fields"}
    assert (flag["code"], flag["severity"]) == ("BP-SEVERE", "stop")
    assert "184/112" in flag["reason"]
    assert flag["source_fields"] == ["medical_history.vitals.systolic_bp", "medical_history.vitals.diastolic_bp"]


def test_plan_as_markdown() -> None:
    done = ketatui("plan", str(EXAMPLES / "04-positive-suicide-screen.json"), "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Treatment plan (draft)")
    assert "## Not schedulable until reviewed" in done.stdout
    assert "**URGENT RISK-SUICIDE-ACUTE**" in done.stdout


def test_plan_reads_standard_input() -> None:
    done = ketatui("plan", "-", stdin=BASE.read_text(encoding="utf-8"))
    assert done.returncode == 0 and json.loads(done.stdout)["schedulable"] is True


def test_start_moves_off_closed_days() -> None:
    done = ketatui("plan", str(BASE), "--start", "2026-12-24")
    dates = [s["date"] for s in json.loads(done.stdout)["schedule"]]
    assert dates[0] == "2026-12-28"
    assert not {"2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"} & set(dates)


def test_a_clinic_protocol_changes_a_threshold(tmp_path) -> None:
    intake = write_intake(tmp_path, {"medical_history.vitals.systolic_bp": 172, "medical_history.vitals.diastolic_bp": 104})
    protocol = tmp_path / "clinic.toml"
    protocol.write_text(protocol_toml({"version": "clinic-2027.1", "thresholds.bp_severe_systolic": 170}), encoding="utf-8")

    default = json.loads(ketatui("plan", str(intake)).stdout)
    assert [f["code"] for f in default["flags"]] == ["BP-ELEVATED"] and default["schedulable"] is True

    custom = json.loads(ketatui("plan", str(intake), "--protocol", str(protocol)).stdout)
    severe = custom["flags"][0]
    assert severe["code"] == "BP-SEVERE" and "172/104" in severe["reason"] and "170/110" in severe["reason"]
    assert custom["schedulable"] is False and custom["protocol_version"] == "clinic-2027.1"


def test_schema() -> None:
    done = ketatui("schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert "schema_version" in schema["properties"]
    assert schema["properties"]["schema_version"]["default"] == SCHEMA_VERSION
    physical = schema["$defs"]["PhysicalHealth"]["properties"]
    assert physical["hypertension_controlled"]["default"] is None, "a question starts unanswered"
    assert (physical["hypertension_controlled"]["question"], physical["hypertension_controlled"]["follows"]) == (True, "hypertension")


def test_protocol_prints_the_effective_protocol_that_reads_back(tmp_path) -> None:
    done = ketatui("protocol")
    assert done.returncode == 0
    assert parse_protocol(done.stdout) == default_protocol()
    as_json = ketatui("protocol", "--format", "json")
    assert Protocol.model_validate_json(as_json.stdout) == default_protocol()
    copy = tmp_path / "copy.toml"
    copy.write_text(done.stdout, encoding="utf-8")
    assert json.loads(ketatui("plan", str(BASE), "--protocol", str(copy)).stdout)["protocol_version"] == "default-2026.1"
    assert tomllib.loads(done.stdout)["thresholds"]["bp_severe_systolic"] == 180


def test_version() -> None:
    done = ketatui("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"ketatui {__version__}"


# --- errors: exit 2, every problem by field, no traceback --------------------------------------------


def test_missing_file(tmp_path) -> None:
    done = ketatui("plan", str(tmp_path / "nope.json"))
    assert done.returncode == 2 and done.stdout == ""
    assert "cannot read" in done.stderr and "nope.json" in done.stderr


def test_broken_json(tmp_path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"medical_history": {', encoding="utf-8")
    done = ketatui("plan", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert "is not valid JSON" in done.stderr and "line 1" in done.stderr


def test_wrong_values_are_each_listed_by_field(tmp_path) -> None:
    path = write_intake(tmp_path, {"medical_history.demographics.weight_kg": 400, "medical_history.vitals.diastolic_bp": 130,
                                   "goals_support.emergency_contact.phone": "call me"})
    done = ketatui("plan", str(path))
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert "is not valid" in lines[0]
    assert "  - Weight (kg): 400 is outside the accepted range 25 to 350 [medical_history.demographics.weight_kg]" in lines
    assert any("Blood pressure, diastolic (mmHg): 130 must be lower than the systolic 122" in line and "[medical_history.vitals.diastolic_bp]" in line for line in lines)
    assert any(line.startswith("  - Emergency contact, phone: enter a phone number") and "[goals_support.emergency_contact.phone]" in line for line in lines)
    assert len([line for line in lines if line.startswith("  - ")]) == 3


def test_a_missing_section_is_named(tmp_path) -> None:
    data = build_data()
    del data["asq"]
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = ketatui("plan", str(path))
    assert done.returncode == 2
    assert "ASQ suicide screen: not yet filled in" in done.stderr


def test_bad_start_date() -> None:
    done = ketatui("plan", str(BASE), "--start", "next monday")
    assert done.returncode == 2 and done.stdout == ""
    assert "'next monday' is not a date; use YYYY-MM-DD" in done.stderr


@pytest.mark.parametrize(("changes", "words"), [
    ({"thresholds.bp_severe_systolic": "high"}, ["thresholds.bp_severe_systolic", "enter a whole number"]),
    ({"schedule.open_weekdays": ["mon", "funday"]}, ["schedule.open_weekdays[1]", "choose one of: mon, tue"]),
    ({"course.iv_ketamine.min": 7}, ["course.iv_ketamine", "planned (6) must lie between min (7) and max (8)"]),
], ids=["wrong-type", "unknown-weekday", "min-above-planned"])
def test_bad_protocol_file(tmp_path, changes, words) -> None:
    protocol = tmp_path / "clinic.toml"
    protocol.write_text(protocol_toml(changes), encoding="utf-8")
    for command in (["plan", str(BASE)], ["protocol"]):
        done = ketatui(*command, "--protocol", str(protocol))
        assert done.returncode == 2 and done.stdout == ""
        assert "clinic.toml is not valid" in done.stderr
        for word in words:
            assert word in done.stderr


def test_broken_protocol_toml(tmp_path) -> None:
    protocol = tmp_path / "broken.toml"
    protocol.write_text("[thresholds\n", encoding="utf-8")
    done = ketatui("plan", str(BASE), "--protocol", str(protocol))
    assert done.returncode == 2 and "is not valid TOML" in done.stderr


# --- settings -----------------------------------------------------------------------------------------


def test_config_shows_each_setting_with_where_it_came_from_and_hides_secrets(tmp_path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('theme = "high-contrast"\nuser = "from.file"\n', encoding="utf-8")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "KETATUI_CONFIG": str(settings),
           "KETATUI_USER": "dr.lee", "KETATUI_PASSPHRASE": "correct horse battery"}
    done = ketatui("--data-dir", str(tmp_path / "store"), "config", **env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Settings file: {settings}"
    assert lines[1].split() == ["SETTING", "VALUE", "FROM"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert rows["data_dir"].split()[1:] == [str(tmp_path / "store"), "command", "line", "--data-dir"]
    assert rows["user"].split()[1:] == ["dr.lee", "environment", "KETATUI_USER"]
    assert rows["theme"].split()[1:] == ["high-contrast", "settings", "file", str(settings)]
    assert rows["backend"].split()[1:] == ["tinydb", "default"]
    assert "(set, hidden)" in rows["passphrase"] and "correct horse" not in done.stdout

    as_json = json.loads(ketatui("config", "--format", "json", **env).stdout)
    assert as_json["passphrase"] == {"value": "(set, hidden)", "source": "environment KETATUI_PASSPHRASE"}
    assert as_json["theme"] == {"value": "high-contrast", "source": f"settings file {settings}"}


def test_a_bad_setting_stops_every_command_with_words_and_exit_2(tmp_path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('theme = "neon"\n', encoding="utf-8")
    for command in (["config"], ["plan", str(BASE)], ["records", "list"]):
        done = ketatui("--config", str(settings), *command)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith("ketatui: the settings cannot be used:")
        assert f"Theme (from settings file {settings}): Input should be 'default' or 'high-contrast' (it is 'neon')" in done.stderr
    done = ketatui("plan", str(BASE), KETATUI_CLINICIAN_IDLE_TIMEOUT="soon")
    assert done.returncode == 2 and "environment KETATUI_CLINICIAN_IDLE_TIMEOUT" in done.stderr


def test_the_protocol_comes_from_the_settings_and_a_flag_overrides_it(tmp_path) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(protocol_toml({"version": "clinic-2027.1"}), encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text(protocol_toml({"version": "other-2027.2"}), encoding="utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text(f'protocol_file = "{clinic}"\n', encoding="utf-8")

    def version(*args: str, **env: str) -> str:
        return json.loads(ketatui("plan", str(BASE), *args, **env).stdout)["protocol_version"]

    assert version("--protocol", str(other)) == "other-2027.2"
    assert version(KETATUI_CONFIG=str(settings)) == "clinic-2027.1"
    assert version(KETATUI_PROTOCOL=str(clinic)) == "clinic-2027.1"  # the older variable still works
    assert version(KETATUI_PROTOCOL_FILE=str(other), KETATUI_CONFIG=str(settings)) == "other-2027.2"
    assert version("--protocol", str(other), KETATUI_PROTOCOL_FILE=str(clinic)) == "other-2027.2"
