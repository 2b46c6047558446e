"""Shown instead of a broken layout when the terminal is smaller than 80 columns by 24 rows."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from ketatui.screens.steady_resize import SteadyResize

MIN_WIDTH, MIN_HEIGHT = 80, 24


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(SteadyResize, Screen[None]):
    """Plain words, no layout to break; it goes away by itself when the terminal is big enough."""

    CSS_PATH = "../styles/dialogs.tcss"

    def compose(self) -> ComposeResult:
        yield Static(id="too-small-message")

    def on_mount(self) -> None:
        self.update_size(self.app.size.width, self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        width, height = self.app.size  # the terminal's size now (a late notice may carry an older one)
        if too_small(width, height):
            self.update_size(width, height)
        elif self.is_current:
            self.dismiss()

    def update_size(self, width: int, height: int) -> None:
        self.query_one("#too-small-message", Static).update(
            f"Please enlarge the terminal to at least {MIN_WIDTH} x {MIN_HEIGHT}.\n"
            f"It is {width} x {height} now.\n\n"
            "Nothing is lost: the form comes back as soon as it fits.\n"
            "Ctrl+Q saves and quits."
        )


class SizeWatch:
    """Mixed into an App: below 80x24 the too-small message covers whatever is on show, from the
    moment the App has shown its first screen (``watch_size``); it goes by itself when it fits."""

    _watching_size = False

    def watch_size(self) -> None:
        self._watching_size = True
        self.check_size()

    def on_resize(self, event: events.Resize) -> None:
        if self._watching_size:
            self.check_size(event.size)

    def check_size(self, size: tuple[int, int] | None = None) -> None:
        if too_small(*(size or self.size)) and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen())
