"""Session dates: open days only, never more than the phase's sessions in one ISO week, at least
the protocol's spacing, across weekends, closed days, month ends and the year end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketatui.clinical.protocol import WEEKDAYS, ScheduleRules, default_protocol
from ketatui.clinical.schedule import is_open, next_open_day, session_dates

RULES = default_protocol().schedule
IV = [(6, 2)]
IV_LONGEST = [(8, 2)]
ESKETAMINE = [(8, 2), (4, 1)]


def week(day: date) -> tuple[int, int]:
    return day.isocalendar()[:2]


def assert_valid(dates: list[date], phases: list[tuple[int, int]], rules: ScheduleRules, start: date) -> None:
    """The invariants every schedule keeps, whatever the protocol."""
    assert len(dates) == sum(count for count, _ in phases)
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert dates[0] == next_open_day(start, rules)
    for day in dates:
        assert is_open(day, rules), f"{day} is closed"
        assert WEEKDAYS[day.weekday()] in rules.open_weekdays
        assert day not in rules.closed_days
    for earlier, later in zip(dates, dates[1:]):
        assert (later - earlier).days >= rules.min_days_between_sessions, (earlier, later)
    index = 0
    for count, per_week in phases:
        phase = dates[index:index + count]
        for day in phase:
            assert sum(1 for d in phase if week(d) == week(day)) <= per_week, f"more than {per_week} in the week of {day}"
        index += count


@pytest.mark.parametrize(("day", "opens"), [
    (date(2026, 3, 2), date(2026, 3, 2)),      # a Monday is open
    (date(2026, 3, 7), date(2026, 3, 9)),      # Saturday -> Monday
    (date(2026, 3, 8), date(2026, 3, 9)),      # Sunday -> Monday
    (date(2026, 12, 24), date(2026, 12, 28)),  # Christmas Eve and Day closed, then the weekend
    (date(2026, 12, 31), date(2027, 1, 4)),    # New Year's Eve and Day closed, then the weekend
    (date(2027, 1, 18), date(2027, 1, 19)),    # a closed Monday
])
def test_next_open_day(day, opens) -> None:
    assert next_open_day(day, RULES) == opens


def test_no_open_day_at_all_is_a_clear_error() -> None:
    rules = ScheduleRules(lead_days=0, open_weekdays=["mon"], min_days_between_sessions=2,
                          closed_days=[date(2026, 3, 2) + timedelta(weeks=n) for n in range(60)])
    with pytest.raises(ValueError, match="no open day within a year"):
        next_open_day(date(2026, 3, 2), rules)


def test_iv_course_from_a_monday_is_monday_and_thursday_for_three_weeks() -> None:
    dates = session_dates(date(2026, 3, 2), IV, RULES)
    assert dates == [date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 16), date(2026, 3, 19)]
    assert len({week(d) for d in dates}) == 3


def test_christmas_and_new_year_are_skipped() -> None:
    dates = session_dates(date(2026, 12, 21), IV_LONGEST, RULES)
    assert_valid(dates, IV_LONGEST, RULES, date(2026, 12, 21))
    assert not {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31), date(2027, 1, 1)} & set(dates)
    assert dates[0] == date(2026, 12, 21)
    assert any(d.year == 2027 for d in dates)


def test_a_start_on_a_closed_day_moves_to_the_next_open_day() -> None:
    dates = session_dates(date(2026, 12, 25), IV, RULES)
    assert dates[0] == date(2026, 12, 28)
    assert_valid(dates, IV, RULES, date(2026, 12, 25))


def test_esketamine_is_8_twice_weekly_then_4_weekly() -> None:
    start = date(2026, 3, 2)
    dates = session_dates(start, ESKETAMINE, RULES)
    assert_valid(dates, ESKETAMINE, RULES, start)
    induction, weekly = dates[:8], dates[8:]
    assert [sum(1 for d in induction if week(d) == w) for w in sorted({week(d) for d in induction})] == [2, 2, 2, 2]
    assert len({week(d) for d in weekly}) == 4
    assert all(week(d) not in {week(i) for i in induction} for d in weekly)
    assert all((b - a).days >= 5 for a, b in zip(weekly, weekly[1:]))
    assert weekly[-1] - start < timedelta(weeks=8)


# Every start day from late November to early February (weekends, month ends, Christmas, New
# Year) for every course the protocol can produce.
STARTS = [date(2026, 11, 23) + timedelta(days=n) for n in range(75)]


@pytest.mark.parametrize("phases", [IV, IV_LONGEST, [(4, 2)], ESKETAMINE], ids=["iv-6", "iv-8", "iv-4", "esketamine"])
def test_every_start_across_the_year_end(phases) -> None:
    for start in STARTS:
        assert_valid(session_dates(start, phases, RULES), phases, RULES, start)


@pytest.mark.parametrize("start", [date(2026, 1, 29), date(2026, 2, 26), date(2026, 4, 30), date(2027, 2, 25)], ids=str)
def test_month_ends(start) -> None:
    dates = session_dates(start, IV_LONGEST, RULES)
    assert_valid(dates, IV_LONGEST, RULES, start)
    assert len({d.month for d in dates}) == 2


def test_three_open_days_a_week() -> None:
    rules = ScheduleRules(lead_days=0, open_weekdays=["mon", "wed", "fri"], min_days_between_sessions=2)
    dates = session_dates(date(2026, 3, 4), IV, rules)
    assert_valid(dates, IV, rules, date(2026, 3, 4))
    assert {d.weekday() for d in dates} <= {0, 2, 4}


@pytest.mark.parametrize("min_days", [3, 4, 5, 7])
def test_spacing_longer_than_the_twice_weekly_rhythm(min_days) -> None:
    """A clinic may ask for more rest between sessions than two a week allows; the course stretches."""
    rules = ScheduleRules(lead_days=0, open_weekdays=list(WEEKDAYS[:5]), min_days_between_sessions=min_days)
    for phases in (IV, ESKETAMINE):
        assert_valid(session_dates(date(2026, 3, 2), phases, rules), phases, rules, date(2026, 3, 2))


@st.composite
def schedule_rules(draw) -> ScheduleRules:
    open_days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    start = date(2026, 1, 1)
    closed = draw(st.lists(st.integers(0, 500).map(lambda n: start + timedelta(days=n)), max_size=40, unique=True))
    return ScheduleRules(lead_days=7, open_weekdays=open_days, min_days_between_sessions=draw(st.integers(1, 7)), closed_days=closed)


@settings(max_examples=150, deadline=None)
@given(
    rules=schedule_rules(),
    start=st.dates(date(2026, 1, 1), date(2027, 3, 1)),
    phases=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 3)), min_size=1, max_size=3),
)
def test_any_protocol_schedule_keeps_the_rules(rules, start, phases) -> None:
    assert_valid(session_dates(start, phases, rules), phases, rules, start)
