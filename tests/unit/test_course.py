"""The course engine: response categories, the decision codes (each raised and each held back),
moved dates after a missed or held session, the dose by weight, and the records' validation."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from builders import EXAMPLES, build_intake, phq9_answers
from course_builders import BASELINE, INTAKE, INTAKE_ID, given_series, plan_for, session, session_data, visit

from ketatui.clinical.protocol import default_protocol
from ketatui.clinical.schedule import is_open
from ketatui.course.decisions import DECISION_DEFINITIONS, day_check, hold_if_needed
from ketatui.clinical.dose import dose_for, ideal_body_weight
from ketatui.course.engine import course_state, signed_plan
from ketatui.course.records import CourseInvalid, TreatmentSession, parse_course_records
from ketatui.course.response import categorise
from ketatui.intake.document import parse_intake

D = [date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 16), date(2026, 3, 19), date(2026, 3, 23), date(2026, 3, 26), date(2026, 3, 30), date(2026, 4, 2)]
PROTOCOL = default_protocol()


def state(records, protocol=PROTOCOL, intake=INTAKE, today=date(2026, 3, 2)):
    return course_state(intake, plan_for(protocol, intake), records, protocol, today=today)


def codes(course) -> list[str]:
    return [d.code for d in course.decisions]


def decision(course, code):
    found = [d for d in course.decisions if d.code == code]
    assert found, f"{code} not raised; got {codes(course)}"
    return found[0]


# ----- response categories ---------------------------------------------------------------------

@pytest.mark.parametrize("score, expected", [
    (10, "response"),   # exactly a 50 % fall from 20
    (11, "partial"),    # 45 %
    (15, "partial"),    # exactly 25 %
    (16, "none"),       # 20 %
    (4, "remission"),   # below 5
    (5, "response"),    # 5 is not remission, but a 75 % fall
    (22, "none"),       # worse than baseline
])
def test_response_categories_at_their_boundaries(score, expected) -> None:
    assert categorise(20, score, PROTOCOL.thresholds) == expected


def test_relapse_needs_an_earlier_response_and_a_score_of_ten_or_more() -> None:
    t = PROTOCOL.thresholds
    assert categorise(24, 13, t, responded_before=True) == "relapse"      # 46 % fall, 13 ≥ 10
    assert categorise(24, 13, t, responded_before=False) == "partial"     # the same score without a response first
    assert categorise(24, 12, t, responded_before=True) == "response"     # still 50 % below baseline
    assert categorise(24, 13, t.model_copy(update={"relapse_phq9_from": 14}), responded_before=True) == "partial"  # protocol-tunable


def test_the_course_reports_the_latest_score_against_the_intake_baseline() -> None:
    intake = build_intake({"phq9.answers": phq9_answers(20)})
    course = course_state(intake, plan_for(PROTOCOL, intake), [s.model_copy(update={"intake_record_id": intake.record_id}) for s in given_series(D[:2], [18, 10])], PROTOCOL)
    assert (course.baseline_phq9, course.latest_phq9, course.change_percent, course.response) == (20, 10, 50.0, "response")
    assert course.response_words == "PHQ-9 20 → 10, a 50 % fall: response"


def test_before_any_score_after_the_baseline_it_is_too_early() -> None:
    assert state([]).response == "too_early"
    assert state([session(1, D[0], "missed")]).response == "too_early"


def test_a_relapse_after_the_course_shows_in_the_response() -> None:
    course = state(given_series(D[:6], [16, 12, 10, 8, 6, 6]) + [visit(date(2026, 4, 20), 12)])
    assert course.response == "relapse"
    assert course.latest_phq9 == 12


# ----- decisions at the review points ----------------------------------------------------------

def test_no_improvement_at_session_3_asks_for_a_futility_review() -> None:
    course = state(given_series(D[:3], [18, 19, 18]))
    d = decision(course, "COURSE-FUTILITY-REVIEW")
    assert d.severity == "review"
    assert "PHQ-9 18 → 18" in d.reason and "session 3" in d.reason
    assert d.source_fields == ["[2].phq9"]


def test_any_improvement_or_too_few_sessions_is_no_futility_review() -> None:
    assert "COURSE-FUTILITY-REVIEW" not in codes(state(given_series(D[:3], [18, 18, 17])))
    assert "COURSE-FUTILITY-REVIEW" not in codes(state(given_series(D[:2], [18, 18])))


def test_remission_from_session_4_allows_an_early_end() -> None:
    course = state(given_series(D[:4], [16, 10, 6, 4]))
    d = decision(course, "COURSE-EARLY-END")
    assert d.severity == "info" and "PHQ-9 18 → 4" in d.reason and "remission" in d.reason
    assert course.sessions_planned == 4 and course.schedule == []
    assert [c.code for c in course.adjusted_plan.changes] == ["COURSE-EARLY-END"]


def test_remission_before_session_4_is_not_an_early_end() -> None:
    course = state(given_series(D[:3], [16, 8, 4]))
    assert "COURSE-EARLY-END" not in codes(course)
    assert course.response == "remission" and course.sessions_planned == 6


def test_a_partial_response_at_session_6_extends_the_course_by_two() -> None:
    course = state(given_series(D[:6], [17, 16, 15, 14, 13, 12]))
    d = decision(course, "COURSE-EXTEND")
    assert d.severity == "review"
    assert "PHQ-9 18 → 12, a 33.3 % fall: partial response" in d.reason
    assert course.sessions_planned == 8
    assert [(s.number, s.date) for s in course.schedule] == [(7, date(2026, 3, 30)), (8, date(2026, 4, 2))]
    change = course.adjusted_plan.changes[0]
    assert (change.at_session, change.change, change.code) == (6, 2, "COURSE-EXTEND")


def test_the_extension_stops_at_the_protocols_maximum() -> None:
    protocol = PROTOCOL.model_copy(update={"course": PROTOCOL.course.model_copy(update={"iv_ketamine": PROTOCOL.course.iv_ketamine.model_copy(update={"extension_sessions": 4})})})
    course = state(given_series(D[:6], [17, 16, 15, 14, 13, 12]), protocol)
    assert course.sessions_planned == 8 == course.sessions_max
    assert "to 8" in decision(course, "COURSE-EXTEND").reason


def test_a_response_at_session_6_is_no_extension_but_the_course_is_complete() -> None:
    course = state(given_series(D[:6], [16, 14, 12, 10, 9, 8]))
    assert "COURSE-EXTEND" not in codes(course)
    d = decision(course, "COURSE-COMPLETE")
    assert "PHQ-9 18 → 8, a 55.6 % fall: response" in d.reason
    assert course.schedule == [] and not course.schedulable
    assert course.follow_up[0].date == date(2026, 4, 2)  # a week after the last session, Thu 26 Mar


def test_the_course_is_not_complete_before_the_planned_sessions_are_given() -> None:
    assert "COURSE-COMPLETE" not in codes(state(given_series(D[:5], [16, 14, 12, 10, 8])))


def test_no_response_at_session_6_stops_the_course() -> None:
    course = state(given_series(D[:6], [18, 17, 17, 16, 16, 15]))
    d = decision(course, "COURSE-STOP-NONRESPONSE")
    assert "PHQ-9 18 → 15, a 16.7 % fall: no response" in d.reason
    assert course.sessions_planned == 6 and course.schedule == [] and not course.schedulable


def test_a_partial_response_at_session_6_is_not_a_stop() -> None:
    assert "COURSE-STOP-NONRESPONSE" not in codes(state(given_series(D[:6], [17, 16, 15, 14, 13, 12])))


def test_a_relapse_after_a_response_asks_for_a_maintenance_review() -> None:
    course = state(given_series(D[:6], [16, 12, 10, 8, 6, 6]) + [visit(date(2026, 4, 20), 12)])
    d = decision(course, "MAINTENANCE-REVIEW")
    assert d.severity == "review" and "PHQ-9 18 → 12" in d.reason and d.source_fields == ["[6].phq9"]


def test_a_response_that_holds_needs_no_maintenance_review() -> None:
    assert "MAINTENANCE-REVIEW" not in codes(state(given_series(D[:6], [16, 12, 10, 8, 6, 6]) + [visit(date(2026, 4, 20), 8)]))


def test_a_visit_after_the_review_session_is_the_score_that_counts() -> None:
    """Session 6's pre-dose PHQ-9 is a partial response; a visit after it shows a response."""
    records = given_series(D[:6], [17, 16, 15, 14, 13, 12]) + [visit(date(2026, 3, 28), 8)]
    course = state(records)
    assert "COURSE-EXTEND" not in codes(course)
    assert "PHQ-9 18 → 8" in decision(course, "COURSE-COMPLETE").reason


