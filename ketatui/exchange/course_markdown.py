"""Markdown exports of the course: the clinician's course summary and the person's progress sheet.

The clinician's summary puts decisions first, most serious first, each with the scores that
raised it; the progress sheet uses plain words and leaves out codes and thresholds.
"""

from __future__ import annotations

from datetime import date

from ketatui.clinical.plan import Plan
from ketatui.course.engine import CourseState
from ketatui.course.response import change_words
from ketatui.exchange.markdown import side_effect_discussion_lines
from ketatui.intake.document import Intake
from ketatui.intake.instruments import ASQ_ATTRIBUTION, PHQ_ATTRIBUTION

PROPOSED_NOTICE = ("Proposed adjustment for clinician review. The signed plan stays as it was signed; "
                   "this adjustment takes effect only when a clinician signs it.")

PLAIN_RESPONSE: dict[str, str] = {
    "too_early": "It is too early to tell how the treatment is working.",
    "none": "Your score has not fallen much yet.",
    "partial": "Your score is falling: you are improving, though not yet by half.",
    "response": "Your score has fallen by half or more: the treatment is working for you.",
    "remission": "Your score is in the healthy range.",
    "relapse": "Your score has gone back up after improving. Your clinician will talk with you about what comes next.",
}


def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else "to be set"


def course_markdown(state: CourseState, intake: Intake) -> str:
    """The clinician's course summary: decisions, response, sessions, progress, dates."""
    lines = ["# Treatment course", "", f"_{PROPOSED_NOTICE}_", ""]
    if intake.medical_history is not None:
        d = intake.medical_history.demographics
        lines += [f"**{d.full_name}**, born {d.date_of_birth.isoformat()}", "", f"Record {intake.record_id}", ""]
    link = state.adjusted_plan.based_on
    signed = f"signed by {link.signed_by} on {link.signed_at[:10]}" if link.signed_at and link.signed_by else "not yet signed"
    lines += [f"Based on the plan of {link.generated_on.isoformat()} (revision {link.intake_rev}, {signed}), {link.sessions} sessions, protocol {link.protocol_version}.", ""]
    if not state.schedulable:
        lines += ["## Do not book the next session until reviewed", ""] + [f"- {reason}" for reason in state.not_schedulable_because] + [""]
    lines += ["## Decisions, most serious first", ""]
    lines += [f"- **{d.severity.upper()} {d.code}** — {d.title}. {d.reason} _(from: {', '.join(d.source_fields)})_" for d in state.decisions] or ["- None raised."]
    lines += ["", "## Response", "", f"- {state.response_words}"]
    lines += ["", "## Sessions", "",
              f"- Planned: **{state.sessions_planned}** (signed: {link.sessions}; range {state.sessions_min}–{state.sessions_max})",
              f"- Given {state.sessions_given}, held {state.sessions_held}, missed {state.sessions_missed}"]
    lines += [f"- Changed {c.change:+d} at session {c.at_session} ({c.code}): {c.reason}" for c in state.adjusted_plan.changes]
    if state.dose is not None:
        lines.append(f"- Dose: {state.dose.why}")
    lines += ["", "## Progress", "", "| Date | Record | Status | PHQ-9 | Change | Response | GAD-7 | BP |", "|---|---|---|---|---|---|---|---|"]
    for p in state.progress:
        record = "baseline (intake)" if p.kind == "baseline" else (f"session {p.number}" if p.kind == "session" else "follow-up visit")
        cells = [_day(p.date) if p.date else "intake", record, p.status, "" if p.phq9 is None else str(p.phq9), change_words(p.change_percent) if p.kind != "baseline" else "",
                 (p.response or "").replace("_", " "), "" if p.gad7 is None else str(p.gad7), p.bp or ""]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Remaining sessions", ""]
    lines += [f"{s.number}. {_day(s.date)} ({s.phase})" for s in state.schedule] or ["None left to book."]
    lines += ["", "## Follow-up", ""] + [f"- {_day(v.date)} ({v.when}): {v.what}" for v in state.follow_up]
    lines += ["", "## Current medications (at intake)", ""]
    items = intake.medications.items if intake.medications is not None else []
    lines += [f"- {m.name}" + (f" ({taken})" if (taken := ", ".join(p for p in (m.dose, m.how_often) if p)) else "") for m in items] or ["- None reported."]
    lines += side_effect_discussion_lines(intake)
    lines += ["", f"Protocol {state.protocol_version}; as of {state.today.isoformat()}.", "", f"_{PHQ_ATTRIBUTION}_", "", f"_{ASQ_ATTRIBUTION}_", ""]
    return "\n".join(lines)


def progress_sheet_markdown(state: CourseState, intake: Intake, plan: Plan, clinic_name: str = "the clinic") -> str:
    """The person's progress sheet: how their score has moved, what comes next, who to call."""
    name = intake.medical_history.demographics.full_name.split()[0] if intake.medical_history else ""
    lines = [f"# Your progress{', ' + name if name else ''}", "", f"From your treatment at {clinic_name}. Your clinician will go through it with you.", ""]
    lines += ["## How you are doing", "",
              f"Before the course your mood score (the PHQ-9) was **{state.baseline_phq9}** out of 27."]
    if state.latest_phq9 is not None:
        lines.append(f"Your latest score is **{state.latest_phq9}**. Lower is better.")
    lines += ["", PLAIN_RESPONSE[state.response], ""]
    scores = [p for p in state.progress if p.kind != "baseline" and p.phq9 is not None]
    if scores:
        lines += ["| Date | Score |", "|---|---|"] + [f"| {_day(p.date)} | {p.phq9} |" for p in scores] + [""]
    lines += ["## Your sessions", "", f"You have had {state.sessions_given} of {state.sessions_planned} planned sessions."]
    if state.schedule:
        lines += ["", "Your next sessions:", ""] + [f"- Session {s.number}: {_day(s.date)}" for s in state.schedule]
    if state.sessions_held or state.sessions_missed:
        lines += ["", "Sessions that did not go ahead have been rebooked, keeping the same rhythm."]
    lines += ["", "Remember: someone you trust takes you home after every session, and you do not drive until the next day.", ""]
    dated = [v for v in state.follow_up if v.date]
    if dated:
        lines += ["## After the course", ""] + [f"- {_day(v.date)}: a check-in with your clinician" for v in dated] + [""]
    lines += ["## If you feel unsafe", "", "If you have thoughts of ending your life or feel unsafe, get help now:", ""]
    lines += [f"- **{c.name}**: {c.how}" for c in plan.crisis_contacts]
    lines.append("")
    return "\n".join(lines)
