"""One whole intake, answered the same way at the keyboard (``tests/ui/test_app_walk.py``) and
through ``IntakeSession`` alone (``tests/unit/test_session.py``), and what the store must then hold.

``SECTIONS`` are the answers as each step's screen hands them to the session (what the keyboard
walk types, validated by the section models); ``check_stored`` is what both walks must store.
Nothing here imports Textual, so the session walk can prove it runs without it.
"""

from __future__ import annotations

from typing import Any

from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS

PHQ9 = (2, 2, 2, 2, 1, 2, 1, 1, 0)  # 13: moderate, question 9 "Not at all"
GAD7 = (1, 1, 1, 1, 0, 0, 0)  # 4: minimal
SAM = {"name": "Sam Ellis", "relationship": "husband", "phone": "+1 555 201 3344"}
#: Every question the rules read is answered; on these pages the walk answers them with "none of these".
NONE_PSYCHIATRIC = {name: False for name in ("prior_ect", "prior_tms", "prior_ketamine", "psychosis", "bipolar_disorder", "mood_stabiliser")}
NONE_SUBSTANCE = {"active_substance_use_disorder": False, "past_ketamine_or_pcp_misuse": False, "alcohol_drinks_per_week": 0, "cannabis_use": False}
NONE_PHYSICAL = {name: False for name in (
    "hypertension", "coronary_disease", "heart_failure", "arrhythmia", "pulmonary_hypertension", "aneurysm",
    "arteriovenous_malformation", "stroke", "intracerebral_haemorrhage", "raised_intracranial_pressure", "seizures",
    "glaucoma", "recent_eye_surgery", "liver_disease", "hyperthyroidism", "bladder_symptoms", "pregnant",
    "trying_to_conceive", "breastfeeding", "ketamine_allergy")}

#: Per step, the sections it fills, as the keyboard walk answers them.
SECTIONS: dict[str, dict[str, Any]] = {
    "medical_history": {
        "medical_history": {
            "demographics": {"full_name": "Alex Moreno", "date_of_birth": "1985-03-01", "sex": "male", "height_cm": 175, "weight_kg": 70},
            "psychiatric": {"diagnosis": "major depressive disorder", "episode_months": 14, "antidepressant_trials": [
                {"medicine": "sertraline", "dose_mg_per_day": 150, "weeks_at_dose": 10, "improvement_percent": 20, "in_current_episode": True},
                {"medicine": "venlafaxine", "dose_mg_per_day": 225, "weeks_at_dose": 8, "improvement_percent": 10, "in_current_episode": True}],
                **NONE_PSYCHIATRIC},
            "substance_use": dict(NONE_SUBSTANCE),
            "physical": dict(NONE_PHYSICAL),
            "vitals": {"systolic_bp": 122, "diastolic_bp": 78, "pulse": 72},
        },
        "phq9": {"answers": list(PHQ9), "difficulty": 1},
        "gad7": {"answers": list(GAD7)},
        "asq": {"wished_dead": False, "family_better_off": False, "thoughts_of_killing_self": False, "ever_tried": False},
    },
    "medications": {"medications": {"items": [{"name": "Xanax", "dose": "0.5 mg", "how_often": "at night", "reason": "sleep"}]}},
    "side_effects": {"side_effects": {"discussed": {topic.id: True for topic in SIDE_EFFECT_TOPICS}}},
    "goals_support": {"goals_support": {
        "goals": [{"description": "Back to work three days a week", "target": "Working 3 days a week for 2 weeks", "by_when": "March"}],
        "escort_every_session": True, "escort": SAM, "emergency_contact": SAM,
    }},
}


def check_stored(stored: Any, summary: Any) -> None:
    """What the store holds after the whole intake (``stored``: the ``Intake`` read back;
    ``summary``: its row in the drafts list), whichever way it was answered."""
    assert stored.current_step == "summary"
    demographics = stored.medical_history.demographics
    assert (demographics.full_name, str(demographics.date_of_birth), demographics.sex) == ("Alex Moreno", "1985-03-01", "male")
    assert (demographics.height_cm, demographics.weight_kg) == (175, 70)
    trials = stored.medical_history.psychiatric.antidepressant_trials
    assert [(t.medicine, t.dose_mg_per_day, t.weeks_at_dose, t.improvement_percent) for t in trials] == [
        ("sertraline", 150, 10, 20), ("venlafaxine", 225, 8, 10)]
    assert (stored.medical_history.vitals.systolic_bp, stored.medical_history.vitals.diastolic_bp) == (122, 78)
    assert stored.phq9.answers == list(PHQ9) and stored.phq9.difficulty == 1
    assert stored.gad7.answers == list(GAD7)
    assert stored.asq.result == "negative"
    assert [m.name for m in stored.medications.items] == ["Xanax"]
    assert all(stored.side_effects.discussed.values())
    assert stored.goals_support.escort.name == "Sam Ellis"
    goal = stored.goals_support.goals[0]
    assert goal.by_when == "March" and (goal.by_date.month, goal.by_date.day) == (3, 1), "the words kept, the next 1 March read"

    plan = stored.plan
    assert plan is not None, "the plan is derived and stored with the intake"
    assert [f["code"] for f in plan["flags"]] == ["INT-BENZODIAZEPINE"]
    assert plan["schedulable"] is True
    assert (plan["course"]["route"], plan["course"]["sessions"], plan["course"]["per_week"]) == ("iv_ketamine", 6, 2)
    assert len(plan["schedule"]) == 6
    assert plan["treatment_history"]["failed_adequate_trials"] == 2
    assert plan["baseline"]["phq9_total"] == 13
    assert stored.triage is not None and (stored.triage.urgent, stored.triage.blocked) == (False, False)

    assert (summary.full_name, summary.urgent, summary.blocked, summary.current_step) == ("Alex Moreno", False, False, "summary")


def session_walk(settings: Any) -> tuple[str, dict[str, Any]]:
    """The whole intake through ``IntakeSession``, saved after every step as the App saves it;
    returns the record id and the plan derived at the end."""
    from ketatui.clinical.protocol import load_protocol
    from ketatui.intake.document import Intake
    from ketatui.session import IntakeSession
    from ketatui.storage import open_repository

    session = IntakeSession(Intake(), load_protocol(settings.protocol_file), open_repository(settings), settings.user)
    step_id: str | None = session.first_open_step()
    while step_id is not None:
        session.move_to(step_id)
        answers = SECTIONS.get(step_id, {})
        session.apply(step_id, _sections(answers), {"answers": answers})
        session.save()
        step_id = session.next_step(step_id)
    assert session.derived.plan is not None
    return session.intake.record_id, session.derived.plan.model_dump(mode="json")


def _sections(answers: dict[str, Any]) -> dict[str, Any]:
    """Each section built through its model, as a step builds it from what was typed (a goal's
    "By when" read from the day the intake began: today)."""
    from datetime import date

    from ketatui.intake.document import Intake
    from ketatui.intake.goals import INTAKE_DATE

    built = Intake.model_validate(answers, context={INTAKE_DATE: date.today()})
    return {name: getattr(built, name) for name in answers}
