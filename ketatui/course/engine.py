"""The course engine: from the baseline, the signed plan and the records so far to the course state.

Pure and protocol-driven. It works out the response, the decisions at the protocol's review
points and each session's own decisions, moves the remaining dates after a missed or held
session, and proposes an adjusted plan linked to the signed one, which it never rewrites: a
clinician accepts the adjusted plan by signing it.

A review point "at session N" (the N-th dose given) uses the latest PHQ-9 recorded before the
next dose: session N's own pre-dose questionnaire, or a later visit or held session if recorded.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ketatui.clinical.flags import Flag
from ketatui.clinical.plan import Plan, make_plan
from ketatui.clinical.protocol import Protocol, RouteCourse, Thresholds
from ketatui.clinical.schedule import continue_dates, next_open_day
from ketatui.course.decisions import make_decision, risk_decisions, session_decisions, sort_decisions
from ketatui.clinical.dose import Dose, dose_for
from ketatui.course.records import FollowUpVisit, TreatmentSession, course_order
from ketatui.course.response import Response, categorise, describe, is_responding
from ketatui.intake.document import Intake, Route
from ketatui.intake.instruments import percent_change

Record = TreatmentSession | FollowUpVisit


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CourseChange(_Frozen):
    """One change to the planned number of sessions, with the scores that made it."""

    at_session: int
    code: str
    change: int
    reason: str


class SignedPlanLink(_Frozen):
    """Which plan the adjustment starts from; that plan stays as it was signed."""

    intake_record_id: str
    intake_rev: int
    signed_at: str | None
    signed_by: str | None
    sessions: int
    generated_on: date
    protocol_version: str


class ScheduledSession(_Frozen):
    number: int
    date: date
    phase: str


class FollowUpDue(_Frozen):
    date: date | None
    when: str
    what: str


class ProgressPoint(_Frozen):
    """One line of the progress table: the baseline, a session or a visit."""

    kind: Literal["baseline", "session", "follow_up"]
    number: int | None
    date: date | None
    status: str
    phq9: int | None
    change_percent: float | None
    response: Response | None
    gad7: int | None
    bp: str | None


class AdjustedPlan(_Frozen):
    """The plan as the response so far would have it: a proposal until a clinician signs it."""

    based_on: SignedPlanLink
    sessions_planned: int
    sessions_min: int
    sessions_max: int
    changes: list[CourseChange]
    schedule: list[ScheduledSession]
    follow_up: list[FollowUpDue]
    status: Literal["proposed"] = "proposed"


class CourseState(_Frozen):
    intake_record_id: str
    route: Route
    sessions_planned: int
    sessions_given: int
    sessions_held: int
    sessions_missed: int
    sessions_min: int
    sessions_max: int
    baseline_phq9: int
    latest_phq9: int | None
    change_percent: float | None
    response: Response
    response_words: str
    decisions: list[Flag]
    schedulable: bool
    not_schedulable_because: list[str]
    schedule: list[ScheduledSession]
    follow_up: list[FollowUpDue]
    progress: list[ProgressPoint]
    dose: Dose | None
    adjusted_plan: AdjustedPlan
    protocol_version: str
    today: date

    def as_json(self) -> dict[str, Any]:
        """The stable JSON contract (``ketatui course --format json``)."""
        return self.model_dump(mode="json")


def _score(record: Record) -> int | None:
    return record.phq9.total if record.phq9 is not None else None


class _Timeline:
    """The records in the order they happened, with the doses counted."""

    def __init__(self, records: list[Record]):
        self.items = sorted(enumerate(records), key=lambda pair: (course_order(pair[1]), pair[0]))
        self.given_at = [pos for pos, (_, r) in enumerate(self.items) if isinstance(r, TreatmentSession) and r.status == "given"]

    def score_at(self, n: int) -> tuple[int, int, int] | None:
        """(score, record index, position) at the review point after dose ``n``: the latest before dose n+1."""
        if n < 1 or n > len(self.given_at):
            return None
        end = self.given_at[n] if n < len(self.given_at) else len(self.items)
        for position in range(end - 1, -1, -1):
            index, record = self.items[position]
            if (score := _score(record)) is not None:
                return score, index, position
        return None

    def scores(self) -> list[tuple[int, int, int]]:
        """Every PHQ-9 after the baseline as (score, record index, position), in order."""
        return [(s, i, pos) for pos, (i, r) in enumerate(self.items) if (s := _score(r)) is not None]

    def responded_before(self, position: int, base: int, t: Thresholds) -> bool:
        return any(is_responding(base, s, t) for s, _, pos in self.scores() if pos < position)


def _phase_by_session(plan: Plan) -> list[tuple[str, int]]:
    """(phase name, sessions a week) for session 1, 2, ... of the signed plan."""
    return [(p.name, p.per_week) for p in plan.course.phases for _ in range(p.sessions)]


def _review(intake: Intake, plan: Plan, timeline: _Timeline, rules: RouteCourse, protocol: Protocol) -> tuple[int, list[CourseChange], list[Flag], bool]:
    """The decisions at the review points, and the planned count they lead to."""
    t = protocol.thresholds
    base = intake.phq9.total  # type: ignore[union-attr]
    given = len(timeline.given_at)
    planned, changes, decisions = plan.course.sessions, [], []
    lo, hi = rules.min, rules.max

    def at(n: int) -> tuple[int, int, Response, str] | None:
        found = timeline.score_at(n)
        if found is None:
            return None
        score, index, position = found
        category = categorise(base, score, t, responded_before=timeline.responded_before(position, base, t))
        return score, index, category, describe(base, score, category)

    def change(n: int, code: str, new: int, reason: str) -> None:
        nonlocal planned
        new = min(max(new, lo), hi)
        if new != planned:
            changes.append(CourseChange(at_session=n, code=code, change=new - planned, reason=reason))
            planned = new

    futility = rules.futility_review_after
    if given >= futility and futility <= planned and (seen := at(futility)):
        score, index, category, words = seen
        if base > 0 and 100 * (base - score) <= t.futility_fall_at_most_percent * base:
            decisions.append(make_decision("COURSE-FUTILITY-REVIEW", f"At session {futility}: {words}; few people respond after {futility} sessions without any improvement. Review whether to continue.", f"[{index}].phq9"))
    stopped = False
    check = rules.extension_check_after
    if given >= check and check <= planned and (seen := at(check)):
        score, index, category, words = seen
        if category == "partial" and rules.extension_sessions and planned < hi:
            add = min(rules.extension_sessions, hi - planned)
            decisions.append(make_decision("COURSE-EXTEND", f"At session {check}: {words}. Extend by {add} session(s), to {planned + add} (the protocol's maximum is {hi}).", f"[{index}].phq9"))
            change(check, "COURSE-EXTEND", planned + add, f"{words} at session {check}")
        elif category == "none":
            stopped = True
            decisions.append(make_decision("COURSE-STOP-NONRESPONSE", f"At session {check}: {words}. Stop the course and consider alternatives.", f"[{index}].phq9"))
            change(check, "COURSE-STOP-NONRESPONSE", max(check, given), f"{words} at session {check}: stop")
    early = rules.early_stop_after
    ended_early = False
    if not stopped and given >= early and given < planned and (seen := at(given)):
        score, index, category, words = seen
        if category == "remission":
            ended_early = True
            decisions.append(make_decision("COURSE-EARLY-END", f"At session {given}: {words}. The course may end here, after {given} of {planned} sessions.", f"[{index}].phq9"))
            change(given, "COURSE-EARLY-END", given, f"{words} at session {given}: the course may end")
    if not stopped and not ended_early and given >= planned and given and (seen := at(given)):
        score, index, category, words = seen
        if category in ("response", "remission"):
            decisions.append(make_decision("COURSE-COMPLETE", f"After session {given} of {planned}: {words}. Move to follow-up.", f"[{index}].phq9"))
        elif category in ("none", "partial"):
            decisions.append(make_decision("COURSE-STOP-NONRESPONSE", f"After session {given} of {planned}, the last planned: {words}. Stop the course and consider alternatives.", f"[{index}].phq9"))
    return planned, changes, decisions, stopped


def _remaining_dates(plan: Plan, timeline: _Timeline, planned: int, given: int, protocol: Protocol, today: date) -> list[ScheduledSession]:
    """The signed dates while nothing has happened yet; after that, the rhythm continued from the
    last session day (given, held or missed), never before ``today``."""
    remaining = max(0, planned - given)
    if not remaining or not plan.schedulable:
        return []
    phases = _phase_by_session(plan)

    def phase_of(number: int) -> tuple[str, int]:
        """Sessions added past the signed plan keep its last phase's rhythm."""
        return phases[min(number, len(phases)) - 1] if phases else ("induction", plan.course.per_week)

    used = [r.date for _, r in timeline.items if isinstance(r, TreatmentSession)]
    numbers = list(range(given + 1, planned + 1))
    if not used and plan.schedule and plan.schedule[0].date >= today and len(plan.schedule) >= planned:
        return [ScheduledSession(number=s.number, date=s.date, phase=s.phase) for s in plan.schedule[:planned]]
    dates = continue_dates(used, [(1, phase_of(n)[1]) for n in numbers], protocol.schedule, not_before=today)
    return [ScheduledSession(number=n, date=d, phase=phase_of(n)[0]) for n, d in zip(numbers, dates)]


