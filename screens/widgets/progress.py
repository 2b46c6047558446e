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
    who: reactive[str] = reactive("")  # the clinician working: the name every save is recorded under

    def compose(self) -> ComposeResult:
        yield Label(id="progress-where")
        yield Label(URGENT_TEXT, id="progress-urgent")
        yield Label(id="progress-saved")
        yield Label(id="progress-who")

    def watch_where(self, before: str, where: str) -> None:
        # One line across the room left: laid out again only when it first gets words.
        self.query_one("#progress-where", Label).update(where, layout=not before)
        self._fit_who()

    def watch_urgent(self, urgent: bool) -> None:
        self.query_one("#progress-urgent", Label).display = urgent
        self._fit_who()

    def watch_who(self, who: str) -> None:
        self.query_one("#progress-who", Label).update(f"· {who}")
        self._fit_who()

    def on_resize(self) -> None:
        self._fit_who()

    def _fit_who(self) -> None:
        """The clinician's name, when the line has room for it: where they are comes first."""
        if not self.is_mounted:
            return
        width = self.size.width or self.app.size.width
        needed = (len(self.where) + 2 + (len(URGENT_TEXT) + 2 if self.urgent else 0)
                  + len(self.saved) + 2 + len(self.who) + 3)
        self.query_one("#progress-who", Label).display = bool(self.who) and needed <= width

    def watch_saved(self, before: str, saved: str) -> None:
        label = self.query_one("#progress-saved", Label)
        # "Saved 14:02:00" then "Saved 14:02:07": the line is laid out again only if its width changes
        label.update(saved, layout=cell_len(saved) != cell_len(before))
        label.set_class(saved.startswith("NOT SAVED"), "-failed")
        self._fit_who()


def progress_text(index: int, count: int, title: str, page: str | None = None) -> str:
    """``Step 1 of 5: Medical history`` with `` · 3/10 Alcohol and drugs`` when the step has pages."""
    text = f"Step {index} of {count}: {title}"
    return f"{text} · {page}" if page else text
