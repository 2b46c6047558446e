"""The patient kiosk (``ketatui kiosk``): the intake App's steps in a patient's words, with no
way out, no one else's data, crisis help at once, and an idle reset that really clears.

``KioskApp`` is the intake App (``IntakeApp``) over one ``IntakeSession``, with the steps shown
to the ``patient`` audience: the step screens word their questions for a patient and leave out
the clinician-only ones. Around them: the welcome, the pages about the treatment, the send page
and what happens next. Its own parts:

- No way out. The App does not inherit Textual's bindings (``inherit_bindings=False``): no
  command palette, no quit, no suspend, no screenshot. Every key that could leave, or reach
  another record or the shell, is bound at priority to do nothing; SIGINT, SIGQUIT and SIGTSTP
  are ignored. Staff leave with the staff PIN (Ctrl+K); every try and every exit is logged.
- No one else's data. The App is given ``KioskStore``, which can only create and change the
  intakes this kiosk made; it cannot list, search or open a record.
- Crisis hold. An answer that is a positive suicide screen (any ASQ yes, PHQ-9 item 9 above 0)
  marks the intake urgent and stores it at once, before the questionnaire is complete, so it is
  at the top of the clinician's list; the kiosk shows the crisis screen until the staff PIN.
- Idle reset. Timed from the last key (``IdleClock``), never from a repaint: a warning counts
  down, then every answer in memory and every screen is dropped, the terminal is cleared, and
  the welcome returns. The unfinished intake is kept for staff or discarded, as the settings say.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.binding import Binding
from textual.message import Message

from ketatui.kiosk.idle import IdleClock
from ketatui.kiosk.screening import positive_answer
from ketatui.screens.unanswered import tell_unanswered
from ketatui.screens.intake_app import IntakeApp
from ketatui.screens.kiosk_about import KioskAbout
from ketatui.screens.kiosk_crisis import KioskCrisisHold
from ketatui.screens.kiosk_idle import KioskIdleWarning
from ketatui.screens.kiosk_send import KioskDone, KioskSend
from ketatui.screens.kiosk_staff import StaffMenu, StaffPinDialog
from ketatui.screens.kiosk_welcome import KioskWelcome
from ketatui.screens.terminal_run import run_on_terminal
from ketatui.screens.navigation import PagedStep, ScreeningChanged
from ketatui.screens.widgets import ChoiceRow, LabelledField

if TYPE_CHECKING:
    from ketatui.kiosk.setup import KioskParts
    from ketatui.screens.step import IntakeStep
    from ketatui.session import IntakeSession
    from ketatui.settings import Settings, SettingsRequest

#: The steps a patient answers at the kiosk, with their titles in a patient's words. The
#: side-effect discussion is a conversation with the clinician, and the plan is theirs to draft.
KIOSK_STEPS: dict[str, str] = {
    "medical_history": "Your health",
    "medications": "Your medicines",
    "goals_support": "Your goals and support",
}
#: Where a clinician opening a kiosk's intake starts: the step with the questions left to them.
CLINICIAN_STARTS_AT = "medical_history"
#: Keys that do nothing at the kiosk: each could quit, suspend, open the palette or a help screen,
#: or take a screenshot in some App or terminal. F2 and F3 are Back and Next.
REFUSED_KEYS: tuple[str, ...] = (
    "ctrl+c", "ctrl+q", "ctrl+backslash", "ctrl+z", "ctrl+d", "ctrl+p", "ctrl+s", "ctrl+w", "ctrl+x",
    "escape", "f1", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12",
)
#: Signals a patient could raise from the keyboard of a terminal that is not in raw mode.
IGNORED_SIGNALS = (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP)
#: Clears the screen and the scrollback (ED 2 and ED 3): nothing of the last person stays.
CLEAR_TERMINAL = "\x1b[2J\x1b[3J\x1b[H"


class KioskLoaded(Message):
    """The kiosk's parts are ready, or ``error`` says for staff why not."""

    def __init__(self, parts: KioskParts | None = None, error: str | None = None) -> None:
        super().__init__()
        self.parts, self.error = parts, error


class KioskSent(Message):
    """The answers reached the clinic's queue, or ``error`` says why not."""

    def __init__(self, session: IntakeSession, error: str | None = None) -> None:
        super().__init__()
        self.session, self.error = session, error