def test_a_visit_before_the_review_session_does_not_replace_its_pre_dose_score() -> None:
    records = given_series(D[:6], [17, 16, 15, 14, 13, 12]) + [visit(date(2026, 3, 24), 16)]
    assert "PHQ-9 18 → 12" in decision(state(records), "COURSE-EXTEND").reason


# ----- decisions from one session ---------------------------------------------------------------

def test_a_pre_dose_blood_pressure_at_the_limit_holds_the_session() -> None:
    today = session(1, D[0], bp_pre={"systolic": 160, "diastolic": 80})
    [flag] = day_check(today, PROTOCOL)
    assert (flag.code, flag.severity) == ("SESSION-HOLD-BP", "stop")
    assert "160/80 is at or above 160/100" in flag.reason
    assert day_check(session(1, D[0], bp_pre={"systolic": 120, "diastolic": 100}), PROTOCOL)  # the diastolic alone


def test_a_pre_dose_blood_pressure_below_the_limit_does_not_hold() -> None:
    assert day_check(session(1, D[0], bp_pre={"systolic": 159, "diastolic": 99}), PROTOCOL) == []


def test_a_held_session_is_stored_undosed_with_the_reading_in_its_reason() -> None:
    held, flags = hold_if_needed(session(1, D[0], bp_pre={"systolic": 172, "diastolic": 104}), PROTOCOL)
    assert held.status == "held" and held.dose_mg is None and held.dose_mg_per_kg is None
    assert "172/104" in held.reason and [f.code for f in flags] == ["SESSION-HOLD-BP"]
    course = state([held])
    assert "172/104" in decision(course, "SESSION-HOLD-BP").reason
    assert not course.schedulable  # the latest record is a stop until a physician reviews it
    assert any("SESSION-HOLD-BP" in why for why in course.not_schedulable_because)


