"""The intake in a patient's words: what the kiosk shows instead of the clinician's labels, and
which questions a patient is not asked at all.

Keys are the intake paths the step screens already use (``medical_history.demographics.weight_kg``;
a list item's index is written ``[]``), ``page:<id>`` for a page title and ``text:<id>`` for a
line of guidance. The clinician's words stay on the models (their ``title``), so every error
message and export is unchanged; only what a patient reads differs. Instruments keep their exact
published wording (PHQ-9, GAD-7, ASQ already speak to "you").

Clinician-only questions (the intake blood pressure and pulse, height and weight, which a nurse
measures, in the units the dose is worked out in, the working diagnosis, the dose
and length of each antidepressant trial, from which a clinician judges whether it was adequate)
are not asked at a kiosk; the clinician completes them when reviewing the intake.
"""

from __future__ import annotations

import re

MH = "medical_history"
GS = "goals_support"
TRIAL = f"{MH}.psychiatric.antidepressant_trials[]"

#: Asked of the clinician only: a kiosk hides them and does not hold a patient up on them.
CLINICIAN_ONLY: frozenset[str] = frozenset({
    f"{MH}.vitals.systolic_bp", f"{MH}.vitals.diastolic_bp", f"{MH}.vitals.pulse",
    f"{MH}.demographics.height_cm", f"{MH}.demographics.weight_kg",
    f"{MH}.psychiatric.diagnosis",
    f"{TRIAL}.dose_mg_per_day", f"{TRIAL}.weeks_at_dose", f"{TRIAL}.improvement_percent", f"{TRIAL}.in_current_episode",
})

