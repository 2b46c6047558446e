"""The clinic protocol: the defaults load, the printed protocol reads back the same, and a bad
file is refused with the key that is wrong and what is accepted there."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from ketatui.cli import main
from ketatui.clinical.protocol import Protocol, ProtocolInvalid, default_protocol, load_protocol, parse_protocol


def test_defaults_load_with_the_published_numbers() -> None:
    p = default_protocol()
    assert p.version == "default-2026.1"
    t = p.thresholds
    assert (t.bp_severe_systolic, t.bp_severe_diastolic, t.bp_elevated_systolic, t.bp_elevated_diastolic) == (180, 110, 140, 90)
    assert (t.minor_age_below, t.older_age_from, t.bmi_high_from, t.mild_phq9_below) == (18, 65, 30.0, 10)
    assert (t.trd_min_failed_trials, t.adequate_trial_weeks, t.failed_trial_improvement_below) == (2, 6, 50)
    assert (t.response_drop_percent, t.remission_phq9_below) == (50, 5)
    iv, esk = p.course.iv_ketamine, p.course.esketamine
    assert (iv.planned, iv.min, iv.max, iv.per_week) == (6, 4, 8, 2)
    assert (esk.planned, esk.induction_sessions, esk.per_week, esk.maintenance_per_week) == (12, 8, 2, 1)
    assert p.schedule.open_weekdays == ["mon", "tue", "wed", "thu", "fri"]
    assert {date(2026, 12, 24), date(2026, 12, 25), date(2027, 1, 1)} <= set(p.schedule.closed_days)
    assert p.adequate_dose_mg["bupropion"] == 150
    assert any("988" in c.how for c in p.crisis_contacts)


def test_the_protocol_is_frozen() -> None:
    with pytest.raises(ValidationError):
        default_protocol().thresholds.bp_severe_systolic = 150  # type: ignore[misc]


def test_printed_protocol_reads_back_the_same(capsys) -> None:
    assert main(["protocol"]) == 0
    assert parse_protocol(capsys.readouterr().out) == default_protocol()
    assert main(["protocol", "--format", "json"]) == 0
    assert Protocol.model_validate_json(capsys.readouterr().out) == default_protocol()


def test_printed_custom_protocol_reads_back_the_same(tmp_path, capsys, protocol_toml) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(protocol_toml({"version": "clinic-7", "thresholds.bp_severe_systolic": 170, "schedule.open_weekdays": ["mon", "wed", "fri"]}))
    assert main(["protocol", "--protocol", str(path)]) == 0
    again = parse_protocol(capsys.readouterr().out)
    assert again == load_protocol(path)
    assert (again.version, again.thresholds.bp_severe_systolic, again.schedule.open_weekdays) == ("clinic-7", 170, ["mon", "wed", "fri"])


BAD = [
    pytest.param({"thresholds.bp_severe_systolic": "high"}, "thresholds.bp_severe_systolic", ["enter a whole number"], id="wrong-type"),
    pytest.param({"thresholds.bp_severe_systolic": 500}, "thresholds.bp_severe_systolic", ["500", "accepted range 120 to 260"], id="out-of-range"),
    pytest.param({"thresholds.bp_sever_systolic": 180}, "thresholds.bp_sever_systolic", ["not a field ketatui knows", "bp_severe_systolic"], id="unknown-key"),
    pytest.param({"course.iv_ketamine.min": 7}, "course.iv_ketamine", ["planned (6) must lie between min (7) and max (8)"], id="min-above-planned"),
    pytest.param({"course.esketamine.induction_sessions": 14}, "course.esketamine",
                 ["induction_sessions (14) must not be more than planned (12)"], id="induction-longer-than-the-course"),
    pytest.param({"schedule.open_weekdays": ["mon", "funday"]}, "schedule.open_weekdays[1]", ["choose one of: mon, tue, wed, thu, fri, sat or sun"], id="unknown-weekday"),
    pytest.param({"schedule.closed_days": ["2026-13-01"]}, "schedule.closed_days[0]", ["enter a date as YYYY-MM-DD"], id="bad-closed-day"),
    pytest.param({"thresholds.bp_elevated_systolic": 190}, "thresholds", ["bp_elevated_* must be lower than bp_severe_*"], id="elevated-above-severe"),
    pytest.param({"crisis_contacts": []}, "crisis_contacts", ["at least 1"], id="no-crisis-contact"),
]


@pytest.mark.parametrize(("changes", "key", "words"), BAD)
def test_a_bad_protocol_names_the_key_and_what_is_accepted(protocol_toml, changes, key, words) -> None:
    with pytest.raises(ProtocolInvalid) as caught:
        parse_protocol(protocol_toml(changes), "clinic.toml")
    assert [p.path for p in caught.value.problems] == [key]
    message = caught.value.problems[0].message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert str(caught.value).startswith(f"clinic.toml: {key}: ")
    assert "after validation" not in message and "Input should" not in message


def test_broken_toml_is_refused_with_where(tmp_path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('version = "x"\n[thresholds\nbp_severe_systolic = 180\n')
    with pytest.raises(ProtocolInvalid) as caught:
        load_protocol(path)
    [problem] = caught.value.problems
    assert caught.value.source == str(path)
    assert "is not valid TOML" in problem.message and "line 2" in problem.message


def test_a_missing_protocol_file_is_refused(tmp_path) -> None:
    with pytest.raises(ProtocolInvalid, match="cannot be read"):
        load_protocol(tmp_path / "nope.toml")


def test_the_environment_points_at_the_clinic_protocol(tmp_path, protocol_toml) -> None:
    """KETATUI_PROTOCOL reaches the protocol through the settings (nothing else reads the environment)."""
    from ketatui.settings import load_settings

    path = tmp_path / "env.toml"
    path.write_text(protocol_toml({"version": "from-env"}))
    settings = load_settings(environ={"KETATUI_PROTOCOL": str(path)}, config_file=None)
    assert load_protocol(settings.protocol_file).version == "from-env"
    assert load_protocol(load_settings(environ={}).protocol_file) is default_protocol()
