"""Amending a signed plan: the reason first (required), and later what the amendment changed.

``AmendDialog`` asks why; the records browser then starts the amendment, a new draft revision
that keeps the signed one. ``ChangesDialog`` shows an amendment's reason and every answer it
changed since the signed revision, in the core's words (``ketatui.intake.changes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class AmendDialog(ModalScreen[str | None]):
    """Why the signed plan is being amended; Enter starts the amendment, Escape cancels."""

    CSS_PATH = "../styles/records_browser.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="amend.cancel")]

    def __init__(self, name: str, rev: int) -> None:
        super().__init__()
        self.name_shown, self.rev = name, rev

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="amend"):
            yield Static(f"Amend the signed plan: {self.name_shown}", classes="dialog-title", markup=False)
            yield Static(f"Revision {self.rev} stays as it was signed. The amendment is a new draft revision, "
                         "reviewed and signed again; the reason is kept with it.", markup=False)
            yield Static("Reason for the amendment (required):")
            yield Input(id="amend-reason", placeholder="for example: weight corrected from 80 to 82 kg")
            yield Static("", id="amend-message")
            yield Static("Enter starts the amendment · Escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#amend-reason", Input).focus()

    @on(Input.Submitted, "#amend-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self.query_one("#amend-message", Static).update(
                "! Reason for the amendment: required. Say why the signed plan is being changed.")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Amendment:
    """An amended draft: which signed revision it amends, why, and what changed since."""

    name: str
    rev: int
    amends_rev: int
    reason: str
    changes: list[str]


def read_amendment(repository: Any, record_id: str, user: str) -> Amendment:
    """The amendment's reason and changes (blocking: call from a thread)."""
    from ketatui.intake.changes import changes
    from ketatui.intake.document import parse_intake
    from ketatui.intake.listing import listing

    doc = repository.get(record_id, user=user)
    amends = doc.get("amends_rev")
    if not amends or doc.get("status") == "signed":
        raise ValueError("this record is not an amendment in progress: F4 on a signed record starts one")
    signed = repository.get(record_id, user=user, rev=amends)
    notes = [n for n in repository.amendments(record_id, user=user) if n["amends_rev"] == amends]
    name = listing(parse_intake(doc)).full_name or "(no name yet)"
    return Amendment(name, doc["rev"], amends, notes[-1]["reason"] if notes else "", [str(c) for c in changes(signed, doc)])


class ChangesDialog(ModalScreen[None]):
    """An amendment's reason and what it changed; Escape or Enter closes."""

    CSS_PATH = "../styles/records_browser.tcss"
    BINDINGS = [Binding("escape,enter", "close", "Close", id="changes.close")]

    def __init__(self, amendment: Amendment) -> None:
        super().__init__()
        self.amendment = amendment

    def compose(self) -> ComposeResult:
        a = self.amendment
        with Vertical(id="dialog", classes="changes"):
            yield Static(f"Amendment of {a.name}: revision {a.amends_rev} (signed) → {a.rev}", classes="dialog-title", markup=False)
            yield Static(f"Reason: {a.reason}", id="changes-reason", markup=False)
            yield Static("What changed (old → new)", classes="dialog-heading")
            with VerticalScroll(id="changes-body"):
                yield Static("\n".join(f"- {c}" for c in a.changes) or "No answer has changed yet.", id="changes-list", markup=False)
            yield Static("Escape or Enter: close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
