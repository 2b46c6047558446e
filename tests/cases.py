"""Whole intakes for the cases the issues name, built from the base example so they stay valid.

``treated_hypertension``: a 45-year-old woman on Zoloft, Xanax 0.5 mg as needed and lisinopril,
with high blood pressure controlled by treatment (no flag), a PHQ-9 of 19 (one point below the
severe-and-chronic rule) in an episode of 30 months, and sertraline, a failed trial, still taken.
"""

from __future__ import annotations

from typing import Any

from builders import build_data, deep_merge, phq9_answers, set_path

ALL_TOPICS = ("dissociation", "blood_pressure", "sedation", "dizziness_nausea", "headache_anxiety", "vision",
              "driving_escort", "bladder", "misuse", "liver", "mood_monitoring")


def treated_hypertension(paths: dict[str, Any] | None = None, **sections: Any) -> dict[str, Any]:
    """The hypertension case as intake JSON, with dotted-path changes (see ``builders.build_data``)."""
    case = build_data(
        {
            "record_id": "6f1c2d9e-5b7a-4c3e-9d2f-1a2b3c4d5e13",
            "medical_history.demographics": {"full_name": "Ana Moreno", "date_of_birth": "1981-01-20", "sex": "female",
                                             "height_cm": 165, "weight_kg": 78},
            "medical_history.psychiatric.diagnosis": "major depressive disorder",
            "medical_history.psychiatric.episode_months": 30,
            "medical_history.psychiatric.antidepressant_trials": [
                {"medicine": "sertraline", "dose_mg_per_day": 150, "weeks_at_dose": 12, "improvement_percent": 20, "in_current_episode": True},
                {"medicine": "escitalopram", "dose_mg_per_day": 20, "weeks_at_dose": 8, "improvement_percent": 25, "in_current_episode": True},
            ],
            "medical_history.physical.hypertension": True,
            "medical_history.physical.hypertension_controlled": True,
            "medical_history.vitals": {"systolic_bp": 132, "diastolic_bp": 84, "pulse": 76},
            "phq9.answers": phq9_answers(19),
            "medications.items": [
                {"name": "Zoloft", "dose": "150 mg", "how_often": "once a day", "reason": "depression"},
                {"name": "Xanax", "dose": "0.5 mg", "how_often": "prn", "reason": "panic"},
                {"name": "lisinopril", "dose": "10 mg", "how_often": "every morning", "reason": "blood pressure"},
            ],
            "side_effects": {
                "discussed": {topic: True for topic in ALL_TOPICS},
                "concerns": "Worried that her blood pressure will spike during the infusion.",
                "questions": "Asked whether to take lisinopril on a session day: yes, as usual.",
            },
        }
    )
    case = deep_merge(case, sections)
    for dotted, value in (paths or {}).items():
        set_path(case, dotted, value)
    return case
