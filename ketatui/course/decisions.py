"""The course's decision vocabulary (DESIGN.md, The course) and the rules of one session's day.

Decisions are flags: a stable code, a severity, a title, a reason quoting the reading or the
scores, and the record fields that raised it (paths into the sessions list, ``[2].bp_pre``).
"""

from __future__ import annotations

from datetime import datetime

from ketatui.clinical.flags import FLAG_DEFINITIONS, SEVERITIES, Flag, Severity
from ketatui.clinical.protocol import Protocol
from ketatui.clinical.rules import suicide_risk
from ketatui.intake.document import Intake
from ketatui.course.records import FollowUpVisit, TreatmentSession

#: code -> (severity, title). Order within a severity is the order shown.
DECISION_DEFINITIONS: dict[str, tuple[Severity, str]] = {
    "RISK-SUICIDE-ACUTE": FLAG_DEFINITIONS["RISK-SUICIDE-ACUTE"],
    "RISK-SUICIDE-SCREEN": FLAG_DEFINITIONS["RISK-SUICIDE-SCREEN"],
    "SESSION-HOLD-BP": ("stop", "Blood pressure too high to dose today"),
    "COURSE-STOP-NONRESPONSE": ("review", "No response: stop and consider alternatives"),
    "MAINTENANCE-REVIEW": ("review", "Relapse after a response: decide on boosters or maintenance"),
    "COURSE-FUTILITY-REVIEW": ("review", "No improvement at the futility point"),
    "COURSE-EXTEND": ("review", "Partial response: extend the course"),
    "SESSION-BP-RISE": ("caution", "Blood pressure rose after dosing"),
    "SESSION-NOT-READY": ("caution", "Not ready to leave at the end of observation"),
    "COURSE-EARLY-END": ("info", "Remission: the course may end early"),
    "COURSE-COMPLETE": ("info", "Response at the end of the course: move to follow-up"),
    "SESSION-MISSED": ("info", "Session not given; the schedule moved"),
}
_ORDER = {code: index for index, code in enumerate(DECISION_DEFINITIONS)}


def make_decision(code: str, reason: str, *source_fields: str) -> Flag:
    severity, title = DECISION_DEFINITIONS[code]
    return Flag(code=code, severity=severity, title=title, reason=reason, source_fields=list(source_fields) or ["phq9"])


def sort_decisions(decisions: list[Flag]) -> list[Flag]:
    """Most serious first; within a severity, the vocabulary's order, then as raised."""
    return sorted(decisions, key=lambda d: (SEVERITIES.index(d.severity), _ORDER.get(d.code, len(_ORDER))))


def _at_or_above(systolic: int, diastolic: int, limit_systolic: int, limit_diastolic: int) -> bool:
    return systolic >= limit_systolic or diastolic >= limit_diastolic


def day_check(session: TreatmentSession, protocol: Protocol) -> list[Flag]:
    """Before dosing: a pre-dose blood pressure at or above the protocol's limit holds the session."""
    rules, bp = protocol.session, session.bp_pre
    if bp is None or not _at_or_above(bp.systolic, bp.diastolic, rules.hold_systolic, rules.hold_diastolic):
        return []
    return [make_decision("SESSION-HOLD-BP", f"Blood pressure before dosing {bp} is at or above {rules.hold_systolic}/{rules.hold_diastolic}: not dosed today",
                          "bp_pre.systolic", "bp_pre.diastolic")]


def hold_if_needed(session: TreatmentSession, protocol: Protocol) -> tuple[TreatmentSession, list[Flag]]:
    """The session as it must be stored after the day check: held, undosed, the reading in the reason."""
    flags = day_check(session, protocol)
    if not flags or session.status != "given":
        return session, flags
    data = session.model_dump(mode="json") | {"status": "held", "dose_mg": None, "dose_mg_per_kg": None, "dosing_weight_kg": None,
                                              "reason": "; ".join(filter(None, [flags[0].reason, session.reason]))}
    return TreatmentSession.model_validate(data), flags


def _where(session: TreatmentSession | FollowUpVisit) -> str:
    what = f"Session {session.number}" if isinstance(session, TreatmentSession) else "Follow-up visit"
    return f"{what} ({session.date:%a %d %b %Y})"


def _prefixed(flag: Flag, where: str, index: int) -> Flag:
    return flag.model_copy(update={"reason": f"{where}: {flag.reason}", "source_fields": [f"[{index}].{f}" for f in flag.source_fields]})


def risk_decisions(record: TreatmentSession | FollowUpVisit, index: int, intake: Intake, protocol: Protocol) -> list[Flag]:
    """RISK-SUICIDE-* from the record's PHQ-9 question 9 and ASQ, by the intake's own rule."""
    if record.phq9 is None and record.asq is None:
        return []
    as_screened = intake.model_copy(update={"phq9": record.phq9, "asq": record.asq})
    return [_prefixed(f, _where(record), index) for f in suicide_risk(as_screened, protocol, record.date, None)]  # type: ignore[arg-type]


def session_decisions(session: TreatmentSession, index: int, intake: Intake, protocol: Protocol) -> list[Flag]:
    """Everything one session's record raises on its own: holds, rises, readiness, a missed dose, risk."""
    where, rules = _where(session), protocol.session
    found: list[Flag] = []
    held_for_bp = day_check(session, protocol)
    for flag in held_for_bp:
        note = "" if session.status == "held" else f"; it was recorded as {session.status}"
        found.append(_prefixed(flag.model_copy(update={"reason": flag.reason + note}), where, index))
    if session.status == "missed" or (session.status == "held" and not held_for_bp):
        found.append(make_decision("SESSION-MISSED", f"{where} was {session.status} ({session.reason}); the rest of the schedule moved one slot", f"[{index}].status", f"[{index}].reason"))
    for field, words in (("bp_40min", "at 40 minutes"), ("bp_discharge", "at discharge")):
        bp = getattr(session, field)
        if bp is not None and _at_or_above(bp.systolic, bp.diastolic, rules.rise_systolic, rules.rise_diastolic):
            found.append(make_decision("SESSION-BP-RISE", f"{where}: blood pressure {words} {bp} is at or above {rules.rise_systolic}/{rules.rise_diastolic}", f"[{index}].{field}"))
    found += _readiness(session, index, where, protocol)
    found += risk_decisions(session, index, intake, protocol)
    return found


def _readiness(session: TreatmentSession, index: int, where: str, protocol: Protocol) -> list[Flag]:
    observation = getattr(protocol.course, session.route).observation_minutes
    if session.effects_resolved is False:
        return [make_decision("SESSION-NOT-READY", f"{where}: sedation, dissociation or breathing had not returned to normal before leaving; observation extended", f"[{index}].effects_resolved")]
    if session.time is None or session.ready_to_leave_at is None:
        return []
    start = datetime.combine(session.date, session.time)
    minutes = int((datetime.combine(session.date, session.ready_to_leave_at) - start).total_seconds() // 60)
    if minutes <= observation:
        return []
    return [make_decision("SESSION-NOT-READY", f"{where}: ready to leave at {session.ready_to_leave_at:%H:%M}, {minutes} minutes after dosing at {session.time:%H:%M}, "
                          f"beyond the {observation}-minute observation; observation extended", f"[{index}].ready_to_leave_at", f"[{index}].time")]
