"""Running the patient kiosk in a Pilot test: a real store in ``tmp_path``, a hashed staff PIN,
and a patient's way through the pages, typed key by key."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from ketatui.screens.kiosk_app import KioskApp
from ketatui.screens.medical_history import MedicalHistoryStep

PIN = "246810"
KIOSK_ACCOUNT = "waiting-room"
CONTACT = "the front desk, or call 555-0100"


@cache
def hashed_pin() -> str:
    from ketatui.kiosk.staff_pin import hash_pin

    return hash_pin(PIN)


@pytest.fixture
def kiosk_settings(settings):
    """This test's store, with the kiosk's account, its staff PIN and the clinic's contact."""
    return settings.model_copy(update={"kiosk_staff_pin": hashed_pin(), "clinic_contact": CONTACT, "user": KIOSK_ACCOUNT})


@pytest.fixture
def make_kiosk(kiosk_settings) -> Callable[..., KioskApp]:
    def make(**changes: Any) -> KioskApp:
        return KioskApp(settings=kiosk_settings.model_copy(update=changes))

    return make


async def ready(d) -> None:
    await d.until(lambda: d.app.ready, "the kiosk to get ready")


async def to_questions(d) -> None:
    """From the welcome, through the six pages about the treatment, to the first question."""
    await ready(d)
    await d.keys("enter")
    for _ in range(6):
        await d.keys("enter")
    await d.until(lambda: isinstance(d.app.screen, MedicalHistoryStep) and d.app.focused is not None, "the first question")


async def about_you(d, name: str = "Sam Rivera") -> None:
    """The first page, answered, and on to the next."""
    await d.answer(name)
    await d.answer("1985-02-03")
    await d.keys("2", "tab")
    await d.next()


def page(d) -> str:
    step = d.app.step
    from ketatui.screens.medical_history import PAGE_IDS

    return PAGE_IDS[step.page] if isinstance(step, MedicalHistoryStep) else ""


async def to_page(d, wanted: str) -> None:
    """Answer what each page needs, then Next, until ``wanted`` is on show."""
    await d.until(lambda: page(d) == "about" and d.focused_path == "medical_history.demographics.full_name", "the first page")
    if wanted == "about":
        return
    await about_you(d)
    await d.until(lambda: page(d) == "depression" and d.focused_path == "medical_history.psychiatric.episode_months", "the depression page")
    if wanted == "depression":
        return
    await d.answer("14")
    await d.keys("ctrl+o")  # none of these: every yes/no on the page answered no
    await d.next()
    for following in ("trials", "substance", "physical-heart", "physical-other", "vitals", "phq9"):
        await d.until(lambda: page(d) == following and (following == "vitals" or d.app.focused is not None), f"the {following} page")
        if following == wanted:
            return
        if following in ("substance", "physical-heart", "physical-other"):
            await d.keys("ctrl+o")
        await d.next()
