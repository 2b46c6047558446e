"""The plan screen shows everything the plan rests on, at 80x24: the hypertension case's condition,
each medicine as typed and what it was read as, the side-effect discussion, why six sessions and
the dose in mg. The screen renders the core's one plan text, the same as the export."""

from __future__ import annotations

from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownH2

from builders import TODAY
from cases import treated_hypertension
from ketatui.clinical.plan import make_plan
from ketatui.clinical.protocol import default_protocol
from ketatui.exchange.markdown import plan_markdown
from ketatui.intake.document import parse_intake
from ketatui.screens.plan_summary import PlanSummary
import step_host

HEADINGS = ["Flags, most serious first", "Course", "Known conditions", "Medications", "Side-effect discussion", "Schedule",
            "Re-checks", "Follow-up", "Discharge rules", "Goals and support", "Crisis contacts"]


async def test_the_hypertension_case_shows_on_the_plan_screen_at_80_by_24():
    intake = parse_intake(treated_hypertension())
    step = PlanSummary(intake, default_protocol(), today=TODAY)
    app = step_host.Host(step)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = step.query_one("#ps-plan", Markdown).source
        assert text == plan_markdown(make_plan(intake, default_protocol(), today=TODAY), intake)
        for line in ("BP before every session; surges are more likely", "- **Xanax**: 0.5 mg, prn; for panic",
                     "Read as alprazolam, from the brand name Xanax", "- Discussed and understood (11 of 11): ",
                     "PHQ-9 19 is 1 point below 20 (severe)", "- Dose: **39 mg**."):
            assert line in text

        body = step.query_one("#ps-body")
        assert body.max_scroll_x == 0  # nothing is wider than the screen
        headings = list(step.query(MarkdownH2))
        assert [h._content.plain for h in headings] == HEADINGS
        for heading in headings:
            assert heading.content_region.height == 1, heading._content.plain  # one line: never wrapped
        conditions = headings[HEADINGS.index("Known conditions")]
        while conditions.region.y >= 24 or conditions.region.height == 0:  # page down as a clinician would
            before = body.scroll_y
            await pilot.press("pagedown")
            await pilot.pause()
            assert body.scroll_y > before, "the conditions heading was never reached"
        assert 0 <= conditions.region.y < 24
