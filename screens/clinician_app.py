"""The clinician's App (``ketatui`` with no sub-command): the records browser, then the intake steps.

Everything the steps share (navigation, saving, urgency, help, the terminal's size) is
``IntakeApp``'s; this App adds the records browser as its home, and F10 back to it from a step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding

from ketatui.screens.intake_app import IntakeApp
from ketatui.screens.records_browser import RecordsBrowser
from ketatui.screens.steady_resize import SteadyResize

if TYPE_CHECKING:
    from ketatui.settings import SettingsRequest


class Home(SteadyResize, RecordsBrowser):
    """The records browser as this App's home: under every step, so it must not chase a stale size."""


class ClinicianApp(IntakeApp):
    """Records browser, then the five steps."""

    AUDIENCE = "clinician"
    TITLE = "ketatui"
    # The browser is the default screen, whose own CSS_PATH Textual does not load: the App does.
    CSS_PATH = ["../styles/base.tcss", "../styles/records_browser.tcss"]
    BINDINGS = [Binding("f10", "records", "Records", id="clinician.records")]

    def get_default_screen(self) -> RecordsBrowser:
        """The browser is the App's own screen: drawn first, and under every step."""
        return Home(title="ketatui · records", user=self.user)

    def on_ready(self) -> None:
        """The first frame is on screen: load in a thread now (a thread started earlier competes
        with drawing that frame for the interpreter and delays it)."""
        if not self.ready:
            self.load_in_thread()

    def show_start(self) -> None:
        """Back to the browser (at the bottom of the stack), with the records as they are now."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.session = None
        if self.ready and self.browser is not None:
            self.browser.reload(keep=self.browser.highlighted.record_id if self.browser.highlighted else None)

    @property
    def browser(self) -> RecordsBrowser | None:
        bottom = self.screen_stack[0] if self.screen_stack else None
        return bottom if isinstance(bottom, RecordsBrowser) else None

    async def show_drafts(self, drafts: list) -> None:
        if self.browser is not None:
            self.browser.show_user(self.user)
            self.browser.reload()

    def show_error(self, message: str) -> None:
        if self.browser is not None:
            self.browser.say(f"! Records cannot be listed: {message}")
        super().show_error(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "records":
            return self.step is not None
        return super().check_action(action, parameters)

    def action_records(self) -> None:
        """F10 on a step: keep what is on screen (saved if anything changed), then the browser."""
        step = self.step
        if step is not None and self.session is not None:
            self.apply(step, announce=False)
            if self.session.worth_storing() and self.session.changed():
                self.request_save()
        self.show_start()

    @on(RecordsBrowser.New)
    async def _new(self) -> None:
        if self.ready:
            await self.open_intake(self.new_session())

    @on(RecordsBrowser.Open)
    def _open(self, message: RecordsBrowser.Open) -> None:
        self.draft_in_thread(message.record_id)

    @on(RecordsBrowser.CourseRequested)
    async def _course(self, message: RecordsBrowser.CourseRequested) -> None:
        from ketatui.screens.course import CourseScreen

        await self.push_screen(CourseScreen(message.record_id, repository=self.repository, protocol=self.protocol,
                                            user=self.user, export_dir=self.settings.export_dir))


def run_clinician_app(request: SettingsRequest | None = None) -> int:
    """Entry point for ``ketatui``: the clinician App on this terminal, with the settings the
    command line asked for; returns the exit code."""
    return ClinicianApp(request=request).run() or 0