def _follow_up(last: date | None, protocol: Protocol) -> list[FollowUpDue]:
    f = protocol.follow_up

    def when(days: int) -> date | None:
        return next_open_day(last + timedelta(days=days), protocol.schedule) if last else None

    visits = [FollowUpDue(date=when(f.first_visit_days_after_last_session), when=f"{f.first_visit_days_after_last_session} days after the last session",
                          what="Follow-up visit: PHQ-9, GAD-7, blood pressure, side effects, urinary symptoms; decide on maintenance")]
    visits += [FollowUpDue(date=when(7 * weeks), when=f"{weeks} weeks after the last session", what="Maintenance review: PHQ-9, relapse, urinary symptoms and any use outside the clinic")
               for weeks in f.maintenance_review_weeks]
    return visits


def _progress(intake: Intake, timeline: _Timeline, protocol: Protocol) -> list[ProgressPoint]:
    base = intake.phq9.total  # type: ignore[union-attr]
    t = protocol.thresholds
    points = [ProgressPoint(kind="baseline", number=None, date=intake.signed_at.date() if intake.signed_at else None, status="intake", phq9=base, change_percent=0.0 if base else None,
                            response=None, gad7=intake.gad7.total if intake.gad7 else None,
                            bp=f"{intake.medical_history.vitals.systolic_bp}/{intake.medical_history.vitals.diastolic_bp}" if intake.medical_history else None)]
    responded = False
    for _, r in timeline.items:
        score = _score(r)
        category = categorise(base, score, t, responded_before=responded) if score is not None else None
        responded = responded or (score is not None and is_responding(base, score, t))
        bp = r.bp_pre if isinstance(r, TreatmentSession) else r.bp
        points.append(ProgressPoint(kind=r.kind, number=r.number if isinstance(r, TreatmentSession) else None, date=r.date,
                                    status=r.status if isinstance(r, TreatmentSession) else "visit", phq9=score,
                                    change_percent=percent_change(base, score) if score is not None else None, response=category,
                                    gad7=r.gad7.total if isinstance(r, FollowUpVisit) and r.gad7 else None, bp=str(bp) if bp else None))
    return points


