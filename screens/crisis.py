"""The crisis resources, at once, the moment a suicide screen turns positive."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ketatui.clinical.protocol import CrisisContact
from ketatui.screens.widgets import CrisisPanel


class CrisisScreen(ModalScreen[None]):
    """Over the form, so it cannot be missed; the answers underneath are kept as they are."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,enter", "close", "Back to the intake", id="crisis.close")]

    def __init__(self, contacts: Sequence[CrisisContact], reasons: Sequence[str] = (), *, audience: str = "clinician") -> None:
        super().__init__()
        self.contacts = contacts
        self.reasons = reasons
        self.audience = audience

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="crisis"):
            panel = CrisisPanel(self.contacts, id="crisis-dialog-panel")
            if self.reasons:
                panel.show_reasons(self.reasons)
            yield panel
            if self.audience == "clinician":
                yield Static(
                    "The intake is marked URGENT. Stay with the person and follow the clinic's "
                    "suicide safety procedure before they leave.",
                    classes="dialog-note",
                )
            yield Static("Enter or Escape: back to the intake (F9 shows this again)", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