WORDS: dict[str, str] = {
    # pages
    "page:about": "About you",
    "page:depression": "Your depression so far",
    "page:trials": "Medicines for depression you have tried",
    "page:substance": "Alcohol and drugs",
    "page:physical-heart": "Your heart, blood and brain",
    "page:physical-other": "Your eyes, liver, thyroid and more",
    "page:vitals": "Height, weight and blood pressure",
    "page:phq9": "How you have been feeling",
    "page:gad7": "Worry and nerves",
    "page:asq": "A few more questions about how you feel",
    # guidance
    "text:trials": "Write the name of each medicine for depression you have tried this time. "
                   "If you have not tried any, leave this page empty.",
    "text:trial": "Medicine",
    "text:add-trial": "Add another medicine (ctrl+n)",
    "text:remove-trial": "Remove medicine",
    "text:physical": "Have you ever had any of these? Press y for yes or n for no on each one. If you have had none of them, press ctrl+o.",
    "text:vitals": "A nurse will check your height, weight, blood pressure and pulse at the clinic. "
                   "There is nothing to fill in on this page. Press F3 to go on.",
    "text:none-of-these": "Press y for yes or n for no. If you have had none of the rest, press ctrl+o.",
    "text:none-of-these-nothing": "You have answered every question on this page.",
    # the answers to a yes/no question
    "answer:Not known": "I don't know",
    "answer:responded": "Yes, it helped",
    "answer:did not respond": "No, it did not help",
    "answer:not applicable": "Does not apply to me",
    # about you
    f"{MH}.demographics.full_name": "Your full name",
    f"{MH}.demographics.date_of_birth": "Your date of birth, like 1985-03-25",
    f"{MH}.demographics.sex": "Your sex",
    # your depression so far
    f"{MH}.psychiatric.episode_months": "Months you have felt this way",
    f"{MH}.psychiatric.prior_ect": "Have you had ECT (a treatment with a mild electric current while asleep)?",
    f"{MH}.psychiatric.prior_tms": "Have you had TMS (a treatment with magnetic pulses to the head)?",
    f"{MH}.psychiatric.prior_ketamine": "Have you had ketamine or esketamine before?",
    f"{MH}.psychiatric.prior_ketamine_response": "Did it help you?",
    f"{MH}.psychiatric.psychosis": "Have you heard, seen or believed things that others said were not real?",
    f"{MH}.psychiatric.bipolar_disorder": "Have you been told you have bipolar disorder?",
    f"{MH}.psychiatric.mood_stabiliser": "Do you take a mood stabilizer, such as lithium?",
    f"{TRIAL}.medicine": "Medicine",
    f"{TRIAL}.stopped_for_side_effects": "I stopped: it made me feel bad",
    # alcohol and drugs
    f"{MH}.substance_use.active_substance_use_disorder": "Do you have a problem with alcohol or drugs now?",
    f"{MH}.substance_use.past_ketamine_or_pcp_misuse": "Have you used ketamine or PCP when a doctor did not give it?",
    f"{MH}.substance_use.alcohol_drinks_per_week": "Alcohol drinks a week (0 if none)",
    f"{MH}.substance_use.cannabis_use": "Do you use cannabis (weed)?",
    f"{MH}.substance_use.details": "Anything else you want to tell us",
    # heart, blood and brain
    f"{MH}.physical.hypertension": "High blood pressure?",
    f"{MH}.physical.hypertension_controlled": "Is your blood pressure kept in check by your medicine?",
    f"{MH}.physical.coronary_disease": "Heart disease or chest pain?",
    f"{MH}.physical.heart_failure": "Heart failure?",
    f"{MH}.physical.arrhythmia": "A heartbeat that is not regular?",
    f"{MH}.physical.pulmonary_hypertension": "High blood pressure in the lungs?",
    f"{MH}.physical.aneurysm": "A bulge in a blood vessel?",
    f"{MH}.physical.arteriovenous_malformation": "A tangle of blood vessels in the brain?",
    f"{MH}.physical.stroke": "A stroke?",
    f"{MH}.physical.intracerebral_haemorrhage": "Bleeding in the brain?",
    f"{MH}.physical.raised_intracranial_pressure": "High pressure in the head, such as after a head injury?",
    f"{MH}.physical.seizures": "Seizures or fits?",
    # eyes, liver, thyroid and more
    f"{MH}.physical.glaucoma": "Glaucoma or high pressure in the eye?",
    f"{MH}.physical.recent_eye_surgery": "Eye surgery or an eye injury in the last 3 months?",
    f"{MH}.physical.liver_disease": "Liver disease?",
    f"{MH}.physical.hyperthyroidism": "A thyroid that works too hard?",
    f"{MH}.physical.hyperthyroidism_controlled": "Is your thyroid kept in check by your medicine?",
    f"{MH}.physical.bladder_symptoms": "Bladder trouble: you need to pee often, in a rush, or it hurts?",
    f"{MH}.physical.pregnant": "Are you pregnant?",
    f"{MH}.physical.trying_to_conceive": "Are you trying to get pregnant?",
    f"{MH}.physical.breastfeeding": "Are you breastfeeding?",
    f"{MH}.physical.ketamine_allergy": "Have you had a bad reaction to ketamine or esketamine?",
    f"{MH}.physical.other_allergies": "Other allergies",
    f"{MH}.physical.other_conditions": "Other health problems",
    # medicines
    "medications.none_taken": "I do not take any medicines",
    # goals and support
    "text:goal": "Goal",
    "text:clinician": "Doctor or therapist",
    "text:escort": "Who will take you home",
    "text:emergency-contact": "Who we call in an emergency",
    f"{GS}.goals[].description": "What you want to feel or do again",
    f"{GS}.goals[].target": "How you will know it is better",
    f"{GS}.goals[].by_when": "By when",
    f"{GS}.escort_every_session": "Will someone take you home after every session?",
    f"{GS}.escort.name": "Their name",
    f"{GS}.escort.relationship": "Who they are to you",
    f"{GS}.escort.phone": "Their phone number",
    f"{GS}.emergency_contact.name": "Their name",
    f"{GS}.emergency_contact.relationship": "Who they are to you",
    f"{GS}.emergency_contact.phone": "Their phone number",
    f"{GS}.treating_clinicians[].name": "Their name",
    f"{GS}.treating_clinicians[].role": "What they do, like family doctor",
    f"{GS}.treating_clinicians[].phone": "Their phone number",
    f"{GS}.living_situation": "Who you live with",
    f"{GS}.crisis_plan": "What you do when things get very hard",
}

#: Words a patient should not meet on a kiosk screen (the patient-wording test checks for them).
JARGON: tuple[str, ...] = (
    "diagnosis", "systolic", "diastolic", "mmhg", "contraindication", "hypertension", "arrhythmia",
    "intracerebral", "haemorrhage", "intracranial", "hyperthyroidism", "cystitis", "conceive",
    "nmda", "ampa", "bdnf", "titration", "induction", "dissociation", "psychotic", "the person",
    "adequate", "trd", "phq-9", "gad-7", "asq", "flag", "urgent", "escort", "bmi",
)

_INDEX = re.compile(r"\[\d+\]|\.row\d+(?=\.)")


def key_of(path: str) -> str:
    """A path with list positions taken out: ``...trials[2].medicine`` -> ``...trials[].medicine``
    (a goal's row, ``goals.row7.target``, likewise)."""
    return _INDEX.sub("[]", path)


def patient_words(key: str, default: str) -> str:
    """The patient's words for a path, page or guidance line, else ``default``."""
    return WORDS.get(key_of(key), default)


def asked(path: str) -> bool:
    """Whether a patient is asked the question at ``path`` (False for clinician-only questions)."""
    return key_of(path) not in CLINICIAN_ONLY