def test_a_session_held_for_another_reason_is_not_a_blood_pressure_hold() -> None:
    course = state([session(1, D[0], "held", bp_pre={"systolic": 130, "diastolic": 80})])
    assert "SESSION-HOLD-BP" not in codes(course)
    assert "unwell with a chest infection" in decision(course, "SESSION-MISSED").reason


def test_a_rise_at_40_minutes_or_at_discharge_is_flagged() -> None:
    course = state([session(1, D[0], bp_40min={"systolic": 182, "diastolic": 96}), session(2, D[1], bp_discharge={"systolic": 150, "diastolic": 110})])
    rises = [d for d in course.decisions if d.code == "SESSION-BP-RISE"]
    assert [d.source_fields for d in rises] == [["[0].bp_40min"], ["[1].bp_discharge"]]
    assert "at 40 minutes 182/96 is at or above 180/110" in rises[0].reason


def test_readings_below_the_rise_limit_are_not_flagged() -> None:
    assert "SESSION-BP-RISE" not in codes(state([session(1, D[0], bp_40min={"systolic": 179, "diastolic": 109})]))


def test_not_ready_after_the_observation_time_is_flagged() -> None:
    course = state([session(1, D[0], ready_to_leave_at="12:01"), session(2, D[1], effects_resolved=False)])
    late, unresolved = [d for d in course.decisions if d.code == "SESSION-NOT-READY"]
    assert "121 minutes after dosing at 10:00, beyond the 120-minute observation" in late.reason
    assert unresolved.source_fields == ["[1].effects_resolved"]


