"""Markdown exports: the clinician's plan summary, the record, and a take-home sheet for the patient.

The take-home sheet uses plain words and leaves out flag codes; the clinician's summary puts
flags first, most serious first, each with its reason.
"""

from __future__ import annotations

from datetime import date

from ketatui.intake.instruments import ASQ_ATTRIBUTION, PHQ_ATTRIBUTION
from ketatui.intake.about_treatment import about_markdown
from ketatui.intake.document import Intake
from ketatui.intake.goals import Goal
from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS
from ketatui.clinical.clinic import contacts_notice
from ketatui.clinical.course_words import clinician_course_line, count, patient_course_text
from ketatui.clinical.plan import Plan

#: One line on the plan screen at 80 columns.
DRAFT_NOTICE = "Draft for clinician review, not a decision: a clinician decides and signs."


def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else "to be set"


def _by(goal: Goal) -> str:
    """`` (by Wed 03 Mar 2027, "3 months")``: the date read, and the person's own words."""
    if goal.by_date is not None:
        return f" (by {_day(goal.by_date)}, \"{goal.by_when}\")" if goal.by_when else f" (by {_day(goal.by_date)})"
    return f" (by {goal.by_when})" if goal.by_when else ""


def plan_markdown(plan: Plan, intake: Intake | None = None) -> str:
    """The clinician's plan summary."""
    lines: list[str] = ["# Treatment plan (draft)", "", f"_{DRAFT_NOTICE}_", ""]
    if intake is not None and intake.medical_history is not None:
        d = intake.medical_history.demographics
        # The record id on a line of its own: at 80 columns it would break across two lines after a name.
        lines += [f"**{d.full_name}**, born {d.date_of_birth.isoformat()}", "", f"Record {intake.record_id} · status {intake.status}", ""]
    if not plan.schedulable:
        lines += ["## Not schedulable until reviewed", ""]
        lines += [f"- {reason}" for reason in plan.not_schedulable_because] + [""]
    lines += ["## Flags, most serious first", ""]
    if plan.flags:
        for flag in plan.flags:
            lines.append(f"- **{flag.severity.upper()} {flag.code}** — {flag.title}. {flag.reason} _(from: {', '.join(flag.source_fields)})_")
    else:
        lines.append("- None raised.")
    c = plan.course
    lines += ["", "## Course", "", f"- Route: {c.route_name}", f"- {clinician_course_line(c)}"]
    for a in c.adjustments:
        lines.append(f"- Adjusted {a.change:+d}: {a.reason}")
    b = plan.baseline
    gad = f", GAD-7 {b.gad7_total} ({b.gad7_band})" if b.gad7_total is not None else ""
    lines += [f"- Baseline: PHQ-9 {b.phq9_total} ({b.phq9_band}){gad}, ASQ {b.asq_result}",
              f"- Treatment history: {count(plan.treatment_history.failed_adequate_trials, 'adequate failed trial')}; "
              f"{'treatment-resistant' if plan.treatment_history.treatment_resistant else 'not treatment-resistant'} by the history given"]
    lines += [f"  - {t}" for t in plan.treatment_history.trials]
    lines += ["", "## Schedule", ""]
    if plan.schedule:
        lines += [f"{s.number}. {_day(s.date)} ({s.phase})" for s in plan.schedule]
    else:
        lines.append("Dates are set once the flags above are cleared.")
    lines += ["", "## Re-checks", ""]
    for r in plan.reassessments:
        at = f"after session {r.after_session} ({_day(r.date)})" if r.after_session else "ongoing"
        lines.append(f"- **{r.what}** — {at}: {r.rule}")
    lines += ["", "## Follow-up", ""]
    lines += [f"- {_day(v.date)} ({v.when}): {v.what}" for v in plan.follow_up]
    lines += ["", "## Discharge rules", ""] + [f"- {rule}" for rule in plan.discharge_rules]
    lines += ["", "## Medications", ""]
    if plan.medications:
        for m in plan.medications:
            known = f"{m.recognised_as} ({m.drug_class})" if m.recognised_as else "**not recognised — clinician to check**"
            if len(m.parts) > 1:  # several medicines on one line: what each was read as
                known = m.note
            extra = f"; interactions: {', '.join(m.interactions)}" if m.interactions else ""
            taken = ", ".join(part for part in (m.dose, m.how_often) if part)
            lines.append(f"- {m.entered}" + (f" ({taken})" if taken else "") + f": {known}{extra}")
    else:
        lines.append("- None reported.")
    if intake is not None:
        lines += side_effect_discussion_lines(intake)
    lines += ["", "## Goals and support", ""]
    lines += [f"- Goal: {g.description} — target: {g.target}" + _by(g) for g in plan.goals] or ["- No goals recorded."]
    s = plan.support
    lines.append(f"- Escort home every session: { {True: 'yes', False: 'NO'}.get(s.escort_every_session, 'NOT ANSWERED') }" + (f" — {s.escort.name}, {s.escort.phone}" if s.escort else ""))
    lines.append(f"- Emergency contact: {s.emergency_contact.name} ({s.emergency_contact.relationship}), {s.emergency_contact.phone}" if s.emergency_contact else "- Emergency contact: none given")
    lines += [f"- Treating clinician: {t.name}" + (f", {t.role}" if t.role else "") + (f", {t.phone}" if t.phone else "") for t in s.treating_clinicians]
    lines.append(f"- Living situation: {s.living_situation}")
    if s.crisis_plan:
        lines.append(f"- Crisis plan: {s.crisis_plan}")
    lines += ["", "## Crisis contacts", ""] + [f"- {c.name}: {c.how}" for c in plan.crisis_contacts]
    if notice := contacts_notice(plan.crisis_contacts):
        lines += ["", f"**Note:** {notice}"]
    lines += ["", f"Protocol {plan.protocol_version}; generated {plan.generated_on.isoformat()}.", "", f"_{PHQ_ATTRIBUTION}_", "", f"_{ASQ_ATTRIBUTION}_", ""]
    return "\n".join(lines)


