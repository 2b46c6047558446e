"""A whole intake with the keyboard alone, through all five steps, then what the store holds.

This is the clinician's day: the records list, ten medical-history pages, medications, side effects,
goals and support, the plan summary and Save. The stored record and the plan derived from it
are checked against the answers typed (``tests/walk.py``), the store's summary of the record is
checked too, and the same answers given to the session alone store the same record and plan.
"""

from __future__ import annotations

from ketatui.intake.document import Intake
from ketatui.intake.side_effects import SIDE_EFFECT_TOPICS
from walk import GAD7, PHQ9, SECTIONS, check_stored, session_walk

#: Everything the steps fill in, and what is derived from it.
SECTIONS_STORED = (*(name for sections in SECTIONS.values() for name in sections), "current_step", "route", "status", "triage", "plan")


async def fill_medical_history(d) -> None:
    """Pages 1 to 10, typed the way a clinician would: Tab between fields, F3 for Next."""
    await d.answer("Alex Moreno")
    await d.answer("1985-03-01")
    await d.answer("2")  # male
    await d.answer("175")
    await d.type("70")
    await d.next()
    assert "Depression and mental health history" in d.text()
    await d.answer("1")  # major depressive disorder
    await d.type("14")
    await d.keys("ctrl+o")  # none of these: every yes/no on the page answered no, explicitly
    await d.next()
    assert "Antidepressant trials" in d.text()
    for medicine, dose, weeks, better in (("sertraline", "150", "10", "20"), ("venlafaxine", "225", "8", "10")):
        await d.answer(medicine)
        await d.answer(dose)
        await d.answer(weeks)
        await d.answer(better)
        await d.keys("y")  # in the current episode
        await d.keys("ctrl+n")  # the next trial row, focused on its first box
    await d.next()
    assert "Alcohol and drugs" in d.text()
    for _ in range(3):  # substance use; heart, vessels, brain; eyes, liver, thyroid: none of these
        await d.keys("ctrl+o")
        await d.next()
    assert "Intake blood pressure and pulse" in d.text()
    await d.answer("122")
    await d.answer("78")
    await d.type("72")
    await d.next()
    assert "PHQ-9" in d.text()
    for score in PHQ9:  # each key answers and moves on to the next question
        await d.type(str(score))
    await d.type("1")  # difficulty: somewhat difficult
    assert "PHQ-9 total 13 of 27: moderate" in d.text()
    await d.next()
    for score in GAD7:
        await d.type(str(score))
    assert "GAD-7 total 4 of 21: minimal" in d.text()
    await d.next()
    assert "ASQ suicide screen" in d.text()
    for _ in range(4):
        await d.type("n")
    assert "ASQ result: negative" in d.text()
    await d.next()


async def test_a_whole_intake_by_keyboard_is_stored_with_its_plan(make_app, driver_for, repository, settings, store_dir, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.new_intake()
        await fill_medical_history(d)

        await d.until(lambda: app.step.step_id == "medications", "the medications step")
        assert "Step 2 of 5: Current medications" in d.text()
        assert d.app.focused.name == "name"  # the first row's medication name
        await d.answer("Xanax")
        await d.answer("0.5 mg")
        await d.answer("at night")
        await d.type("sleep")
        await d.next()

        await d.until(lambda: app.step.step_id == "side_effects", "the side-effect step")
        for _ in SIDE_EFFECT_TOPICS:
            await d.keys("space", "down")
        await d.next()

        await d.until(lambda: app.step.step_id == "goals_support", "the goals step")
        await d.answer("Back to work three days a week")
        await d.answer("Working 3 days a week for 2 weeks")
        await d.answer("March")
        await d.keys("tab")  # past 'Add a goal'
        await d.keys("space")  # someone takes them home after every session
        await d.keys("tab")
        for answer in ("Sam Ellis", "husband", "+1 555 201 3344", "Sam Ellis", "husband", "+1 555 201 3344"):
            await d.answer(answer)
        await d.next()

        await d.until(lambda: app.step.step_id == "summary", "the plan summary")
        await d.keys("s")
        await d.saved()
        record_id = app.intake.record_id
        assert "Step 5 of 5: Plan summary" in d.text()

        await d.keys("e")  # export, with the suggested file name
        await d.until(lambda: app.screen.query("#export-path"), "the export dialog")
        await d.keys("enter")
        await d.until(lambda: list(settings.export_dir.glob("plan-alex-moreno-*.md")), "the exported file in the export folder")
        assert not list(tmp_path.glob("plan-*.md")), "never the folder the App was started in"
        await d.until(lambda: '"action":"export"' in (store_dir / "audit.log").read_text(), "the export in the audit log")

    by_keyboard = repository.get(record_id, user="test")
    stored = Intake.model_validate(by_keyboard)
    check_stored(stored, next(s for s in repository.drafts() if s.record_id == record_id))

    # The same answers through the session alone give the same record and the same plan.
    from ketatui.storage import open_repository

    elsewhere = settings.model_copy(update={"data_dir": tmp_path / "session-store"})
    session_id, session_plan = session_walk(elsewhere)
    by_session = open_repository(elsewhere).get(session_id, user="test")
    assert {name: by_session[name] for name in SECTIONS_STORED} == {name: by_keyboard[name] for name in SECTIONS_STORED}
    assert session_plan == stored.plan

    exports = [line for line in (store_dir / "audit.log").read_text().splitlines() if '"action":"export"' in line]
    assert len(exports) == 1 and record_id in exports[0] and "Alex" not in exports[0], "audited, without health data"

