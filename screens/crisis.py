"""The crisis resources, at once, the moment a suicide screen turns positive."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ketatui.clinical.clinic import US_NUMBERS, default_contacts_in_use
from ketatui.clinical.crisis import CLINICIAN_INSTRUCTION
from ketatui.clinical.protocol import CrisisContact
from ketatui.screens.widgets import CrisisPanel


class CrisisScreen(ModalScreen[None]):
    """Over the form, so it cannot be missed; the answers underneath are kept as they are."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,enter", "close", "Back to the intake", id="crisis.close")]

    def __init__(self, contacts: Sequence[CrisisContact], reasons: Sequence[str] = (), *, audience: str = "clinician",
                 back_to: str = "the intake", note: str | None = None, code: str = "RISK-SUICIDE-SCREEN") -> None:
        super().__init__()
        self.contacts = contacts
        self.reasons = reasons
        self.code = code  # RISK-SUICIDE-ACUTE after a yes to ASQ question 5: its own heading and instruction
        self.audience = audience
        self.back_to = back_to  # what closing returns to: the intake, or the session form
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="crisis"):
            panel = CrisisPanel(self.contacts, id="crisis-dialog-panel")
            panel.show_reasons(self.reasons, code=self.code)
            yield panel
            if self.audience == "clinician":
                yield Static(self.note or CLINICIAN_INSTRUCTION[self.code], classes="dialog-note")
                if default_contacts_in_use(self.contacts):
                    yield Static(f"These are the built-in US lines ({US_NUMBERS}): the clinic sets its own with "
                                 "crisis_contacts in the settings file (`ketatui config` names it).", classes="dialog-hint")
            again = " (F9 shows this again)" if self.back_to == "the intake" else ""
            yield Static(f"Enter or Escape: back to {self.back_to}{again}", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