def course_state(intake: Intake, plan: Plan, records: list[Record], protocol: Protocol, today: date | None = None) -> CourseState:
    """The course so far. ``records`` are one intake's validated sessions and visits, in any order."""
    assert intake.phq9 is not None, "a course starts from an intake with a PHQ-9"
    today = today or date.today()
    rules: RouteCourse = getattr(protocol.course, plan.course.route)
    t = protocol.thresholds
    timeline = _Timeline(records)
    given = len(timeline.given_at)
    base = intake.phq9.total
    planned, changes, decisions, stopped = _review(intake, plan, timeline, rules, protocol)

    per_record: list[Flag] = []
    for index, record in timeline.items:
        per_record += session_decisions(record, index, intake, protocol) if isinstance(record, TreatmentSession) else risk_decisions(record, index, intake, protocol)

    scores = timeline.scores()
    latest = scores[-1][0] if scores else None
    response = categorise(base, latest, t, responded_before=bool(scores) and timeline.responded_before(scores[-1][2], base, t))
    words = describe(base, latest, response) if latest is not None else f"PHQ-9 baseline {base}; no score since: too early to tell"
    if response == "relapse":
        decisions.append(make_decision("MAINTENANCE-REVIEW", f"{words} (at or above {t.relapse_phq9_from} after an earlier response). Decide on a booster or maintenance.", f"[{scores[-1][1]}].phq9"))

    schedule = [] if stopped else _remaining_dates(plan, timeline, planned, given, protocol, today)
    last_session = schedule[-1].date if schedule else next((r.date for _, r in reversed(timeline.items) if isinstance(r, TreatmentSession) and r.status == "given"), None)
    follow_up = _follow_up(last_session, protocol)

    blocking: list[str] = []
    if not plan.schedulable:
        blocking += plan.not_schedulable_because
    if timeline.items:
        last_index = timeline.items[-1][0]
        blocking += [f"{d.code}: {d.title}. {d.reason}" for d in per_record if d.blocks_scheduling and d.source_fields[0].startswith(f"[{last_index}]")]
    if plan.schedulable and not schedule:
        blocking.append("No sessions are left in the course" + (": it stopped at a review point." if stopped else "."))

    dose = None
    if rules.dose_mg_per_kg and intake.medical_history is not None:
        dose = dose_for(intake.medical_history.demographics, rules.dose_mg_per_kg, protocol)
    link = SignedPlanLink(intake_record_id=intake.record_id, intake_rev=intake.rev, signed_at=intake.signed_at.isoformat() if intake.signed_at else None,
                          signed_by=intake.signed_by, sessions=plan.course.sessions, generated_on=plan.generated_on, protocol_version=plan.protocol_version)
    sessions = [r for _, r in timeline.items if isinstance(r, TreatmentSession)]
    return CourseState(
        intake_record_id=intake.record_id, route=plan.course.route,
        sessions_planned=planned, sessions_given=given,
        sessions_held=sum(1 for s in sessions if s.status == "held"), sessions_missed=sum(1 for s in sessions if s.status == "missed"),
        sessions_min=rules.min, sessions_max=rules.max,
        baseline_phq9=base, latest_phq9=latest, change_percent=percent_change(base, latest) if latest is not None else None,
        response=response, response_words=words,
        decisions=sort_decisions(decisions + per_record),
        schedulable=not blocking, not_schedulable_because=blocking,
        schedule=schedule, follow_up=follow_up, progress=_progress(intake, timeline, protocol), dose=dose,
        adjusted_plan=AdjustedPlan(based_on=link, sessions_planned=planned, sessions_min=rules.min, sessions_max=rules.max,
                                   changes=changes, schedule=schedule, follow_up=follow_up),
        protocol_version=protocol.version, today=today,
    )


