"""The progress line at the top of every step: where you are, whether it is urgent, whether it is saved."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label

URGENT_TEXT = "!! URGENT (F9)"


class ProgressLine(Horizontal):
    """``Step 2 of 5: Current medications · page 3 of 10: ...``, then ``!! URGENT`` and the save state."""

    where: reactive[str] = reactive("")
    urgent: reactive[bool] = reactive(False)
    saved: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield Label(id="progress-where")
        yield Label(URGENT_TEXT, id="progress-urgent")
        yield Label(id="progress-saved")

    def watch_where(self, before: str, where: str) -> None:
        # One line across the room left: laid out again only when it first gets words.
        self.query_one("#progress-where", Label).update(where, layout=not before)

    def watch_urgent(self, urgent: bool) -> None:
        self.query_one("#progress-urgent", Label).display = urgent

    def watch_saved(self, before: str, saved: str) -> None:
        label = self.query_one("#progress-saved", Label)
        # "Saved 14:02:00" then "Saved 14:02:07": the line is laid out again only if its width changes
        label.update(saved, layout=cell_len(saved) != cell_len(before))
        label.set_class(saved.startswith("NOT SAVED"), "-failed")


def progress_text(index: int, count: int, title: str, page: str | None = None) -> str:
    """``Step 1 of 5: Medical history`` with `` · 3/10 Alcohol and drugs`` when the step has pages."""
    text = f"Step {index} of {count}: {title}"
    return f"{text} · {page}" if page else text
