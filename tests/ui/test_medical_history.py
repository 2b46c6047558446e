"""The medical history step: problems in the model's words beneath their fields, nothing typed is
lost when a page does not validate, live scores and bands, trials added and removed, questions
that only follow a yes."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

import pytest

from ketatui.intake.document import Intake
from ketatui.screens.medical_history import MedicalHistoryStep

DOB = "medical_history.demographics.date_of_birth"
NAME = "medical_history.demographics.full_name"
SEX = "medical_history.demographics.sex"
TRIALS = "medical_history.psychiatric.antidepressant_trials"


def draft_at(make_intake, page: str, *, drop: tuple[str, ...] = (), values: dict[str, Any] | None = None) -> dict:
    """The base example as a draft left on ``page`` of the medical history (answers before it kept)."""
    intake = make_intake()
    for name in drop:
        setattr(intake, name, None)
    intake.current_step = "medical_history"
    intake.status = "draft"
    intake.form_state = {"medical_history": {"page": page, "values": values or {}}}
    return intake.model_dump(mode="json")


@pytest.fixture
def open_draft(make_app, driver_for, repository, make_intake):
    """``async with open_draft(page, ...) as d``: a draft left on ``page`` (see ``draft_at``), resumed
    from the records list with Enter, as a clinician would."""

    @asynccontextmanager
    async def opened(page: str, **changes: Any):
        repository.create(draft_at(make_intake, page, **changes), user="test")
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            d = driver_for(pilot)
            await d.open_record()
            await d.until(lambda: isinstance(app.screen, MedicalHistoryStep) and app.focused is not None, "the step")
            yield d

    return opened


async def test_a_rejected_answer_says_why_beneath_it_and_next_keeps_everything(make_app, driver_for, repository) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.new_intake()
        await d.answer("Alex Moreno")
        await d.answer("1985-13-01")
        assert d.field(DOB).problem == "! enter a date as YYYY-MM-DD"
        assert "! enter a date as YYYY-MM-DD" in d.text()
        assert d.field(SEX).problem == "", "a question not reached yet is not told off"

        await d.next()
        assert app.step.page == 0, "Next does not leave a page with problems"
        assert "page 1 of 10" in d.text()
        assert d.field(SEX).problem == "! not answered yet: choose one of the answers"
        assert d.field("medical_history.demographics.height_cm").problem == "! this is required"
        assert d.focused_path == DOB, "the cursor goes to the first problem"
        assert d.field(NAME).value == "Alex Moreno" and d.field(DOB).value == "1985-13-01"

        await d.keys("ctrl+u")
        await d.answer("2099-01-01")
        assert d.field(DOB).problem == "! cannot be in the future; enter the date as YYYY-MM-DD"
        await d.saved()
        record_id = app.intake.record_id

    stored = Intake.model_validate(repository.get(record_id, user="test"))
    assert stored.medical_history is None, "an invalid page never becomes a section"
    assert stored.form_state["medical_history"]["values"][DOB] == "2099-01-01", "what was typed is kept"
    assert stored.form_state["medical_history"]["values"][NAME] == "Alex Moreno"


async def test_swapped_blood_pressure_is_explained_at_the_diastolic(open_draft) -> None:
    async with open_draft("vitals", drop=("medical_history",), values={
        "medical_history.vitals.systolic_bp": "", "medical_history.vitals.diastolic_bp": ""}) as d:
        assert "Intake blood pressure and pulse" in d.text()
        await d.focus("medical_history.vitals.systolic_bp")
        await d.answer("80")
        await d.answer("130")
        message = "! 130 must be lower than the systolic 80; check the two numbers were not swapped"
        assert d.field("medical_history.vitals.diastolic_bp").problem == message
        await d.next()
        assert "Intake blood pressure and pulse" in d.text(), "still on the vitals page"


async def test_phq9_shows_the_score_as_it_is_answered_then_the_band(open_draft) -> None:
    async with open_draft("phq9", drop=("phq9",)) as d:
        app = d.app
        assert "PHQ-9: 0 of 9 answered, score so far 0" in d.text()
        for score in (3, 2):
            await d.type(str(score))  # a key answers and moves on to the next question
        assert "PHQ-9: 2 of 9 answered, score so far 5" in d.text()
        for score in (3, 3, 2, 2, 1, 1, 0):
            await d.type(str(score))
        assert "PHQ-9 total 17 of 27: moderately severe" in d.text()
        assert "●0 Not at all" in d.text(), "the chosen answer is marked with a symbol, not colour alone"
        await d.keys("ctrl+s")
        await d.saved()
        assert app.intake.phq9.answers == [3, 2, 3, 3, 2, 2, 1, 1, 0]


async def test_each_answer_moves_to_the_next_question_and_the_last_keeps_its_place(open_draft) -> None:
    async with open_draft("phq9", drop=("phq9",)) as d:
        await d.type("1")
        assert d.focused_path == "phq9.answers[1]", "a key answers and the next question takes the focus"
        for _ in range(8):
            await d.type("0")
        assert d.focused_path == "phq9.difficulty"
        await d.type("1")
        assert d.focused_path == "phq9.difficulty", "the page's last answer keeps the focus: F3 goes on"
        assert d.field("phq9.difficulty").control.region.y > 0, "and the last question stays in view"
        assert "●1 Somewhat difficult" in d.text()


async def test_gad7_is_optional_but_half_answered_is_not(open_draft) -> None:
    async with open_draft("gad7", drop=("gad7",)) as d:
        await d.answer("2")
        await d.next()
        assert "GAD-7 anxiety questionnaire" in d.text()
        assert d.field("gad7.answers[1]").problem == "! not answered yet: choose one of the answers"
        await d.focus("gad7.answers[0]")
        await d.keys("backspace")  # clears the answer
        await d.next()
        assert "ASQ suicide screen" in d.text(), "an untouched GAD-7 is simply not given"


async def test_trials_are_added_and_removed_with_the_keyboard(open_draft) -> None:
    async with open_draft("trials", drop=("medical_history",)) as d:
        app = d.app
        assert "Trial 1" in d.text() and "Trial 2" not in d.text()
        await d.answer("sertraline")
        await d.keys("ctrl+n")
        assert d.focused_path == f"{TRIALS}[1].medicine"
        await d.answer("bupropion")
        await d.answer("300")
        await d.keys("ctrl+n")
        await d.answer("fluoxetine")
        assert "Trial 3" in d.text()
        await d.focus(f"{TRIALS}[1].medicine")
        await d.keys("ctrl+r")
        texts = [d.field(f"{TRIALS}[{i}].medicine").value for i in range(2)]
        assert texts == ["sertraline", "fluoxetine"], "the second trial is gone and the rest renumbered"
        assert "Trial 3" not in d.text()
        await d.saved()
        assert [t["medicine"] for t in app.intake.form_state["medical_history"]["trials"]] == ["sertraline", "fluoxetine"]


async def test_a_follow_up_question_appears_only_after_yes(open_draft) -> None:
    async with open_draft("depression", drop=("medical_history",)) as d:
        response = "medical_history.psychiatric.prior_ketamine_response"
        assert not d.field(response).display
        await d.focus("medical_history.psychiatric.prior_ketamine")
        await d.keys("y")
        assert d.field(response).display
        assert "Response to earlier ketamine treatment" in d.text()
        assert d.field(response).value is None and d.focused_path == response, "the follow-up comes next, unanswered"
        await d.focus("medical_history.psychiatric.prior_ketamine")
        await d.keys("n")
        assert "Response to earlier ketamine treatment" not in d.text()