def test_ready_within_the_observation_time_is_not_flagged() -> None:
    assert "SESSION-NOT-READY" not in codes(state([session(1, D[0], ready_to_leave_at="12:00", effects_resolved=True)]))


def test_a_missed_session_is_recorded_with_its_reason() -> None:
    course = state([session(1, D[0]), session(2, D[1], "missed")])
    d = decision(course, "SESSION-MISSED")
    assert d.severity == "info" and "did not attend" in d.reason and d.source_fields == ["[1].status", "[1].reason"]
    assert course.sessions_missed == 1 and course.sessions_given == 1


def test_sessions_all_given_raise_no_missed_session() -> None:
    assert "SESSION-MISSED" not in codes(state(given_series(D[:3], [16, 15, 14])))


def test_question_9_at_a_session_takes_the_urgent_path() -> None:
    records = [session(1, D[0], phq9={"answers": phq9_answers(14, item9=1)})]
    course = state(records)
    d = decision(course, "RISK-SUICIDE-SCREEN")
    assert d.severity == "urgent" and d.reason.startswith("Session 1 (Mon 09 Mar 2026): PHQ-9 question 9 answered 'Several days'")
    assert d.source_fields == ["[0].phq9.answers[8]"]
    assert not course.schedulable


def test_a_session_with_question_9_at_zero_raises_no_risk() -> None:
    assert not {"RISK-SUICIDE-SCREEN", "RISK-SUICIDE-ACUTE"} & set(codes(state([session(1, D[0])])))


def test_thoughts_of_suicide_right_now_at_a_session_are_acute() -> None:
    asq = {"wished_dead": True, "family_better_off": False, "thoughts_of_killing_self": True, "ever_tried": False, "thoughts_right_now": True}
    course = state([session(1, D[0], asq=asq)])
    assert decision(course, "RISK-SUICIDE-ACUTE").source_fields == ["[0].asq.thoughts_right_now"]
    assert course.decisions[0].code == "RISK-SUICIDE-ACUTE"  # most serious first


def test_a_positive_screen_that_is_not_acute_raises_no_acute_risk() -> None:
    asq = {"wished_dead": True, "family_better_off": False, "thoughts_of_killing_self": False, "ever_tried": False, "thoughts_right_now": False}
    found = codes(state([session(1, D[0], asq=asq)]))
    assert "RISK-SUICIDE-SCREEN" in found and "RISK-SUICIDE-ACUTE" not in found


def test_every_decision_code_is_in_the_design_vocabulary() -> None:
    assert set(DECISION_DEFINITIONS) == {
        "COURSE-FUTILITY-REVIEW", "COURSE-EARLY-END", "COURSE-EXTEND", "COURSE-STOP-NONRESPONSE", "COURSE-COMPLETE",
        "MAINTENANCE-REVIEW", "SESSION-HOLD-BP", "SESSION-BP-RISE", "SESSION-NOT-READY", "SESSION-MISSED",
        "RISK-SUICIDE-SCREEN", "RISK-SUICIDE-ACUTE"}


# ----- moved dates -----------------------------------------------------------------------------

def test_a_missed_session_moves_the_rest_one_slot_in_the_same_rhythm() -> None:
    course = state([session(1, D[0]), session(2, D[1]), session(3, D[2], "missed")])
    assert [(s.number, s.date) for s in course.schedule] == [
        (3, date(2026, 3, 19)), (4, date(2026, 3, 23)), (5, date(2026, 3, 26)), (6, date(2026, 3, 30))]
    assert course.schedulable


def test_a_held_session_moves_the_rest_too() -> None:
    held, _ = hold_if_needed(session(2, D[1], bp_pre={"systolic": 166, "diastolic": 96}), PROTOCOL)
    course = state([session(1, D[0]), held, session(2, D[2])])
    assert [s.date for s in course.schedule] == [date(2026, 3, 19), date(2026, 3, 23), date(2026, 3, 26), date(2026, 3, 30)]
    assert [s.number for s in course.schedule] == [3, 4, 5, 6]


