"""The plan engine: from an intake and the protocol to a draft plan a clinician reviews and signs.

Every number in the plan is derived here, never typed: the route's course, each adjustment to
the planned count with its reason, dated sessions, re-checks, follow-ups and discharge rules.
Any ``urgent`` or ``stop`` flag makes the plan not schedulable, and the plan says so first.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ketatui.clinical.catalogue import Catalogue, MedicationMatch
from ketatui.clinical.flags import Flag
from ketatui.intake.goals import Contact, Goal, TreatingClinician
from ketatui.intake.document import Intake, IntakeInvalid, Route
from ketatui.clinical.protocol import CrisisContact, Protocol, RouteCourse
from ketatui.clinical.rules import evaluate, medication_parts
from ketatui.clinical.schedule import next_open_day, session_dates
from ketatui.clinical.trd import judge_trials

ROUTE_NAMES: dict[str, str] = {
    "iv_ketamine": "IV racemic ketamine (0.5 mg/kg over 40 minutes, off-label)",
    "esketamine": "Esketamine nasal spray",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Adjustment(_Frozen):
    change: int
    reason: str
    source_fields: list[str] = Field(default_factory=list)


class Phase(_Frozen):
    name: str
    sessions: int
    per_week: int


class Course(_Frozen):
    route: Route
    route_name: str
    sessions: int
    sessions_min: int
    sessions_max: int
    per_week: int
    weeks: int
    phases: list[Phase]
    adjustments: list[Adjustment]
    observation_minutes: int
    #: After the planned sessions: every how many weeks maintenance usually goes on (none: not planned).
    maintenance_every_weeks: list[int] = Field(default_factory=list)


class Session(_Frozen):
    number: int
    date: date
    phase: str
    checks: list[str]


class Reassessment(_Frozen):
    after_session: int | None
    date: date | None
    what: str
    rule: str


class FollowUpVisit(_Frozen):
    date: date | None
    when: str
    what: str


class Baseline(_Frozen):
    phq9_total: int
    phq9_band: str
    phq9_item9: int
    response_at_or_below: int
    remission_below: int
    gad7_total: int | None
    gad7_band: str | None
    asq_result: str


class TreatmentHistory(_Frozen):
    failed_adequate_trials: int
    treatment_resistant: bool
    trials: list[str]


class MedicinePart(_Frozen):
    """What one medicine written on a medication line was read as (a line may name several)."""

    entered: str                                       # this medicine's share of the line, as typed
    recognised_as: str | None                          # the catalogue's generic name; None: not recognised
    matched_name: str | None = None                    # the catalogue name it matched ("Xanax")
    how: Literal["exact", "brand", "typo"] | None = None  # "typo": a close spelling, to be checked
    drug_class: str | None = None
    interactions: list[str] = []


class MedicationReview(_Frozen):
    """One medication row: as typed, and what the catalogue read in it, medicine by medicine."""

    entered: str
    dose: str = ""
    how_often: str = ""
    recognised_as: str | None                          # every recognised part's generic, joined by " + "
    drug_class: str | None
    interactions: list[str]
    note: str
    parts: list[MedicinePart] = []                     # each medicine the line names, in order


class Support(_Frozen):
    escort_every_session: bool | None  # None: not answered
    escort: Contact | None
    emergency_contact: Contact | None
    treating_clinicians: list[TreatingClinician]
    living_situation: str
    crisis_plan: str


class Plan(_Frozen):
    """A draft plan. It never says "eligible": a clinician decides and signs."""

    schedulable: bool
    not_schedulable_because: list[str]
    flags: list[Flag]
    course: Course
    start_date: date | None
    schedule: list[Session]
    reassessments: list[Reassessment]
    follow_up: list[FollowUpVisit]
    discharge_rules: list[str]
    baseline: Baseline
    treatment_history: TreatmentHistory
    medications: list[MedicationReview]
    goals: list[Goal]
    support: Support
    crisis_contacts: list[CrisisContact]
    protocol_version: str
    generated_on: date
    status: Literal["draft"] = "draft"


def _course(intake: Intake, protocol: Protocol, failed_trials: int) -> Course:
    mh, phq = intake.medical_history, intake.phq9
    assert mh is not None and phq is not None
    rules: RouteCourse = getattr(protocol.course, intake.route)
    t, adj = protocol.thresholds, protocol.course.adjustments
    adjustments: list[Adjustment] = []
    planned = rules.planned
    if intake.route == "esketamine":
        induction = rules.induction_sessions or rules.planned
        phases = [Phase(name="induction", sessions=induction, per_week=rules.per_week)]
        if rules.planned > induction:
            phases.append(Phase(name="weekly", sessions=rules.planned - induction, per_week=rules.maintenance_per_week or 1))
    else:
        psych = mh.psychiatric
        if psych.prior_ketamine_response == "responded" and adj.prior_ketamine_response:
            adjustments.append(Adjustment(change=adj.prior_ketamine_response, reason="Responded to an earlier ketamine course, so a shorter re-induction is planned", source_fields=["medical_history.psychiatric.prior_ketamine_response"]))
        if phq.total < t.mild_phq9_below and adj.mild_severity:
            adjustments.append(Adjustment(change=adj.mild_severity, reason=f"PHQ-9 {phq.total} is below {t.mild_phq9_below} (mild)", source_fields=["phq9.answers"]))
        chronic = psych.episode_months >= adj.chronic_episode_months
        resistant = failed_trials >= adj.many_failed_trials
        if phq.total >= t.severe_phq9_from and (chronic or resistant) and adj.severe_and_chronic:
            why = []
            if chronic:
                why.append(f"an episode of {psych.episode_months} months")
            if resistant:
                why.append(f"{failed_trials} failed adequate trials")
            adjustments.append(Adjustment(change=adj.severe_and_chronic, reason=f"PHQ-9 {phq.total} is severe with {' and '.join(why)}", source_fields=["phq9.answers", "medical_history.psychiatric.episode_months", "medical_history.psychiatric.antidepressant_trials"]))
        wanted = rules.planned + sum(a.change for a in adjustments)
        planned = min(max(wanted, rules.min), rules.max)
        if planned != wanted:
            adjustments.append(Adjustment(change=planned - wanted, reason=f"Kept within the protocol's range of {rules.min} to {rules.max} sessions"))
        phases = [Phase(name="induction", sessions=planned, per_week=rules.per_week)]
    weeks = sum(math.ceil(p.sessions / p.per_week) for p in phases)
    return Course(
        route=intake.route, route_name=ROUTE_NAMES[intake.route], sessions=planned,
        sessions_min=rules.min, sessions_max=rules.max, per_week=rules.per_week, weeks=weeks,
        phases=phases, adjustments=adjustments, observation_minutes=rules.observation_minutes,
        maintenance_every_weeks=list(rules.maintenance_every_weeks),
    )


def _reassessments(intake: Intake, protocol: Protocol, course: Course, flags: list[Flag], dates: list[date]) -> list[Reassessment]:
    assert intake.phq9 is not None
    rules: RouteCourse = getattr(protocol.course, course.route)
    t = protocol.thresholds
    base = intake.phq9.total
    response_at = math.floor(base * (100 - t.response_drop_percent) / 100)

    def on(n: int) -> date | None:
        return dates[n - 1] if 0 < n <= len(dates) else None

    items = [
        Reassessment(after_session=None, date=None, what="PHQ-9 before every session",
                     rule=f"Baseline {base}; response is {response_at} or lower ({t.response_drop_percent}% fall); remission is below {t.remission_phq9_below}"),
        Reassessment(after_session=None, date=None, what="Blood pressure and pulse before dosing, at 40 minutes and before leaving",
                     rule="Severe rises cluster in the first three sessions; recheck until settling"),
    ]
    futility = min(rules.futility_review_after, course.sessions)
    items.append(Reassessment(after_session=futility, date=on(futility), what="Futility review",
                              rule=f"No improvement at all from the baseline PHQ-9 of {base}: review whether to continue; few people respond later"))
    early = min(rules.early_stop_after, course.sessions)
    items.append(Reassessment(after_session=early, date=on(early), what="Early stop check",
                              rule=f"PHQ-9 below {t.remission_phq9_below} (remission): the course may end here"))
    check = min(rules.extension_check_after, course.sessions)
    extend = f"; improved but by less than {t.response_drop_percent}% (partial response): extend by {rules.extension_sessions} sessions, up to {course.sessions_max}" if rules.extension_sessions else "; otherwise decide whether to continue"
    items.append(Reassessment(after_session=check, date=on(check), what="Response check",
                              rule=f"PHQ-9 {response_at} or lower (response): move to follow-up{extend}"))
    codes = {f.code for f in flags}
    if "LIVER" in codes:
        items.append(Reassessment(after_session=None, date=None, what="Liver tests (including ALP and GGT)", rule="Before the first session and at the end of the course"))
    baseline_bladder = " (symptoms were present at intake: compare with that baseline)" if "BLADDER" in codes else ""
    items.append(Reassessment(after_session=None, date=None, what="Urinary symptoms and any use outside the clinic",
                              rule=f"Ask at every session and follow-up visit{baseline_bladder}"))
    if intake.gad7 is not None:
        items.append(Reassessment(after_session=course.sessions, date=on(course.sessions), what="GAD-7", rule=f"Baseline {intake.gad7.total} ({intake.gad7.band}); repeat at the end of the course"))
    if "BIPOLAR" in codes:
        items.append(Reassessment(after_session=None, date=None, what="Signs of mania or hypomania", rule="Ask before every session; stop and review if they appear"))
    return items


def _follow_up(protocol: Protocol, dates: list[date]) -> list[FollowUpVisit]:
    f = protocol.follow_up
    last = dates[-1] if dates else None

    def when(days: int) -> date | None:
        return next_open_day(last + timedelta(days=days), protocol.schedule) if last else None

    visits = [FollowUpVisit(date=when(f.first_visit_days_after_last_session), when=f"{f.first_visit_days_after_last_session} days after the last session",
                            what="Follow-up visit: PHQ-9, GAD-7, blood pressure, side effects, urinary symptoms; decide on maintenance (relapse after a course comes at a median of about 18 days)")]
    for weeks in f.maintenance_review_weeks:
        visits.append(FollowUpVisit(date=when(7 * weeks), when=f"{weeks} weeks after the last session",
                                    what="Maintenance review: PHQ-9, relapse, urinary symptoms and any use outside the clinic"))
    return visits


def _discharge_rules(course: Course) -> list[str]:
    return [
        "An adult takes the person home after every session.",
        "No driving or operating machinery until the next day, after a night's sleep.",
        f"Observe for at least {course.observation_minutes} minutes and until drowsiness and dissociation have passed; check blood pressure before leaving.",
        "No alcohol or cannabis on treatment days or for 24 hours after; no opioids or benzodiazepines for at least 4 hours after a session.",
        "End the course early on remission, move to follow-up on response, and review after the futility point when there is no improvement.",
    ]


def _medication_review(intake: Intake, catalogue: Catalogue) -> list[MedicationReview]:
    assert intake.medications is not None
    reviews = []
    for item, line in zip(intake.medications.items, medication_parts(intake.medications, catalogue)):
        parts = [_part(p.text, p.match) for p in line]
        known = [p for p in parts if p.recognised_as is not None]
        reviews.append(MedicationReview(
            entered=item.name, dose=item.dose, how_often=item.how_often,
            recognised_as=" + ".join(p.recognised_as for p in known if p.recognised_as) or None,
            drug_class="; ".join(p.drug_class for p in known if p.drug_class) or None,
            interactions=list(dict.fromkeys(code for p in known for code in p.interactions)),
            note=_reading_note(parts), parts=parts,
        ))
    return reviews


def _part(text: str, match: MedicationMatch | None) -> MedicinePart:
    if match is None:
        return MedicinePart(entered=text, recognised_as=None)
    medicine = match.medicine
    return MedicinePart(entered=text, recognised_as=medicine.generic, matched_name=match.matched_name, how=match.how,
                        drug_class=medicine.drug_class, interactions=list(medicine.interactions))


def _reading_note(parts: list[MedicinePart]) -> str:
    """How the line was read, in a few words ("2 medicines on one line: ...")."""
    def one(part: MedicinePart) -> str:
        if part.recognised_as is None:
            return f"'{part.entered}' not recognised — clinician to check"
        if part.how == "typo":
            return f"'{part.entered}' read as {part.recognised_as} (close spelling)"
        return f"'{part.entered}' recognised as {part.recognised_as}"
    if len(parts) == 1:
        only = parts[0]
        if only.recognised_as is None:
            return "not recognised — clinician to check"
        return f"read as {only.recognised_as} (close spelling)" if only.how == "typo" else "recognised"
    return f"{len(parts)} medicines on one line: " + "; ".join(one(p) for p in parts)


def make_plan(intake: Intake, protocol: Protocol, *, start: date | None = None, today: date | None = None, catalogue: Catalogue | None = None) -> Plan:
    """Derive the draft plan. Raises ``IntakeInvalid`` when a section it needs is missing."""
    missing = intake.missing_sections()
    if missing:
        raise IntakeInvalid(missing)
    assert intake.medical_history and intake.phq9 and intake.asq and intake.goals_support
    today = today or date.today()
    catalogue = catalogue or Catalogue.default()
    flags = evaluate(intake, protocol, today=today, catalogue=catalogue)
    verdicts = judge_trials(intake.medical_history.psychiatric, protocol, catalogue)
    failed = sum(v.counts for v in verdicts)
    course = _course(intake, protocol, failed)
    blocking = [f for f in flags if f.blocks_scheduling]
    schedulable = not blocking
    dates: list[date] = []
    start_day = None
    if schedulable:
        start_day = next_open_day(start or today + timedelta(days=protocol.schedule.lead_days), protocol.schedule)
        dates = session_dates(start_day, [(p.sessions, p.per_week) for p in course.phases], protocol.schedule)
    phase_of = [p.name for p in course.phases for _ in range(p.sessions)]
    checks = ["PHQ-9", "BP before, at 40 min and before leaving", "escort home confirmed"]
    goals = intake.goals_support
    t = protocol.thresholds
    phq = intake.phq9
    return Plan(
        schedulable=schedulable,
        not_schedulable_because=[f"{f.code}: {f.title}. {f.reason}" for f in blocking],
        flags=flags,
        course=course,
        start_date=start_day,
        schedule=[Session(number=i + 1, date=d, phase=phase_of[i], checks=checks) for i, d in enumerate(dates)],
        reassessments=_reassessments(intake, protocol, course, flags, dates),
        follow_up=_follow_up(protocol, dates),
        discharge_rules=_discharge_rules(course),
        baseline=Baseline(
            phq9_total=phq.total, phq9_band=phq.band, phq9_item9=phq.item9,
            response_at_or_below=math.floor(phq.total * (100 - t.response_drop_percent) / 100),
            remission_below=t.remission_phq9_below,
            gad7_total=intake.gad7.total if intake.gad7 else None, gad7_band=intake.gad7.band if intake.gad7 else None,
            asq_result=intake.asq.result,
        ),
        treatment_history=TreatmentHistory(failed_adequate_trials=failed, treatment_resistant=failed >= t.trd_min_failed_trials, trials=[v.why for v in verdicts]),
        medications=_medication_review(intake, catalogue),
        goals=list(goals.goals),
        support=Support(
            escort_every_session=goals.escort_every_session, escort=goals.escort, emergency_contact=goals.emergency_contact,
            treating_clinicians=list(goals.treating_clinicians), living_situation=goals.living_situation, crisis_plan=goals.crisis_plan,
        ),
        crisis_contacts=list(protocol.crisis_contacts),
        protocol_version=protocol.version,
        generated_on=today,
    )
