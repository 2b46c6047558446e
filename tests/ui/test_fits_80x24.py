"""Every screen fits 80x24, in both themes, with the long content real clinics type.

Each test drives one App (the clinician App, the kiosk, the trainer) through its screens at
80x24 and reads each screen with ``fits.cut_short``: a one-line label, a Footer key, a list row or
a table cell cut short or wrapped, an Input left showing only its tail, a scrollbar inside a
box with nothing to scroll. A failure lists every such place at once, with the screen, the widget,
the text and its width against the room it has.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from ketatui.clinical.protocol import default_protocol
from ketatui.screens.medical_history import PAGE_IDS, MedicalHistoryStep
from ketatui.screens.records_browser import RecordsBrowser
from ketatui.session import derive
from ketatui.steps import STEP_IDS

from fits import cut_short

THEMES = ["default", "high-contrast"]
SIZE = (80, 24)

LONG_NAME = "Maria-Fernanda de los Santos Villanueva-Oyelaran"
LONG_GOAL = "Get back to teaching full time at the primary school, three days a week at first, then five"
MEDICINES = [
    {"name": "Zoloft", "dose": "150 mg", "how_often": "every morning", "reason": "depression"},
    {"name": "Xanax", "dose": "0.5 mg", "how_often": "as needed, up to twice a day", "reason": "panic attacks"},
    {"name": "lisinopril", "dose": "10 mg", "how_often": "daily", "reason": "high blood pressure"},
    {"name": "Lamictal", "dose": "200 mg", "how_often": "daily", "reason": "mood"},
    {"name": "quetiapine", "dose": "100 mg", "how_often": "at night", "reason": "sleep"},
    {"name": "theophylline", "dose": "300 mg", "how_often": "twice a day", "reason": "asthma"},
    {"name": "levothyroxine", "dose": "75 micrograms", "how_often": "every morning before breakfast", "reason": "thyroid"},
    {"name": "omeprazole", "dose": "20 mg", "how_often": "daily", "reason": "reflux"},
]


class Screens:
    """Visits screens and keeps what each one cuts short."""

    def __init__(self, pilot: Pilot, theme: str) -> None:
        self.pilot, self.theme, self.problems = pilot, theme, []
        self.seen: list[str] = []

    async def until(self, check: Callable[[], object], what: str) -> None:
        for _ in range(400):
            if check():
                return
            await self.pilot.pause(0.02)
        raise AssertionError(f"{what} never showed")

    async def check(self, where: str) -> None:
        await self.pilot.pause()
        await self.pilot.pause()
        self.seen.append(where)
        self.problems += cut_short(self.pilot.app, f"{self.theme} · {where}")

    def on_one_line(self, where: str, text: str) -> None:
        """``text`` must be on the screen, whole, on one line (not broken where it wraps)."""
        screen = self.pilot.app.screen
        lines = [strip.text for strip in screen._compositor.render_strips()]
        if not any(text.lower() in line.lower() for line in lines):
            self.problems.append(f"[{self.theme} · {where} · {type(screen).__name__}] {text!r} ({len(text)} cells) "
                                 "is not on one line: it wraps")

    def verdict(self) -> None:
        assert self.seen, "no screen was checked"
        assert not self.problems, "cut short or wrapped at 80x24:\n" + "\n".join(self.problems)


async def visit(app, theme: str, walk: Callable[[Screens], Awaitable[None]]) -> None:
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        screens = Screens(pilot, theme)
        await walk(screens)
    screens.verdict()


# ----- the clinician App ------------------------------------------------------------------------


def long_intake(make_intake, name: str = LONG_NAME, *, status: str = "draft", step: str = "medical_history"):
    intake = make_intake({
        "medical_history.demographics.full_name": name,
        "medications.items": MEDICINES,
        "goals_support.goals": [{"description": LONG_GOAL, "target": "Teaching five days a week for a month running",
                                 "by_when": "3 months"},
                                {"description": "Sleep through the night without waking at four", "target": "5 nights a week"}],
    })
    intake.record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    intake.status = status
    intake.current_step = step
    derive(intake, default_protocol())
    return intake


def seed_clinic(repository, make_intake) -> None:
    repository.create(long_intake(make_intake).model_dump(mode="json"), user="dr.lee")
    for name in ("Alexandra Konstantinopoulou-Bergström", "Jordan Ellis"):
        stored = repository.create(long_intake(make_intake, name, step="summary").model_dump(mode="json"), user="kiosk")
        repository.submit(stored["record_id"], user="dr.lee", expected_rev=1)


@pytest.mark.parametrize("theme", THEMES)
async def test_the_clinician_app(make_app, repository, make_intake, theme) -> None:
    seed_clinic(repository, make_intake)

    async def walk(s: Screens) -> None:
        app = s.pilot.app
        await s.until(lambda: isinstance(app.screen, RecordsBrowser) and app.ready and len(app.screen.rows) == 3, "the records")
        await s.check("records")
        row = next(i for i, r in enumerate(app.screen.rows) if r.full_name == LONG_NAME)
        await s.pilot.press(*["down"] * row, "enter")
        await s.until(lambda: isinstance(app.screen, MedicalHistoryStep) and app.focused is not None, "the intake")
        step = app.screen
        for index, page in enumerate(PAGE_IDS):
            await step._show_page(index, focus=True)
            await s.check(f"medical history page {page}")
            if page in ("phq9", "gad7"):  # answered at speed: each answer moves on to the next question
                for number in range(1, 10 if page == "phq9" else 8):
                    await s.pilot.press("1")
                    await s.check(f"{page} after answer {number}")
        for step_id in STEP_IDS[1:]:
            await app.show_step(step_id)
            await s.until(lambda: app.step is not None and app.step.step_id == step_id and app.focused is not None, step_id)
            await s.check(f"step {step_id}")
            if step_id == "summary":
                s.on_one_line("plan summary header", f"Record {uuid.uuid5(uuid.NAMESPACE_URL, LONG_NAME)}")
            if step_id == "goals_support":  # a long goal typed, then the field left
                goals = [f for f in app.screen.query("LabelledField") if re.fullmatch(r"f-goals_support-goals-row\d+-description", f.id or "")]
                goals[-1].query_one("Input").focus()
                await s.pilot.press(*" and every night", "tab")
                await s.check("goals after a long goal is typed and left")
        for key, name in (("f1", "help"), ("f4", "go to"), ("f9", "crisis")):
            await s.pilot.press(key)
            await s.check(name)
            await s.pilot.press("escape")
        await s.pilot.press("e")
        await s.check("export dialog")
        await s.pilot.press("escape")

    await visit(make_app(theme=theme), theme, walk)
