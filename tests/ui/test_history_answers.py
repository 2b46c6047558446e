"""Answered or not, at the keyboard: a question starts unanswered, a follow-up appears unanswered
after a yes, Next names what is unanswered, Ctrl+O answers the rest of a page no, and "not known"
raises a review flag naming the question. The kiosk asks the same in the patient's words."""

from __future__ import annotations

from contextlib import asynccontextmanager
import pytest

from ketatui.intake.document import Intake
from ketatui.screens.medical_history import MedicalHistoryStep

PHYS = "medical_history.physical"
BP = f"{PHYS}.hypertension"
BP_CONTROLLED = f"{PHYS}.hypertension_controlled"


def unanswered_draft(make_intake, page: str) -> dict:
    """The base example with its medical history not yet answered, left on ``page``."""
    intake = make_intake()
    history = intake.medical_history.model_dump(mode="json")
    intake.medical_history = None
    intake.current_step = "medical_history"
    intake.status = "draft"
    values = {f"medical_history.{group}.{name}": value for group in ("demographics", "vitals")
              for name, value in history[group].items()}
    values |= {"medical_history.psychiatric.diagnosis": "major depressive disorder", "medical_history.psychiatric.episode_months": "14"}
    intake.form_state = {"medical_history": {"page": page, "values": values, "trials": []}}
    return intake.model_dump(mode="json")


@pytest.fixture
def open_page(make_app, driver_for, repository, make_intake):
    @asynccontextmanager
    async def opened(page: str):
        repository.create(unanswered_draft(make_intake, page), user="test")
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            d = driver_for(pilot)
            await d.open_record()
            await d.until(lambda: isinstance(app.screen, MedicalHistoryStep) and app.focused is not None, "the step")
            yield d

    return opened


def told(d, words: str) -> bool:
    return any(words in n.message for n in d.app._notifications)


async def test_a_question_starts_unanswered_and_next_names_every_one(open_page) -> None:
    async with open_page("physical-heart") as d:
        assert d.field(BP).value is None and "○y Yes ○n No" in d.text()
        await d.next()
        assert d.app.step.page == 4, "Next does not leave a page with an unanswered question"
        assert told(d, "Not answered on this page: High blood pressure (diagnosed); Coronary heart disease or angina")
        assert told(d, "ctrl+o answers no to the rest of the page")
        assert d.field(BP).problem == "! not answered: press y or n"
        assert d.focused_path == BP, "the cursor goes to the first unanswered question"


async def test_a_yes_opens_its_follow_up_unanswered_and_none_of_these_leaves_it_to_be_answered(open_page, repository) -> None:
    async with open_page("physical-heart") as d:
        assert not d.field(BP_CONTROLLED).display
        await d.keys("y")
        assert d.field(BP_CONTROLLED).display and d.field(BP_CONTROLLED).value is None
        assert d.focused_path == BP_CONTROLLED, "the follow-up is the next question"
        assert "○y Yes ○n No ○u Not known" in d.text()

        await d.keys("ctrl+o")
        assert d.field(f"{PHYS}.stroke").value is False and d.field(BP).value is True
        assert d.field(BP_CONTROLLED).value is None, "none of these never answers a follow-up"
        await d.next()
        assert d.app.step.page == 4
        assert told(d, "Not answered on this page: Blood pressure controlled by treatment.")
        assert d.focused_path == BP_CONTROLLED

        await d.keys("u")
        await d.next()
        await d.until(lambda: d.app.step.page == 5, "the next page")
        flags = {f.code: f for f in d.app.session.derived.flags}
        assert flags["ANSWER-NOT-KNOWN"].severity == "review"
        assert "'Blood pressure controlled by treatment' answered not known" in flags["ANSWER-NOT-KNOWN"].reason
        assert flags["ANSWER-NOT-KNOWN"].source_fields == [BP_CONTROLLED]
        await d.saved()
        record_id = d.app.intake.record_id
    values = Intake.model_validate(repository.get(record_id, user="test")).form_state["medical_history"]["values"]
    assert (values[BP], values[BP_CONTROLLED], values[f"{PHYS}.stroke"]) == (True, "not known", False), "kept as answered"


async def test_the_last_page_sends_back_to_an_earlier_unanswered_question(open_page) -> None:
    async with open_page("depression") as d:
        for _ in range(3):  # depression, trials and substance pages: no answers
            await d.next()
        assert d.app.step.page == 1, "not past the depression page"
        assert told(d, "Not answered on this page: Had ECT before")
        await d.keys("ctrl+o")
        assert d.field("medical_history.psychiatric.prior_ect").value is False
        await d.next()
        await d.until(lambda: d.app.step.page == 2, "the trials page")


async def test_the_kiosk_asks_in_the_patients_words_with_i_dont_know(make_intake) -> None:
    from step_host import Host

    from ketatui.clinical.protocol import default_protocol
    from ketatui.screens.widgets import LabelledField
    from ketatui.screens.widgets.field import field_id

    intake = Intake.model_validate(unanswered_draft(make_intake, "physical-heart"))
    step = MedicalHistoryStep(intake, default_protocol(), audience="patient")
    async with Host(step).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.query_one(f"#{field_id(BP)}", LabelledField)
        assert row.label == "High blood pressure?"
        row.control.focus()
        await pilot.press("y")
        await pilot.pause()
        follow_up = step.query_one(f"#{field_id(BP_CONTROLLED)}", LabelledField)
        assert follow_up.display and follow_up.value is None
        assert follow_up.label == "Is your blood pressure kept in check by your medicine?"
        assert [label for label, _ in follow_up.control.options] == ["Yes", "No", "I don't know"]
        assert "ctrl+o" in str(step.query_one("#physical-heart .intro").render())
        step.next_page()
        await pilot.pause()
        assert any("Is your blood pressure kept in check by your medicine?" in n.message for n in pilot.app._notifications)
        assert any("If you have had none of the rest, press ctrl+o" in n.message for n in pilot.app._notifications)