def test_moved_dates_skip_weekends_and_closed_days() -> None:
    closed = [date(2026, 3, 19), date(2026, 3, 30)]
    protocol = PROTOCOL.model_copy(update={"schedule": PROTOCOL.schedule.model_copy(update={"closed_days": closed})})
    course = state([session(1, D[0]), session(2, D[1]), session(3, D[2], "missed")], protocol)
    dates = [s.date for s in course.schedule]
    assert dates == [date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 26), date(2026, 3, 31)]
    assert all(d.weekday() < 5 and d not in closed and is_open(d, protocol.schedule) for d in dates)


def test_no_moved_date_falls_before_today() -> None:
    course = state([session(1, D[0]), session(2, D[1], "missed")], today=date(2026, 4, 8))
    assert course.schedule[0].date == date(2026, 4, 8)
    assert all(a < b for a, b in zip([s.date for s in course.schedule], [s.date for s in course.schedule][1:]))


def test_the_signed_plan_is_never_rewritten() -> None:
    plan = plan_for(PROTOCOL)
    before = plan.model_dump()
    course = course_state(INTAKE, plan, given_series(D[:6], [17, 16, 15, 14, 13, 12]), PROTOCOL)
    assert plan.model_dump() == before and plan.course.sessions == 6
    adjusted = course.adjusted_plan
    assert (adjusted.status, adjusted.sessions_planned, adjusted.based_on.sessions, adjusted.based_on.intake_record_id) == ("proposed", 8, 6, INTAKE_ID)


def test_the_json_keeps_its_stable_keys() -> None:
    data = json.loads(json.dumps(state(given_series(D[:2], [16, 14])).as_json()))
    assert {"sessions_planned", "sessions_given", "sessions_min", "sessions_max", "baseline_phq9", "latest_phq9", "change_percent",
            "response", "decisions", "schedulable", "schedule", "follow_up"} <= set(data)
    assert set(data["schedule"][0]) >= {"number", "date"}
    assert (data["sessions_given"], data["baseline_phq9"], data["latest_phq9"]) == (2, BASELINE, 14)


# ----- the dose ---------------------------------------------------------------------------------

def test_the_dose_is_by_actual_weight_below_the_bmi_threshold() -> None:
    dose = dose_for(INTAKE.medical_history.demographics, 0.5, PROTOCOL)  # 64 kg, 168 cm, BMI 22.7
    assert (dose.basis, dose.dosing_weight_kg, dose.mg) == ("actual weight", 64, 32.0)


def test_the_dose_is_by_ideal_body_weight_at_or_above_the_bmi_threshold() -> None:
    woman = build_intake({"medical_history.demographics.height_cm": 165, "medical_history.demographics.weight_kg": 92}).medical_history.demographics
    dose = dose_for(woman, 0.5, PROTOCOL)
    assert (dose.basis, dose.ideal_body_weight_kg, dose.mg) == ("ideal body weight", 56.9, 28.5)
    assert "BMI 33.8 is 30 or more" in dose.why and "0.5 mg/kg × 56.9 kg = 28.5 mg" in dose.why
    at_threshold = build_intake({"medical_history.demographics.height_cm": 170, "medical_history.demographics.weight_kg": 86.7,
                                 "medical_history.demographics.sex": "male"}).medical_history.demographics
    assert at_threshold.bmi == 30.0
    assert dose_for(at_threshold, 0.5, PROTOCOL).dosing_weight_kg == ideal_body_weight(170, "male")[0] == 65.9


def test_a_session_works_out_its_dose_in_mg_and_refuses_one_that_does_not_match() -> None:
    assert session(1, D[0], dose_mg_per_kg=0.5, dosing_weight_kg=56.9).dose_mg == 28.5
    with pytest.raises(CourseInvalid) as refused:
        parse_course_records([session_data(1, D[0], dose_mg=40)])
    [problem] = refused.value.problems
    assert problem.path == "[0].dose_mg" and "40 mg is not 0.5 mg/kg × 64 kg = 32 mg" in problem.message


# ----- the records ------------------------------------------------------------------------------

def test_a_held_or_missed_session_needs_its_reason() -> None:
    with pytest.raises(CourseInvalid) as refused:
        parse_course_records([session_data(1, D[0], "missed", reason="")])
    assert [p.path for p in refused.value.problems] == ["[0].reason"]
    assert "required when the session is missed" in refused.value.problems[0].message


