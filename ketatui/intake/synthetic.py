"""Synthetic intakes for demos, training and benchmarks: realistic, varied, and clearly marked.

Every record made here has ``training=True`` and a name from a fixed list of invented people,
so it can never be mistaken for, or mixed with, a real patient's record.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ketatui.intake.answers import rest_answered_no
from ketatui.intake.goals import Contact, Goal, GoalsAndSupport
from ketatui.intake.history import AntidepressantTrial, Demographics, MedicalHistory, PhysicalHealth, PsychiatricHistory, SubstanceUse, Vitals
from ketatui.intake.instruments import ASQ, GAD7, PHQ9
from ketatui.intake.document import Intake
from ketatui.intake.medications import MedicationEntry, Medications
from ketatui.intake.side_effects import TOPIC_IDS, SideEffectDiscussion

FIRST = ("Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Indigo", "Jules", "Kai", "Logan", "Morgan", "Noa", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor")
LAST = ("Ashdown", "Brightwater", "Coldbrook", "Dunmore", "Everhart", "Fairleigh", "Greystone", "Hollins", "Ivers", "Juniper", "Kestrel", "Larkspur", "Merriweather", "Northcote", "Oakhurst", "Pennywhistle", "Quarry", "Rookwood", "Stillwater", "Thistledown")
ANTIDEPRESSANTS = (("sertraline", 150), ("escitalopram", 20), ("fluoxetine", 40), ("venlafaxine", 225), ("duloxetine", 60), ("bupropion", 300), ("mirtazapine", 30), ("vortioxetine", 20))
OTHER_MEDICINES = ("atorvastatin 20 mg", "lorazepam 1mg prn", "lamotrigine 100 mg", "levothyroxine 50 mcg", "zolpidem 5 mg", "metformin 500 mg", "Adderall XR 20mg", "tramadol 50 mg", "lithium 600 mg", "omeprazole 20 mg", "quetiapine 50 mg", "naltrexone 50 mg")
GOALS = (("Return to work", "Working 3 days a week"), ("Sleep through the night", "5 of 7 nights a week"), ("See friends again", "One social outing a week"), ("Feel less hopeless", "PHQ-9 below 10"))


def synthetic_intake(rng: random.Random, *, today: date | None = None) -> Intake:
    """One synthetic intake; the same ``rng`` state always gives the same intake."""
    today = today or date.today()
    age = rng.randint(19, 78)
    born = today - timedelta(days=365 * age + rng.randint(0, 360))
    first, last = rng.choice(FIRST), rng.choice(LAST)
    systolic = rng.choice((112, 118, 124, 131, 138, 142, 150, 186))
    trials = [
        AntidepressantTrial(medicine=name, dose_mg_per_day=dose, weeks_at_dose=rng.randint(3, 16), improvement_percent=rng.choice((0, 10, 20, 30, 60)), in_current_episode=True)
        for name, dose in rng.sample(ANTIDEPRESSANTS, rng.randint(0, 4))
    ]
    answers = [rng.choice((1, 2, 2, 3, 3)) for _ in range(8)] + [rng.choice((0, 0, 0, 0, 1, 2))]
    asq_yes = answers[8] > 0 and rng.random() < 0.7
    medications = [MedicationEntry(name=text) for text in rng.sample(OTHER_MEDICINES, rng.randint(0, 3))]
    discussed = {topic: rng.random() < 0.95 for topic in TOPIC_IDS}
    contact = Contact(name=f"{rng.choice(FIRST)} {last}", relationship=rng.choice(("partner", "parent", "friend", "sibling")), phone=f"555 0{rng.randint(100, 199)} {rng.randint(1000, 9999)}")
    goal_text, target = rng.choice(GOALS)
    return Intake(
        training=True,
        status=rng.choice(("draft", "submitted", "reviewed")),
        route=rng.choice(("iv_ketamine", "iv_ketamine", "esketamine")),
        current_step="summary",
        medical_history=MedicalHistory(
            demographics=Demographics(full_name=f"{first} {last} (synthetic)", date_of_birth=born, sex=rng.choice(("female", "male", "intersex", "not stated")), height_cm=rng.randint(150, 195), weight_kg=rng.randint(48, 130)),
            psychiatric=rest_answered_no(PsychiatricHistory, diagnosis=rng.choice(("major depressive disorder", "major depressive disorder", "bipolar depression")), episode_months=rng.randint(2, 60), antidepressant_trials=trials, psychosis=rng.random() < 0.05),
            substance_use=rest_answered_no(SubstanceUse, alcohol_drinks_per_week=rng.choice((0, 0, 2, 6, 14)), cannabis_use=rng.random() < 0.15),
            physical=rest_answered_no(PhysicalHealth, hypertension=systolic >= 140, **({"hypertension_controlled": systolic < 150} if systolic >= 140 else {}), glaucoma=rng.random() < 0.03, bladder_symptoms=rng.random() < 0.05),
            vitals=Vitals(systolic_bp=systolic, diastolic_bp=rng.randint(62, min(systolic - 30, 112)), pulse=rng.randint(55, 100)),
        ),
        phq9=PHQ9(answers=answers, difficulty=rng.randint(0, 3)),
        gad7=GAD7(answers=[rng.randint(0, 3) for _ in range(7)]),
        asq=ASQ(wished_dead=asq_yes, family_better_off=False, thoughts_of_killing_self=asq_yes and rng.random() < 0.5, ever_tried=False, thoughts_right_now=(rng.random() < 0.1) if asq_yes else None),
        medications=Medications(items=medications, none_taken=not medications),
        side_effects=SideEffectDiscussion(discussed=discussed),
        goals_support=GoalsAndSupport(goals=[Goal(description=goal_text, target=target)], escort_every_session=rng.random() < 0.9, escort=contact, emergency_contact=contact if rng.random() < 0.9 else None, living_situation=rng.choice(("lives alone", "with partner or family", "with others"))),
    )
