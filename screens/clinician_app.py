"""The clinician's App (``ketatui`` with no sub-command): the records browser, then the intake steps.

Everything the steps share (navigation, saving, urgency, help, the terminal's size) is
``IntakeApp``'s; this App adds the records browser as its home, and F10 back to it from a step.

On a server store that announces urgent intakes (the postgres backend, LISTEN/NOTIFY), a thread
listens for the whole session: an intake saved urgent anywhere, at any site, reloads the browser
with a line saying so, within a second or two.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.worker import get_current_worker

from ketatui.screens.idle_lock import ALLOWED_WHILE_LOCKED, IdleLock
from ketatui.screens.intake_app import IntakeApp
from ketatui.screens.records_browser import RecordsBrowser
from ketatui.screens.steady_resize import SteadyResize
from ketatui.screens.terminal_run import run_on_terminal

if TYPE_CHECKING:
    from ketatui.settings import SettingsRequest


class Home(SteadyResize, RecordsBrowser):
    """The records browser as this App's home: under every step, so it must not chase a stale size."""


class ClinicianApp(IdleLock, IntakeApp):
    """Records browser, then the five steps; locked after a while without a key (``idle_lock``)."""

    AUDIENCE = "clinician"
    TITLE = "ketatui"
    # The browser is the default screen, whose own CSS_PATH Textual does not load: the App does.
    CSS_PATH = ["../styles/base.tcss", "../styles/records_browser.tcss"]
    BINDINGS = [Binding("f10", "records", "Records", id="clinician.records")]
    LISTS_DRAFTS = False  # the browser lists every record itself, a page at a time
    #: Importing the core waits until the clinician has not typed for this long (seconds) ...
    IDLE_BEFORE_WARM_UP = 0.4
    #: ... but no longer than this after the store opened.
    WARM_UP_AT_LATEST = 8.0

    def get_default_screen(self) -> RecordsBrowser:
        """The browser is the App's own screen: drawn first, and under every step."""
        return Home(title="ketatui · records", user=self.user)

    def on_ready(self) -> None:
        """The first frame is on screen: load in a thread now (a thread started earlier competes
        with drawing that frame for the interpreter and delays it)."""
        if not self.ready:
            self.load_in_thread()

    def before_warm_up(self) -> None:
        """Import the core once the first page is on screen and the clinician pauses: the import
        holds the interpreter for a quarter of a second, which would slow the list and the
        search as you type (Ctrl+N or Enter before then imports what it needs at once)."""
        started = time.monotonic()
        while time.monotonic() - started < self.WARM_UP_AT_LATEST and not self._exit:
            browser = self.browser
            if browser is not None and browser.up_to_date and time.monotonic() - browser.typed_at >= self.IDLE_BEFORE_WARM_UP:
                return
            time.sleep(0.05)

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
            from ketatui.clinical.clinic import contacts_notice_line, defaults_notice

            self.browser.show_user(self.user)
            self.browser.show_notice(contacts_notice_line(self.protocol.crisis_contacts), defaults_notice(self.protocol))
            self.browser.reload()
        if not getattr(self, "_listening", False):
            self._listening = True
            self.listen_for_urgent()

    @work(thread=True, group="urgent-news", exit_on_error=False)
    def listen_for_urgent(self) -> None:
        """Hear intakes saved urgent elsewhere, if the backend announces them (see the module's docstring)."""
        from ketatui.storage.backends import backend_named

        watch_urgent = getattr(backend_named(self.settings.backend), "watch_urgent", None)
        if watch_urgent is None:
            return
        worker = get_current_worker()
        try:
            watch = watch_urgent(self.settings)
        except Exception:  # the list works without news: the browser still reads it on every reload
            return
        with watch:
            while not worker.is_cancelled:
                news = watch.wait(timeout=1.0)
                if news:  # record ids, or RESYNC after the connection came back (news may have been missed)
                    self.call_from_thread(self._urgent_heard, any(n != watch.RESYNC for n in news))

    def _urgent_heard(self, urgent: bool) -> None:
        browser = self.browser
        if browser is not None:
            keep = browser.highlighted.record_id if browser.highlighted else None
            words = ("!! An intake was just saved URGENT: it is at the top of the list." if urgent
                     else "The database is back: the list was read again.")
            browser.post_message(RecordsBrowser.Said(words, keep=keep))

    def show_error(self, message: str) -> None:
        if self.browser is not None:
            self.browser.say(f"! Records cannot be listed: {message}")
        super().show_error(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.locked and action not in ALLOWED_WHILE_LOCKED:
            return False
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
    return run_on_terminal(ClinicianApp(request=request))
