"""For steps with several pages (the medical history): how the App moves through them and shows where you are."""

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
