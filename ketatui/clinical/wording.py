"""Help sentences that quote the clinic's protocol, so a clinic that edits its protocol file sees
its own numbers on every screen: no threshold is ever written into a screen's text.

Each function takes the active ``Protocol`` and returns plain text for a screen to show as it is.
May import: ``ketatui.clinical.protocol`` and the standard library.
"""

from __future__ import annotations

from ketatui.clinical.protocol import Protocol


def _number(value: float) -> str:
    """30.0 -> "30", 27.5 -> "27.5": a number as a person would write it."""
    return f"{value:g}"


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def about_the_person(protocol: Protocol) -> str:
    """The medical history's first page: why age, sex, height and weight are asked."""
    t = protocol.thresholds
    return (f"Age and sex decide which cautions apply (under {t.minor_age_below}, {t.older_age_from} or older, "
            f"pregnancy). Height and weight give the BMI: at {_number(t.bmi_high_from)} or more the dose is worked "
            "out from ideal body weight.")


def depression_so_far(protocol: Protocol) -> str:
    """The depression history page: what it decides, including how many sessions are planned."""
    iv = protocol.course.iv_ketamine
    return ("Ketamine has the best evidence in depression without psychosis. Psychosis and bipolar disorder need a "
            "clinician's review first (risk of psychosis or a switch to mania). Earlier ECT, TMS or ketamine, and "
            f"how it went, help set the number of sessions: IV ketamine plans {iv.planned}, between {iv.min} and "
            f"{iv.max}, {iv.per_week} a week.")


def antidepressant_trials(protocol: Protocol) -> str:
    """The trials page: what counts as treatment-resistant under this protocol."""
    t = protocol.thresholds
    return (f"Treatment-resistant depression here means at least {_count(t.trd_min_failed_trials, 'antidepressant')} "
            f"in this episode that did not help: each taken at an adequate dose for at least "
            f"{_count(t.adequate_trial_weeks, 'week')}, with less than {t.failed_trial_improvement_below}% improvement. "
            "For each one: the highest daily dose, weeks at that dose and how much it helped (as the ATRQ asks).")


def intake_blood_pressure(protocol: Protocol) -> str:
    """The vitals page: the clinic's blood pressure limits and what each one does."""
    t = protocol.thresholds
    return (f"Measured seated and rested. At or above {t.bp_severe_systolic}/{t.bp_severe_diastolic} mmHg (either "
            "number) no session is scheduled until a physician documents clearance; at or above "
            f"{t.bp_elevated_systolic}/{t.bp_elevated_diastolic} a clinician reviews it before the first session. "
            "It is measured again before, during and after every session.")


def phq9_baseline(protocol: Protocol) -> str:
    """The PHQ-9 page: the baseline every session's score is measured against."""
    t = protocol.thresholds
    return ("The PHQ-9 is the baseline for the course: it is asked again before every session, and response "
            f"(a fall of {t.response_drop_percent}% or more) and remission (a score below {t.remission_phq9_below}) "
            "are measured against it. Any answer above 0 to question 9 asks a clinician to follow up.")


def the_course(protocol: Protocol, route: str = "iv_ketamine") -> str:
    """The course screen: what the response means for the number of sessions, in this protocol's numbers."""
    t = protocol.thresholds
    rules = getattr(protocol.course, route)
    return ("The course after the signed plan: every session and follow-up visit, and what the response means for "
            f"the number of sessions. A PHQ-9 fall of {t.response_drop_percent}% or more is a response, "
            f"{t.partial_response_drop_percent}% to {t.response_drop_percent - 1}% a partial response, a score below "
            f"{t.remission_phq9_below} a remission. The review points raise decisions with the scores that made them, "
            f"most serious first: no improvement after session {rules.futility_review_after}, remission from session "
            f"{rules.early_stop_after} (the course may end), and at session {rules.extension_check_after} a partial "
            f"response adds {_count(rules.extension_sessions, 'session')} (up to {rules.max}). A held or missed session "
            "moves the remaining dates. The adjusted plan is only a proposal until a clinician accepts it by signing; "
            "the signed plan is never changed in place. 1-4 switch views; R records a session, V a follow-up visit.")

