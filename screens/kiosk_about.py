"""About the treatment, one short page at a time, before the questions (the same words are on
the take-home sheet: ``ketatui.intake.about_treatment``)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ketatui.intake.about_treatment import ABOUT_PAGES


class KioskAbout(Screen):
    """Enter or F3: the next page; F2: the page before. The last page leads to the questions."""

    BINDINGS = [Binding("enter,right", "app.next", "Next", id="kiosk_about.next", show=False),
                Binding("left", "app.back", "Back", id="kiosk_about.back", show=False)]

    class Done(Message):
        """The last page was read: on to the questions."""

    class Left(Message):
        """Back from the first page: to the welcome."""

    def __init__(self) -> None:
        super().__init__(classes="kiosk-screen")
        self.page = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk-card"):
            yield Static(id="about-title", classes="kiosk-title")
            yield Static(id="about-body", classes="kiosk-body")
            yield Static(id="about-hint", classes="kiosk-hint")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        page = ABOUT_PAGES[self.page]
        count = len(ABOUT_PAGES)
        self.query_one("#about-title", Static).update(f"About the treatment ({self.page + 1} of {count}): {page.title}")
        self.query_one("#about-body", Static).update(page.text)
        last = self.page == count - 1
        self.query_one("#about-hint", Static).update(
            ("Press Enter to start the questions." if last else "Press Enter for the next page.") + "  F2: go back a page.")

    def go_next(self) -> None:
        if self.page + 1 < len(ABOUT_PAGES):
            self.page += 1
            self._show()
        else:
            self.post_message(self.Done())

    def go_back(self) -> None:
        if self.page > 0:
            self.page -= 1
            self._show()
