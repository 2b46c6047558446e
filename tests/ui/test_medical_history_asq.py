"""The positive ASQ: the clinic's crisis resources at once, the intake marked URGENT in words, and
the store's summary marked urgent once the answers are complete."""

from __future__ import annotations

from ketatui.intake.document import Intake
from ketatui.clinical.rules import evaluate
from ketatui.screens.crisis import CrisisScreen

CONTACTS = [
    {"name": "Riverside crisis team", "how": "Call 555 0100, day or night"},
    {"name": "Emergency services", "how": "Call 911 if in immediate danger"},
]


def asq_draft(make_intake) -> dict:
    intake = make_intake()
    intake.asq = None
    intake.status = "draft"
    intake.current_step = "medical_history"
    intake.form_state = {"medical_history": {"page": "asq", "values": {}}}
    return intake.model_dump(mode="json")


async def test_a_yes_shows_the_protocols_crisis_resources_at_once_and_marks_urgent(make_app, driver_for, repository, make_intake, make_protocol) -> None:
    record_id = repository.create(asq_draft(make_intake), user="test")["record_id"]
    protocol = make_protocol({"crisis_contacts": CONTACTS})
    app = make_app(protocol=protocol)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.open_record()
        await d.until(lambda: app.step is not None and "ASQ suicide screen" in d.text(), "the ASQ page")
        assert "URGENT" not in d.text()
        assert "thoughts of killing yourself right now" not in d.text(), "question 5 only follows a yes"

        await d.type("y")  # question 1: yes
        await d.until(lambda: isinstance(app.screen, CrisisScreen), "the crisis dialog")
        shown = d.text()
        assert "!! URGENT — act now: Positive suicide screen" in shown
        assert "Riverside crisis team: Call 555 0100, day or night" in shown, "the contacts come from the protocol"
        assert "988" not in shown, "the built-in contacts are not used when the clinic has its own"
        await d.keys("escape")

        page = d.text()
        assert "!! URGENT" in page.splitlines()[0], "the progress line says URGENT in words"
        assert "Riverside crisis team" in page, "the resources stay on the page"
        assert app.urgent

        assert d.focused_path == "asq.family_better_off", "an answer moves on to the next question"
        for _ in range(3):
            await d.type("n")
        assert "If yes, how? When?" not in d.text(), "'If yes, how? When?' only follows a yes to question 4"
        assert d.focused_path == "asq.thoughts_right_now"
        await d.type("n")
        await d.keys("ctrl+s")
        await d.saved()
        assert "ASQ result: positive" in d.text()

        await d.focus("asq.wished_dead")
        await d.type("n")
        await pilot.pause()
        assert not app.urgent and "URGENT" not in d.text(), "a corrected answer clears the mark"
        await d.focus("asq.wished_dead")
        await d.type("y")
        await d.saved()

    stored = Intake.model_validate(repository.get(record_id, user="test"))
    assert stored.asq.positive and not stored.asq.acute_positive
    assert [f.code for f in evaluate(stored, protocol) if f.severity == "urgent"] == ["RISK-SUICIDE-SCREEN"]
    summary = next(s for s in repository.drafts() if s.record_id == record_id)
    assert summary.urgent, "the store lists the intake as urgent"


async def test_f9_shows_the_crisis_resources_again_only_when_urgent(make_app, driver_for) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.new_intake()
        assert "URGENT" not in d.text()
        await d.keys("f9")
        assert not isinstance(app.screen, CrisisScreen)


async def test_when_urgent_f9_is_named_on_the_progress_line_and_in_help(make_app, driver_for, repository, make_intake) -> None:
    repository.create(asq_draft(make_intake), user="test")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.open_record()
        await d.until(lambda: app.step is not None and "ASQ suicide screen" in d.text(), "the ASQ page")
        await d.type("y")
        await d.until(lambda: isinstance(app.screen, CrisisScreen), "the crisis dialog")
        await d.keys("escape")
        assert "!! URGENT (F9)" in d.text().splitlines()[0]
        await d.keys("f9")
        assert isinstance(app.screen, CrisisScreen)
        await d.keys("escape", "f1")
        assert "Crisis help" in d.text()
        assert all(len(line) <= 80 for line in d.text().splitlines())
