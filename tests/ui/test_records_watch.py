"""The clinician's records list follows changes made by another process (a kiosk, a colleague)
without a key being pressed: an intake stored urgent elsewhere comes to the top by itself."""

from __future__ import annotations

from ketatui.clinical.protocol import default_protocol
from ketatui.intake.document import Intake
from ketatui.screens.records_browser import RecordsBrowser
from ketatui.session import IntakeSession
from ketatui.storage import open_repository


async def test_an_intake_made_urgent_elsewhere_comes_to_the_top_without_a_key(make_app, driver_for, settings, repository, make_intake) -> None:
    calm = make_intake({"medical_history.demographics.full_name": "Alex Moreno"})
    repository.create(calm.model_dump(mode="json"), user="dr.lee")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        rows = await d.records(1)
        assert [r.full_name for r in rows] == ["Alex Moreno"]
        # Another process's store: a kiosk saving an answer that turns the screen positive.
        elsewhere = IntakeSession(Intake(), default_protocol(), open_repository(settings), "kiosk:waiting-room")
        elsewhere.intake.form_state["medical_history"] = {"values": {"medical_history.demographics.full_name": "Sam Rivera"}}
        elsewhere.screening(True)
        elsewhere.apply("medical_history", {}, elsewhere.intake.form_state["medical_history"])
        elsewhere.save()
        browser = app.screen
        assert isinstance(browser, RecordsBrowser)
        await d.until(lambda: [r.full_name for r in browser.rows] == ["Sam Rivera", "Alex Moreno"], "the urgent intake on top", timeout=3)
        assert browser.rows[0].urgent
        assert "!!K Sam Rivera" in d.text()
