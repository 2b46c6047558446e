"""Property tests: any valid series of sessions and visits gives a course, never an exception,
and the planned count stays within the protocol's range with the dates in order on open days."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import TODAY, build_intake

from ketatui.clinical.plan import make_plan
from ketatui.clinical.protocol import default_protocol
from ketatui.clinical.schedule import is_open
from ketatui.course.engine import course_state
from ketatui.course.records import FollowUpVisit, TreatmentSession, check_series, parse_course_records

PROTOCOL = default_protocol()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

answers = st.lists(st.integers(0, 3), min_size=9, max_size=9)
blood_pressure = st.integers(90, 220).flatmap(lambda s: st.fixed_dictionaries({"systolic": st.just(s), "diastolic": st.integers(50, min(s - 1, 140))}))
asq = st.one_of(st.none(), st.sampled_from([
    {"wished_dead": False, "family_better_off": False, "thoughts_of_killing_self": False, "ever_tried": False},
    {"wished_dead": True, "family_better_off": False, "thoughts_of_killing_self": False, "ever_tried": False, "thoughts_right_now": False},
    {"wished_dead": True, "family_better_off": True, "thoughts_of_killing_self": True, "ever_tried": False, "thoughts_right_now": True},
]))
#: "unchanged" repeats the baseline answers, so courses without any response are common too.
given_step = st.fixed_dictionaries({"what": st.just("given"), "answers": st.one_of(st.just("unchanged"), answers), "bp_pre": blood_pressure, "bp_40min": blood_pressure, "asq": asq,
                           "ready": st.integers(60, 240)})
#: Two in three steps are doses, so courses past the review points (and past the maximum) are common.
step = st.sampled_from(["given"] * 6 + ["held", "missed", "visit"]).flatmap(lambda what: {
    "given": given_step,
    "held": st.fixed_dictionaries({"what": st.just("held"), "answers": st.one_of(st.none(), answers), "bp_pre": blood_pressure}),
    "missed": st.just({"what": "missed"}),
    "visit": st.fixed_dictionaries({"what": st.just("visit"), "answers": answers, "asq": asq}),
}[what])


def build_records(intake, steps: list[dict], gaps: list[int], start: date) -> list[TreatmentSession | FollowUpVisit]:
    records: list[TreatmentSession | FollowUpVisit] = []
    day, given = start, 0
    for item, gap in zip(steps, gaps):
        day += timedelta(days=gap)
        base = {"intake_record_id": intake.record_id, "date": day.isoformat(), "recorded_by": "nurse.lee",
                "recorded_at": datetime.combine(day, time(14, 0)).isoformat()}
        if item["what"] == "visit":
            records.append(FollowUpVisit.model_validate(base | {"kind": "follow_up", "phq9": {"answers": item["answers"]}, "asq": item["asq"]}))
            continue
        data = base | {"kind": "session", "number": given + 1, "route": intake.route, "status": item["what"]}
        if item["what"] == "given":
            ready = (datetime.combine(day, time(9, 0)) + timedelta(minutes=item["ready"])).time()
            dose = {"dose_mg_per_kg": 0.5, "dosing_weight_kg": 64} if intake.route == "iv_ketamine" else {"dose_mg": 56}
            scored = intake.phq9.answers if item["answers"] == "unchanged" else item["answers"]
            data |= dose | {"time": "09:00", "phq9": {"answers": scored}, "bp_pre": item["bp_pre"], "bp_40min": item["bp_40min"],
                            "asq": item["asq"], "escort_confirmed": True, "ready_to_leave_at": ready.strftime("%H:%M")}
            given += 1
        else:
            data["reason"] = "blood pressure" if item["what"] == "held" else "did not attend"
            if item["what"] == "held":
                data |= {"bp_pre": item["bp_pre"]} | ({"phq9": {"answers": item["answers"]}} if item["answers"] else {})
        records.append(TreatmentSession.model_validate(data))
    return records


@SETTINGS
@given(
    baseline=answers,
    route=st.sampled_from(["iv_ketamine", "esketamine"]),
    steps=st.integers(0, 20).flatmap(lambda n: st.lists(step, min_size=n, max_size=n)),  # long courses as often as short
    gaps=st.lists(st.integers(1, 8), min_size=20, max_size=20),
    today=st.dates(date(2026, 3, 1), date(2026, 9, 30)),
    shuffle=st.randoms(use_true_random=False),
)
def test_any_valid_series_gives_a_course_within_the_protocols_range(baseline, route, steps, gaps, today, shuffle) -> None:
    intake = build_intake({"phq9.answers": baseline, "route": route})
    start = date(2026, 3, 9)
    records = build_records(intake, steps, gaps, start)
    assert check_series(records, intake.record_id) == []  # the series is valid as the clinic would record it
    shuffle.shuffle(records)  # the order in a file is not the order they happened in
    plan = make_plan(intake, PROTOCOL, start=start, today=TODAY)
    course = course_state(intake, plan, records, PROTOCOL, today=today)

    rules = getattr(PROTOCOL.course, route)
    assert rules.min <= course.sessions_planned <= rules.max
    assert (course.sessions_min, course.sessions_max) == (rules.min, rules.max)
    assert course.sessions_given == sum(1 for r in records if isinstance(r, TreatmentSession) and r.status == "given")
    assert course.response in {"too_early", "none", "partial", "response", "remission", "relapse"}
    numbers = [s.number for s in course.schedule]
    assert numbers == list(range(course.sessions_given + 1, course.sessions_given + 1 + len(numbers)))
    assert len(numbers) <= max(0, course.sessions_planned - course.sessions_given)
    dates = [s.date for s in course.schedule]
    assert dates == sorted(set(dates)) and all(is_open(d, PROTOCOL.schedule) for d in dates)
    assert all(d >= today for d in dates)
    assert all(d.reason and d.source_fields for d in course.decisions)
    if course.schedulable:
        assert course.schedule
    json.dumps(course.as_json())
    again = parse_course_records(json.dumps([r.model_dump(mode="json") for r in records]), intake_record_id=intake.record_id)
    assert course_state(intake, plan, again, PROTOCOL, today=today) == course
