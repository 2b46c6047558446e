"""The rules: read an intake, raise the flags of DESIGN.md, each quoting the answer behind it.

Rules run on partial intakes too (a section not yet filled in raises nothing), so a screen can
show flags as answers arrive. Thresholds come from the protocol; codes never change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from ketatui.clinical.catalogue import Catalogue, LinePart
from ketatui.clinical.flags import Flag, make_flag, sort_flags
from ketatui.intake.answers import names, not_known, unanswered
from ketatui.intake.instruments import FREQUENCY_CHOICES
from ketatui.intake.document import Intake
from ketatui.intake.medications import Medications
from ketatui.clinical.protocol import Protocol
from ketatui.clinical.trd import judge_trials

Rule = Callable[[Intake, Protocol, date, Catalogue], Iterator[Flag]]

_MH = "medical_history"
_PHYS = f"{_MH}.physical"
_VITALS = f"{_MH}.vitals"

#: What each interaction means for treatment, in the clinician's words (clinical reference §3).
INTERACTION_REASONS: dict[str, str] = {
    "MED-KETAMINE": "already being taken outside this clinic, whatever the route; find out who prescribes it, the dose, how it is taken and the last dose before planning any session",
    "INT-THEOPHYLLINE": "lowers the seizure threshold with ketamine; avoid, or get specialist review",
    "INT-BENZODIAZEPINE": "can blunt the antidepressant response and adds to sedation; consider the lowest dose or holding it before sessions",
    "INT-LAMOTRIGINE": "may weaken ketamine's effect; some clinics hold the dose on treatment days",
    "INT-MAOI": "may raise blood pressure with ketamine; monitor blood pressure closely",
    "INT-STIMULANT": "raises blood pressure; monitor closely and consider holding it on treatment days",
    "INT-OPIOID": "adds to sedation and breathing depression; monitor sedation and oxygen saturation",
    "INT-NALTREXONE": "blocked ketamine's antidepressant effect in a small trial",
    "INT-SEDATIVE": "adds to sedation; monitor sedation",
    "INT-CYP3A4-INHIBITOR": "slows ketamine clearance; a lower dose may be needed",
    "INT-CYP-INDUCER": "speeds ketamine clearance; a higher dose may be needed",
    "INT-THYROID": "raises the risk of high blood pressure and fast heart rate; monitor",
    "INT-NMDA": "acts on the same receptor; the interaction is theoretical, with no controlled data",
    "INT-CANNABIS": "a cannabinoid: adds perceptual effects and psychosis risk; none on treatment days or for 24 hours after",
    "INT-ALCOHOL": "adds to sedation; none on treatment days or for 24 hours after",
}


def _yes(path: str, condition: bool, code: str, what: str) -> Iterator[Flag]:
    if condition:
        yield make_flag(code, f"Answered yes to '{what}'", path)


def suicide_risk(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    asq, phq = intake.asq, intake.phq9
    item9 = phq.item9 if phq else 0
    item9_path = "phq9.answers[8]"
    if asq is not None and asq.acute_positive:
        yield make_flag("RISK-SUICIDE-ACUTE", "ASQ question 5 answered yes: thoughts of killing themselves right now. Do not leave the person alone; a clinician must see them at once.", "asq.thoughts_right_now")
    elif asq is not None and asq.positive and item9 == 3:
        yield make_flag("RISK-SUICIDE-ACUTE", f"PHQ-9 question 9 answered '{FREQUENCY_CHOICES[3]}' together with a positive ASQ. Do not leave the person alone; a clinician must see them at once.", item9_path, "asq")
    screen_yes = []
    if asq is not None:
        names = {"wished_dead": 1, "family_better_off": 2, "thoughts_of_killing_self": 3, "ever_tried": 4}
        screen_yes = [(field, number) for field, number in names.items() if getattr(asq, field)]
    if screen_yes or item9 >= 1:
        parts, fields = [], []
        if screen_yes:
            parts.append("ASQ question " + ", ".join(str(n) for _, n in screen_yes) + " answered yes")
            fields += [f"asq.{field}" for field, _ in screen_yes]
        if item9 >= 1:
            parts.append(f"PHQ-9 question 9 answered '{FREQUENCY_CHOICES[item9]}'")
            fields.append(item9_path)
        yield make_flag("RISK-SUICIDE-SCREEN", "; ".join(parts) + ". A clinician must do a brief suicide safety assessment before the person leaves.", *fields)


def contraindications(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    mh = intake.medical_history
    if mh is None:
        return
    p = mh.physical
    yield from _yes(f"{_PHYS}.ketamine_allergy", p.ketamine_allergy, "CI-HYPERSENSITIVITY", "allergic reaction to ketamine or esketamine")
    if p.aneurysm or p.arteriovenous_malformation:
        found = [name for name, yes in (("aneurysm", p.aneurysm), ("arteriovenous malformation", p.arteriovenous_malformation)) if yes]
        fields = [f"{_PHYS}.{f}" for f, yes in (("aneurysm", p.aneurysm), ("arteriovenous_malformation", p.arteriovenous_malformation)) if yes]
        yield make_flag("CI-VASCULAR", f"History of {' and '.join(found)} reported; a rise in blood pressure could be dangerous", *fields)
    yield from _yes(f"{_PHYS}.intracerebral_haemorrhage", p.intracerebral_haemorrhage, "CI-BRAIN-BLEED", "bleeding in the brain")
    yield from _yes(f"{_PHYS}.stroke", p.stroke, "CI-STROKE", "stroke")
    if p.hyperthyroidism is True and p.hyperthyroidism_controlled is False:
        yield make_flag("CI-THYROTOXICOSIS", "Overactive thyroid reported as not controlled", f"{_PHYS}.hyperthyroidism", f"{_PHYS}.hyperthyroidism_controlled")
    if p.pregnant or p.trying_to_conceive:
        which = "Pregnant" if p.pregnant else "Trying to conceive"
        yield make_flag("CI-PREGNANCY", f"{which}: ketamine and esketamine may harm a developing baby", f"{_PHYS}.pregnant" if p.pregnant else f"{_PHYS}.trying_to_conceive")


def blood_pressure(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    mh = intake.medical_history
    if mh is None:
        return
    t, v, p = protocol.thresholds, mh.vitals, mh.physical
    fields = (f"{_VITALS}.systolic_bp", f"{_VITALS}.diastolic_bp")
    reading = f"BP {v.systolic_bp}/{v.diastolic_bp} at intake"
    severe = v.systolic_bp >= t.bp_severe_systolic or v.diastolic_bp >= t.bp_severe_diastolic
    if severe:
        yield make_flag("BP-SEVERE", f"{reading} is at or above {t.bp_severe_systolic}/{t.bp_severe_diastolic}", *fields)
    elevated = v.systolic_bp >= t.bp_elevated_systolic or v.diastolic_bp >= t.bp_elevated_diastolic
    uncontrolled = p.hypertension is True and p.hypertension_controlled is False  # None or "not known": see answers
    if (elevated and not severe) or uncontrolled:
        parts, sources = [], []
        if elevated and not severe:
            parts.append(f"{reading} is at or above {t.bp_elevated_systolic}/{t.bp_elevated_diastolic}")
            sources += fields
        if uncontrolled:
            parts.append("high blood pressure reported as not controlled")
            sources += [f"{_PHYS}.hypertension", f"{_PHYS}.hypertension_controlled"]
        text = "; ".join(parts)
        yield make_flag("BP-ELEVATED", text[0].upper() + text[1:], *sources)


def age_and_size(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    mh = intake.medical_history
    if mh is None:
        return
    t, d = protocol.thresholds, mh.demographics
    age = d.age_on(today)
    dob = f"{_MH}.demographics.date_of_birth"
    if age < t.minor_age_below:
        yield make_flag("AGE-MINOR", f"Aged {age} (born {d.date_of_birth.isoformat()}); treatment is for adults {t.minor_age_below} and over", dob)
    elif age >= t.older_age_from:
        yield make_flag("AGE-OLDER", f"Aged {age} (born {d.date_of_birth.isoformat()}); larger blood pressure rises are more likely", dob)
    if d.bmi >= t.bmi_high_from:
        dosing = "esketamine's dose is set by the label, not by weight" if intake.route == "esketamine" else "dose by ideal body weight"
        yield make_flag("BMI-HIGH", f"BMI {d.bmi:g} ({d.weight_kg:g} kg, {d.height_cm:g} cm) is {t.bmi_high_from:g} or more; {dosing}", f"{_MH}.demographics.weight_kg", f"{_MH}.demographics.height_cm")


def conditions(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    mh = intake.medical_history
    if mh is None:
        return
    p, psych, sub = mh.physical, mh.psychiatric, mh.substance_use
    yield from _yes(f"{_MH}.psychiatric.psychosis", psych.psychosis, "PSYCHOSIS", "psychotic disorder or psychotic features, now or before")
    sud = [(f, label) for f, label, yes in (
        ("active_substance_use_disorder", "active substance use disorder", sub.active_substance_use_disorder),
        ("past_ketamine_or_pcp_misuse", "past misuse of ketamine or PCP", sub.past_ketamine_or_pcp_misuse),
    ) if yes]
    if sud:
        yield make_flag("SUBSTANCE-USE", "Answered yes to " + " and ".join(f"'{label}'" for _, label in sud), *(f"{_MH}.substance_use.{f}" for f, _ in sud))
    yield from _yes(f"{_PHYS}.breastfeeding", p.breastfeeding, "BREASTFEEDING", "breastfeeding")
    heart = [(f, label) for f, label, yes in (
        ("coronary_disease", "coronary heart disease or angina", p.coronary_disease),
        ("heart_failure", "heart failure", p.heart_failure),
        ("arrhythmia", "irregular heart rhythm", p.arrhythmia),
        ("pulmonary_hypertension", "pulmonary hypertension", p.pulmonary_hypertension),
    ) if yes]
    if heart:
        yield make_flag("CARDIAC", "Reported " + ", ".join(label for _, label in heart) + "; ketamine raises heart work and blood pressure", *(f"{_PHYS}.{f}" for f, _ in heart))
    pressure = [(f, label) for f, label, yes in (
        ("raised_intracranial_pressure", "raised pressure in the skull", p.raised_intracranial_pressure),
        ("glaucoma", "glaucoma or raised eye pressure", p.glaucoma),
        ("recent_eye_surgery", "eye surgery or injury in the last 3 months", p.recent_eye_surgery),
    ) if yes]
    if pressure:
        yield make_flag("ICP-IOP", "Reported " + ", ".join(label for _, label in pressure) + "; ketamine can raise pressure further", *(f"{_PHYS}.{f}" for f, _ in pressure))
    if p.liver_disease:
        yield make_flag("LIVER", "Liver disease reported; check liver tests at baseline and during the course", f"{_PHYS}.liver_disease")
    if psych.bipolar_disorder or psych.diagnosis == "bipolar depression":
        fields = [f"{_MH}.psychiatric.bipolar_disorder"] if psych.bipolar_disorder else [f"{_MH}.psychiatric.diagnosis"]
        cover = {True: "a mood stabiliser is taken", False: "no mood stabiliser reported"}.get(psych.mood_stabiliser, "whether a mood stabiliser is taken is not answered")
        yield make_flag("BIPOLAR", f"Bipolar disorder reported ({cover}); watch for a switch into mania", *fields)
    if p.bladder_symptoms:
        yield make_flag("BLADDER", "Urinary symptoms reported before treatment; record them as a baseline and ask at every visit", f"{_PHYS}.bladder_symptoms")
    if sub.alcohol_drinks_per_week is not None and sub.alcohol_drinks_per_week > 0:
        yield make_flag("INT-ALCOHOL", f"{sub.alcohol_drinks_per_week} alcoholic drink{'s' if sub.alcohol_drinks_per_week != 1 else ''} a week reported; no alcohol on treatment days or for 24 hours after", f"{_MH}.substance_use.alcohol_drinks_per_week")
    if sub.cannabis_use:
        yield make_flag("INT-CANNABIS", "Cannabis use reported; none on treatment days or for 24 hours after", f"{_MH}.substance_use.cannabis_use")


def medication_parts(medications: Medications, catalogue: Catalogue) -> list[tuple[LinePart, ...]]:
    """For each row, in row order, the medicines its line names and what each was read as.

    A row may hold several medicines ("Zoloft, Xanax"); each part has its own match (None: not
    recognised), so a benzodiazepine written beside another medicine still raises its flag.
    """
    return [catalogue.read_line(item.name) for item in medications.items]


def interactions(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    if intake.medications is None:
        return
    by_code: dict[str, list[tuple[int, str]]] = {}
    unknown: list[tuple[int, str]] = []
    for index, parts in enumerate(medication_parts(intake.medications, catalogue)):
        for part in parts:
            if part.match is None:
                unknown.append((index, part.text))
                continue
            entered = part.text if part.match.how == "exact" else f"{part.text} ({part.match.medicine.generic})"
            for code in part.match.medicine.interactions:
                by_code.setdefault(code, []).append((index, entered))
    for code, rows in by_code.items():
        names = ", ".join(name for _, name in rows)
        yield make_flag(code, f"{names}: {INTERACTION_REASONS[code]}", *dict.fromkeys(f"medications.items[{i}].name" for i, _ in rows))
    if unknown:
        names = ", ".join(f"'{name}'" for _, name in unknown)
        yield make_flag("MED-UNRECOGNISED", f"{names} not recognised — clinician to check for interactions", *dict.fromkeys(f"medications.items[{i}].name" for i, _ in unknown))


def support(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    goals = intake.goals_support
    if goals is None:
        return
    if goals.escort_every_session is None:
        yield make_flag("SUPPORT-NO-ESCORT", "Not yet answered whether someone takes them home after every session; sessions cannot be booked without an escort", "goals_support.escort_every_session")
    elif goals.escort_every_session is False:
        yield make_flag("SUPPORT-NO-ESCORT", "No one confirmed to take them home after every session; sessions cannot be booked without an escort", "goals_support.escort_every_session")
    if goals.emergency_contact is None:
        yield make_flag("SUPPORT-NO-CONTACT", "No emergency contact given", "goals_support.emergency_contact")


def consent(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    if intake.side_effects is None:
        return
    missing = intake.side_effects.not_discussed()
    if missing:
        titles = ", ".join(t.title.lower() for t in missing)
        yield make_flag("CONSENT-INCOMPLETE", f"Not yet marked as discussed and understood: {titles}", *(f"side_effects.discussed.{t.id}" for t in missing))


def depression(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    t = protocol.thresholds
    mh = intake.medical_history
    if mh is not None:
        verdicts = judge_trials(mh.psychiatric, protocol, catalogue)
        failed = sum(v.counts for v in verdicts)
        if failed < t.trd_min_failed_trials:
            detail = "; ".join(v.why for v in verdicts) or "no antidepressant trials recorded"
            yield make_flag("NOT-TRD", f"{failed} adequate failed antidepressant {'trial' if failed == 1 else 'trials'} in this episode, fewer than {t.trd_min_failed_trials} ({detail})", f"{_MH}.psychiatric.antidepressant_trials")
    if intake.phq9 is not None and intake.phq9.total < t.mild_phq9_below:
        yield make_flag("SEVERITY-MILD", f"PHQ-9 total {intake.phq9.total} ({intake.phq9.band}) is below {t.mild_phq9_below}", "phq9.answers")


#: What a "not known" answer asks of the clinician, by question (a general line otherwise).
NOT_KNOWN_REASONS: dict[str, str] = {
    f"{_PHYS}.hypertension_controlled": "check blood pressure control (readings, GP letter) before the first session; surges are more likely when it is not controlled",
    f"{_PHYS}.hyperthyroidism_controlled": "check thyroid function before the first session; uncontrolled overactive thyroid stops scheduling",
}


def answers(intake: Intake, protocol: Protocol, today: date, catalogue: Catalogue) -> Iterator[Flag]:
    """A question the rules read that is not answered is never read as no: it is named for review.

    The screens do not let a step be finished with one unanswered; a record from elsewhere (an
    old record, an import, the API) can still reach the rules so, and must not pass silently.
    """
    mh = intake.medical_history
    missing = unanswered(mh, _MH)
    if missing:
        yield make_flag("ANSWER-MISSING", f"Not answered: {names(missing)}. The rules cannot read an unanswered question as no; ask and record the answer", *(q.path for q in missing))
    for question in not_known(mh, _MH):
        what = NOT_KNOWN_REASONS.get(question.path, "find out and record the answer before the first session")
        yield make_flag("ANSWER-NOT-KNOWN", f"'{question.label}' answered not known: {what}", question.path)


RULES: tuple[Rule, ...] = (suicide_risk, contraindications, blood_pressure, age_and_size, conditions, interactions, support, consent, depression, answers)


def evaluate(intake: Intake, protocol: Protocol, *, today: date | None = None, catalogue: Catalogue | None = None) -> list[Flag]:
    """Every flag the intake raises, most serious first."""
    today = today or date.today()
    catalogue = catalogue or Catalogue.default()
    merged: dict[str, Flag] = {}
    for rule in RULES:
        for flag in rule(intake, protocol, today, catalogue):
            seen = merged.get(flag.code)
            if seen is None:
                merged[flag.code] = flag
            else:  # two answers raise the same code (cannabis reported and a cannabinoid listed): one flag, both reasons
                fields = seen.source_fields + [f for f in flag.source_fields if f not in seen.source_fields]
                merged[flag.code] = seen.model_copy(update={"reason": f"{seen.reason}; {flag.reason}", "source_fields": fields})
    return sort_flags(list(merged.values()))