def test_problems_are_reported_by_record_and_field() -> None:
    bad = session_data(1, D[1], bp_pre={"systolic": 300, "diastolic": 80})
    with pytest.raises(CourseInvalid) as refused:
        parse_course_records([session_data(1, D[0]), {"kind": "visit"}, bad | {"number": 2}])
    found = {p.path: str(p) for p in refused.value.problems}
    assert set(found) == {"[1].kind", "[2].bp_pre.systolic"}
    assert found["[2].bp_pre.systolic"] == "Record 3 (session), Blood pressure before dosing, systolic (mmHg): 300 is outside the accepted range 60 to 280"


def test_the_series_must_belong_to_the_intake_and_number_its_sessions_in_turn() -> None:
    other = session_data(2, D[1]) | {"intake_record_id": "00000000-0000-4000-8000-000000000000"}
    spray = session_data(1, D[0]) | {"route": "esketamine", "dose_mg_per_kg": None, "dosing_weight_kg": None, "dose_mg": 56}
    with pytest.raises(CourseInvalid) as refused:
        parse_course_records([spray, other, session_data(2, D[2], "missed"), session_data(4, D[3])], intake_record_id=INTAKE_ID, route="iv_ketamine")
    found = {p.path: p.message for p in refused.value.problems}
    assert "belongs to intake 00000000" in found["[1].intake_record_id"]
    assert found["[0].route"] == "is esketamine, but this course is iv_ketamine; check the route or the intake"
    assert "this is session 3" in found["[2].number"] and "this is session 3" in found["[3].number"]


def test_sessions_and_visits_read_back_from_json_as_they_were() -> None:
    records = [session(1, D[0]), session(2, D[1], "held"), visit(D[2], 12, gad7={"answers": [1] * 7}, urinary_symptoms=["frequency"])]
    text = json.dumps([r.model_dump(mode="json") for r in records])
    assert parse_course_records(text, intake_record_id=INTAKE_ID) == records
    assert isinstance(parse_course_records(text)[0], TreatmentSession)


def test_a_file_that_is_not_a_list_is_refused_plainly() -> None:
    with pytest.raises(CourseInvalid) as refused:
        parse_course_records('{"kind": "session"}')
    assert refused.value.problems[0].message == "must hold a JSON list of session and visit records"


def test_the_example_course_reads_and_moves_its_dates() -> None:
    intake = parse_intake((EXAMPLES / "course" / "intake.json").read_text())
    records = parse_course_records((EXAMPLES / "course" / "sessions.json").read_text(), intake_record_id=intake.record_id)
    course = course_state(intake, signed_plan(intake, PROTOCOL, records), records, PROTOCOL, today=date(2027, 3, 19))
    assert [r.status for r in records] == ["given", "given", "held", "given", "missed", "given"]
    assert (course.sessions_given, course.sessions_held, course.sessions_missed, course.response) == (4, 1, 1, "partial")
    assert [(s.number, s.date) for s in course.schedule] == [(5, date(2027, 3, 22)), (6, date(2027, 3, 25))]
    assert {"SESSION-HOLD-BP", "SESSION-MISSED"} <= set(codes(course))
    assert course.dose is not None and course.dose.basis == "ideal body weight"
    assert datetime.fromisoformat(course.adjusted_plan.based_on.signed_at).date() == date(2027, 2, 19)


def test_the_dates_ahead_kept_for_the_records_list_are_the_course_s_moved_dates() -> None:
    from ketatui.course.engine import sessions_ahead

    records = [session(1, D[0]), session(2, D[1]), session(3, D[2], "missed")]
    ahead = sessions_ahead(INTAKE, PROTOCOL, records, today=D[2])
    assert ahead == [s.date.isoformat() for s in state(records, today=D[2]).schedule]
    assert ahead[0] == D[3].isoformat()  # the missed third session is next, in the fourth slot
    assert sessions_ahead(INTAKE.model_copy(update={"phq9": None}), PROTOCOL, records) is None
