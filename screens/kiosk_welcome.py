"""The kiosk's welcome: what the next person sees, and what every reset comes back to."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

READY = "Press Enter to begin."
GETTING_READY = "Getting ready…"
NOT_READY = "This kiosk is not ready yet. Please ask a member of staff."


class KioskWelcome(Screen):
    """Who the kiosk is for and how to start; nothing about anyone who came before."""

    BINDINGS = [Binding("enter", "begin", "Begin", id="kiosk_welcome.begin", show=False)]

    class Begin(Message):
        """The person pressed Enter to start."""

    def __init__(self, clinic_name: str = "") -> None:
        super().__init__(classes="kiosk-screen")
        self.clinic_name = clinic_name
        self.ready = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk-card"):
            yield Static(self._title(), id="welcome-title", classes="kiosk-title")
            yield Static(
                "Before your first visit, we would like to know about your health, your medicines "
                "and the people who support you.\n\n"
                "First, a few short pages tell you about ketamine treatment. Then we ask some "
                "questions. It takes about 20 minutes. Your answers go only to your care team.",
                classes="kiosk-body",
            )
            yield Static(GETTING_READY, id="welcome-status", classes="kiosk-hint")
            yield Static("If you need help at any time, please ask the front desk.", classes="kiosk-small")

    def _title(self) -> str:
        return f"Welcome to {self.clinic_name}" if self.clinic_name else "Welcome"

    def show_ready(self, clinic_name: str) -> None:
        self.clinic_name, self.ready = clinic_name, True
        self.query_one("#welcome-title", Static).update(self._title())
        self.query_one("#welcome-status", Static).update(READY)

    def show_not_ready(self, reason: str) -> None:
        """Staff read the reason; a patient reads that staff can help."""
        self.ready = False
        self.query_one("#welcome-status", Static).update(f"{NOT_READY}\n\n(For staff: {reason})")

    def action_begin(self) -> None:
        if self.ready:
            self.post_message(self.Begin())
