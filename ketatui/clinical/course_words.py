"""The course in words, worked out from its phases: how many sessions, how often, in which weeks,
and what follows. The clinician's plan and the patient's sheet both say it this way, so the
numbers always add up (12 esketamine sessions are 8 twice a week, then 4 once a week, not
"2 a week for 8 weeks").

May import: ``ketatui.clinical.plan`` and the standard library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ketatui.clinical.plan import Course, Phase

_HOW_OFTEN = {1: "once a week", 2: "twice a week", 3: "three times a week"}


def count(n: int, thing: str, plural: str | None = None) -> str:
    """``1 session``, ``2 sessions``: a number with its noun, never "session(s)"."""
    return f"{n} {thing}" if n == 1 else f"{n} {plural or thing + 's'}"


def how_often(per_week: int) -> str:
    return _HOW_OFTEN.get(per_week, f"{per_week} times a week")


def weeks_span(first: int, last: int) -> str:
    """``week 1``, ``weeks 1 to 4``."""
    return f"week {first}" if first == last else f"weeks {first} to {last}"


@dataclass(frozen=True)
class PhaseWeeks:
    """One phase placed on the calendar: its sessions, how often, and the weeks it fills."""

    phase: Phase
    first_week: int
    last_week: int

    @property
    def weeks(self) -> int:
        return self.last_week - self.first_week + 1


def phase_weeks(course: Course) -> list[PhaseWeeks]:
    """Each phase with the weeks it takes, one after the other from week 1."""
    placed, week = [], 1
    for phase in course.phases:
        weeks = max(1, math.ceil(phase.sessions / phase.per_week))
        placed.append(PhaseWeeks(phase, week, week + weeks - 1))
        week += weeks
    return placed


def total_weeks(course: Course) -> int:
    placed = phase_weeks(course)
    return placed[-1].last_week if placed else 0


def _phases_text(course: Course) -> str:
    placed = phase_weeks(course)
    if len(placed) == 1:
        only = placed[0]
        return f"{how_often(only.phase.per_week)} for about {count(only.weeks, 'week')} ({weeks_span(only.first_week, only.last_week)})"
    parts = [f"{how_often(p.phase.per_week)} in {weeks_span(p.first_week, p.last_week)} ({count(p.phase.sessions, 'session')})"
             for p in placed]
    return ", then ".join(parts)


def _after(course: Course) -> str:
    every = sorted(set(course.maintenance_every_weeks))
    if not every:
        return ""
    if len(every) == 1:
        often = "every week" if every[0] == 1 else f"every {every[0]} weeks"
    else:
        often = f"every {every[0]} to {every[-1]} weeks"
    return often


def clinician_course_line(course: Course) -> str:
    """``Planned sessions: **12** (range 8–12) over about 8 weeks: twice a week in weeks 1 to 4 (8 sessions), ...``"""
    line = f"Planned sessions: **{course.sessions}** (range {course.sessions_min}–{course.sessions_max})"
    if len(course.phases) > 1:
        line += f" over about {count(total_weeks(course), 'week')}: {_phases_text(course)}"
    else:
        line += f", {_phases_text(course)}"
    after = _after(course)
    if after:
        line += f"; then maintenance {after}, at the lowest frequency that keeps the response"
    return line


def patient_course_text(course: Course, route: str) -> str:
    """The take-home sheet's sentence about the sessions, in plain words."""
    what = f"We plan **{count(course.sessions, 'session')}** of {route}"
    if len(course.phases) > 1:
        text = f"{what} over about {count(total_weeks(course), 'week')}: {_phases_text(course)}."
    else:
        text = f"{what}, {_phases_text(course)}."
    after = _after(course)
    if after:
        text += (f" After that, sessions usually go on {after}, as often as you need to stay well; "
                 "your clinician decides this with you.")
    text += (f" Depending on how you feel, it could be as few as {course.sessions_min} or as many as "
             f"{course.sessions_max}.")
    return text
