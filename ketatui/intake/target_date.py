"""A goal's "By when", read into a date: "3 months", "in 6 weeks", "2027-03-01", "by March".

The person's words are kept as they wrote them; the date read from them is kept beside them, so
the plan can say when a goal falls due and a clinician can see how the words were read. Relative
words count from the intake date, and a date read must fall after it. What cannot be read gets a
message that names the field and says what to write instead.

May import: the standard library.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

FIELD = "By when"
#: Further ahead than this is not a treatment goal's date (and guards the calendar's own limits).
MAX_YEARS_AHEAD = 5
EXAMPLES = "e.g. 2027-03-01, 'by March', '3 months' or 'in 6 weeks'"

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3}
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}
_LEAD = re.compile(r"^(?:by|in|within|before|about|around|approximately|approx\.?|the|next|end of|the end of|after)\s+")
_AMOUNT = re.compile(r"^(?P<n>\d{1,4}|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
                     + r")\s*(?P<unit>days?|weeks?|wks?|fortnights?|months?|mos?|years?|yrs?)(?:\s+(?:from now|time|away))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?,?\s+(\d{4})$")
_MONTH = re.compile(r"^([a-z]+)\.?$")


class TargetDateUnreadable(ValueError):
    """The words cannot be read as a date after the intake; the message says what to write."""


@dataclass(frozen=True)
class _Words:
    text: str  # lower case, single spaces, without "by", "in" and the like
    end_of: bool  # "end of March": the month's last day


def _plain(words: str) -> _Words:
    text = " ".join(words.lower().replace(",", ", ").split()).strip(" .")
    end_of = False
    while (match := _LEAD.match(text)) is not None:
        end_of = end_of or "end of" in match.group(0)
        text = text[match.end():]
    return _Words(text, end_of)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _amount(text: str, start: date) -> date | None:
    if text in ("day", "week", "fortnight", "month", "year"):  # "next month", "in a week" after the lead words
        text = f"1 {text}"
    match = _AMOUNT.match(text)
    if match is None:
        return None
    raw = match.group("n")
    n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    unit = match.group("unit").rstrip("s")
    if n > 12 * 31 * MAX_YEARS_AHEAD:
        return date.max  # far beyond any goal: refused below as too far ahead
    if unit in ("month", "mo"):
        return _add_months(start, n) if n <= 12 * MAX_YEARS_AHEAD + 12 else date.max
    if unit in ("year", "yr"):
        return _add_months(start, 12 * n) if n <= MAX_YEARS_AHEAD + 1 else date.max
    days = _UNIT_DAYS["week" if unit in ("wk",) else unit]
    return start + timedelta(days=n * days)


def _month(name: str) -> int | None:
    return _MONTHS.get(name)


def _next_month(month: int, start: date, end_of: bool) -> date:
    """The next such month after the intake: "by March" in December is the coming March."""
    year = start.year if month > start.month or (month == start.month and end_of) else start.year + 1
    return _month_day(year, month, end_of)


def _month_day(year: int, month: int, end_of: bool) -> date:
    return date(year, month, calendar.monthrange(year, month)[1] if end_of else 1)


def _absolute(text: str, start: date, end_of: bool) -> date | None:
    if text in ("month", "the month", "this month") and end_of:
        return _month_day(start.year, start.month, True)
    if (m := _ISO.match(text)) is not None:
        return date(int(m[1]), int(m[2]), int(m[3]))
    if (m := _DAY_MONTH_YEAR.match(text)) is not None and (month := _month(m[2])) is not None:
        return date(int(m[3]), month, int(m[1]))
    if (m := _MONTH_DAY_YEAR.match(text)) is not None and (month := _month(m[1])) is not None:
        return date(int(m[3]), month, int(m[2]))
    if (m := _MONTH_YEAR.match(text)) is not None and (month := _month(m[1])) is not None:
        return _month_day(int(m[2]), month, end_of)
    if (m := _MONTH.match(text)) is not None and (month := _month(m[1])) is not None:
        return _next_month(month, start, end_of)
    if text in ("year", "the year", "this year") and end_of:
        return date(start.year, 12, 31)
    return None


def read_target_date(words: str, intake_date: date) -> date:
    """The date ``words`` mean, counted from ``intake_date``; raises ``TargetDateUnreadable`` saying
    what to write when they cannot be read, or when the date is not after the intake date."""
    plain = _plain(words)
    try:
        if plain.end_of:  # "end of the month" is a day in this month, not a month from now
            found = _absolute(plain.text, intake_date, True) or _amount(plain.text, intake_date)
        else:
            found = _amount(plain.text, intake_date) or _absolute(plain.text, intake_date, False)
    except (ValueError, OverflowError):
        found = None  # "2027-02-30", "31 June 2027": no such day
        if _ISO.match(plain.text) or re.search(r"\d{4}$", plain.text):
            raise TargetDateUnreadable(f"'{words}' is not a day on the calendar; write {EXAMPLES}") from None
    if found is None:
        raise TargetDateUnreadable(f"'{words}' is not a date; write {EXAMPLES}")
    if found <= intake_date:
        raise TargetDateUnreadable(f"'{words}' is {found:%d %b %Y}, not after the intake date ({intake_date:%d %b %Y}); "
                                   "give a date still to come")
    if (found - intake_date).days > 366 * MAX_YEARS_AHEAD:
        raise TargetDateUnreadable(f"'{words}' is more than {MAX_YEARS_AHEAD} years ahead; give a date for this treatment "
                                   "goal, usually weeks or months away")
    return found
