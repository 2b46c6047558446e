"""Every flag code: raised by the answer that should raise it, quiet just short of its threshold.

Each case starts from the uncomplicated example (which raises nothing) and changes a few answers.
A raised case checks the code, its severity and title from the vocabulary, that the reason quotes
the answer, and exactly which fields it names. The last test proves every code in
``FLAG_DEFINITIONS`` has both kinds of case, so a new code cannot arrive untested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from ketatui.clinical.flags import FLAG_DEFINITIONS, SEVERITIES
from ketatui.intake.document import Intake
from ketatui.clinical.protocol import default_protocol
from ketatui.clinical.rules import evaluate

from builders import TODAY, phq9_answers

MH = "medical_history"
PHYS = f"{MH}.physical"
PSYCH = f"{MH}.psychiatric"
SUB = f"{MH}.substance_use"
VITALS = f"{MH}.vitals"
ASQ_NO = {"asq.wished_dead": False, "asq.family_better_off": False, "asq.thoughts_of_killing_self": False, "asq.ever_tried": False}

#: Two trials that both count as adequate failures: the edge cases change the second one.
TWO_FAILED_TRIALS = [
    {"medicine": "sertraline", "dose_mg_per_day": 150, "weeks_at_dose": 10, "improvement_percent": 20, "in_current_episode": True},
    {"medicine": "bupropion", "dose_mg_per_day": 300, "weeks_at_dose": 8, "improvement_percent": 10, "in_current_episode": True},
]


def bp(systolic: int, diastolic: int) -> dict[str, Any]:
    return {f"{VITALS}.systolic_bp": systolic, f"{VITALS}.diastolic_bp": diastolic}


def meds(*names: str) -> dict[str, Any]:
    return {"medications.items": [{"name": name} for name in names], "medications.none_taken": False}


def second_trial(**changes: Any) -> dict[str, Any]:
    trials = [dict(t) for t in TWO_FAILED_TRIALS]
    trials[1].update(changes)
    return {f"{PSYCH}.antidepressant_trials": trials}


def phq(total: int, item9: int = 0) -> dict[str, Any]:
    return {"phq9.answers": phq9_answers(total, item9)}


@dataclass(frozen=True)
class Case:
    code: str
    label: str
    answers: dict[str, Any]
    quotes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    protocol: dict[str, Any] = field(default_factory=dict)

    def param(self) -> Any:
        return pytest.param(self, id=f"{self.code}-{self.label}")


def raised(code: str, label: str, answers: dict[str, Any], quotes: tuple[str, ...], sources: tuple[str, ...], **kw: Any) -> Case:
    return Case(code, label, answers, quotes, sources, **kw)


def quiet(code: str, label: str, answers: dict[str, Any], **kw: Any) -> Case:
    return Case(code, label, answers, **kw)


RAISED: list[Case] = [
    # Suicide risk: ASQ acuity, item 9 = 3 with a positive ASQ, any ASQ yes, item 9 >= 1.
    raised("RISK-SUICIDE-ACUTE", "asq-acuity-yes", {"asq.wished_dead": True, "asq.thoughts_right_now": True},
           ("ASQ question 5 answered yes", "right now"), ("asq.thoughts_right_now",)),
    raised("RISK-SUICIDE-ACUTE", "item9-3-with-positive-asq", {**phq(20, item9=3), "asq.wished_dead": True, "asq.thoughts_right_now": False},
           ("PHQ-9 question 9 answered 'Nearly every day'", "positive ASQ"), ("phq9.answers[8]", "asq")),
    raised("RISK-SUICIDE-SCREEN", "item9-1", phq(18, item9=1),
           ("PHQ-9 question 9 answered 'Several days'",), ("phq9.answers[8]",)),
    raised("RISK-SUICIDE-SCREEN", "item9-3-asq-negative", phq(20, item9=3),
           ("PHQ-9 question 9 answered 'Nearly every day'",), ("phq9.answers[8]",)),
    raised("RISK-SUICIDE-SCREEN", "asq-q1", {"asq.wished_dead": True, "asq.thoughts_right_now": False},
           ("ASQ question 1 answered yes",), ("asq.wished_dead",)),
    raised("RISK-SUICIDE-SCREEN", "asq-q4-ever-tried", {"asq.ever_tried": True, "asq.ever_tried_details": "2019, pills", "asq.thoughts_right_now": False},
           ("ASQ question 4 answered yes",), ("asq.ever_tried",)),
    raised("RISK-SUICIDE-SCREEN", "asq-and-item9", {**phq(18, item9=2), "asq.family_better_off": True, "asq.thoughts_of_killing_self": True, "asq.thoughts_right_now": False},
           ("ASQ question 2, 3 answered yes", "'More than half the days'"), ("asq.family_better_off", "asq.thoughts_of_killing_self", "phq9.answers[8]")),
    # Contraindications.
    raised("CI-HYPERSENSITIVITY", "allergy", {f"{PHYS}.ketamine_allergy": True},
           ("allergic reaction to ketamine or esketamine",), (f"{PHYS}.ketamine_allergy",)),
    raised("CI-VASCULAR", "aneurysm", {f"{PHYS}.aneurysm": True}, ("aneurysm",), (f"{PHYS}.aneurysm",)),
    raised("CI-VASCULAR", "avm", {f"{PHYS}.arteriovenous_malformation": True}, ("arteriovenous malformation",), (f"{PHYS}.arteriovenous_malformation",)),
    raised("CI-VASCULAR", "both", {f"{PHYS}.aneurysm": True, f"{PHYS}.arteriovenous_malformation": True},
           ("aneurysm and arteriovenous malformation",), (f"{PHYS}.aneurysm", f"{PHYS}.arteriovenous_malformation")),
    raised("CI-BRAIN-BLEED", "haemorrhage", {f"{PHYS}.intracerebral_haemorrhage": True}, ("bleeding in the brain",), (f"{PHYS}.intracerebral_haemorrhage",)),
    raised("CI-STROKE", "stroke", {f"{PHYS}.stroke": True}, ("stroke",), (f"{PHYS}.stroke",)),
    raised("CI-THYROTOXICOSIS", "uncontrolled", {f"{PHYS}.hyperthyroidism": True, f"{PHYS}.hyperthyroidism_controlled": False},
           ("not controlled",), (f"{PHYS}.hyperthyroidism", f"{PHYS}.hyperthyroidism_controlled")),
    raised("CI-PREGNANCY", "pregnant", {f"{PHYS}.pregnant": True}, ("Pregnant",), (f"{PHYS}.pregnant",)),
    raised("CI-PREGNANCY", "trying-to-conceive", {f"{PHYS}.trying_to_conceive": True}, ("Trying to conceive",), (f"{PHYS}.trying_to_conceive",)),
    # Blood pressure at the protocol's edges (severe 180/110, elevated 140/90).
    raised("BP-SEVERE", "184-112", bp(184, 112), ("BP 184/112", "180/110"), (f"{VITALS}.systolic_bp", f"{VITALS}.diastolic_bp")),
    raised("BP-SEVERE", "180-100-systolic-edge", bp(180, 100), ("BP 180/100",), (f"{VITALS}.systolic_bp", f"{VITALS}.diastolic_bp")),
    raised("BP-SEVERE", "150-110-diastolic-edge", bp(150, 110), ("BP 150/110",), (f"{VITALS}.systolic_bp", f"{VITALS}.diastolic_bp")),
    raised("BP-SEVERE", "protocol-170-makes-172-104-severe", bp(172, 104), ("BP 172/104", "170/110"), (f"{VITALS}.systolic_bp", f"{VITALS}.diastolic_bp"),
           protocol={"thresholds.bp_severe_systolic": 170}),
    raised("BP-ELEVATED", "179-109", bp(179, 109), ("BP 179/109", "140/90"), (f"{VITALS}.systolic_bp", f"{VITALS}.diastolic_bp")),
    raised("BP-ELEVATED", "140-89-systolic-edge", bp(140, 89), ("BP 140/89",), (f"{VITALS}.systolic_bp", f"{VITALS}.diastolic_bp")),
    raised("BP-ELEVATED", "139-90-diastolic-edge", bp(139, 90), ("BP 139/90",), (f"{VITALS}.systolic_bp", f"{VITALS}.diastolic_bp")),
    raised("BP-ELEVATED", "uncontrolled-hypertension", {f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": False},
           ("not controlled",), (f"{PHYS}.hypertension", f"{PHYS}.hypertension_controlled")),
    raised("BP-ELEVATED", "raised-and-uncontrolled", {**bp(150, 95), f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": False},
           ("BP 150/95", "not controlled"), (f"{VITALS}.systolic_bp", f"{VITALS}.diastolic_bp", f"{PHYS}.hypertension", f"{PHYS}.hypertension_controlled")),
    # Age on the fixed TODAY (2026-03-02) and BMI.
    raised("AGE-MINOR", "17-birthday-tomorrow", {f"{MH}.demographics.date_of_birth": "2008-03-03"},
           ("Aged 17", "born 2008-03-03"), (f"{MH}.demographics.date_of_birth",)),
    raised("AGE-OLDER", "65-today", {f"{MH}.demographics.date_of_birth": "1961-03-02"},
           ("Aged 65", "born 1961-03-02"), (f"{MH}.demographics.date_of_birth",)),
    raised("BMI-HIGH", "30.0", {f"{MH}.demographics.height_cm": 200, f"{MH}.demographics.weight_kg": 120},
           ("BMI 30", "120 kg", "200 cm"), (f"{MH}.demographics.weight_kg", f"{MH}.demographics.height_cm")),
    # Conditions.
    raised("PSYCHOSIS", "psychosis", {f"{PSYCH}.psychosis": True}, ("psychotic",), (f"{PSYCH}.psychosis",)),
    raised("SUBSTANCE-USE", "active-sud", {f"{SUB}.active_substance_use_disorder": True},
           ("'active substance use disorder'",), (f"{SUB}.active_substance_use_disorder",)),
    raised("SUBSTANCE-USE", "past-ketamine-misuse", {f"{SUB}.past_ketamine_or_pcp_misuse": True},
           ("'past misuse of ketamine or PCP'",), (f"{SUB}.past_ketamine_or_pcp_misuse",)),
    raised("BREASTFEEDING", "breastfeeding", {f"{PHYS}.breastfeeding": True}, ("breastfeeding",), (f"{PHYS}.breastfeeding",)),
    raised("CARDIAC", "coronary", {f"{PHYS}.coronary_disease": True}, ("coronary heart disease",), (f"{PHYS}.coronary_disease",)),
    raised("CARDIAC", "failure-and-pulmonary-htn", {f"{PHYS}.heart_failure": True, f"{PHYS}.pulmonary_hypertension": True},
           ("heart failure", "pulmonary hypertension"), (f"{PHYS}.heart_failure", f"{PHYS}.pulmonary_hypertension")),
    raised("CARDIAC", "arrhythmia", {f"{PHYS}.arrhythmia": True}, ("irregular heart rhythm",), (f"{PHYS}.arrhythmia",)),
    raised("ICP-IOP", "raised-icp", {f"{PHYS}.raised_intracranial_pressure": True}, ("raised pressure in the skull",), (f"{PHYS}.raised_intracranial_pressure",)),
    raised("ICP-IOP", "glaucoma", {f"{PHYS}.glaucoma": True}, ("glaucoma",), (f"{PHYS}.glaucoma",)),
    raised("ICP-IOP", "eye-surgery", {f"{PHYS}.recent_eye_surgery": True}, ("eye surgery",), (f"{PHYS}.recent_eye_surgery",)),
    raised("LIVER", "liver", {f"{PHYS}.liver_disease": True}, ("Liver disease",), (f"{PHYS}.liver_disease",)),
    raised("BIPOLAR", "bipolar-no-stabiliser", {f"{PSYCH}.bipolar_disorder": True}, ("no mood stabiliser reported",), (f"{PSYCH}.bipolar_disorder",)),
    raised("BIPOLAR", "bipolar-depression-diagnosis", {f"{PSYCH}.diagnosis": "bipolar depression", f"{PSYCH}.mood_stabiliser": True},
           ("a mood stabiliser is taken",), (f"{PSYCH}.diagnosis",)),
    raised("BLADDER", "symptoms", {f"{PHYS}.bladder_symptoms": True}, ("Urinary symptoms",), (f"{PHYS}.bladder_symptoms",)),
    # Interactions, by generic, brand, typo and a free-text line; sources point at the row.
    raised("INT-THEOPHYLLINE", "theophylline", meds("theophylline"), ("theophylline", "seizure threshold"), ("medications.items[0].name",)),
    raised("INT-THEOPHYLLINE", "aminophylline-typo", meds("atorvastatin", "aminophyline"), ("aminophyline (aminophylline)",), ("medications.items[1].name",)),
    raised("INT-BENZODIAZEPINE", "brand", meds("Xanax"), ("Xanax (alprazolam)",), ("medications.items[0].name",)),
    raised("INT-BENZODIAZEPINE", "generic", meds("alprazolam"), ("alprazolam",), ("medications.items[0].name",)),
    raised("INT-BENZODIAZEPINE", "typo", meds("alprazolm"), ("alprazolm (alprazolam)",), ("medications.items[0].name",)),
    raised("INT-BENZODIAZEPINE", "two-rows", meds("atorvastatin", "Xanax 0.5mg bid", "lorazepam 1mg prn"),
           ("Xanax 0.5mg bid (alprazolam)", "lorazepam 1mg prn"), ("medications.items[1].name", "medications.items[2].name")),
    raised("INT-LAMOTRIGINE", "brand", meds("Lamictal"), ("Lamictal (lamotrigine)",), ("medications.items[0].name",)),
    raised("INT-MAOI", "phenelzine", meds("phenelzine 15 mg tid"), ("phenelzine 15 mg tid", "blood pressure"), ("medications.items[0].name",)),
    raised("INT-STIMULANT", "adderall", meds("Adderall XR 20mg"), ("Adderall XR 20mg (amphetamine-dextroamphetamine)",), ("medications.items[0].name",)),
    raised("INT-STIMULANT", "methylphenidate", meds("methylphenidate"), ("methylphenidate",), ("medications.items[0].name",)),
    raised("INT-OPIOID", "tramadol", meds("tramadol 50 mg"), ("tramadol 50 mg", "sedation"), ("medications.items[0].name",)),
    raised("INT-NALTREXONE", "vivitrol", meds("Vivitrol"), ("Vivitrol (naltrexone)",), ("medications.items[0].name",)),
    raised("INT-SEDATIVE", "ambien", meds("Ambien"), ("Ambien (zolpidem)",), ("medications.items[0].name",)),
    raised("INT-CYP3A4-INHIBITOR", "clarithromycin", meds("clarithromycin"), ("clarithromycin", "clearance"), ("medications.items[0].name",)),
    raised("INT-CYP-INDUCER", "rifampicin", meds("rifampicin"), ("rifampicin (rifampin)",), ("medications.items[0].name",)),
    raised("INT-CYP-INDUCER", "st-johns-wort", meds("St Johns wort"), ("St Johns wort",), ("medications.items[0].name",)),
    raised("INT-THYROID", "synthroid", meds("Synthroid"), ("Synthroid (levothyroxine)",), ("medications.items[0].name",)),
    raised("INT-NMDA", "memantine", meds("memantine"), ("memantine", "theoretical"), ("medications.items[0].name",)),
    raised("INT-NMDA", "dextromethorphan", meds("aspirin", "dextromethorphan"), ("dextromethorphan",), ("medications.items[1].name",)),
    raised("MED-UNRECOGNISED", "junk", meds("sertraline", "Zorblax 10mg"), ("'Zorblax 10mg' not recognised",), ("medications.items[1].name",)),
    raised("MED-UNRECOGNISED", "unknown-beside-a-known-one", meds("lamotrigine and Zorblax"), ("'Zorblax' not recognised",), ("medications.items[0].name",)),
    raised("INT-BENZODIAZEPINE", "two-names-in-one-line", meds("lamotrigine and lorazepam 1mg"), ("lorazepam 1mg:",), ("medications.items[0].name",)),
    raised("MED-KETAMINE", "spravato", meds("sertraline", "Spravato 56mg"), ("Spravato 56mg (esketamine): already being taken",), ("medications.items[1].name",)),
    raised("MED-KETAMINE", "troches", meds("ketamine troches from an online clinic"), ("ketamine troches from an online clinic", "whatever the route"), ("medications.items[0].name",)),
    raised("INT-ALCOHOL", "one-drink", {f"{SUB}.alcohol_drinks_per_week": 1}, ("1 alcoholic drink",), (f"{SUB}.alcohol_drinks_per_week",)),
    raised("INT-ALCOHOL", "fourteen", {f"{SUB}.alcohol_drinks_per_week": 14}, ("14 alcoholic drinks a week",), (f"{SUB}.alcohol_drinks_per_week",)),
    raised("INT-CANNABIS", "reported", {f"{SUB}.cannabis_use": True}, ("Cannabis use",), (f"{SUB}.cannabis_use",)),
    raised("INT-CANNABIS", "dronabinol", meds("dronabinol"), ("dronabinol",), ("medications.items[0].name",)),
    # Support and consent.
    raised("SUPPORT-NO-ESCORT", "no-escort", {"goals_support.escort_every_session": False}, ("take them home",), ("goals_support.escort_every_session",)),
    raised("SUPPORT-NO-CONTACT", "no-contact", {"goals_support.emergency_contact": None}, ("No emergency contact",), ("goals_support.emergency_contact",)),
    raised("ANSWER-MISSING", "follow-up-unanswered", {f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": None},
           ("Not answered: 'Blood pressure controlled by treatment'", "cannot read an unanswered question as no"), (f"{PHYS}.hypertension_controlled",)),
    raised("ANSWER-MISSING", "question-unanswered", {f"{PHYS}.stroke": None, f"{SUB}.alcohol_drinks_per_week": None},
           ("'Alcoholic drinks per week' and 'Stroke'",), (f"{SUB}.alcohol_drinks_per_week", f"{PHYS}.stroke")),
    raised("ANSWER-MISSING", "trial-episode-unanswered", second_trial(in_current_episode=None),
           ("'Antidepressant trials #2: In the current episode'",), (f"{PSYCH}.antidepressant_trials[1].in_current_episode",)),
    raised("ANSWER-NOT-KNOWN", "bp-control-not-known", {f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": "not known"},
           ("'Blood pressure controlled by treatment' answered not known", "check blood pressure control"), (f"{PHYS}.hypertension_controlled",)),
    raised("ANSWER-NOT-KNOWN", "thyroid-control-not-known", {f"{PHYS}.hyperthyroidism": True, f"{PHYS}.hyperthyroidism_controlled": "not known"},
           ("'Overactive thyroid controlled' answered not known", "check thyroid function"), (f"{PHYS}.hyperthyroidism_controlled",)),
    raised("CONSENT-INCOMPLETE", "bladder-unticked", {"side_effects.discussed.bladder": False}, ("bladder irritation",), ("side_effects.discussed.bladder",)),
    raised("CONSENT-INCOMPLETE", "topics-missing", {"side_effects.discussed": {"dissociation": True}},
           ("blood pressure goes up", "watching mood and suicidal thoughts"),
           tuple(f"side_effects.discussed.{t}" for t in ("blood_pressure", "sedation", "dizziness_nausea", "headache_anxiety", "vision",
                                                           "driving_escort", "bladder", "misuse", "liver", "mood_monitoring"))),
    # Treatment resistance at its edges: 5 weeks, 50 % better, below the minimum dose (also by brand).
    raised("NOT-TRD", "second-trial-5-weeks", second_trial(weeks_at_dose=5),
           ("1 adequate failed antidepressant trial in this episode", "bupropion 300 mg/day for 5 weeks", "shorter than 6 weeks"), (f"{PSYCH}.antidepressant_trials",)),
    raised("NOT-TRD", "second-trial-50-percent", second_trial(improvement_percent=50),
           ("improved by 50% or more", "50% better"), (f"{PSYCH}.antidepressant_trials",)),
    raised("NOT-TRD", "second-trial-below-minimum-dose", second_trial(dose_mg_per_day=149),
           ("bupropion 149 mg/day", "below the adequate dose of 150 mg/day"), (f"{PSYCH}.antidepressant_trials",)),
    raised("NOT-TRD", "brand-below-minimum-dose", second_trial(medicine="Wellbutrin XL", dose_mg_per_day=100),
           ("Wellbutrin XL 100 mg/day", "below the adequate dose of 150 mg/day"), (f"{PSYCH}.antidepressant_trials",)),
    raised("NOT-TRD", "earlier-episode", second_trial(in_current_episode=False), ("not in the current episode",), (f"{PSYCH}.antidepressant_trials",)),
    raised("NOT-TRD", "no-trials", {f"{PSYCH}.antidepressant_trials": []}, ("0 adequate failed", "no antidepressant trials recorded"), (f"{PSYCH}.antidepressant_trials",)),
    raised("SEVERITY-MILD", "phq9-9", phq(9), ("PHQ-9 total 9 (mild)", "below 10"), ("phq9.answers",)),
    raised("SEVERITY-MILD", "phq9-0", phq(0), ("PHQ-9 total 0 (minimal)",), ("phq9.answers",)),
]

QUIET: list[Case] = [
    quiet("RISK-SUICIDE-ACUTE", "acuity-no", {"asq.wished_dead": True, "asq.thoughts_right_now": False}),
    quiet("RISK-SUICIDE-ACUTE", "item9-3-asq-negative", phq(20, item9=3)),
    quiet("RISK-SUICIDE-ACUTE", "item9-2-asq-positive", {**phq(20, item9=2), "asq.wished_dead": True, "asq.thoughts_right_now": False}),
    quiet("RISK-SUICIDE-SCREEN", "item9-0-asq-negative", {**phq(24, item9=0), **ASQ_NO}),
    quiet("CI-HYPERSENSITIVITY", "other-allergy", {f"{PHYS}.other_allergies": "penicillin, ketoprofen"}),
    quiet("CI-VASCULAR", "controlled-hypertension", {f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": True}),
    quiet("CI-BRAIN-BLEED", "raised-icp-only", {f"{PHYS}.raised_intracranial_pressure": True}),
    quiet("CI-STROKE", "other-conditions-text", {f"{PHYS}.other_conditions": "migraine"}),
    quiet("CI-THYROTOXICOSIS", "controlled", {f"{PHYS}.hyperthyroidism": True, f"{PHYS}.hyperthyroidism_controlled": True}),
    quiet("CI-PREGNANCY", "breastfeeding-only", {f"{PHYS}.breastfeeding": True}),
    quiet("BP-SEVERE", "179-109", bp(179, 109)),
    quiet("BP-SEVERE", "protocol-170-keeps-169-109", bp(169, 109), protocol={"thresholds.bp_severe_systolic": 170}),
    quiet("BP-ELEVATED", "139-89", bp(139, 89)),
    quiet("BP-ELEVATED", "controlled-hypertension", {**bp(130, 80), f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": True}),
    quiet("BP-ELEVATED", "severe-says-severe-only", bp(184, 112)),
    quiet("AGE-MINOR", "18-today", {f"{MH}.demographics.date_of_birth": "2008-03-02"}),
    quiet("AGE-OLDER", "64-birthday-tomorrow", {f"{MH}.demographics.date_of_birth": "1961-03-03"}),
    quiet("BMI-HIGH", "29.9", {f"{MH}.demographics.height_cm": 200, f"{MH}.demographics.weight_kg": 119.6}),
    quiet("PSYCHOSIS", "bipolar-without-psychosis", {f"{PSYCH}.bipolar_disorder": True}),
    quiet("SUBSTANCE-USE", "alcohol-and-cannabis-only", {f"{SUB}.alcohol_drinks_per_week": 14, f"{SUB}.cannabis_use": True}),
    quiet("BREASTFEEDING", "pregnant-only", {f"{PHYS}.pregnant": True}),
    quiet("CARDIAC", "controlled-hypertension", {f"{PHYS}.hypertension": True}),
    quiet("ICP-IOP", "stroke-only", {f"{PHYS}.stroke": True}),
    quiet("LIVER", "other-conditions", {f"{PHYS}.other_conditions": "gallstones removed 2015"}),
    quiet("BIPOLAR", "persistent-depressive-disorder", {f"{PSYCH}.diagnosis": "persistent depressive disorder", f"{PSYCH}.mood_stabiliser": True}),
    quiet("BLADDER", "bladder-topic-discussed", {"side_effects.discussed.bladder": True}),
    quiet("INT-THEOPHYLLINE", "salbutamol", meds("salbutamol inhaler")),
    quiet("INT-BENZODIAZEPINE", "loratadine-not-lorazepam", meds("loratadine")),
    quiet("INT-LAMOTRIGINE", "lamisil-not-lamictal", meds("Lamisil")),
    quiet("INT-MAOI", "ssri", meds("sertraline 100 mg")),
    quiet("INT-STIMULANT", "metformin", meds("metformin 500 mg")),
    quiet("INT-OPIOID", "naloxone", meds("naloxone")),
    quiet("INT-NALTREXONE", "acamprosate", meds("acamprosate")),
    quiet("INT-SEDATIVE", "cetirizine", meds("cetirizine")),
    quiet("INT-CYP3A4-INHIBITOR", "azithromycin", meds("azithromycin")),
    quiet("INT-CYP-INDUCER", "ibuprofen", meds("ibuprofen")),
    quiet("INT-THYROID", "methimazole", meds("methimazole")),
    quiet("INT-NMDA", "donepezil", meds("donepezil")),
    quiet("MED-UNRECOGNISED", "all-recognised", meds("Wellbutrin XL", "atorvastatin 20 mg", "Effexor XR")),
    quiet("MED-KETAMINE", "memantine", meds("memantine", "dextromethorphan")),
    quiet("MED-UNRECOGNISED", "none-taken", {"medications.items": [], "medications.none_taken": True}),
    quiet("INT-ALCOHOL", "zero", {f"{SUB}.alcohol_drinks_per_week": 0}),
    quiet("INT-CANNABIS", "not-reported", {f"{SUB}.cannabis_use": False}),
    quiet("SUPPORT-NO-ESCORT", "escort-confirmed", {"goals_support.escort_every_session": True}),
    quiet("SUPPORT-NO-CONTACT", "contact-given", {"goals_support.emergency_contact": {"name": "Ana Ruiz", "phone": "555 010 2020"}}),
    quiet("CONSENT-INCOMPLETE", "all-discussed", {}),
    quiet("ANSWER-MISSING", "every-question-answered", {}),
    quiet("ANSWER-MISSING", "follow-up-not-asked-after-no", {f"{PHYS}.hypertension": False, f"{PHYS}.hypertension_controlled": None}),
    quiet("ANSWER-MISSING", "follow-up-answered", {f"{PHYS}.hypertension": True, f"{PHYS}.hypertension_controlled": True}),
    quiet("ANSWER-NOT-KNOWN", "every-question-answered", {}),
    quiet("ANSWER-NOT-KNOWN", "not-known-but-not-asked", {f"{PHYS}.hypertension": False, f"{PHYS}.hypertension_controlled": "not known"}),
    quiet("NOT-TRD", "second-trial-6-weeks", second_trial(weeks_at_dose=6)),
    quiet("NOT-TRD", "second-trial-49-percent", second_trial(improvement_percent=49)),
    quiet("NOT-TRD", "second-trial-at-minimum-dose", second_trial(dose_mg_per_day=150)),
    quiet("NOT-TRD", "brand-at-minimum-dose", second_trial(medicine="Wellbutrin XL", dose_mg_per_day=150)),
    quiet("SEVERITY-MILD", "phq9-10", phq(10)),
]


def flags_for(make_intake, make_protocol, case: Case) -> list:
    protocol = make_protocol(case.protocol) if case.protocol else default_protocol()
    return evaluate(make_intake(case.answers), protocol, today=TODAY)


def test_the_base_example_raises_nothing(make_intake) -> None:
    assert evaluate(make_intake(), default_protocol(), today=TODAY) == []


@pytest.mark.parametrize("case", [c.param() for c in RAISED])
def test_flag_is_raised_with_its_reason_and_fields(case: Case, make_intake, make_protocol) -> None:
    found = [f for f in flags_for(make_intake, make_protocol, case) if f.code == case.code]
    assert len(found) == 1, f"{case.code} raised {len(found)} times"
    flag = found[0]
    severity, title = FLAG_DEFINITIONS[case.code]
    assert (flag.severity, flag.title) == (severity, title)
    for quote in case.quotes:
        assert quote in flag.reason, f"{quote!r} not in {flag.reason!r}"
    assert flag.source_fields == list(case.sources)


@pytest.mark.parametrize("case", [c.param() for c in QUIET])
def test_flag_is_not_raised(case: Case, make_intake, make_protocol) -> None:
    codes = [f.code for f in flags_for(make_intake, make_protocol, case)]
    assert case.code not in codes


def test_every_code_has_a_raised_and_a_quiet_case() -> None:
    assert {c.code for c in RAISED} == set(FLAG_DEFINITIONS)
    assert {c.code for c in QUIET} == set(FLAG_DEFINITIONS)


def test_flags_come_most_serious_first(make_intake) -> None:
    intake = make_intake({
        **bp(184, 112), **meds("Xanax"), f"{SUB}.alcohol_drinks_per_week": 3,
        "phq9.answers": phq9_answers(9, item9=1), f"{MH}.demographics.height_cm": 145,
    })
    flags = evaluate(intake, default_protocol(), today=TODAY)
    ranks = [SEVERITIES.index(f.severity) for f in flags]
    assert ranks == sorted(ranks)
    assert flags[0].code == "RISK-SUICIDE-SCREEN"
    assert {"BP-SEVERE", "INT-BENZODIAZEPINE", "INT-ALCOHOL", "SEVERITY-MILD", "BMI-HIGH"} <= {f.code for f in flags}


def test_a_code_is_raised_once_naming_every_answer_behind_it(make_intake) -> None:
    """Cannabis reported in the history and a cannabinoid on the medication list: one flag, both sources."""
    intake = make_intake({f"{SUB}.cannabis_use": True, **meds("atorvastatin", "dronabinol 5 mg")})
    found = [f for f in evaluate(intake, default_protocol(), today=TODAY) if f.code == "INT-CANNABIS"]
    assert len(found) == 1
    assert found[0].source_fields == [f"{SUB}.cannabis_use", "medications.items[1].name"]
    assert "Cannabis use reported" in found[0].reason and "dronabinol 5 mg" in found[0].reason


def test_every_interaction_code_in_the_catalogue_is_a_flag_with_a_reason() -> None:
    from ketatui.clinical.catalogue import Catalogue
    from ketatui.clinical.rules import INTERACTION_REASONS

    used = {code for medicine in Catalogue.default().medicines for code in medicine.interactions}
    assert used <= set(FLAG_DEFINITIONS)
    assert used <= set(INTERACTION_REASONS), sorted(used - set(INTERACTION_REASONS))


def test_rules_run_on_a_partial_intake() -> None:
    """A screen shows flags as answers arrive: sections not filled in raise nothing and never fail."""
    assert evaluate(Intake(), default_protocol(), today=TODAY) == []
    only_phq = Intake.model_validate({"phq9": {"answers": phq9_answers(6, item9=1)}})
    assert [f.code for f in evaluate(only_phq, default_protocol(), today=TODAY)] == ["RISK-SUICIDE-SCREEN", "SEVERITY-MILD"]


def test_today_defaults_to_the_real_day(make_intake) -> None:
    """Without ``today`` the age is taken on the real date: someone born 17 years ago today is a minor."""
    now = date.today()
    born = now.replace(year=now.year - 17) if (now.month, now.day) != (2, 29) else date(now.year - 17, 3, 1)
    intake = make_intake({f"{MH}.demographics.date_of_birth": born.isoformat()})
    assert "AGE-MINOR" in {f.code for f in evaluate(intake, default_protocol())}
