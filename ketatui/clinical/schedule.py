"""Dated sessions: the clinic's open days, closed days and the spacing between sessions."""

from __future__ import annotations

from datetime import date, timedelta

from ketatui.clinical.protocol import WEEKDAYS, ScheduleRules


def is_open(day: date, rules: ScheduleRules) -> bool:
    return WEEKDAYS[day.weekday()] in rules.open_weekdays and day not in rules.closed_days


def next_open_day(day: date, rules: ScheduleRules) -> date:
    """``day`` itself when the clinic is open then, else the first open day after it."""
    for _ in range(366):
        if is_open(day, rules):
            return day
        day += timedelta(days=1)
    raise ValueError("the protocol leaves no open day within a year; check open_weekdays and closed_days")


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def session_dates(start: date, phases: list[tuple[int, int]], rules: ScheduleRules) -> list[date]:
    """Dates for sessions given as phases of (count, sessions per week).

    Each session falls on an open day with no more than the phase's sessions in one calendar
    week. It aims for an even spacing (every 3-4 days at two a week, every 7 at one a week) and,
    when that day is closed, takes the nearest open day that still leaves at least
    ``min_days_between_sessions`` (or 5 days at one a week) since the session before.
    """
    dates: list[date] = []
    for count, per_week in phases:
        gap = 7 // per_week if per_week > 1 else 7
        shortest = max(rules.min_days_between_sessions, gap - 2)
        for _ in range(count):
            if not dates:
                dates.append(next_open_day(start, rules))
                continue
            dates.append(_nearest_slot(dates, gap, shortest, per_week, rules))
    return dates


def _nearest_slot(dates: list[date], gap: int, shortest: int, per_week: int, rules: ScheduleRules) -> date:
    """The open day nearest the aimed-for spacing; later wins a tie, to leave more rest."""
    previous = dates[-1]
    aim = previous + timedelta(days=gap)

    def fits(day: date) -> bool:
        return is_open(day, rules) and sum(1 for d in dates if _week(d) == _week(day)) < per_week

    # At least the shortest spacing itself, even when the clinic's rest days exceed the rhythm.
    window = [previous + timedelta(days=n) for n in range(shortest, max(shortest, 2 * gap - shortest) + 1)]
    candidates = [day for day in window if fits(day)]
    if candidates:
        return min(candidates, key=lambda day: (abs((day - aim).days), -day.toordinal()))
    day = window[-1]
    for _ in range(366):
        day += timedelta(days=1)
        if fits(day):
            return day
    raise ValueError("no open day for the next session within a year; check the protocol's schedule")


def continue_dates(previous: list[date], phases: list[tuple[int, int]], rules: ScheduleRules, *, not_before: date | None = None) -> list[date]:
    """More dates after the days already used (given, held or missed), in the same rhythm.

    A missed or held day counts as a used slot, so the rest of the course moves one slot later
    rather than bunching up; nothing is placed before ``not_before`` (usually today).
    """
    used = sorted(previous)
    added: list[date] = []
    for count, per_week in phases:
        gap = 7 // per_week if per_week > 1 else 7
        shortest = max(rules.min_days_between_sessions, gap - 2)
        for _ in range(count):
            if not used:
                day = next_open_day(not_before or date.today(), rules)
            else:
                day = _nearest_slot(used, gap, shortest, per_week, rules)
                if not_before is not None and day < not_before:
                    day = _first_fit_from(used, max(not_before, used[-1] + timedelta(days=shortest)), per_week, rules)
            used.append(day)
            added.append(day)
    return added


def _first_fit_from(dates: list[date], day: date, per_week: int, rules: ScheduleRules) -> date:
    for _ in range(366):
        if is_open(day, rules) and sum(1 for d in dates if _week(d) == _week(day)) < per_week:
            return day
        day += timedelta(days=1)
    raise ValueError("no open day for the next session within a year; check the protocol's schedule")
