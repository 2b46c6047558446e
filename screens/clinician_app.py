"""The clinician's App (``ketatui`` with no sub-command): the start screen, then the intake steps.

Everything the steps share (navigation, saving, urgency, help, the terminal's size) is
``IntakeApp``'s; this App adds the start screen with the drafts to resume, and its wording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on

from ketatui.screens.intake_app import IntakeApp
from ketatui.screens.start import StartScreen

if TYPE_CHECKING:
    from ketatui.settings import SettingsRequest


class ClinicianApp(IntakeApp):
    """Start screen, then the five steps."""

    AUDIENCE = "clinician"
    TITLE = "ketatui"
    # The start screen is the default screen, whose own CSS_PATH Textual does not load: the App does.
    CSS_PATH = ["../styles/base.tcss", "../styles/start.tcss"]

    def get_default_screen(self) -> StartScreen:
        """The start screen is the App's own screen: drawn first, and under every step."""
        return StartScreen(audience_title="ketatui · ketamine treatment intake", user=self.user)

    def on_ready(self) -> None:
        """The first frame is on screen: load in a thread now (a thread started earlier competes
        with drawing that frame for the interpreter and delays it)."""
        if not self.ready:
            self.load_in_thread()

    def show_start(self) -> None:
        """Back to the start screen (at the bottom of the stack), with the drafts as they are now."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.session = None
        if self.ready:
            self.drafts_in_thread()

    @property
    def start(self) -> StartScreen | None:
        bottom = self.screen_stack[0] if self.screen_stack else None
        return bottom if isinstance(bottom, StartScreen) else None

    async def show_drafts(self, drafts: list) -> None:
        if self.start is not None:
            self.start.show_user(self.user)
            await self.start.show_drafts(drafts)

    def show_error(self, message: str) -> None:
        if self.start is not None:
            self.start.show_error(message)
        super().show_error(message)

    @on(StartScreen.Chosen)
    async def _start_chosen(self, message: StartScreen.Chosen) -> None:
        choice = message.choice
        if choice.action == "quit":
            self.exit(0)
        elif choice.action == "new":
            await self.open_intake(self.new_session())
        elif choice.record_id is not None:
            self.draft_in_thread(choice.record_id)


def run_clinician_app(request: SettingsRequest | None = None) -> int:
    """Entry point for ``ketatui``: the clinician App on this terminal, with the settings the
    command line asked for; returns the exit code."""
    return ClinicianApp(request=request).run() or 0
