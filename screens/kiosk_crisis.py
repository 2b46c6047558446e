"""The crisis hold: the moment a patient's answer is a positive suicide screen, a calm screen
that asks them to tell the staff now, with the clinic's contact and the crisis lines.

It stays until a member of staff enters the staff PIN: no key takes a patient past it, and the
idle reset leaves it on screen (the App does not reset while it is shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from ketatui.clinical.protocol import CrisisContact


def contact_lines(contacts: Sequence[CrisisContact], clinic_contact: str) -> str:
    """The clinic first (from the settings), then the protocol's crisis lines."""
    lines = [f"Our staff: {clinic_contact}" if clinic_contact else "Our staff: at the front desk, right now"]
    lines += [f"{contact.name}: {contact.how}" for contact in contacts]
    return "\n".join(lines)


class KioskCrisisHold(Screen):
    """Shown over everything until the staff PIN (Ctrl+K) is entered."""

    def __init__(self, contacts: Sequence[CrisisContact], clinic_contact: str) -> None:
        super().__init__(classes="kiosk-screen")
        self.contacts = list(contacts)
        self.clinic_contact = clinic_contact

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk-card -crisis"):
            yield Static("Thank you for telling us.", classes="kiosk-title")
            yield Static(
                "Please tell a member of staff now. We have let them know, and someone is coming "
                "to be with you.\n\nYou are not in trouble. You do not have to go through this alone. "
                "Please stay here for now.",
                classes="kiosk-body",
            )
            yield Static("If you feel you might act on these thoughts, get help right away:", classes="kiosk-small")
            yield Static(contact_lines(self.contacts, self.clinic_contact), id="crisis-contacts", classes="kiosk-contacts")
            yield Static("Staff: press Ctrl+K and enter the staff PIN.", classes="kiosk-small")
