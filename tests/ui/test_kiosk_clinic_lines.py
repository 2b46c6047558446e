"""The kiosk's crisis hold shows the clinic's own crisis lines and name when the site sets them,
and the patient never sees a word about settings."""

from __future__ import annotations

from ketatui.screens.kiosk_crisis import KioskCrisisHold
from ketatui.settings import CrisisLine

from kiosk_host import CONTACT, hashed_pin, kiosk_settings, make_kiosk, ready, to_page, to_questions  # noqa: F401

SAMARITANS = [CrisisLine(name="Samaritans", how="Call 116 123, any time"),
              CrisisLine(name="Emergency services", how="Call 999 if you are in immediate danger")]


def said(d) -> str:
    return " ".join(d.text().translate(str.maketrans("", "", "│╭╮╰╯─┃━┏┓┗┛▌▐")).split())


async def test_the_crisis_hold_shows_the_sites_own_lines_and_name(make_kiosk, driver_for) -> None:
    app = make_kiosk(crisis_contacts=SAMARITANS, clinic_name="Riverside Mental Health")
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await ready(d)
        await d.until(lambda: "Welcome to Riverside Mental Health" in said(d), "the clinic's name on the welcome")
        await to_questions(d)
        await to_page(d, "phq9")
        await d.keys(*"00000000", "1")  # question 9: "Several days"
        await d.until(lambda: isinstance(app.screen, KioskCrisisHold) and "staff" in d.text(), "the crisis hold")
        text = said(d)
        assert f"Our staff: {CONTACT}" in text
        assert "Samaritans: Call 116 123, any time" in text and "Call 999 if you are in immediate danger" in text
        assert "988" not in text and "741741" not in text
        assert "crisis_contacts" not in text and "US" not in text.split(), "nothing about settings for a patient"