def signed_plan(intake: Intake, protocol: Protocol, records: list[Record], *, today: date | None = None) -> Plan:
    """The plan the course runs against: the one kept with the intake when it reads back, else the
    plan derived again from the intake, dated from the first session (or the day it was signed).

    Raises ``IntakeInvalid`` when the intake lacks a section a plan needs.
    """
    if intake.plan:
        try:
            return Plan.model_validate(intake.plan)
        except ValidationError:
            pass  # kept by an older ketatui: derive it again below
    sessions = [r.date for r in records if isinstance(r, TreatmentSession)]
    made_on = intake.signed_at.date() if intake.signed_at else None
    start = min(sessions) if sessions else None
    return make_plan(intake, protocol, start=start, today=made_on or (min(start, today or date.today()) if start else today))


def accepted_plan(plan: Plan, state: CourseState) -> Plan:
    """The signed plan with the adjusted number of sessions: what accepting the adjustment signs.

    The engine dates the remaining sessions from the records and this count, so only the count
    changes; the reasons stay in the course's decisions and in the amendment's reason.
    """
    return plan.model_copy(update={"course": plan.course.model_copy(update={"sessions": state.adjusted_plan.sessions_planned})})


def sessions_ahead(intake: Intake, protocol: Protocol, records: list[Record], today: date | None = None) -> list[str] | None:
    """The ISO dates of the sessions the course still plans with ``records``: stored with each
    session or visit, so the records list shows the course's next session, not the first plan's.
    None for an intake without the PHQ-9 a course starts from."""
    if intake.phq9 is None:
        return None
    plan = signed_plan(intake, protocol, records, today=today)
    return [s.date.isoformat() for s in course_state(intake, plan, records, protocol, today).schedule]
