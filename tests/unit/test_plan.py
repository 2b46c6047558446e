"""The plan engine: the course and each move of its count, dates, re-checks, follow-ups, and
"not schedulable until reviewed" whenever a stop or urgent flag is raised."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from ketatui.exchange.markdown import plan_markdown
from ketatui.clinical.flags import FLAG_DEFINITIONS
from ketatui.intake.document import Intake, IntakeInvalid
from ketatui.clinical.plan import make_plan
from ketatui.clinical.protocol import default_protocol
from ketatui.clinical.schedule import is_open, next_open_day

from builders import TODAY, phq9_answers

PROTOCOL = default_protocol()
PSYCH = "medical_history.psychiatric"
PHYS = "medical_history.physical"


def plan_for(intake: Intake, protocol=PROTOCOL, **kw):
    return make_plan(intake, protocol, today=kw.pop("today", TODAY), **kw)


def test_default_iv_course_is_6_sessions_twice_a_week_for_3_weeks(make_intake) -> None:
    plan = plan_for(make_intake())
    c = plan.course
    assert (c.route, c.sessions, c.sessions_min, c.sessions_max, c.per_week, c.weeks) == ("iv_ketamine", 6, 4, 8, 2, 3)
    assert [(p.name, p.sessions, p.per_week) for p in c.phases] == [("induction", 6, 2)]
    assert c.adjustments == [] and c.observation_minutes == 120
    assert plan.schedulable and plan.not_schedulable_because == [] and plan.flags == []
    assert plan.start_date == date(2026, 3, 9)  # TODAY + 7 lead days
    assert [s.number for s in plan.schedule] == [1, 2, 3, 4, 5, 6]
    assert [s.date for s in plan.schedule] == [date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 16), date(2026, 3, 19), date(2026, 3, 23), date(2026, 3, 26)]
    assert all("PHQ-9" in s.checks for s in plan.schedule)
    assert plan.status == "draft" and plan.generated_on == TODAY
    assert plan.protocol_version == "default-2026.1"


ADJUSTED = [
    pytest.param({f"{PSYCH}.prior_ketamine": True, f"{PSYCH}.prior_ketamine_response": "responded"}, 4,
                 [(-2, "Responded to an earlier ketamine course", [f"{PSYCH}.prior_ketamine_response"])], id="prior-ketamine-response"),
    pytest.param({f"{PSYCH}.prior_ketamine": True, f"{PSYCH}.prior_ketamine_response": "did not respond"}, 6, [], id="prior-ketamine-no-response"),
    pytest.param({"phq9.answers": phq9_answers(9)}, 4, [(-2, "PHQ-9 9 is below 10 (mild)", ["phq9.answers"])], id="mild-9"),
    pytest.param({"phq9.answers": phq9_answers(10)}, 6, [], id="moderate-10"),
    pytest.param({"phq9.answers": phq9_answers(20), f"{PSYCH}.episode_months": 24}, 8,
                 [(2, "PHQ-9 20 is severe with an episode of 24 months", ["phq9.answers"])], id="severe-and-chronic"),
    pytest.param({"phq9.answers": phq9_answers(20), f"{PSYCH}.episode_months": 23}, 6, [], id="severe-23-months-3-trials"),
    pytest.param({"phq9.answers": phq9_answers(19), f"{PSYCH}.episode_months": 60}, 6, [], id="moderately-severe-and-chronic"),
    pytest.param({"phq9.answers": phq9_answers(22), f"{PSYCH}.antidepressant_trials": [
        {"medicine": m, "dose_mg_per_day": d, "weeks_at_dose": 8, "improvement_percent": 0, "in_current_episode": True}
        for m, d in (("sertraline", 200), ("escitalopram", 20), ("venlafaxine", 225), ("bupropion", 300))]}, 8,
                 [(2, "PHQ-9 22 is severe with 4 failed adequate trials", ["phq9.answers"])], id="severe-and-4-failed-trials"),
    pytest.param({f"{PSYCH}.prior_ketamine": True, f"{PSYCH}.prior_ketamine_response": "responded", "phq9.answers": phq9_answers(8)}, 4,
                 [(-2, "Responded", []), (-2, "PHQ-9 8 is below 10", []), (2, "Kept within the protocol's range of 4 to 8 sessions", [])],
                 id="two-reductions-kept-at-4"),
]


@pytest.mark.parametrize(("answers", "sessions", "moves"), ADJUSTED)
def test_each_adjustment_moves_the_count_with_its_reason(make_intake, answers, sessions, moves) -> None:
    plan = plan_for(make_intake(answers))
    c = plan.course
    assert c.sessions == sessions
    assert 4 <= c.sessions <= 8
    assert c.sessions == 6 + sum(a.change for a in c.adjustments)
    assert len(c.adjustments) == len(moves)
    for adjustment, (change, words, sources) in zip(c.adjustments, moves):
        assert adjustment.change == change
        assert words in adjustment.reason
        assert set(sources) <= set(adjustment.source_fields)
    assert len(plan.schedule) == sessions
    assert c.weeks == -(-sessions // 2)


def test_a_large_adjustment_is_kept_at_the_maximum(make_intake, make_protocol) -> None:
    protocol = make_protocol({"course.adjustments.severe_and_chronic": 5})
    plan = plan_for(make_intake({"phq9.answers": phq9_answers(24), f"{PSYCH}.episode_months": 36}), protocol)
    assert plan.course.sessions == 8
    assert [a.change for a in plan.course.adjustments] == [5, -3]
    assert "Kept within the protocol's range of 4 to 8" in plan.course.adjustments[-1].reason


def test_esketamine_is_12_sessions_over_8_weeks(make_intake) -> None:
    plan = plan_for(make_intake(route="esketamine"))
    c = plan.course
    assert (c.route, c.sessions, c.sessions_min, c.sessions_max, c.per_week, c.weeks) == ("esketamine", 12, 8, 12, 2, 8)
    assert [(p.name, p.sessions, p.per_week) for p in c.phases] == [("induction", 8, 2), ("weekly", 4, 1)]
    assert [s.phase for s in plan.schedule] == ["induction"] * 8 + ["weekly"] * 4
    assert "Esketamine" in c.route_name
    assert plan.schedule[-1].date - plan.schedule[0].date < timedelta(weeks=8)


def test_esketamine_count_follows_the_label_not_the_iv_adjustments(make_intake) -> None:
    plan = plan_for(make_intake({"phq9.answers": phq9_answers(7)}, route="esketamine"))
    assert plan.course.sessions == 12 and plan.course.adjustments == []


#: One answer for each flag that blocks scheduling.
BLOCKING = {
    "RISK-SUICIDE-ACUTE": {"asq.wished_dead": True, "asq.thoughts_right_now": True},
    "RISK-SUICIDE-SCREEN": {"phq9.answers": phq9_answers(18, item9=1)},
    "CI-HYPERSENSITIVITY": {f"{PHYS}.ketamine_allergy": True},
    "CI-VASCULAR": {f"{PHYS}.aneurysm": True},
    "CI-BRAIN-BLEED": {f"{PHYS}.intracerebral_haemorrhage": True},
    "CI-STROKE": {f"{PHYS}.stroke": True},
    "CI-THYROTOXICOSIS": {f"{PHYS}.hyperthyroidism": True, f"{PHYS}.hyperthyroidism_controlled": False},
    "BP-SEVERE": {"medical_history.vitals.systolic_bp": 184, "medical_history.vitals.diastolic_bp": 112},
    "CI-PREGNANCY": {f"{PHYS}.pregnant": True},
    "AGE-MINOR": {"medical_history.demographics.date_of_birth": "2009-01-01"},
    "INT-THEOPHYLLINE": {"medications.items": [{"name": "theophylline"}]},
    "SUPPORT-NO-ESCORT": {"goals_support.escort_every_session": False},
}


def test_the_blocking_table_covers_every_stop_and_urgent_code() -> None:
    assert set(BLOCKING) == {code for code, (severity, _) in FLAG_DEFINITIONS.items() if severity in ("stop", "urgent")}


@pytest.mark.parametrize("code", sorted(BLOCKING))
def test_a_stop_or_urgent_flag_makes_the_plan_not_schedulable(make_intake, code) -> None:
    intake = make_intake(BLOCKING[code])
    plan = plan_for(intake, start=date(2026, 4, 1))
    assert plan.schedulable is False
    assert plan.schedule == [] and plan.start_date is None
    assert plan.not_schedulable_because and plan.not_schedulable_because[0].startswith(f"{code}: ")
    assert plan.flags[0].code == code
    assert all(v.date is None for v in plan.follow_up)
    assert all(r.date is None for r in plan.reassessments)
    text = plan_markdown(plan, intake)
    assert text.index("## Not schedulable until reviewed") < text.index("## Flags")
    assert "Dates are set once the flags above are cleared." in text


def test_several_blocking_flags_are_all_given_most_serious_first(make_intake) -> None:
    plan = plan_for(make_intake({**BLOCKING["BP-SEVERE"], **BLOCKING["RISK-SUICIDE-ACUTE"], **BLOCKING["SUPPORT-NO-ESCORT"]}))
    assert [r.split(":")[0] for r in plan.not_schedulable_because] == ["RISK-SUICIDE-ACUTE", "RISK-SUICIDE-SCREEN", "BP-SEVERE", "SUPPORT-NO-ESCORT"]
    assert "184/112" in plan.not_schedulable_because[2]


def test_review_caution_and_info_flags_do_not_block(make_intake) -> None:
    intake = make_intake({
        "medications.items": [{"name": "Xanax"}], "medical_history.demographics.date_of_birth": "1950-01-01",
        f"{PHYS}.liver_disease": True, f"{PSYCH}.antidepressant_trials": [], "medical_history.vitals.systolic_bp": 150,
    })
    plan = plan_for(intake)
    assert {"INT-BENZODIAZEPINE", "AGE-OLDER", "LIVER", "NOT-TRD", "BP-ELEVATED"} <= {f.code for f in plan.flags}
    assert plan.schedulable and len(plan.schedule) == 6


@pytest.mark.parametrize(("start", "first"), [
    (date(2026, 4, 1), date(2026, 4, 1)),      # a Wednesday is kept
    (date(2026, 4, 4), date(2026, 4, 6)),      # Saturday -> Monday
    (date(2026, 12, 24), date(2026, 12, 28)),  # closed days and a weekend
    (date(2026, 12, 31), date(2027, 1, 4)),
])
def test_the_start_date_is_respected_and_moved_off_closed_days(make_intake, start, first) -> None:
    plan = plan_for(make_intake(), start=start)
    assert plan.start_date == first and plan.schedule[0].date == first
    assert all(is_open(s.date, PROTOCOL.schedule) for s in plan.schedule)


def test_without_a_start_the_lead_days_apply_from_today(make_intake) -> None:
    plan = plan_for(make_intake(), today=date(2026, 12, 17))
    assert plan.start_date == date(2026, 12, 28)  # 17 Dec + 7 = Christmas Eve, closed
    assert plan.generated_on == date(2026, 12, 17)


def test_follow_ups_are_dated_from_the_last_session(make_intake) -> None:
    plan = plan_for(make_intake(), start=date(2026, 11, 30))
    last = plan.schedule[-1].date
    assert last == date(2026, 12, 17)
    first, *maintenance = plan.follow_up
    assert first.date == date(2026, 12, 28)  # 24 Dec is closed: the next open day
    assert "7 days after the last session" in first.when
    assert [v.date for v in maintenance] == [next_open_day(last + timedelta(weeks=w), PROTOCOL.schedule) for w in (4, 8, 12, 24)]
    assert [v.when for v in maintenance] == [f"{w} weeks after the last session" for w in (4, 8, 12, 24)]


def test_reassessments_fall_on_the_session_dates(make_intake) -> None:
    plan = plan_for(make_intake())
    dated = {r.what: r for r in plan.reassessments if r.after_session}
    dates = [s.date for s in plan.schedule]
    assert (dated["Futility review"].after_session, dated["Futility review"].date) == (3, dates[2])
    assert (dated["Early stop check"].after_session, dated["Early stop check"].date) == (4, dates[3])
    assert (dated["Response check"].after_session, dated["Response check"].date) == (6, dates[5])
    assert "extend by 2 sessions, up to 8" in dated["Response check"].rule
    every = next(r for r in plan.reassessments if r.what == "PHQ-9 before every session")
    assert "Baseline 18; response is 9 or lower (50% fall); remission is below 5" == every.rule
    assert dated["GAD-7"].after_session == 6


def test_a_short_course_moves_its_checks_inside_the_course(make_intake) -> None:
    plan = plan_for(make_intake({"phq9.answers": phq9_answers(7)}))
    assert plan.course.sessions == 4
    assert max(r.after_session for r in plan.reassessments if r.after_session) == 4


def test_flags_add_their_own_rechecks(make_intake) -> None:
    plan = plan_for(make_intake({f"{PHYS}.liver_disease": True, f"{PSYCH}.bipolar_disorder": True, f"{PHYS}.bladder_symptoms": True}))
    what = {r.what: r.rule for r in plan.reassessments}
    assert "Liver tests (including ALP and GGT)" in what
    assert "Signs of mania or hypomania" in what
    assert "compare with that baseline" in what["Urinary symptoms and any use outside the clinic"]


def test_baseline_history_and_medication_review(make_intake) -> None:
    plan = plan_for(make_intake({"medications.items": [{"name": "Wellbutrin XL"}, {"name": "alprazolm"}, {"name": "Zorblax"}]}))
    b = plan.baseline
    assert (b.phq9_total, b.phq9_band, b.phq9_item9, b.response_at_or_below, b.remission_below) == (18, "moderately severe", 0, 9, 5)
    assert (b.gad7_total, b.gad7_band, b.asq_result) == (9, "mild", "negative")
    h = plan.treatment_history
    assert (h.failed_adequate_trials, h.treatment_resistant, len(h.trials)) == (3, True, 3)
    assert "Effexor XR 225 mg/day for 8 weeks, 30% better: adequate and failed" in h.trials
    wellbutrin, typo, unknown = plan.medications
    assert (wellbutrin.recognised_as, wellbutrin.note) == ("bupropion", "recognised")
    assert (typo.recognised_as, typo.interactions) == ("alprazolam", ["INT-BENZODIAZEPINE"]) and "close spelling" in typo.note
    assert unknown.recognised_as is None and "not recognised" in unknown.note


def test_the_protocol_version_is_recorded(make_intake, make_protocol) -> None:
    plan = plan_for(make_intake(), make_protocol({"version": "clinic-2027.2"}))
    assert plan.protocol_version == "clinic-2027.2"


def test_a_missing_section_is_named(make_intake) -> None:
    intake = make_intake().model_copy(update={"asq": None, "goals_support": None})
    with pytest.raises(IntakeInvalid) as caught:
        plan_for(intake)
    assert [(p.path, p.message) for p in caught.value.problems] == [("asq", "not yet filled in"), ("goals_support", "not yet filled in")]


#: Each example: (schedulable, route, sessions, flags that must be raised, flags that must not).
EXAMPLES = {
    "01-treatment-resistant-uncomplicated.json": (True, "iv_ketamine", 6, set(), {"NOT-TRD", "MED-UNRECOGNISED"}),
    "02-benzodiazepine-and-lamotrigine.json": (True, "iv_ketamine", 6, {"INT-BENZODIAZEPINE", "INT-LAMOTRIGINE", "BIPOLAR"}, {"MED-UNRECOGNISED"}),
    "03-blood-pressure-out-of-range.json": (False, "iv_ketamine", 6, {"BP-SEVERE", "BP-ELEVATED", "AGE-OLDER", "BMI-HIGH"}, {"MED-UNRECOGNISED"}),
    "04-positive-suicide-screen.json": (False, "iv_ketamine", 6, {"RISK-SUICIDE-ACUTE", "RISK-SUICIDE-SCREEN"}, set()),
    "05-pregnancy.json": (False, "iv_ketamine", 6, {"CI-PREGNANCY"}, {"BREASTFEEDING"}),
    "06-esketamine-route.json": (True, "esketamine", 12, {"INT-THYROID"}, {"MED-UNRECOGNISED"}),
    "07-mild-not-treatment-resistant.json": (True, "iv_ketamine", 4, {"NOT-TRD", "SEVERITY-MILD"}, set()),
}


def test_the_example_table_covers_every_example(example_names) -> None:
    assert set(EXAMPLES) == set(example_names)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_plans_as_expected(make_intake, name) -> None:
    schedulable, route, sessions, raised, quiet = EXAMPLES[name]
    intake = make_intake(example=name)
    plan = plan_for(intake)
    codes = {f.code for f in plan.flags}
    assert plan.schedulable is schedulable
    assert (plan.course.route, plan.course.sessions) == (route, sessions)
    assert raised <= codes and not (quiet & codes)
    assert len(plan.schedule) == (sessions if schedulable else 0)
    if name.startswith("03"):
        severe = next(f for f in plan.flags if f.code == "BP-SEVERE")
        assert "184/112" in severe.reason
    text = json.dumps(plan.model_dump(mode="json")) + plan_markdown(plan, intake)
    assert "eligib" not in text.lower(), "a plan never says eligible: a clinician decides"