def take_home_markdown(plan: Plan, intake: Intake, clinic_name: str = "the clinic") -> str:
    """A sheet the person can take home: dates, what to expect, how to stay safe, who to call."""
    name = intake.medical_history.demographics.full_name if intake.medical_history else ""
    lines = [f"# Your treatment plan{', ' + name if name else ''}", "",
             f"This is a draft from your consultation at {clinic_name}. Your clinician will confirm it with you.", ""]
    c = plan.course
    route = c.route_name.split(" (")[0]
    route = route if route[:2].isupper() else route[0].lower() + route[1:]  # "IV racemic ketamine", "esketamine nasal spray"
    lines += ["## Your sessions", "", patient_course_text(c, route), ""]
    if plan.schedule:
        lines += [f"- Session {s.number}: {_day(s.date)}" for s in plan.schedule]
    else:
        lines.append("Your clinician needs to check a few things first; they will give you dates after that.")
    lines += ["", "## At every session", "",
              "- Before each session you fill in a short mood questionnaire (the PHQ-9).",
              "- We check your blood pressure before, during and before you leave.",
              "- Someone you trust must take you home. Do not drive until the next day, after a night's sleep.",
              "- No alcohol or cannabis on the day or for 24 hours after.", ""]
    if plan.follow_up:
        lines += ["## After the course", ""]
        lines += [f"- {_day(v.date) if v.date else v.when.capitalize()}: a check-in with your clinician" for v in plan.follow_up]
        lines.append("")
    if plan.goals:
        lines += ["## Your goals", ""] + [f"- {g.description} (we will know by: {g.target})" + _by(g) for g in plan.goals] + [""]
    lines += ["## If you feel unsafe", "", "If you have thoughts of ending your life or feel unsafe, get help now:", ""]
    lines += [f"- **{c.name}**: {c.how}" for c in plan.crisis_contacts]
    if plan.support.crisis_plan:
        lines += ["", f"Your crisis plan: {plan.support.crisis_plan}"]
    lines += ["", about_markdown()]  # the same pages the kiosk shows before its questions
    return "\n".join(lines)


def intake_markdown(intake: Intake, plan: Plan | None = None) -> str:
    """The whole record for the clinician: answers by step, then the plan."""
    lines = [f"# Intake {intake.record_id}", "", f"Status: {intake.status} · revision {intake.rev} · route {intake.route}"
             + (" · SYNTHETIC TRAINING RECORD" if intake.training else ""), ""]
    if intake.medical_history is not None:
        mh = intake.medical_history
        d, v = mh.demographics, mh.vitals
        lines += ["## Medical history", "", f"- {d.full_name}, born {d.date_of_birth.isoformat()}, {d.sex}, {d.height_cm:g} cm, {d.weight_kg:g} kg (BMI {d.bmi:g})",
                  f"- Diagnosis: {mh.psychiatric.diagnosis}; current episode {mh.psychiatric.episode_months} months",
                  f"- Intake BP {v.systolic_bp}/{v.diastolic_bp}, pulse {v.pulse}", ""]
    if intake.phq9 is not None:
        lines.append(f"- PHQ-9 {intake.phq9.total} ({intake.phq9.band}); item 9 = {intake.phq9.item9}")
    if intake.gad7 is not None:
        lines.append(f"- GAD-7 {intake.gad7.total} ({intake.gad7.band})")
    if intake.asq is not None:
        lines.append(f"- ASQ {intake.asq.result}")
    if intake.medications is not None:
        lines += ["", "## Current medications", ""]
        lines += [f"- {m.name} {m.dose} {m.how_often}".rstrip() for m in intake.medications.items] or ["- None"]
    lines.append("")
    if plan is not None:
        lines.append(plan_markdown(plan, intake))
    return "\n".join(lines)


def side_effect_discussion_lines(intake: Intake) -> list[str]:
    """The side-effect discussion as held: each topic marked discussed or not, the person's concerns
    and the questions answered (a consent record the clinician signs with the plan)."""
    discussion = intake.side_effects
    lines = ["", "## Side-effect discussion", ""]
    if discussion is None:
        return lines + ["- Not held yet."]
    lines += [f"- [{'X' if discussion.discussed.get(t.id) else ' '}] {t.title}" for t in SIDE_EFFECT_TOPICS]
    lines.append(f"- The person's concerns: {discussion.concerns or 'none raised'}")
    lines.append(f"- Questions asked and answers given: {discussion.questions or 'none'}")
    return lines

