"""The answer row: the focused row is marked across its whole width and its cursor underlined;
the mark leaves the row the focus leaves; a key answers and moves on within the page only."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input

from ketatui.screens.widgets import ChoiceRow

FREQUENCY = [("Not at all", 0), ("Several days", 1), ("More than half the days", 2), ("Nearly every day", 3)]


class Rows(App[None]):
    def __init__(self, *, stays_on_last: bool) -> None:
        super().__init__()
        self.stays_on_last = stays_on_last

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="page"):
            for n in range(3):
                row = ChoiceRow(FREQUENCY, keys=["0", "1", "2", "3"], advance_on_key=True, id=f"q{n}")
                row.stays_on_last = self.stays_on_last
                yield row
        yield Input(id="after-the-page")


def background_of(app: Rows, row_id: str) -> set:
    """The background colours of every cell of a row, as drawn."""
    row = app.query_one(f"#{row_id}", ChoiceRow)
    strips = row.render_lines(row.region.reset_offset)
    return {segment.style.bgcolor for strip in strips for segment in strip if segment.style}


async def test_the_focused_row_is_marked_across_its_width_and_the_mark_moves_with_the_answer() -> None:
    app = Rows(stays_on_last=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#q0").focus()
        await pilot.pause()
        focused, other = background_of(app, "q0"), background_of(app, "q1")
        assert len(focused) == 1 and focused != other, "one mark, across the whole focused row"
        await pilot.press("2")
        assert app.focused.id == "q1", "a key answers and the next question takes the focus"
        assert background_of(app, "q0") == other, "the mark leaves the answered row"
        assert background_of(app, "q1") == focused
        assert "●2 More than half the days" in str(app.query_one("#q0", ChoiceRow).render())


async def test_the_last_answer_of_a_page_keeps_the_focus_where_asked() -> None:
    app = Rows(stays_on_last=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#q2").focus()
        await pilot.press("1")
        assert app.focused.id == "q2" and app.query_one("#q2", ChoiceRow).value == 1


async def test_elsewhere_the_last_answer_goes_where_the_screen_says() -> None:
    app = Rows(stays_on_last=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#q2").focus()
        await pilot.press("1")
        assert app.focused.id == "after-the-page"