class KioskApp(IntakeApp, inherit_bindings=False):
    """The intake's steps for a patient, alone at a kiosk."""

    AUDIENCE = "patient"
    TITLE = "ketatui kiosk"
    ENABLE_COMMAND_PALETTE = False
    CSS_PATH = ["../styles/base.tcss", "../styles/kiosk.tcss"]
    BINDINGS = [
        *(Binding(key, "refused", show=False, priority=True, id=f"kiosk.refused_{key.replace('+', '_')}") for key in REFUSED_KEYS),
        Binding("f2", "back", "Back", id="kiosk.back", priority=True),
        Binding("f3", "next", "Next", id="kiosk.next", priority=True),
        Binding("ctrl+k", "staff", "Staff", id="kiosk.staff", show=False, priority=True),
    ]

    def __init__(self, *, request: SettingsRequest | None = None, settings: Settings | None = None,
                 repository: Any = None, protocol: Any = None) -> None:
        super().__init__(request=request, settings=settings, repository=None, protocol=protocol)
        # The full store is handed on to ``set_up`` once and kept by nobody here: the App keeps
        # only the kiosk's narrow store.
        self._given_repository = repository
        self.parts: KioskParts | None = None
        self.idle = IdleClock(timeout=120, warning=30)
        self.holding = False  # the crisis hold is on screen
        self._old_signals: dict[int, Any] = {}
        self.resets = 0  # how many times the kiosk cleared for the next person

    # --- starting ---

    def get_default_screen(self) -> KioskWelcome:
        return KioskWelcome()

    @property
    def welcome(self) -> KioskWelcome:
        screen = self.screen_stack[0]
        assert isinstance(screen, KioskWelcome)
        return screen

    def on_mount(self) -> None:
        super().on_mount()
        self.ignore_signals()
        self.idle_timer = self.set_interval(0.25, self.idle_tick, name="kiosk idle check")

    def on_ready(self) -> None:
        if not self.ready:
            self.load_kiosk()

    def ignore_signals(self) -> None:
        """Ctrl+C, Ctrl+\\ and Ctrl+Z as signals do nothing (as keys they are refused bindings)."""
        for sig in IGNORED_SIGNALS:
            try:
                self._old_signals[sig] = signal.signal(sig, signal.SIG_IGN)
            except (ValueError, OSError):
                pass  # not the main thread

    def on_unmount(self) -> None:
        self._log("kiosk stopped", exit_code=self.return_code)
        for sig, handler in self._old_signals.items():
            try:
                signal.signal(sig, handler)
            except (ValueError, OSError, TypeError):
                pass

    @work(thread=True, group="load", exit_on_error=False)
    def load_kiosk(self) -> None:
        from ketatui.kiosk.setup import KioskNotReady, set_up

        given, self._given_repository = self._given_repository, None
        try:
            parts = set_up(self.request, self.settings, given, self.protocol)
        except KioskNotReady as exc:
            self.post_message(KioskLoaded(error=str(exc)))
            return
        self.post_message(KioskLoaded(parts))
        from ketatui.screens import background
        from ketatui.steps import step

        background.warm_up(tuple(step(s).screen for s in KIOSK_STEPS))

    def on_kiosk_loaded(self, message: KioskLoaded) -> None:
        if message.parts is None:
            self.welcome.show_not_ready(message.error or "")
            return
        parts = self.parts = message.parts
        self.apply_settings(parts.settings, theme=self.settings is None)
        self.user = parts.user
        self.repository, self.protocol, self.ready = parts.store, parts.protocol, True
        self.idle = IdleClock(timeout=parts.settings.kiosk_idle_timeout, warning=parts.settings.kiosk_idle_warning)
        self.welcome.show_ready(parts.protocol.clinic_name)
        parts.log.write("kiosk started")

    def show_start(self) -> None:
        """The welcome, with nothing above it."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    # --- the way through ---

    @on(KioskWelcome.Begin)
    def _begin(self) -> None:
        self.push_screen(KioskAbout())

    @on(KioskAbout.Done)
    async def _questions(self) -> None:
        await self.open_intake(self.new_session())

    def update_progress(self) -> None:
        """``Part 1 of 3: Your health · page 2 of 10`` and whether the answers are saved; never
        the clinician's URGENT."""
        from ketatui.screens.widgets import ProgressLine

        step = self.step
        if step is None or not step.query(ProgressLine):
            return
        line = step.query_one(ProgressLine)
        ids = list(KIOSK_STEPS)
        where = f"Part {ids.index(step.step_id) + 1} of {len(ids)}: {KIOSK_STEPS[step.step_id]}"
        if isinstance(step, PagedStep):
            where += f" · {step.page_label}"
        line.where, line.urgent, line.saved = where, False, self._save_state

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return True

    def action_refused(self) -> None:
        """A key that would leave, or reach something else, does nothing here."""

    async def action_next(self) -> None:
        screen = self.screen
        if isinstance(screen, KioskWelcome):
            screen.action_begin()
            return
        if isinstance(screen, (KioskAbout, KioskSend, KioskDone)):
            screen.go_next()
            return
        step = self.step
        if step is None or screen is not step or self.session is None:
            return
        if isinstance(step, PagedStep) and step.next_page():
            return
        result = self.apply(step)
        problems = [p for p in result.problems if step.asks(p.path)]
        if problems:
            step.show_problems(problems)
            count = len(problems)
            if not tell_unanswered(self, step, problems, title="Please check"):
                self.notify(f"{count} answer{'s' if count > 1 else ''} need{'s' if count == 1 else ''} a look: "
                            "see the note under each one.", title="Please check", severity="warning")
            self.request_save()
            return
        self.request_save()
        following = self._kiosk_step(step.step_id, 1)
        if following is not None:
            await self.show_step(following)
        else:
            await self.push_screen(KioskSend())

    async def action_back(self) -> None:
        screen = self.screen
        if isinstance(screen, KioskAbout):
            screen.go_back()
            return
        if isinstance(screen, KioskSend):
            self.pop_screen()
            return
        step = self.step
        if step is None or screen is not step or self.session is None:
            return
        if isinstance(step, PagedStep) and step.previous_page():
            return
        self.apply(step)
        previous = self._kiosk_step(step.step_id, -1)
        if previous is None:
            self.notify("This is the first page of the questions.")
            return
        await self.show_step(previous, from_after=True)

    @staticmethod
    def _kiosk_step(step_id: str, by: int) -> str | None:
        ids = list(KIOSK_STEPS)
        at = ids.index(step_id) + by
        return ids[at] if 0 <= at < len(ids) else None

    # --- sending ---

    @on(KioskSend.Send)
    def _send(self) -> None:
        session = self.session
        if session is None:
            return
        self.session = None  # no autosave after this: the sent intake is the clinic's now
        self._pending = None
        self.screen.say("Sending…")
        self.send_in_thread(session)

    @work(thread=True, group="send", exit_on_error=False)
    def send_in_thread(self, session: IntakeSession) -> None:
        from ketatui.screens.background import plain

        try:
            session.move_to(CLINICIAN_STARTS_AT)
            session.save()
            session.repository.submit(session.intake.record_id, user=session.user, expected_rev=session.stored_rev)
        except Exception as exc:
            self.post_message(KioskSent(session, error=plain(exc)))
            return
        self.post_message(KioskSent(session))

    async def on_kiosk_sent(self, message: KioskSent) -> None:
        if message.error is not None:
            self.session = message.session  # nothing is lost: the answers stay, and staff can help
            if isinstance(self.screen, KioskSend):
                self.screen.say("Your answers could not be sent. Please ask a member of staff for help.\n"
                                f"(For staff: {message.error})")
            return
        self._log("submitted", record=message.session.intake.record_id)
        self.wipe()
        await self.push_screen(KioskDone())

    @on(KioskDone.Finished)
    def _finished(self) -> None:
        self.wipe()

    # --- crisis ---

    def on_choice_row_changed(self, message: ChoiceRow.Changed) -> None:
        """An answer that is a positive suicide screen holds the kiosk at once."""
        field = next((a for a in message.choice_row.ancestors if isinstance(a, LabelledField)), None)
        if field is not None and positive_answer(field.path, message.value):
            self.hold_for_crisis()

    def on_screening_changed(self, message: ScreeningChanged) -> None:
        """A screen once positive stays so at the kiosk: a patient taking back a yes is still seen."""
        if message.positive:
            self.hold_for_crisis()

    def action_crisis(self) -> None:
        """The rules found the intake urgent (the App's own path to crisis help)."""
        self.hold_for_crisis()

    def hold_for_crisis(self) -> None:
        """Mark the intake urgent and store it now; then the crisis screen until the staff PIN."""
        session = self.session
        if self.holding or session is None:
            return
        self.holding = True
        session.screening(True)
        step = self.step
        if step is not None:
            self.apply(step, announce=False)
        self.request_save()
        self._close_idle_warning()
        contact = self.parts.settings.clinic_contact if self.parts else ""
        self.push_screen(KioskCrisisHold(self.protocol.crisis_contacts, contact))
        self._log("crisis hold", record=session.intake.record_id)

    # --- staff ---

    def action_staff(self) -> None:
        if self.parts is None or isinstance(self.screen, (StaffPinDialog, StaffMenu)):
            return
        self._close_idle_warning()
        self.push_screen(StaffPinDialog(self._check_pin), self._pin_done)

    def _check_pin(self, pin: str) -> Any:
        assert self.parts is not None
        verdict = self.parts.pin.check(pin)
        if verdict.ok:
            self._log("staff PIN accepted")
        elif verdict.locked_until is not None:
            self._log("staff PIN locked", until=verdict.locked_until.isoformat(timespec="seconds"))
        else:
            self._log("staff PIN wrong", tries_left=verdict.left)
        return verdict

    def _pin_done(self, ok: bool | None) -> None:
        if ok:
            self.push_screen(StaffMenu(holding=self.holding), self._staff_chose)

    async def _staff_chose(self, choice: str | None) -> None:
        record = self.session.intake.record_id if self.session is not None else None
        if choice in ("continue", "start-over") and self.holding:
            self.holding = False
            self._log("crisis hold ended by staff", record=record)
            if isinstance(self.screen, KioskCrisisHold):
                self.pop_screen()
        if choice == "start-over":
            self._log("started over by staff", record=record)
            self.reset()
        elif choice == "close":
            self._log("closed by staff", record=record)
            self.keep_unfinished()
            self.exit(0)
        self.idle.touch()

    def _log(self, action: str, **details: Any) -> None:
        if self.parts is not None:
            self.parts.log.write(action, **details)

    # --- idle reset ---

    async def on_event(self, event: events.Event) -> None:
        """Only input moves the idle clock; the key that answers the warning only closes it."""
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self.idle.touch()
            if isinstance(event, events.Key) and self._close_idle_warning():
                return
        await super().on_event(event)

    def _close_idle_warning(self) -> bool:
        if isinstance(self.screen, KioskIdleWarning):
            self.pop_screen()
            return True
        return False

    def idle_tick(self) -> None:
        """Four times a second: warn, count down, or clear, by the time since the last input."""
        if self.holding or not self.ready:
            return
        if self.session is None and len(self.screen_stack) == 1:
            self.idle.touch()  # the welcome, with nothing to clear
            return
        state = self.idle.state()
        if self.session is None and state != "active":
            self.wipe()  # the pages about the treatment, or what happens next: no answers to warn about
        elif state == "active":
            self._close_idle_warning()
        elif state == "warning":
            left = self.idle.seconds_left()
            if isinstance(self.screen, KioskIdleWarning):
                self.screen.count(left)
            else:
                keeps = self.parts is None or self.parts.settings.kiosk_unfinished == "keep"
                self.push_screen(KioskIdleWarning(left, keeps=keeps))
        else:
            self._log("cleared after no input", record=self.session.intake.record_id if self.session else None)
            self.reset()

    def keep_unfinished(self) -> None:
        """The intake left unfinished: stored for staff (listed as left at the kiosk), or
        discarded, as the ``kiosk_unfinished`` setting says. Waits for the store."""
        session = self.session
        if session is None:
            return
        step = self.step
        if step is not None:
            self.apply(step, announce=False)
        self._pending = None
        session.move_to(CLINICIAN_STARTS_AT)
        keep = self.parts is None or self.parts.settings.kiosk_unfinished == "keep" or session.urgent
        try:
            if keep and session.worth_storing():
                session.save()
            elif not keep and session.stored_rev:
                session.repository.discard(session.intake.record_id, user=session.user, expected_rev=session.stored_rev)
        except Exception as exc:
            from ketatui.screens.background import plain

            self._log("unfinished intake not kept", record=session.intake.record_id, error=plain(exc))

    def reset(self) -> None:
        """Keep or discard the unfinished intake, then drop it and every screen, and clear."""
        self.keep_unfinished()
        self.wipe()

    def wipe(self) -> None:
        """Nothing of the last person in memory or on the terminal: the welcome, from fresh."""
        self.session = None
        self._pending = None
        self._answers_from = None
        self._save_state = ""
        self.holding = False
        self.show_start()
        self.clear_terminal()
        self.idle.touch()
        self.resets += 1

    def clear_terminal(self) -> None:
        """Clear the screen and its scrollback, then draw the welcome again from nothing."""
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(CLEAR_TERMINAL)
            driver.flush()
        self.call_after_refresh(self.refresh, repaint=True, layout=True)


def run_kiosk_app(request: SettingsRequest | None = None) -> int:
    """Entry point for ``ketatui kiosk``: the kiosk on this terminal; returns the exit code."""
    return run_on_terminal(KioskApp(request=request))
