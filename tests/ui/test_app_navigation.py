"""Moving around: the progress line, Back/Next/Go to/Save on keys the Footer shows, F1 help that
says why the questions are asked, and drafts saved on every step change."""

from __future__ import annotations

from textual.widgets import OptionList

from ketatui.intake.document import Intake
from ketatui.screens.clinician_app import ClinicianApp
from ketatui.screens.step_picker import StepPicker
from ketatui.screens.help import HelpScreen
from ketatui.screens.records_browser import RecordsBrowser


def complete_draft(make_intake, step: str) -> dict:
    intake = make_intake()
    intake.status = "draft"
    intake.current_step = step
    return intake.model_dump(mode="json")


def test_every_binding_has_an_id() -> None:
    for owner in (ClinicianApp, RecordsBrowser, HelpScreen, StepPicker):
        for binding in owner.BINDINGS:
            assert binding.id, f"{owner.__name__}: {binding.key} has no id"


async def test_the_footer_shows_every_action_on_a_step(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.new_intake()
        footer = d.text().splitlines()[-1]
        for words in ("f1 Help", "f2 Back", "f3 Next", "f4 Go to", "^s Save", "^q Quit"):
            assert words in footer
        assert len(footer) <= 80
        assert d.text().splitlines()[0].startswith(" Step 1 of 5: Medical history · page 1 of 10")


async def test_help_says_why_this_page_asks_its_questions(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.new_intake()
        await d.keys("f1")
        assert isinstance(app.screen, HelpScreen)
        text = d.text()
        assert "Help: Medical history, page 1 of 10" in text
        assert "Height and" in text and "ideal body weight" in text
        assert "f3" in text and "Next" in text, "the keys are listed too"
        await d.keys("escape")
        assert not isinstance(app.screen, HelpScreen)
        assert app.focused is not None, "back in the form where the cursor was"


async def test_back_and_next_between_steps_save_the_step_and_keep_answers(make_app, driver_for, repository, make_intake) -> None:
    record_id = repository.create(complete_draft(make_intake, "medications"), user="test")["record_id"]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.open_record()
        await d.until(lambda: app.step is not None and app.step.step_id == "medications", "medications")
        assert "Step 2 of 5: Current medications" in d.text()
        await d.keys("f2")  # back to the last page of the medical history
        await d.until(lambda: app.step.step_id == "medical_history", "the medical history")
        assert "page 10 of 10" in d.text() and "ASQ suicide screen" in d.text()
        await d.saved()
        assert repository.get(record_id, user="test")["current_step"] == "medical_history"
        await d.next()
        await d.until(lambda: app.step.step_id == "medications", "medications again")
        names = [box.value for box in app.step.query("Input") if box.name == "name"]
        assert names == ["Wellbutrin XL", "atorvastatin"], "the medications are still there"
        await d.saved()
        assert repository.get(record_id, user="test")["current_step"] == "medications"


async def test_go_to_offers_finished_steps_and_the_next_one_only(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.new_intake()
        await d.keys("f4")
        assert isinstance(app.screen, StepPicker)
        options = app.screen.query_one(OptionList)
        offered = [(options.get_option_at_index(i).prompt, not options.get_option_at_index(i).disabled) for i in range(options.option_count)]
        assert offered[0] == ("1. Medical history (next to do)", True)
        assert offered[1] == ("2. Current medications (not reached)", False)
        assert all(not ok for _, ok in offered[1:])
        await d.keys("escape")
        assert app.step.step_id == "medical_history"


async def test_go_to_jumps_to_a_finished_step(make_app, driver_for, repository, make_intake) -> None:
    repository.create(complete_draft(make_intake, "summary"), user="test")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.open_record()
        await d.until(lambda: app.step is not None and app.step.step_id == "summary", "the summary")
        await d.keys("f4", "up", "up", "enter")  # the list opens on the step you are on
        await d.until(lambda: app.step.step_id == "side_effects", "the side-effect step")
        assert "Step 3 of 5: Side-effect discussion" in d.text()


async def test_quit_saves_what_is_on_screen_first(make_app, driver_for, repository) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.new_intake()
        await d.answer("Robin Hale")
        await d.type("1990-02-0")  # not left yet: Quit still keeps it
        await d.keys("ctrl+q")
    assert app.return_code == 0
    (summary,) = repository.drafts()
    doc = Intake.model_validate(repository.get(summary.record_id, user="test"))
    assert doc.form_state["medical_history"]["values"]["medical_history.demographics.date_of_birth"] == "1990-02-0"


def test_every_step_in_the_table_has_its_screen_and_its_title() -> None:
    from ketatui.intake.document import Intake
    from ketatui.screens.step import step_class
    from ketatui.steps import STEPS

    for step in STEPS:
        screen = step_class(step.id)
        assert screen is not None and screen.__module__ == step.screen, step.id
        assert screen.step_title == step.title
        assert set(step.required) <= set(step.sections) <= set(Intake.model_fields), step.id


async def test_a_save_refused_because_another_session_changed_the_draft_says_so_once(make_app, driver_for, repository) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.new_intake()
        await d.answer("Robin Hale")
        await d.saved()
        stored = repository.get(app.intake.record_id, user="test")
        repository.save(stored, user="someone.else", expected_rev=stored["rev"])  # another session saves
        await d.answer("1990-02-01")
        await d.until(lambda: "NOT SAVED" in d.text().splitlines()[0], "the progress line to say so")
        assert any("changed in another session" in n.message for n in app._notifications)
        await d.answer("2")
        await d.saved()
        assert sum("changed in another session" in n.message for n in app._notifications) == 1, "said once"
