"""Saving the draft, whatever happens: on every answer left (after the screen has shown it), on
every page or step change, when asked, on Quit, and when the terminal goes (SIGHUP) or the
process is told to stop (SIGTERM).

``Autosave`` is the part of the intake App that keeps the store up to date: saves run in a
thread worker, never overlap, and the newest answers win; a failure is said once and stays on
the progress line. The session does the saving itself (one lock, the revision it read).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from textual import work

from ketatui.screens import background
from ketatui.screens.background import Saved, SaveFailed

if TYPE_CHECKING:
    from ketatui.screens.step import IntakeStep
    from ketatui.session import IntakeSession


class Autosave:
    """Mixed into the intake App (which provides ``session``, ``repository``, ``step``, ``apply``
    and ``update_progress``); handlers are named ``on_<message>`` so Textual finds them here."""

    _pending: dict[str, Any] | None = None  # the newest draft waiting for the save in flight
    _saving = False
    _answers_from: IntakeStep | None = None  # a step whose answers were left, not applied yet
    _save_state = ""  # what the progress line says: "Saved 14:02:00", "NOT SAVED (see message)"
    _tell_when_saved = ""
    _quit_anyway = False

    @property
    def busy_saving(self) -> bool:
        """Answers not yet in the store: waiting to be applied, pending or being saved."""
        return self._answers_from is not None or self._saving or self._pending is not None

    def on_intake_step_field_left(self) -> None:
        """A step's ``IntakeStep.FieldLeft``: keep the answers and save the draft, once the screen
        has shown the answer (the next key never waits for the rules or the store)."""
        if self.session is not None and self._answers_from is None:
            self._answers_from = self.step
            self.call_after_refresh(self.keep_answers)

    def keep_answers(self) -> None:
        """Apply and save the answers left, unless the step has gone since (leaving it kept them)."""
        step, self._answers_from = self._answers_from, None
        if step is not None and step is self.step and self.session is not None:
            self.apply(step)
            self.request_save()

    def request_save(self) -> None:
        """Save the intake as it is now, in a thread; saves never overlap and the newest one wins."""
        if self.session is None or self.repository is None or not self.session.worth_storing():
            return
        self._pending = self.session.snapshot()
        if not self._saving:
            self._start_save()

    def save_and_tell(self, words: str) -> None:
        """A save the person asked for: say so once it is on disk (a failure says so anyway)."""
        if self.repository is None:
            self.notify("No store is open, so nothing can be saved; see the message when ketatui started.", severity="error")
            return
        self._tell_when_saved = words
        self.request_save()

    def _start_save(self) -> None:
        doc, self._pending = self._pending, None
        if doc is not None and self.session is not None:
            self._saving = True
            self.save_in_thread(self.session, doc)

    @work(thread=True, group="save", exit_on_error=False)
    def save_in_thread(self, session: IntakeSession, doc: dict[str, Any]) -> None:
        self.post_message(background.save(session, doc))

    @work(thread=True, group="quit", exit_on_error=False)
    def save_before_quitting(self, session: IntakeSession, doc: dict[str, Any]) -> Saved | SaveFailed:
        return background.save(session, doc)

    def on_saved(self, message: Saved) -> None:
        self._saving = False
        saved_at = _clock(self.intake.updated_at if self.intake else None)
        self._save_state = f"Saved {saved_at}"
        self.update_progress()
        if self._tell_when_saved and self._pending is None:
            self.notify(f"{self._tell_when_saved} at {saved_at}.")
            self._tell_when_saved = ""
        self._start_save()

    def on_save_failed(self, message: SaveFailed) -> None:
        self._saving = False
        self._tell_when_saved = ""
        if not self._save_state.startswith("NOT SAVED"):  # say it once; the progress line keeps saying it
            self.notify(message.message, title="The draft was not saved", severity="error", timeout=30)
        self._save_state = "NOT SAVED (see message)"
        self.update_progress()

    def install_hangup_handler(self) -> None:
        """A dropped SSH connection (SIGHUP) or a plain kill (SIGTERM): save what is on screen, then exit."""
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._hang_up, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            return  # not the main thread (tests) or no signals here
        if os.isatty(0):
            threading.Thread(target=self._watch_terminal, args=(loop,), name="terminal-watch", daemon=True).start()

    def _watch_terminal(self, loop: asyncio.AbstractEventLoop) -> None:
        """A terminal can go without a SIGHUP reaching us (a wrapper took it, or the login's shell
        did not pass it on); Textual then reads end-of-file for ever. Once a second, ask whether the
        terminal is still there; when it has gone, hang up as on SIGHUP. If the event loop cannot
        take that within 15 s, leave anyway: the last autosave stands, and nothing spins on."""
        while os.isatty(0):
            time.sleep(1.0)
        try:
            loop.call_soon_threadsafe(self._hang_up, signal.SIGHUP)
        except RuntimeError:
            pass  # the loop has closed: the App is already leaving
        time.sleep(15.0)
        os._exit(128 + signal.SIGHUP)

    def _hang_up(self, sig: signal.Signals) -> None:
        """Runs on the event loop (not inside a save): the session's lock waits for a save in a thread."""
        step = self.step
        try:
            if step is not None and self.session is not None and self.repository is not None:
                self.apply(step, announce=False)
                if self.session.worth_storing():
                    self.session.save()
        except Exception:
            pass  # nothing can be shown on a terminal that has gone; the last autosave stands
        if sig == signal.SIGHUP:
            os._exit(128 + sig)  # the terminal is gone: there is nothing to restore or draw
        self.exit(128 + sig)

    async def action_quit(self) -> None:
        """Save what is on screen (the field being typed in too), then quit. If it cannot be saved,
        say so and quit only when asked again."""
        step = self.step
        if step is not None and self.session is not None and self.repository is not None and not self._quit_anyway:
            self.apply(step, announce=False)
            if self.session.worth_storing():
                outcome = await self.save_before_quitting(self.session, self.session.snapshot()).wait()
                if isinstance(outcome, SaveFailed):
                    self._quit_anyway = True
                    self.notify(f"{outcome.message} Press Ctrl+Q again to quit without saving.", title="Not saved", severity="error", timeout=30)
                    return
        self.exit(0)



def saved_label(session: IntakeSession) -> str:
    """What the progress line says about a session just opened."""
    return f"Saved {_clock(session.intake.updated_at)}" if session.stored_rev else "Not saved yet"


def _clock(moment: Any) -> str:
    if moment is None:
        return ""
    local = moment.astimezone() if getattr(moment, "tzinfo", None) else moment
    return local.strftime("%H:%M:%S")
