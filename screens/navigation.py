"""What a step can tell the App beyond the ``IntakeStep`` contract: that it has pages (the medical
history), that its page changed, and that a suicide screen turned positive as it was answered.
Kept free of the core's imports, so the App can load it before its first paint."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual.message import Message


class PageChanged(Message):
    """Posted by a step when its page changes, so the App updates the progress line and saves."""


@runtime_checkable
class PagedStep(Protocol):
    """A step whose Next and Back move between its own pages before leaving the step."""

    @property
    def page_label(self) -> str:
        """``page 3 of 10`` (the page shows its own title)."""
        ...

    def page_help(self) -> str:
        """Why this page's questions are asked (shown by F1 with the step's help)."""
        ...

    def next_page(self) -> bool:
        """Validate this page and move on. True if the step handled it (moved, or showed problems);
        False on the last page with every page valid, so the App goes to the next step."""
        ...

    def start_at_last_page(self) -> None:
        """Open at the last page (called before the step is shown, when Back comes into it)."""
        ...

    def previous_page(self) -> bool:
        """Go back one page; False on the first page, so the App goes to the previous step."""
        ...


class ScreeningChanged(Message):
    """A step's suicide screen turned positive (or back to negative) as it was answered, before it
    is complete enough for the rules: the App marks the intake urgent and shows the crisis dialog."""

    def __init__(self, positive: bool) -> None:
        super().__init__()
        self.positive = positive
