"""The intake App every role shares: the UI over one ``IntakeSession``.

``IntakeApp`` shows the step screens (``ketatui.steps`` says which, in what order), hands what a
step collected to the session, shows what the session derives (progress line, urgency, the
crisis dialog) and moves between steps. Its other jobs have modules of their own: starting up
(``startup.py``), saving the draft (``autosave.py``), the audit of exports (``export_audit.py``),
the too-small message (``too_small.py``), help (``help.py``), Go to (``step_picker.py``) and
keeping Python's full memory sweeps off the keys (``idle_sweeps.py``). Blocking work runs in
thread workers (jobs in ``background.py``) whose messages are handled on the App; the workflow
itself (sections, rules, plan, urgency, revisions, the audit of exports) is the session's.
``ClinicianApp`` adds its home screen; a kiosk or trainer App subclasses this one the same way.

Start-up is on a budget (first paint within 1.3x a bare Textual app), so nothing that imports
pydantic is loaded before the first screen is drawn: the settings, the protocol, the store and the
core load in a thread right after it, and the step screens when an intake opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding

from ketatui.screens.autosave import Autosave, saved_label
from ketatui.screens.commands import ScreenCommands, open_palette
from ketatui.screens.export_audit import ExportAudit
from ketatui.screens.help import HelpScreen, help_for
from ketatui.screens.idle_sweeps import IdleSweeps
from ketatui.screens.key_order import KeysInOrder
from ketatui.screens.navigation import PagedStep, ScreeningChanged
from ketatui.screens.startup import StartUp
from ketatui.screens.terminal_run import resume_collection
from ketatui.screens.text_boxes import TextFromTheStart
from ketatui.screens.step_picker import StepPicker, step_choices
from ketatui.screens.themes import THEMES, load_themes, theme_for
from ketatui.screens.too_small import SizeWatch
from ketatui.steps import STEP_IDS, number

if TYPE_CHECKING:
    from ketatui.clinical.protocol import Protocol
    from ketatui.intake.document import Intake
    from ketatui.screens.step import IntakeStep, StepResult
    from ketatui.screens.widgets import ProgressLine
    from ketatui.session import IntakeSession
    from ketatui.settings import Settings, SettingsRequest


class IntakeApp(TextFromTheStart, KeysInOrder, StartUp, Autosave, ExportAudit, IdleSweeps, SizeWatch, App[int]):
    """One intake at a time through the steps, saved as it goes."""

    AUDIENCE: ClassVar[str] = "clinician"
    CSS_PATH = "../styles/base.tcss"
    # The command palette and its commands, and the user's keymap (``apply_settings``), are the
    # key bindings' part: off until the palette's commands exist.
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {ScreenCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.command_palette", show=False, priority=True),
        # While the intake is urgent the progress line says "!! URGENT (F9)": a Footer already full
        # on the busiest steps would cut its last keys if F9 were added there too.
        Binding("f9", "crisis", "Crisis help", id="app.crisis", show=False),
        Binding("f2", "back", "Back", id="app.back", priority=True),
        Binding("f3", "next", "Next", id="app.next", priority=True),
        Binding("f4", "go_to", "Go to", id="app.go_to", priority=True),
        Binding("ctrl+s", "save", "Save", id="app.save", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, *, request: SettingsRequest | None = None, settings: Settings | None = None,
                 repository: Any = None, protocol: Protocol | None = None) -> None:
        """``request``: what the command line asked for (the settings are built from it after the
        first paint); or ``settings`` already built; ``repository`` and ``protocol`` when given
        are used instead of opening or loading them."""
        super().__init__()
        self.request, self.settings, self.repository, self.protocol = request, settings, repository, protocol
        self.user = settings.user if settings is not None else ""
        self.ready = False  # the settings, the protocol, the store and the core are loaded
        self.session: IntakeSession | None = None
        self._progress: tuple[IntakeStep, ProgressLine] | None = None  # the step on show and its progress line
        for item in load_themes():
            self.register_theme(item)
        asked = settings.theme if settings is not None else (request.overrides.get("theme") if request else None)
        self.theme = theme_for(asked)

    @on(events.Ready)
    def _first_frame_out(self) -> None:
        resume_collection()  # held off since the command started (ketatui.screens.terminal_run)

    @property
    def intake(self) -> Intake | None:
        return self.session.intake if self.session is not None else None

    @property
    def urgent(self) -> bool:
        return self.session is not None and self.session.urgent

    # --- starting ---

    def on_mount(self) -> None:
        self.install_hangup_handler()
        self.hold_back_sweeps()
        self.show_start()
        self.watch_size()

    def show_start(self) -> None:
        """Overridden by each role: what the App shows first."""
        raise NotImplementedError

    async def open_intake(self, session: IntakeSession) -> None:
        """Show the session's intake at the step where it was left."""
        self.session = session
        self._save_state = saved_label(session)
        await self.show_step(session.intake.current_step, first=True)

    def new_session(self, intake: Intake | None = None) -> IntakeSession:
        from ketatui.intake.document import Intake
        from ketatui.session import IntakeSession

        return IntakeSession(intake or Intake(), self.protocol, self.repository, self.user)

    # --- the steps ---

    def make_step(self, step_id: str) -> IntakeStep:
        from ketatui.screens.step import step_screen

        assert self.intake is not None
        return step_screen(step_id, self.intake, self.protocol, self.AUDIENCE)

    @property
    def step(self) -> IntakeStep | None:
        """The step on show (under any dialog), if an intake is open."""
        if self.session is None:
            return None
        from ketatui.screens.step import IntakeStep

        return next((s for s in reversed(self.screen_stack) if isinstance(s, IntakeStep)), None)

    @property
    def on_a_step(self) -> bool:
        """A step is the screen in front (no dialog over it)."""
        return self.step is not None and self.screen is self.step

    async def show_step(self, step_id: str, *, first: bool = False, from_after: bool = False) -> None:
        """Show a step with the progress line on it (a step built for any role does not draw one).
        Coming back from the step after it, a step with pages opens at its last page."""
        assert self.session is not None
        self.session.move_to(step_id)
        from ketatui.screens.widgets import ProgressLine

        screen = self.make_step(step_id)
        if from_after and isinstance(screen, PagedStep):
            screen.start_at_last_page()
        await (self.push_screen(screen) if first else self.switch_screen(screen))
        line = screen.query_one_optional(ProgressLine)
        if line is None:
            line = ProgressLine(id="progress")
            await screen.mount(line)
        self._progress = (screen, line)
        self.update_progress()
        self.check_size()
        if self.session.stored_rev and self.session.changed():
            self.request_save()  # moved to another step; opening a record changes nothing, so saves nothing

    def update_progress(self) -> None:
        from ketatui.screens.widgets import progress_text

        step = self.step
        if step is None or self._progress is None or self._progress[0] is not step:
            return
        line = self._progress[1]
        page = step.page_label if isinstance(step, PagedStep) else None
        line.where = progress_text(number(step.step_id), len(STEP_IDS), step.step_title, page)
        line.urgent = self.urgent
        line.saved = self._save_state
        line.who = self.user

    def apply(self, step: IntakeStep, *, announce: bool = True) -> StepResult:
        """Hand what the step holds to the session; turning urgent shows the crisis dialog once,
        after the current action has finished."""
        assert self.session is not None
        was = self.urgent
        result = step.collect()
        self.session.apply(step.step_id, result.sections, result.form_state)
        self._urgency_shown(was, announce)
        return result

    def _urgency_shown(self, was: bool, announce: bool = True) -> None:
        if self.urgent and announce and (not was or self._newly_acute()):
            self.call_later(self._announce_crisis)
        self.update_progress()

    def crisis_code(self) -> str:
        """RISK-SUICIDE-ACUTE once ASQ question 5 is yes (raised, or just answered), else RISK-SUICIDE-SCREEN."""
        from ketatui.clinical.crisis import SCREEN, crisis_code

        session = self.session
        if session is None:
            return SCREEN
        answers = (session.intake.form_state.get("medical_history") or {}).get("values") or {}
        return crisis_code(session.derived.flags, answers)

    def _newly_acute(self) -> bool:
        """An urgent intake that has just turned acute: the crisis box is shown again, with its own heading."""
        from ketatui.clinical.crisis import ACUTE

        return self.crisis_code() == ACUTE and getattr(self, "_crisis_shown", None) != (self.session, ACUTE)

    def _announce_crisis(self) -> None:
        self.keep_answers()  # the dialog quotes the answers that raised it
        if self.urgent and self.on_a_step:
            self.action_crisis()

    # --- reacting to the steps ---

    def on_plan_summary_save_requested(self, message: Any) -> None:
        """The summary's Save: store the intake with the plan derived from it."""
        step = self.step
        if step is not None and self.session is not None:
            self.apply(step)
            self.save_and_tell("Saved with the plan" if self.session.derived.plan else "Saved as a draft (the plan needs the missing answers first)")

    def on_page_changed(self) -> None:
        """A step with pages moved to another page (``PageChanged``): save, and say where we are."""
        self.update_progress()
        self.on_intake_step_field_left()

    def on_screening_changed(self, message: ScreeningChanged) -> None:
        """A suicide screen turned positive or negative as it was answered: the session decides."""
        if self.session is not None:
            was = self.urgent
            self.session.screening(message.positive)
            self._urgency_shown(was)

    # --- actions (Footer) ---

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step = self.step
        if action in ("back", "next", "go_to", "save"):
            if step is None or self.screen is not step:
                return False
            if action == "next" and step.step_id == STEP_IDS[-1]:
                return False
        if action == "crisis":
            return self.urgent
        return True

    async def action_next(self) -> None:
        step = self.step
        if step is None or self.session is None:
            return
        if isinstance(step, PagedStep) and step.next_page():
            self.refresh_bindings()
            return
        result = self.apply(step)
        if result.problems:
            step.show_problems(result.problems)
            count = len(result.problems)
            from ketatui.screens.unanswered import tell_unanswered  # the step screens' room: loaded with the first step

            if not tell_unanswered(self, step, result.problems, title="Not moved on"):
                self.notify(f"{count} answer{'s' if count > 1 else ''} need{'s' if count == 1 else ''} attention: "
                            "see the message beneath each one.", title="Not moved on", severity="warning")
            self.request_save()
            return
        following = self.session.next_step(step.step_id)
        if following is not None:
            await self.show_step(following)

    async def action_back(self) -> None:
        step = self.step
        if step is None or self.session is None:
            return
        if isinstance(step, PagedStep) and step.previous_page():
            return
        self.apply(step)
        previous = self.session.previous_step(step.step_id)
        if previous is None:
            self.notify("This is the first page of the intake.")
            return
        await self.show_step(previous, from_after=True)

    def action_save(self) -> None:
        step = self.step
        if step is not None:
            self.apply(step)
            self.save_and_tell("Draft saved")

    def action_go_to(self) -> None:
        step = self.step
        if step is None or self.session is None:
            return
        self.apply(step)

        async def chosen(step_id: str | None) -> None:
            if step_id and step_id != step.step_id:
                await self.show_step(step_id)

        self.push_screen(StepPicker.kept(self, step_choices(self.session), step.step_id), chosen)

    def action_command_palette(self) -> None:
        """Ctrl+P: the commands of the screen in front (named in F1 help; the Footer has no room)."""
        open_palette(self)

    def action_help(self) -> None:
        """F1: why this screen asks what it asks (the step's own words), and the keys that work here."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(help_for(self.step if self.on_a_step else self.screen, self))

    def action_crisis(self) -> None:
        from ketatui.screens.crisis import CrisisScreen

        reasons = self.session.derived.reasons if self.session is not None else []
        code = self.crisis_code()
        self._crisis_shown = (self.session, code)
        self.push_screen(CrisisScreen(self.protocol.crisis_contacts, reasons, audience=self.AUDIENCE, code=code))

    def action_toggle_contrast(self) -> None:
        self.theme = THEMES["default"] if self.theme == THEMES["high-contrast"] else THEMES["high-contrast"]

