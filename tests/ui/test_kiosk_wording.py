"""What a patient reads at the kiosk, screen by screen, as the terminal shows it: no clinical
jargon, and grade 8 or lower (Flesch-Kincaid). The instruments' exact published wording (PHQ-9,
GAD-7, ASQ) is kept as licensed, so those pages are checked for jargon outside the questions only."""

from __future__ import annotations

import re

import textstat

from ketatui.intake.instruments import ASQ_ATTRIBUTION, PHQ_ATTRIBUTION
from ketatui.intake.patient_wording import JARGON
from ketatui.screens.kiosk_crisis import KioskCrisisHold
from ketatui.screens.kiosk_idle import KioskIdleWarning
from ketatui.screens.kiosk_send import KioskDone, KioskSend
from ketatui.screens.kiosk_staff import StaffMenu, StaffPinDialog

from kiosk_host import PIN, hashed_pin, kiosk_settings, make_kiosk, page, ready, to_page  # noqa: F401

GRADE = 8
CHROME = re.compile(r"[│╭╮╰╯─┃━┏┓┗┛▌▐▔▁▊▎●○]|\[X\]|\[ \]|f2 Back f3 Next|Saved \d\d:\d\d:\d\d|Not saved yet")
INSTRUMENT_PAGES = ("phq9", "gad7", "asq")


def lines(d) -> list[str]:
    return [" ".join(CHROME.sub(" ", line).split()) for line in d.text().splitlines() if CHROME.sub(" ", line).strip()]


def prose(d) -> str:
    text = " ".join(lines(d))
    for attribution in (PHQ_ATTRIBUTION, ASQ_ATTRIBUTION):
        text = text.replace(" ".join(attribution.split()), "")
    return text


def jargon_in(text: str) -> list[str]:
    return [w for w in JARGON if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.IGNORECASE)]


def check(d, where: str, *, questions: bool = False, instrument: bool = False) -> str:
    text = prose(d)
    assert not jargon_in(text), f"{where}: {jargon_in(text)} in {text!r}"
    if not instrument:
        # Questions are short labels, each read as one sentence; prose is read as written.
        graded = ". ".join(lines(d)) + "." if questions else text
        assert textstat.flesch_kincaid_grade(graded) <= GRADE, f"{where}: grade {textstat.flesch_kincaid_grade(graded):.1f}: {graded!r}"
    return text


async def test_every_page_a_patient_walks_through_is_plain(make_kiosk, driver_for) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await ready(d)
        check(d, "welcome")
        await d.keys("enter")
        for number in range(6):
            await d.until(lambda: f"({number + 1} of 6)" in d.text(), f"about page {number + 1}")
            check(d, f"about page {number + 1}")
            await d.keys("enter")
        seen = []
        await to_page(d, "about")
        for wanted in ("about", "depression", "trials", "substance", "physical-heart", "physical-other", "vitals", "phq9"):
            await to_page(d, wanted) if wanted == "about" else None
            await d.until(lambda: page(d) == wanted, wanted)
            await pilot.pause(0.1)
            seen.append(check(d, wanted, questions=True, instrument=wanted in INSTRUMENT_PAGES))
            if wanted == "about":
                from kiosk_host import about_you

                await about_you(d)
            elif wanted == "depression":
                await d.until(lambda: app.focused is not None, "focus")
                await d.answer("14")
                await d.keys("ctrl+o")
                await d.next()
            elif wanted != "phq9":
                if wanted in ("substance", "physical-heart", "physical-other"):
                    await d.keys("ctrl+o")
                await d.next()
        await d.keys(*"0000000000")
        for wanted in ("gad7", "asq"):
            await d.next()
            await d.until(lambda: page(d) == wanted and app.focused is not None, wanted)
            seen.append(check(d, wanted, instrument=True))
        await d.keys(*"nnnn")
        await d.next()
        await d.until(lambda: app.step is not None and app.step.step_id == "medications" and app.focused is not None, "medicines")
        check(d, "medicines", questions=True)
        await d.type("Xanax")  # the clinician's interaction flag for it is not shown here
        await pilot.pause(0.6)
        assert "BENZODIAZEPINE" not in d.text() and "REVIEW" not in d.text()
        await d.next()
        await d.until(lambda: app.step is not None and app.step.step_id == "goals_support" and app.focused is not None, "goals")
        check(d, "goals and support", questions=True)
        app.step._field("escort_every_session").control.focus()
        await d.keys("n")
        await d.next()
        await d.until(lambda: isinstance(app.screen, KioskSend), "send")
        check(d, "send")
        await d.keys("enter")
        await d.until(lambda: isinstance(app.screen, KioskDone) and "What happens next" in d.text(), "done")
        check(d, "what happens next")
        assert "Your full name" in seen[0] and "weight" not in seen[0]
        assert "blood pressure" in seen[6] and "nothing to fill in" in seen[6] and "mmHg" not in seen[6]


async def test_the_warning_crisis_and_staff_screens_are_plain(make_kiosk, driver_for) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await ready(d)
        await d.keys("enter", *["enter"] * 6)
        await to_page(d, "about")
        await d.type("Sam")
        app.idle.last_input -= app.idle.timeout + 0.5
        await d.until(lambda: isinstance(app.screen, KioskIdleWarning) and "still there" in d.text(), "the warning")
        check(d, "idle warning")
        await d.keys("x")
        await to_page(d, "phq9")
        await d.keys(*"000000001")
        await d.until(lambda: isinstance(app.screen, KioskCrisisHold) and "staff" in d.text(), "the crisis hold")
        check(d, "crisis hold")
        await d.keys("ctrl+k")
        await d.until(lambda: isinstance(app.screen, StaffPinDialog), "the PIN")
        check(d, "staff PIN")
        await d.type(PIN)
        await d.keys("enter")
        await d.until(lambda: isinstance(app.screen, StaffMenu), "the staff menu")
        assert "End the hold" in prose(d)
