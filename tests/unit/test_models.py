"""The intake models: every problem names the field in plain words and says what is accepted."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from ketatui.intake.history import Demographics
from ketatui.intake.document import Intake, IntakeInvalid, intake_json_schema, parse_intake
from ketatui.intake.schema import SCHEMA_VERSION
from ketatui.intake.side_effects import TOPIC_IDS

TOMORROW = (date.today() + timedelta(days=1)).isoformat()

#: (answers changed, path of the problem, plain label, words the message must contain)
PROBLEMS: list[Any] = [
    pytest.param({"medical_history.demographics.weight_kg": 400}, "medical_history.demographics.weight_kg",
                 "Weight (kg)", ["400", "accepted range 25 to 350"], id="weight-out-of-range"),
    pytest.param({"medical_history.demographics.height_cm": 99}, "medical_history.demographics.height_cm",
                 "Height (cm)", ["99", "accepted range 100 to 250"], id="height-out-of-range"),
    pytest.param({"medical_history.vitals.systolic_bp": 120, "medical_history.vitals.diastolic_bp": 130}, "medical_history.vitals.diastolic_bp",
                 "Blood pressure, diastolic (mmHg)", ["130", "lower than the systolic 120", "swapped"], id="diastolic-above-systolic"),
    pytest.param({"medical_history.vitals.systolic_bp": 120, "medical_history.vitals.diastolic_bp": 120}, "medical_history.vitals.diastolic_bp",
                 "Blood pressure, diastolic (mmHg)", ["120 must be lower than the systolic 120"], id="diastolic-equals-systolic"),
    pytest.param({"medical_history.demographics.date_of_birth": TOMORROW}, "medical_history.demographics.date_of_birth",
                 "Date of birth", ["cannot be in the future", "YYYY-MM-DD"], id="born-tomorrow"),
    pytest.param({"medical_history.demographics.date_of_birth": "1890-01-01"}, "medical_history.demographics.date_of_birth",
                 "Date of birth", ["more than 120 years ago"], id="born-too-long-ago"),
    pytest.param({"medical_history.demographics.date_of_birth": "14/03/1984"}, "medical_history.demographics.date_of_birth",
                 "Date of birth", ["enter a date as YYYY-MM-DD"], id="date-in-another-format"),
    pytest.param({"medical_history.demographics.nickname": "JJ"}, "medical_history.demographics.nickname",
                 "Nickname", ["not a field ketatui knows", "known here: full_name, date_of_birth, sex, height_cm, weight_kg"], id="unknown-key-in-a-section"),
    pytest.param({"colour": "blue"}, "colour", "Colour", ["not a field ketatui knows"], id="unknown-key-at-the-top"),
    pytest.param({"medical_history.demographics.weight_kg": "heavy"}, "medical_history.demographics.weight_kg",
                 "Weight (kg)", ["enter a number"], id="text-for-a-number"),
    pytest.param({"medical_history.vitals.pulse": "fast"}, "medical_history.vitals.pulse",
                 "Pulse (beats per minute)", ["enter a whole number"], id="text-for-a-whole-number"),
    pytest.param({"medical_history.physical.stroke": "maybe"}, "medical_history.physical.stroke",
                 "Stroke", ["answer yes or no"], id="text-for-yes-no"),
    pytest.param({"medical_history.demographics.sex": "f"}, "medical_history.demographics.sex",
                 "Sex", ["choose one of: female, male, intersex or not stated"], id="not-a-choice"),
    pytest.param({"route": "oral"}, "route", "Proposed route", ["choose one of: iv_ketamine or esketamine"], id="unknown-route"),
    pytest.param({"goals_support.emergency_contact.phone": "call me"}, "goals_support.emergency_contact.phone",
                 "Emergency contact, phone", ["enter a phone number", "digits, spaces, brackets or dashes"], id="phone-pattern"),
    pytest.param({"asq.wished_dead": True}, "asq.thoughts_right_now",
                 "ASQ question 5 (thoughts right now)", ["must be asked and answered after any yes"], id="asq-acuity-missing-after-a-yes"),
    pytest.param({"medications.none_taken": True}, "medications",
                 "Current medications", ["'Takes no medications' is ticked but medications are listed"], id="none-taken-with-rows"),
    pytest.param({"medications.items": []}, "medications",
                 "Current medications", ["list each medication taken, or tick 'Takes no medications'"], id="untouched-medications-step"),
    pytest.param({"side_effects.discussed.hangover": True}, "side_effects.discussed",
                 "Discussed and understood", ["unknown topic hangover", "known topics are bladder, blood_pressure"], id="unknown-side-effect-topic"),
    pytest.param({"phq9.answers.3": 4}, "phq9.answers[3]", "PHQ-9 question #4", ["at most 3"], id="phq9-answer-above-3"),
    pytest.param({"phq9.answers": [1, 2, 3]}, "phq9.answers", "PHQ-9 question", ["needs at least 9 (has 3)"], id="phq9-too-few-answers"),
    pytest.param({"medical_history.psychiatric.antidepressant_trials.0.improvement_percent": 120},
                 "medical_history.psychiatric.antidepressant_trials[0].improvement_percent",
                 "Antidepressant trials #1, Improvement (%)", ["120", "accepted range 0 to 100"], id="trial-row-names-the-row"),
    pytest.param({"medical_history.demographics.full_name": "   "}, "medical_history.demographics.full_name",
                 "Full name", ["this is required"], id="blank-name"),
    pytest.param({"medical_history.psychiatric.prior_ketamine_response": "responded"}, "medical_history.psychiatric.prior_ketamine_response",
                 "Response to earlier ketamine treatment", ["only applies after earlier ketamine treatment", "not applicable"], id="ketamine-response-without-ketamine"),
    pytest.param({"schema_version": 1}, "schema_version", "Schema version", ["choose one of: 3"], id="old-schema-version"),
]


@pytest.mark.parametrize(("answers", "path", "label", "words"), PROBLEMS)
def test_each_problem_names_the_field_and_what_is_accepted(make_data, answers, path, label, words) -> None:
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(make_data(answers))
    problems = caught.value.problems
    assert [p.path for p in problems] == [path]
    problem = problems[0]
    assert problem.label == label
    for word in words:
        assert word in problem.message, f"{word!r} not in {problem.message!r}"
    assert str(problem) == f"{label}: {problem.message}"
    assert "Input should" not in problem.message and "pydantic" not in problem.message.lower()


@pytest.mark.parametrize("phone", ["+1 555 201 3344", "555-201-3344", "(555) 201-3344", "+1 (555) 201-3344", "(020) 7946 0958", "07700900123"])
def test_phone_numbers_as_people_write_them(make_intake, phone) -> None:
    assert make_intake({"goals_support.emergency_contact.phone": phone}).goals_support.emergency_contact.phone == phone


@pytest.mark.parametrize("phone", ["call me", "12", "555-CALL-NOW", "+", "++1 555 0100", "555 0100 ext. 4"])
def test_anything_else_is_not_a_phone_number(make_data, phone) -> None:
    with pytest.raises(IntakeInvalid, match="enter a phone number"):
        parse_intake(make_data({"goals_support.emergency_contact.phone": phone}))


def test_a_missing_required_field_says_it_is_required(make_data) -> None:
    data = make_data()
    del data["medical_history"]["vitals"]["pulse"]
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(data)
    assert [(p.path, str(p)) for p in caught.value.problems] == [("medical_history.vitals.pulse", "Pulse (beats per minute): this is required")]


def test_every_problem_is_reported_at_once(make_data) -> None:
    data = make_data({"medical_history.demographics.weight_kg": 400, "goals_support.escort.phone": "no phone", "phq9.answers.0": -1})
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(data)
    assert {p.path for p in caught.value.problems} == {
        "medical_history.demographics.weight_kg", "goals_support.escort.phone", "phq9.answers[0]",
    }
    assert "Weight (kg): 400 is outside the accepted range 25 to 350" in str(caught.value)


@pytest.mark.parametrize(("text", "words"), [
    pytest.param('{"medical_history": ', ["is not valid JSON", "line 1"], id="broken-json"),
    pytest.param("[1, 2]", ["must hold one JSON object"], id="a-list"),
    pytest.param("42", ["must hold one JSON object"], id="a-number"),
])
def test_a_file_that_is_not_an_intake(text, words) -> None:
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(text)
    [problem] = caught.value.problems
    assert problem.path == "(file)" and problem.label == "Intake file"
    for word in words:
        assert word in problem.message


def test_every_example_validates_and_round_trips(example_names, make_data) -> None:
    assert len(example_names) == 7
    for name in example_names:
        intake = parse_intake(json.dumps(make_data(example=name)))
        again = parse_intake(json.dumps(intake.model_dump(mode="json")))
        assert again == intake


def test_strings_are_stripped_and_assignment_is_validated(make_intake) -> None:
    intake = make_intake({"medical_history.demographics.full_name": "  Jordan Ellis  "})
    assert intake.medical_history.demographics.full_name == "Jordan Ellis"
    with pytest.raises(ValidationError):
        intake.medical_history.vitals.systolic_bp = 400
    with pytest.raises(ValidationError):
        intake.route = "oral"


def test_a_draft_can_be_empty_and_says_what_a_plan_still_needs() -> None:
    draft = Intake()
    assert draft.schema_version == SCHEMA_VERSION and draft.status == "draft"
    assert [(p.path, p.label) for p in draft.missing_sections()] == [
        ("medical_history", "Medical history"), ("phq9", "PHQ-9"), ("asq", "ASQ suicide screen"),
        ("medications", "Current medications"), ("side_effects", "Side-effect discussion"), ("goals_support", "Goals and support")]
    assert all(p.message == "not yet filled in" for p in draft.missing_sections())
    assert Intake().record_id != draft.record_id


def test_schema_export_carries_the_schema_version() -> None:
    schema = intake_json_schema()
    version = schema["properties"]["schema_version"]
    assert version.get("const", version.get("enum", [None])[0]) == SCHEMA_VERSION
    assert version["default"] == SCHEMA_VERSION
    assert schema["additionalProperties"] is False
    assert {"medical_history", "phq9", "gad7", "asq", "medications", "side_effects", "goals_support"} <= set(schema["properties"])
    demographics = schema["$defs"]["Demographics"]["properties"]
    assert demographics["weight_kg"]["title"] == "Weight (kg)"
    assert (demographics["weight_kg"]["minimum"], demographics["weight_kg"]["maximum"]) == (25, 350)


@pytest.mark.parametrize(("born", "on", "age"), [
    (date(1984, 3, 14), date(2026, 3, 13), 41),
    (date(1984, 3, 14), date(2026, 3, 14), 42),
    (date(2000, 2, 29), date(2018, 2, 28), 17),
    (date(2000, 2, 29), date(2018, 3, 1), 18),
])
def test_age_is_whole_years_on_the_day(born, on, age) -> None:
    person = Demographics(full_name="A", date_of_birth=born, sex="female", height_cm=170, weight_kg=70)
    assert person.age_on(on) == age


@pytest.mark.parametrize(("height", "weight", "bmi"), [(200, 120, 30.0), (200, 119.6, 29.9), (168, 64, 22.7), (160, 82, 32.0)])
def test_bmi_is_rounded_to_one_decimal(height, weight, bmi) -> None:
    person = Demographics(full_name="A", date_of_birth=date(1980, 1, 1), sex="male", height_cm=height, weight_kg=weight)
    assert person.bmi == bmi


def test_side_effect_topics_all_have_plain_explanations() -> None:
    from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS

    assert len(TOPIC_IDS) == len(SIDE_EFFECT_TOPICS) == 11
    for topic in SIDE_EFFECT_TOPICS:
        assert topic.title and topic.explanation.endswith(".") and topic.how_often
