"""The idle warning: a countdown before the kiosk clears, so the next person sees nothing of
the last one. Any key continues (the App times idleness from the last key, not from a repaint)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class KioskIdleWarning(ModalScreen[None]):
    """Over the page; the App closes it on any key, or clears everything at zero."""

    DEFAULT_CSS = """
    KioskIdleWarning { align: center middle; background: $background 70%; }
    """

    def __init__(self, seconds_left: int, *, keeps: bool = True) -> None:
        super().__init__()
        self.seconds_left = seconds_left
        self.keeps = keeps  # the settings keep an unfinished intake for staff

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk-card"):
            yield Static("Are you still there?", classes="kiosk-title")
            yield Static(self._words(), id="idle-countdown", classes="kiosk-body")
            yield Static("Press any key to keep going.", classes="kiosk-hint")

    def _words(self) -> str:
        s = "second" if self.seconds_left == 1 else "seconds"
        kept = ("What you have answered so far is kept safe for our staff." if self.keeps
                else "What you have answered so far will be deleted, and you would need to start again.")
        return f"To keep your answers private, this screen will clear in {self.seconds_left} {s}.\n\n{kept}"

    def count(self, seconds_left: int) -> None:
        if seconds_left != self.seconds_left:
            self.seconds_left = seconds_left
            self.query_one("#idle-countdown", Static).update(self._words())
