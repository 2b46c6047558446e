"""A goal's "By when": the person's words kept, the date read from them kept beside them, and a
message naming the field and the fix when they cannot be read."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ketatui.intake.fields import problems_from
from ketatui.intake.goals import INTAKE_DATE, GoalsAndSupport
from ketatui.intake.target_date import TargetDateUnreadable, read_target_date

INTAKE = date(2026, 12, 3)


@pytest.mark.parametrize(("words", "expected"), [
    ("3 months", date(2027, 3, 3)),
    ("in 6 weeks", date(2027, 1, 14)),
    ("2027-03-01", date(2027, 3, 1)),
    ("by March", date(2027, 3, 1)),
    ("By the end of March", date(2027, 3, 31)),
    ("within two weeks", date(2026, 12, 17)),
    ("a month", date(2027, 1, 3)),
    ("next month", date(2027, 1, 3)),
    ("1 March 2027", date(2027, 3, 1)),
    ("March 1, 2027", date(2027, 3, 1)),
    ("June 2027", date(2027, 6, 1)),
    ("end of the year", date(2026, 12, 31)),
    ("by Dec", date(2027, 12, 1)),
])
def test_relative_and_absolute_words_are_read_from_the_intake_date(words, expected) -> None:
    assert read_target_date(words, INTAKE) == expected


@pytest.mark.parametrize(("words", "says"), [
    ("soon", "is not a date; write e.g. 2027-03-01, 'by March', '3 months' or 'in 6 weeks'"),
    ("2026-01-01", "not after the intake date (03 Dec 2026)"),
    ("2027-02-30", "is not a day on the calendar"),
    ("20 years", "more than 5 years ahead"),
])
def test_words_that_cannot_be_used_say_what_to_write(words, says) -> None:
    with pytest.raises(TargetDateUnreadable, match=says.replace("(", r"\(").replace(")", r"\)")):
        read_target_date(words, INTAKE)


def goals(by_when: str, context: dict | None = None) -> GoalsAndSupport:
    return GoalsAndSupport.model_validate({"goals": [{"description": "Back to work", "target": "3 days a week", "by_when": by_when}]},
                                          context=context)


def test_the_model_keeps_the_words_and_the_date_when_typed() -> None:
    goal = goals("3 months", {INTAKE_DATE: INTAKE}).goals[0]
    assert (goal.by_when, goal.by_date) == ("3 months", date(2027, 3, 3))
    stored = goal.model_dump(mode="json")
    assert stored["by_date"] == "2027-03-03"
    reread = GoalsAndSupport.model_validate({"goals": [stored]}, context={INTAKE_DATE: date(2027, 2, 1)}).goals[0]
    assert reread.by_date == date(2027, 3, 3), "a date once read is kept, never counted again from another day"


def test_unreadable_words_are_refused_by_field_with_the_fix() -> None:
    with pytest.raises(ValidationError) as caught:
        goals("when I feel better", {INTAKE_DATE: INTAKE})
    [problem] = problems_from(caught.value, GoalsAndSupport, prefix=("goals_support",))
    assert problem.path == "goals_support.goals[0].by_when"
    assert str(problem).startswith("Goal #1, By when: 'when I feel better' is not a date; write e.g.")


def test_a_goal_stored_before_dates_were_read_still_opens_with_its_words() -> None:
    goal = goals("before the summer").goals[0]
    assert (goal.by_when, goal.by_date) == ("before the summer", None)


WORDS = st.one_of(
    st.text(max_size=40),
    st.builds(lambda n, unit, lead: f"{lead}{n} {unit}", st.integers(0, 100_000),
              st.sampled_from(["day", "days", "week", "weeks", "fortnight", "month", "months", "year", "years", "wks", "mo"]),
              st.sampled_from(["", "in ", "by ", "within ", "about "])),
    st.builds(lambda d: d.isoformat(), st.dates(date(1900, 1, 1), date(2200, 12, 31))),
    st.builds(lambda lead, month, year: f"{lead}{month}{year}", st.sampled_from(["", "by ", "end of ", "by the end of "]),
              st.sampled_from(["March", "dec", "Sept", "june", "Smarch"]), st.sampled_from(["", " 2027", " 1999", " 2090"])),
)


@settings(max_examples=400, deadline=None)
@given(words=WORDS, intake_date=st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_reading_never_crashes_and_any_date_read_is_after_the_intake_date(words, intake_date) -> None:
    try:
        found = read_target_date(words, intake_date)
    except TargetDateUnreadable as exc:
        assert str(exc).startswith(f"'{words}'") and ("write" in str(exc) or "give a date" in str(exc))
    else:
        assert intake_date < found <= date(intake_date.year + 6, 1, 1)


@settings(max_examples=200, deadline=None)
@given(words=WORDS, intake_date=st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_the_model_either_keeps_a_date_after_the_intake_or_names_the_field(words, intake_date) -> None:
    try:
        goal = goals(words, {INTAKE_DATE: intake_date}).goals[0]
    except ValidationError as exc:
        fields = {p.path for p in problems_from(exc, GoalsAndSupport, prefix=("goals_support",))}
        assert fields == {"goals_support.goals[0].by_when"}
    else:
        assert (goal.by_date is None) == (goal.by_when == "")
        assert goal.by_date is None or goal.by_date > intake_date
