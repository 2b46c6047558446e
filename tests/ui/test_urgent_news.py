"""An urgent intake saved at another site reaches the clinician's open records browser at once:
on a PostgreSQL store the App listens (LISTEN/NOTIFY) and reloads the list with a line saying so."""

from __future__ import annotations

import time

from ketatui.screens.records_browser import RecordsBrowser
from ketatui.settings import Settings
from ketatui.storage import open_repository



def person(make_data, name: str) -> dict:
    data = make_data({"medical_history.demographics.full_name": name})
    data.pop("record_id")
    return data


async def test_an_urgent_intake_saved_elsewhere_is_on_the_open_browser_within_two_seconds(
        make_app, driver_for, postgres_url, tmp_path, make_data) -> None:
    changes = {"backend": "postgres", "database_url": postgres_url}
    other_site = open_repository(Settings(key_file=tmp_path / "store.key", data_dir=tmp_path / "d", user="kiosk", **changes))
    other_site.create(person(make_data, name="Calm Caller"), user="kiosk")
    app = make_app(**changes)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: isinstance(app.screen, RecordsBrowser) and app.ready and app.screen.rows, "the records")
        await pilot.pause(0.5)  # the listener connects once the store is open
        urgent = person(make_data, name="Robin Crisis")
        urgent["triage"] = {"urgent": True, "blocked": True, "reasons": ["ASQ: thoughts of killing themself right now"]}
        saved_at = time.monotonic()
        other_site.create(urgent, user="kiosk")
        await d.until(lambda: "just saved URGENT" in d.text() and app.screen.rows and app.screen.rows[0].full_name == "Robin Crisis",
                      "the urgent intake on screen", timeout=5)
        assert time.monotonic() - saved_at < 2.0
        assert app.screen.rows[0].urgent
