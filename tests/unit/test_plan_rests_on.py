"""The plan shows everything that was typed and everything it rests on: known conditions even when
they raise no flag, each medicine's dose, frequency and reason and what it was read as, the
side-effect discussion, why the planned count is what it is (every adjustment weighed), the dose
in mg from the weight (ideal body weight at the protocol's BMI), and a failed trial still taken."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import TODAY, build_intake, phq9_answers
from cases import treated_hypertension
from ketatui.clinical.conditions import FREE_TEXT, QUESTIONS, answer_words, known_conditions
from ketatui.clinical.dose import dose_for, ideal_body_weight
from ketatui.clinical.plan import Plan, make_plan
from ketatui.clinical.protocol import default_protocol
from ketatui.exchange.markdown import intake_markdown, plan_markdown
from ketatui.intake.document import Intake, parse_intake
from ketatui.intake.history import MedicalHistory
from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS

PROTOCOL = default_protocol()
PSYCH = "medical_history.psychiatric"
PHYS = "medical_history.physical"


def plan_for(intake: Intake, protocol=PROTOCOL) -> Plan:
    return make_plan(intake, protocol, today=TODAY)


def case(paths=None) -> Intake:
    return parse_intake(treated_hypertension(paths))


def section(text: str, heading: str) -> str:
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def with_physical(intake: Intake, **answers: object) -> Intake:
    """The intake with health answers set as stored, None ("not answered") included."""
    mh = intake.medical_history
    physical = mh.physical.model_copy(update=answers)
    return intake.model_copy(update={"medical_history": mh.model_copy(update={"physical": physical})})


# --- the hypertension case of issue 13 ------------------------------------------------------------


def test_the_hypertension_case_plan_shows_the_condition_doses_discussion_count_and_dose() -> None:
    intake = case()
    plan = plan_for(intake)
    assert plan.schedulable and [f.code for f in plan.flags] == ["INT-BENZODIAZEPINE"]  # treated hypertension raises no flag

    [bp] = plan.conditions
    assert (bp.name, bp.answer, bp.follow_ups, bp.flags) == (
        "High blood pressure (diagnosed)", "yes", ["blood pressure controlled by treatment: yes"], [])
    assert bp.means.startswith("BP before every session; surges are more likely")

    zoloft, xanax, lisinopril = plan.medications
    assert (zoloft.entered, zoloft.dose, zoloft.how_often, zoloft.reason, zoloft.recognised_as) == ("Zoloft", "150 mg", "once a day", "depression", "sertraline")
    assert (xanax.dose, xanax.how_often, xanax.reason, xanax.recognised_as, xanax.read_from) == ("0.5 mg", "prn", "panic", "alprazolam", "the brand name Xanax")
    assert xanax.flags == ["INT-BENZODIAZEPINE (review): Benzodiazepine"]
    assert (lisinopril.dose, lisinopril.how_often, lisinopril.read_from) == ("10 mg", "every morning", "its generic name")

    c = plan.course
    assert c.sessions == 6 and c.adjustments == [] and not any(r.applied for r in c.considered)
    assert c.count_reason == "The protocol plans 6 IV sessions, and none of its 3 adjustments applied."
    severe = next(r for r in c.considered if r.name == "Severe and chronic")
    assert severe.why == "PHQ-9 19 is 1 point below 20 (severe), so an episode of 30 months alone does not add sessions"

    assert plan.dose is not None and (plan.dose.basis, plan.dose.dosing_weight_kg, plan.dose.mg) == ("actual weight", 78, 39)
    assert plan.treatment_history.still_taken == [
        "sertraline, listed as 'Zoloft 150 mg once a day' (the trial: 150 mg/day for 12 weeks, 20% better)"]


def test_the_hypertension_case_markdown_shows_each_thing_typed_and_why() -> None:
    intake = case()
    text = plan_markdown(plan_for(intake), intake)
    conditions = section(text, "Known conditions")
    assert ("- **High blood pressure (diagnosed)**: yes; blood pressure controlled by treatment: yes. BP before every "
            "session; surges are more likely, most in the first three sessions. No flag.") in conditions
    meds = section(text, "Medications")
    assert "- **Zoloft**: 150 mg, once a day; for depression" in meds
    assert "- **Xanax**: 0.5 mg, prn; for panic\n  - Read as alprazolam, from the brand name Xanax: benzodiazepine" in meds
    assert "  - Flag INT-BENZODIAZEPINE (review): Benzodiazepine" in meds
    assert "- **lisinopril**: 10 mg, every morning; for blood pressure" in meds
    discussion = section(text, "Side-effect discussion")
    topics = discussion.split("- Discussed and understood (11 of 11): ", 1)[1].split("\n", 1)[0].split(" · ")
    assert topics == [t.title for t in SIDE_EFFECT_TOPICS] and "Not yet discussed" not in discussion
    assert "The person's concerns: Worried that her blood pressure will spike during the infusion." in discussion
    assert "Questions asked and answers given: Asked whether to take lisinopril on a session day: yes, as usual." in discussion
    course = section(text, "Course")
    assert "- Why 6: The protocol plans 6 IV sessions, and none of its 3 adjustments applied." in course
    assert ("  - Severe and chronic (+2): not applied. PHQ-9 19 is 1 point below 20 (severe), so an episode of "
            "30 months alone does not add sessions.") in course
    assert "  - Mild depression (-2): not applied. PHQ-9 19 is 10 or more, so not mild." in course
    assert "- Dose: **39 mg**. BMI 28.7 is below 30, so the dose is by the actual weight of 78 kg: 0.5 mg/kg × 78 kg = 39 mg." in course
    assert ("  - **Failed but still taken**: sertraline, listed as 'Zoloft 150 mg once a day' (the trial: 150 mg/day "
            "for 12 weeks, 20% better)") in course


def test_the_whole_record_carries_the_same_plan_text() -> None:
    intake = case()
    plan = plan_for(intake)
    assert plan_markdown(plan, intake) in intake_markdown(intake, plan)


# --- known conditions -----------------------------------------------------------------------------


def test_an_unanswered_question_reads_not_answered_never_no() -> None:
    intake = with_physical(case(), hypertension_controlled=None)
    [bp] = plan_for(intake).conditions
    assert bp.follow_ups == ["blood pressure controlled by treatment: not answered"]
    unasked = with_physical(case(), hypertension=None, hypertension_controlled=None, glaucoma=None)
    found = {k.name: k for k in known_conditions(unasked.medical_history, [])}
    assert found["High blood pressure (diagnosed)"].answer == "not answered"
    assert found["High blood pressure (diagnosed)"].follow_ups == []  # its follow-up is only asked once it is yes
    assert found["Glaucoma or raised eye pressure"].means.startswith("not answered")
    text = plan_markdown(plan_for(unasked), unasked)
    assert "- **Glaucoma or raised eye pressure**: not answered. Not answered: ask before the plan is signed." in text
    assert [answer_words(v) for v in (True, False, None)] == ["yes", "no", "not answered"]


def test_an_uncontrolled_condition_names_the_flag_it_raised() -> None:
    plan = plan_for(case({f"{PHYS}.hypertension_controlled": False}))
    [bp] = plan.conditions
    assert bp.follow_ups == ["blood pressure controlled by treatment: no"] and bp.flags == ["BP-ELEVATED"]


@pytest.mark.parametrize(("answers", "name", "flag"), [
    ({f"{PHYS}.seizures": True}, "Seizures or epilepsy", None),
    ({f"{PHYS}.liver_disease": True}, "Liver disease or cirrhosis", "LIVER"),
    ({f"{PHYS}.hyperthyroidism": True, f"{PHYS}.hyperthyroidism_controlled": True}, "Overactive thyroid", None),
    ({f"{PSYCH}.bipolar_disorder": True, f"{PSYCH}.mood_stabiliser": True}, "Bipolar disorder", "BIPOLAR"),
    ({"medical_history.substance_use.alcohol_drinks_per_week": 6}, "Alcoholic drinks per week", "INT-ALCOHOL"),
    ({f"{PHYS}.other_conditions": "Migraine with aura"}, "Other conditions", None),
])
def test_every_condition_the_history_holds_is_shown_with_its_flag_or_none(answers, name, flag) -> None:
    plan = plan_for(case(answers))
    found = {k.name: k for k in plan.conditions}
    assert name in found
    assert found[name].flags == ([flag] if flag else [])
    assert found[name].means


def test_follow_up_answers_are_shown_with_their_condition() -> None:
    plan = plan_for(case({f"{PSYCH}.bipolar_disorder": True, f"{PSYCH}.mood_stabiliser": False}))
    bipolar = next(k for k in plan.conditions if k.name == "Bipolar disorder")
    assert bipolar.follow_ups == ["takes a mood stabiliser: no"]


def test_no_condition_reads_none_reported(make_intake) -> None:
    intake = make_intake()
    plan = plan_for(intake)
    assert plan.conditions == []
    assert section(plan_markdown(plan, intake), "Known conditions").strip() == "- None: every health question was answered no."


# --- medicines as typed ---------------------------------------------------------------------------


def test_a_medicine_typed_in_one_line_keeps_what_was_typed() -> None:
    intake = case({"medications.items": [{"name": "Xanax 0.5 mg prn"}, {"name": "Zorblax"}, {"name": "alprazolm"}]})
    text = section(plan_markdown(plan_for(intake), intake), "Medications")
    assert "- **Xanax 0.5 mg prn**\n  - Read as alprazolam" in text
    assert "- **Zorblax**: dose and how often not given\n  - **Not recognised — clinician to check**" in text
    assert "Read as alprazolam, from a close spelling of alprazolam" in text


# --- the planned count and its reasons -----------------------------------------------------------

COUNTS = [
    pytest.param({"phq9.answers": phq9_answers(9)}, 4, "Mild depression", "PHQ-9 9 is below 10 (mild)", id="mild"),
    pytest.param({"phq9.answers": phq9_answers(20)}, 8, "Severe and chronic", "PHQ-9 20 is severe with an episode of 30 months", id="severe-chronic"),
    pytest.param({"phq9.answers": phq9_answers(22), f"{PSYCH}.episode_months": 12}, 6, "Severe and chronic",
                 "PHQ-9 22 is severe, but the episode of 12 months is shorter than 24 and the failed adequate trials (2) are fewer than 4", id="severe-short"),
    pytest.param({"phq9.answers": phq9_answers(15), f"{PSYCH}.episode_months": 12}, 6, "Severe and chronic", "PHQ-9 15 is 5 points below 20 (severe)", id="moderate"),
    pytest.param({f"{PSYCH}.prior_ketamine": True, f"{PSYCH}.prior_ketamine_response": "responded"}, 4, "Responded to ketamine before",
                 "Responded to an earlier ketamine course, so a shorter re-induction is planned", id="responded"),
    pytest.param({f"{PSYCH}.prior_ketamine": True, f"{PSYCH}.prior_ketamine_response": "did not respond"}, 6, "Responded to ketamine before",
                 "Earlier ketamine did not help", id="did-not-respond"),
]


@pytest.mark.parametrize(("answers", "sessions", "rule", "why"), COUNTS)
def test_each_rule_says_why_it_applied_or_not(answers, sessions, rule, why) -> None:
    plan = plan_for(case(answers))
    assert plan.course.sessions == sessions
    weighed = {r.name: r for r in plan.course.considered}
    assert weighed[rule].why == why
    applied = [r.name for r in plan.course.considered if r.applied]
    assert (rule in applied) == (sessions != 6)
    assert f"- Why {sessions}: " in plan_markdown(plan, case(answers))


def test_a_rule_the_protocol_sets_to_no_change_says_so(make_protocol) -> None:
    protocol = make_protocol({"course.adjustments.mild_severity": 0})
    plan = plan_for(case({"phq9.answers": phq9_answers(7)}), protocol)
    mild = next(r for r in plan.course.considered if r.name == "Mild depression")
    assert not mild.applied and mild.why == "PHQ-9 7 is below 10 (mild), but the protocol sets no change for it"
    assert plan.course.sessions == 6


def test_keeping_within_the_range_is_a_reason_too(make_protocol) -> None:
    protocol = make_protocol({"course.adjustments.severe_and_chronic": 5})
    plan = plan_for(case({"phq9.answers": phq9_answers(24)}), protocol)
    assert plan.course.sessions == 8
    assert [(r.name, r.change) for r in plan.course.considered if r.applied] == [("Severe and chronic", 5), ("Kept within the range", -3)]
    assert plan.course.count_reason == "The protocol plans 6 IV sessions, moved +5 severe and chronic, -3 kept within the range."


def test_esketamine_says_its_count_is_the_protocols_and_is_not_dosed_by_weight() -> None:
    plan = plan_for(case({"route": "esketamine"}))
    assert plan.course.considered == []
    assert plan.course.count_reason == ("The protocol sets the esketamine course by its phases (8 then 4 sessions); the severity "
                                        "and chronicity adjustments are for IV ketamine only.")
    assert plan.dose is None and plan.dose_words.startswith("Esketamine is not dosed by weight")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(0, 24),  # 25-27 need question 9 above 0, a suicide screen
       months=st.integers(0, 120), failed=st.integers(0, 5),
       prior=st.sampled_from(["none", "responded", "did not respond"]))
def test_the_count_is_the_planned_number_moved_by_exactly_the_rules_that_applied(total, months, failed, prior) -> None:
    trials = [{"medicine": "sertraline", "dose_mg_per_day": 150, "weeks_at_dose": 8, "improvement_percent": 10, "in_current_episode": True}] * failed
    answers = {"phq9.answers": phq9_answers(total), f"{PSYCH}.episode_months": months, f"{PSYCH}.antidepressant_trials": trials}
    if prior != "none":
        answers |= {f"{PSYCH}.prior_ketamine": True, f"{PSYCH}.prior_ketamine_response": prior}
    plan = plan_for(case(answers))
    c, adj, t = plan.course, PROTOCOL.course.adjustments, PROTOCOL.thresholds
    weighed = {r.name: r for r in c.considered}
    assert list(weighed)[:3] == ["Responded to ketamine before", "Mild depression", "Severe and chronic"]
    assert c.sessions == 6 + sum(r.change for r in c.considered if r.applied)
    assert [(a.change, a.reason) for a in c.adjustments] == [(r.change, r.why) for r in c.considered if r.applied]
    assert weighed["Mild depression"].applied == (total < t.mild_phq9_below)
    expected = total >= t.severe_phq9_from and (months >= adj.chronic_episode_months or failed >= adj.many_failed_trials)
    assert weighed["Severe and chronic"].applied == expected
    assert weighed["Responded to ketamine before"].applied == (prior == "responded")
    for name in ("Mild depression", "Severe and chronic"):
        assert weighed[name].why.startswith(f"PHQ-9 {total} ")
    if total < t.severe_phq9_from:
        gap = t.severe_phq9_from - total
        assert f"{gap} point{'s' if gap != 1 else ''} below {t.severe_phq9_from}" in weighed["Severe and chronic"].why
    assert c.count_reason and (("none of its" in c.count_reason) == (not c.adjustments))


# --- the dose from the weight ---------------------------------------------------------------------


def half_up(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@settings(max_examples=150, deadline=None)
@given(height=st.integers(140, 200), weight=st.integers(40, 200), sex=st.sampled_from(["female", "male", "not stated"]))
def test_the_dose_is_mg_per_kg_times_the_weight_it_says_it_used(height, weight, sex) -> None:
    intake = case({"medical_history.demographics.height_cm": height, "medical_history.demographics.weight_kg": weight,
                   "medical_history.demographics.sex": sex})
    plan = plan_for(intake)
    d = plan.dose
    demographics = intake.medical_history.demographics
    assert d == dose_for(demographics, 0.5, PROTOCOL)  # the plan and every session use one calculation
    ibw, _ = ideal_body_weight(height, sex)
    if demographics.bmi >= PROTOCOL.thresholds.bmi_high_from and ibw < weight:
        assert (d.basis, d.dosing_weight_kg) == ("ideal body weight", ibw)
        assert "ideal body weight" in plan.dose_words and f"by the actual weight it would be {half_up(0.5 * weight):g} mg" in plan.dose_words
    else:
        assert (d.basis, d.dosing_weight_kg) == ("actual weight", weight)
    assert d.mg == half_up(0.5 * d.dosing_weight_kg) <= half_up(0.5 * weight)
    assert f"= {d.mg:g} mg" in plan.dose_words
    assert f"- Dose: **{d.mg:g} mg**. " in plan_markdown(plan, intake)


def test_at_or_above_the_bmi_threshold_the_ideal_body_weight_dose_is_given() -> None:
    plan = plan_for(case({"medical_history.demographics.weight_kg": 92}))  # 165 cm: BMI 33.8
    assert plan.dose is not None and (plan.dose.basis, plan.dose.ideal_body_weight_kg, plan.dose.mg) == ("ideal body weight", 56.9, 28.5)
    assert plan.dose_words == ("BMI 33.8 is 30 or more, so the dose is by ideal body weight: 56.9 kg (Devine, women's formula) "
                               "instead of 92 kg: 0.5 mg/kg × 56.9 kg = 28.5 mg (by the actual weight it would be 46 mg).")


# --- failed trials still taken --------------------------------------------------------------------


def test_only_a_failed_trial_still_taken_is_mentioned() -> None:
    helped = case({f"{PSYCH}.antidepressant_trials.0.improvement_percent": 60})
    assert plan_for(helped).treatment_history.still_taken == []
    stopped = case({"medications.items.0": {"name": "atorvastatin"}})
    assert plan_for(stopped).treatment_history.still_taken == []
    by_generic = plan_for(case({"medications.items.0": {"name": "sertraline", "dose": "100 mg"}}))
    assert by_generic.treatment_history.still_taken == [
        "sertraline, listed as 'sertraline 100 mg' (the trial: 150 mg/day for 12 weeks, 20% better)"]


# --- a plan stored before these were kept ---------------------------------------------------------


def test_a_plan_stored_before_the_reasons_were_kept_still_reads() -> None:
    intake = case({"phq9.answers": phq9_answers(9)})
    stored = plan_for(intake).model_dump(mode="json")
    for key in ("dose", "dose_words", "conditions"):
        stored.pop(key)
    for key in ("count_reason", "considered"):
        stored["course"].pop(key)
    old = Plan.model_validate(stored)
    text = plan_markdown(old, intake)
    assert "- Adjusted -2: PHQ-9 9 is below 10 (mild)" in text and "- Dose:" not in text
    assert "- **High blood pressure (diagnosed)**: yes" in section(text, "Known conditions")


def test_every_condition_the_history_can_hold_has_a_place_in_the_plan() -> None:
    """A yes/no health question added to the history must say what it means in the plan."""
    shown = {(q.section, q.field) for q in QUESTIONS} | {(q.section, f) for q in QUESTIONS for f in q.follow_ups} | set(FREE_TEXT)
    for section in ("physical", "substance_use"):
        model = MedicalHistory.model_fields[section].annotation
        for field in model.model_fields:
            if field != "alcohol_drinks_per_week":  # a number, shown when above 0
                assert (section, field) in shown, f"{section}.{field} is not shown in the plan"
    psychiatric = MedicalHistory.model_fields["psychiatric"].annotation.model_fields
    assert all(field in psychiatric for s, field in shown if s == "psychiatric")


def test_an_escort_left_unanswered_is_not_read_as_no(make_intake) -> None:
    intake = make_intake()
    plan = plan_for(intake)
    unanswered = plan.model_copy(update={"support": plan.support.model_copy(update={"escort_every_session": None})})
    assert "- Escort home every session: NOT ANSWERED" in plan_markdown(unanswered, intake)


PHYSICAL_QUESTIONS = [q for q in QUESTIONS if q.section == "physical"]


@settings(max_examples=100, deadline=None)
@given(answers=st.fixed_dictionaries({q.field: st.sampled_from([True, False, None]) for q in PHYSICAL_QUESTIONS}),
       controlled=st.sampled_from([True, False, None]))
def test_each_condition_shows_as_answered_and_unanswered_never_reads_no(answers, controlled) -> None:
    intake = with_physical(case(), **answers, hypertension_controlled=controlled)
    found = {k.source_fields[0].rsplit(".", 1)[1]: k for k in known_conditions(intake.medical_history, [])}
    for field, value in answers.items():
        if value is False:
            assert field not in found
        else:
            assert found[field].answer == ("yes" if value else "not answered")
    if answers["hypertension"] is True:
        expected = {True: "yes", False: "no", None: "not answered"}[controlled]
        assert found["hypertension"].follow_ups == [f"blood pressure controlled by treatment: {expected}"]


def test_a_high_bmi_on_esketamine_does_not_ask_for_an_ideal_body_weight_dose() -> None:
    plan = plan_for(case({"route": "esketamine", "medical_history.demographics.weight_kg": 95}))
    bmi = next(f for f in plan.flags if f.code == "BMI-HIGH")
    assert bmi.reason.endswith("esketamine's dose is set by the label, not by weight") and "ideal body weight" not in bmi.reason
    assert plan.dose is None and plan.dose_words.startswith("Esketamine is not dosed by weight")


def test_drinks_and_an_earlier_ketamine_response_left_unanswered_say_so() -> None:
    intake = case({f"{PSYCH}.prior_ketamine": True})
    mh = intake.medical_history
    unasked = mh.model_copy(update={"substance_use": mh.substance_use.model_copy(update={"alcohol_drinks_per_week": None})})
    drinks = next(k for k in known_conditions(unasked, []) if k.name == "Alcoholic drinks per week")
    assert drinks.answer == "not answered" and drinks.means.startswith("not answered")
    mh = mh.model_copy(update={"psychiatric": mh.psychiatric.model_copy(update={"prior_ketamine_response": None})})
    plan = plan_for(intake.model_copy(update={"medical_history": mh}))
    assert "Had ketamine or esketamine treatment before: yes (response not answered)" in plan.treatment_history.earlier_treatments
    responded = next(r for r in plan.course.considered if r.name == "Responded to ketamine before")
    assert not responded.applied and responded.why == "Had ketamine before; how it went is not recorded"


def test_two_medicines_on_one_line_each_say_what_they_were_read_as_and_a_failed_one_is_still_found() -> None:
    intake = case({"medications.items": [{"name": "Zoloft and Xanax 0.5 mg prn", "reason": "mood and panic"}]})
    plan = plan_for(intake)
    text = section(plan_markdown(plan, intake), "Medications")
    assert "- **Zoloft and Xanax 0.5 mg prn**; for mood and panic" in text
    assert "  - 'Zoloft': read as sertraline, from the brand name Zoloft: SSRI antidepressant" in text
    assert "  - 'Xanax 0.5 mg prn': read as alprazolam, from the brand name Xanax: benzodiazepine" in text
    assert "  - Flag INT-BENZODIAZEPINE (review): Benzodiazepine" in text
    assert plan.treatment_history.still_taken[0].startswith("sertraline, listed as 'Zoloft and Xanax 0.5 mg prn'")
