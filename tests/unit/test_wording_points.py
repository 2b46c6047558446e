"""The wording points: counts in the singular or plural, the course's phases adding up, the crisis
heading for an acute positive ASQ, and where the plan stands in Go to after a save and an export."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketatui.clinical.course_words import clinician_course_line, count, patient_course_text, phase_weeks, total_weeks
from ketatui.clinical.crisis import ACUTE, CLINICIAN_INSTRUCTION, SCREEN, crisis_code
from ketatui.clinical.plan import Course, Phase, make_plan
from ketatui.clinical.protocol import default_protocol
from ketatui.clinical.rules import evaluate
from ketatui.exchange.markdown import plan_markdown
from ketatui.intake.document import Intake
from ketatui.session import IntakeSession
from ketatui.settings import Settings
from ketatui.storage import open_repository

from builders import TODAY

PROTOCOL = default_protocol()
PSYCH = "medical_history.psychiatric"


def trial(medicine: str) -> dict:
    return {"medicine": medicine, "dose_mg_per_day": 200, "weeks_at_dose": 8, "improvement_percent": 10, "in_current_episode": True}


@pytest.mark.parametrize(("trials", "words"), [
    ([trial("sertraline")], "1 adequate failed trial;"),
    ([trial("sertraline"), trial("bupropion")], "2 adequate failed trials;"),
])
def test_the_treatment_history_counts_trials_in_words(make_intake, trials, words) -> None:
    intake = make_intake({f"{PSYCH}.antidepressant_trials": trials})
    text = plan_markdown(make_plan(intake, PROTOCOL, today=TODAY), intake)
    assert f"- Treatment history: {words}" in text
    assert "(s)" not in text


def test_count_says_one_or_many() -> None:
    assert (count(1, "session"), count(0, "session"), count(12, "session")) == ("1 session", "0 sessions", "12 sessions")


def test_ketamine_is_described_by_its_weeks_too(make_intake) -> None:
    intake = make_intake()
    plan = make_plan(intake, PROTOCOL, today=TODAY)
    assert clinician_course_line(plan.course) == "Planned sessions: **6** (range 4–8), twice a week for about 3 weeks (weeks 1 to 3)"
    assert patient_course_text(plan.course, "IV racemic ketamine").startswith(
        "We plan **6 sessions** of IV racemic ketamine, twice a week for about 3 weeks (weeks 1 to 3).")


def test_the_esketamine_phases_follow_the_label(make_intake) -> None:
    intake = make_intake(example="06-esketamine-route.json")
    course = make_plan(intake, PROTOCOL, today=TODAY).course
    placed = [(p.phase.sessions, p.phase.per_week, p.first_week, p.last_week) for p in phase_weeks(course)]
    assert placed == [(8, 2, 1, 4), (4, 1, 5, 8)], "weeks 1-4 twice a week, weeks 5-8 once a week"
    assert course.maintenance_every_weeks == [1, 2], "week 9 onward: weekly or every 2 weeks"


@settings(max_examples=200, deadline=None)
@given(phases=st.lists(st.tuples(st.integers(1, 20), st.integers(1, 3)), min_size=1, max_size=3),
       every=st.lists(st.integers(1, 4), max_size=2))
def test_the_words_add_up_for_any_schedule(phases, every) -> None:
    course = Course(route="iv_ketamine", route_name="IV", sessions=sum(n for n, _ in phases), sessions_min=1,
                    sessions_max=60, per_week=phases[0][1], weeks=0,
                    phases=[Phase(name=f"p{i}", sessions=n, per_week=w) for i, (n, w) in enumerate(phases)],
                    adjustments=[], observation_minutes=120, maintenance_every_weeks=every)
    placed = phase_weeks(course)
    assert placed[0].first_week == 1
    for before, after in zip(placed, placed[1:]):
        assert after.first_week == before.last_week + 1
    for p in placed:
        assert p.phase.per_week * (p.weeks - 1) < p.phase.sessions <= p.phase.per_week * p.weeks, "the weeks hold the sessions, with none to spare"
    assert total_weeks(course) == placed[-1].last_week
    line = clinician_course_line(course)
    assert f"**{course.sessions}**" in line and "(s)" not in line
    if len(placed) > 1:
        assert f"over about {count(total_weeks(course), 'week')}" in line
        for p in placed:
            assert count(p.phase.sessions, "session") in line


def test_an_acute_positive_asq_has_its_own_crisis_heading_and_instruction(make_intake) -> None:
    acute = make_intake({"asq.wished_dead": True, "asq.thoughts_right_now": True})
    flags = evaluate(acute, PROTOCOL, today=TODAY)
    assert crisis_code(flags) == ACUTE
    assert "must not leave" in CLINICIAN_INSTRUCTION[ACUTE] and "full safety evaluation now" in CLINICIAN_INSTRUCTION[ACUTE]
    screen = make_intake({"asq.wished_dead": True, "asq.thoughts_right_now": False})
    assert crisis_code(evaluate(screen, PROTOCOL, today=TODAY)) == SCREEN
    assert crisis_code([], {"asq.wished_dead": True, "asq.thoughts_right_now": True}) == ACUTE, \
        "question 5 just answered yes, before the ASQ is complete enough for the rules"


def test_the_summary_step_is_saved_and_exported_not_next_to_do(tmp_path: Path, make_intake) -> None:
    repo = open_repository(Settings(data_dir=tmp_path / "data", key_file=tmp_path / "store.key", user="dr.lee"))
    complete = make_intake()
    session = IntakeSession(Intake(), PROTOCOL, repo, "dr.lee")
    assert session.plan_state() is None, "no plan before the steps are finished"
    for step, names in (("medical_history", ("medical_history", "phq9", "gad7", "asq")), ("medications", ("medications",)),
                        ("side_effects", ("side_effects",)), ("goals_support", ("goals_support",))):
        session.apply(step, {n: getattr(complete, n) for n in names}, {})
    assert session.plan_state() == "plan ready, not saved"
    session.save()
    assert session.plan_state() == "plan saved"
    session.log_export("markdown file")
    assert session.plan_state() == "plan saved and exported"
    session.apply("goals_support", {"goals_support": complete.goals_support.model_copy(update={"crisis_plan": "Call Sam"})}, {})
    assert session.plan_state() == "plan ready, not saved", "changed since: saved no longer"
