"""F1: why this screen asks what it asks, and the keys that work here, including the command
palette's, which the Footer has no room for."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ketatui.screens.commands import PALETTE_ACTIONS


class HelpScreen(ModalScreen[None]):
    """A scrollable note over the current screen; Escape, Enter or F1 closes it."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [
        Binding("escape,enter,f1", "close", "Close help", id="help.close"),
    ]

    def __init__(self, title: str, why: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.why = why
        self.keys = keys + palette_key(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Static(f"Help: {self.title_text}", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(self.why, id="help-why", markup=False)
                yield Static("Keys", classes="dialog-heading")
                yield Static("\n".join(f"  {key:<10} {what}" for key, what in self.keys), id="help-keys", markup=False)
            yield Static("Escape, Enter or F1: close help", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


def help_for(screen: Any, app: App[Any]) -> HelpScreen:
    """Help for ``screen`` (the step on show, or whatever else is in front): its title and why it
    asks what it asks, with its page's words first for a step with pages, and the keys that work
    now as the Footer names them (F9 too, which the Footer leaves out)."""
    from ketatui.screens.navigation import PagedStep

    title = getattr(screen, "step_title", None) or getattr(screen, "help_title", "ketatui")
    why = getattr(screen, "help_text", "") or "ketatui helps a clinician run an intake for ketamine treatment."
    if isinstance(screen, PagedStep):
        title = f"{title}, {screen.page_label}"
        why = f"{screen.page_help()}\n\n{why}"
    keys: dict[str, list[str]] = {}
    for _, binding, enabled, _ in app.active_bindings.values():
        if (binding.show or binding.id == "app.crisis") and enabled:
            keys.setdefault(binding.description, []).append(binding.key_display or app.get_key_display(binding))
    return HelpScreen(title, why, [(", ".join(shown), description) for description, shown in keys.items()])


def palette_key(app: App[Any]) -> list[tuple[str, str]]:
    """The command palette's key on the screen help is opened over (none when the App has no palette)."""
    for _, binding, enabled, _ in app.screen.active_bindings.values():
        if enabled and binding.action in PALETTE_ACTIONS:
            return [(app.get_key_display(binding), "Commands: any action here, found by name")]
    return []
