"""The intake App: navigation, saving and the progress line around the five step screens.

``IntakeApp`` owns everything every role shares: which screen comes next, validating through the
step's pydantic models before moving on, saving the draft on every step change and every answer
left (in a thread, so typing never waits for the disk), the progress line, help, the crisis
dialog, themes and the too-small message. ``ClinicianApp`` adds the clinician's start screen and
wording; a kiosk or trainer App subclasses ``IntakeApp`` the same way and reuses the steps.

Start-up is on a budget (first paint within 1.3x a bare Textual app), so nothing that imports
pydantic is loaded before the first screen is drawn: the protocol, the store and the core models
load in a thread right after it, and the step screens when an intake opens.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import threading
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen
from textual.theme import Theme
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

import ketatui.styles
from ketatui.screens.help import HelpScreen
from ketatui.screens.navigation import PagedStep, ScreeningChanged
from ketatui.screens.start import StartScreen
from ketatui.screens.too_small import TooSmallScreen, too_small

if TYPE_CHECKING:
    from ketatui.intake.document import Intake
    from ketatui.clinical.protocol import Protocol
    from ketatui.screens.step import IntakeStep, StepResult

#: Where each step's screen lives; imported when first shown, so a missing one never stops the App.
STEP_MODULES: dict[str, str] = {
    "medical_history": "ketatui.screens.medical_history",
    "medications": "ketatui.screens.medications",
    "side_effects": "ketatui.screens.side_effects",
    "goals_support": "ketatui.screens.goals_support",
    "summary": "ketatui.screens.plan_summary",
}
#: The intake sections each step fills in (a step is finished when the required ones are there).
STEP_SECTIONS: dict[str, tuple[str, ...]] = {
    "medical_history": ("medical_history", "phq9", "gad7", "asq"),
    "medications": ("medications",),
    "side_effects": ("side_effects",),
    "goals_support": ("goals_support",),
    "summary": (),
}
STEP_IDS = tuple(STEP_MODULES)  # the order of ketatui.intake.document.STEPS (a test keeps them the same)
THEMES = {"default": "ketatui", "high-contrast": "ketatui-high-contrast"}


def load_themes() -> list[Theme]:
    """The themes kept as data in ``styles/themes.toml``."""
    text = Path(ketatui.styles.__file__).with_name("themes.toml").read_text(encoding="utf-8")
    return [Theme(name=name, **values) for name, values in tomllib.loads(text).items()]


def step_class(step_id: str) -> type[IntakeStep] | None:
    """The ``IntakeStep`` subclass for ``step_id``, or None when its module is not installed."""
    from ketatui.screens.step import IntakeStep

    module_name = STEP_MODULES[step_id]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, IntakeStep) and getattr(value, "step_id", None) == step_id:
            return value
    return None


class StepPicker(ModalScreen[str | None]):
    """Go to: every finished step, and the first one not finished yet."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    def __init__(self, choices: list[tuple[str, str, bool]], current: str) -> None:
        super().__init__()
        self.choices = choices  # (step id, words shown, can go there)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="goto"):
            yield Static("Go to step", classes="dialog-title")
            yield OptionList(*(Option(words, id=step_id, disabled=not ok) for step_id, words, ok in self.choices), id="goto-list")
            yield Static("Enter: go there · Escape: stay here", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = next((i for i, (s, _, _) in enumerate(self.choices) if s == self.current), 0)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class IntakeApp(App[int]):
    """One intake at a time through the five steps, saved as it goes."""

    AUDIENCE: ClassVar[str] = "clinician"
    CSS_PATH = "../styles/base.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        # While the intake is urgent the progress line says "!! URGENT (F9)": a Footer already full
        # on the busiest steps would cut its last keys if F9 were added there too.
        Binding("f9", "crisis", "Crisis help", id="crisis", show=False),
        Binding("f2", "back", "Back", id="back", priority=True),
        Binding("f3", "next", "Next", id="next", priority=True),
        Binding("f4", "go_to", "Go to", id="go_to", priority=True),
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    class Saved(Message):
        def __init__(self, stored: dict[str, Any]) -> None:
            super().__init__()
            self.stored = stored

    class SaveFailed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class Loaded(Message):
        """The repository opened (``repository``), or a draft was read (``doc``), or either failed (``error``)."""

        def __init__(self, *, repository: Any = None, drafts: list | None = None, doc: dict | None = None,
                     error: str | None = None, protocol: Any = None, user: str = "") -> None:
            super().__init__()
            self.repository, self.drafts, self.doc, self.error = repository, drafts, doc, error
            self.protocol, self.user = protocol, user

    def __init__(self, *, data_dir: Path | None = None, repository: Any = None, protocol: Protocol | None = None,
                 user: str | None = None, theme: str | None = None) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.repository = repository
        self.protocol = protocol  # loaded with the store, after the first paint, unless given
        self.user = user or ""  # KETATUI_USER or the login name, found with the store
        self.ready = False  # the protocol, the store and the core are loaded
        self.intake: Intake | None = None
        self.urgent = False
        self._stored_rev = 0  # 0: not in the store yet
        self._store_lock = threading.Lock()
        self._pending: dict[str, Any] | None = None
        self._saving = False
        self._save_state = ""
        self._started = False
        self._screen_positive = False
        self._urgent_reasons: list[str] = []
        self._tell_when_saved = ""
        self._quit_anyway = False
        for item in load_themes():
            self.register_theme(item)
        choice = theme or os.environ.get("KETATUI_THEME", "default")
        self.theme = THEMES.get(choice, THEMES["default"])

    # --- starting ---

    def on_mount(self) -> None:
        self._install_hangup_handler()
        self.show_start()
        self._started = True
        self._check_size()

    def show_start(self) -> None:
        """Overridden by each role: what the App shows first."""
        raise NotImplementedError

    def _load(self) -> None:
        """Thread, after the first paint: the protocol, the store and its drafts, then the core the
        steps need, so New and Resume open at once. Every failure reaches the screen in words."""
        try:
            from ketatui.clinical.protocol import ProtocolInvalid, load_protocol

            protocol = self.protocol or load_protocol()
        except ProtocolInvalid as exc:
            self.post_message(self.Loaded(error=f"The clinic's protocol cannot be used, so no intake can be run: {exc}"))
            return
        try:
            from ketatui.storage.paths import current_user

            user = current_user(self.user or None)
            repository = self.repository
            if repository is None:
                from ketatui.storage import open_repository

                repository = open_repository(self.data_dir)
            drafts = repository.drafts()
        except Exception as exc:  # StorageError and anything the OS says: shown, never a traceback
            self.post_message(self.Loaded(error=_plain(exc)))
            return
        self.post_message(self.Loaded(repository=repository, drafts=drafts, protocol=protocol, user=user))
        for module in ("ketatui.clinical.rules", "ketatui.clinical.plan", *STEP_MODULES.values()):
            try:
                importlib.import_module(module)
            except ImportError:
                pass  # a step not in this build: step_class says so when it is needed
        from ketatui.clinical.catalogue import Catalogue

        Catalogue.default()

    def _read_draft(self, record_id: str) -> None:
        try:
            doc = self.repository.get(record_id, user=self.user)
        except Exception as exc:
            self.post_message(self.Loaded(error=_plain(exc)))
            return
        self.post_message(self.Loaded(doc=doc))

    async def open_intake(self, intake: Intake, stored_rev: int) -> None:
        """Show ``intake`` at the step where it was left."""
        self.intake = intake
        self._stored_rev = stored_rev
        self._save_state = f"Saved {_clock(intake.updated_at)}" if stored_rev else "Not saved yet"
        self._screen_positive = False
        self.urgent = False
        self._recompute_urgent(announce=False)
        await self.show_step(intake.current_step, first=True)

    # --- the steps ---

    def make_step(self, step_id: str) -> IntakeStep:
        assert self.intake is not None
        cls = step_class(step_id)
        if cls is None:
            from ketatui.screens.unavailable import UnavailableStep

            return UnavailableStep(step_id, self.intake, self.protocol, audience=self.AUDIENCE)
        return cls(self.intake, self.protocol, audience=self.AUDIENCE)

    @property
    def step(self) -> IntakeStep | None:
        """The step on show (under any dialog), if an intake is open."""
        if self.intake is None:
            return None
        from ketatui.screens.step import IntakeStep

        for screen in reversed(self.screen_stack):
            if isinstance(screen, IntakeStep):
                return screen
        return None

    @property
    def on_a_step(self) -> bool:
        """A step is the screen in front (no dialog over it)."""
        return self.step is not None and self.screen is self.step

    async def show_step(self, step_id: str, *, first: bool = False, from_after: bool = False) -> None:
        """Show a step with the progress line on it (a step built for any role does not draw one).
        Coming back from the step after it, a step with pages opens at its last page."""
        assert self.intake is not None
        self.intake.current_step = step_id  # type: ignore[assignment]
        from ketatui.screens.widgets import ProgressLine

        screen = self.make_step(step_id)
        if from_after and isinstance(screen, PagedStep):
            screen.start_at_last_page()
        await (self.push_screen(screen) if first else self.switch_screen(screen))
        if not screen.query(ProgressLine):
            await screen.mount(ProgressLine(id="progress"))
        self.update_progress()
        self._check_size()
        if self._stored_rev:
            self.request_save()  # a new intake is stored once something has been answered

    def update_progress(self) -> None:
        from ketatui.screens.widgets import ProgressLine, progress_text

        step = self.step
        if step is None or not step.query(ProgressLine):
            return
        line = step.query_one(ProgressLine)
        index = STEP_IDS.index(step.step_id) + 1
        page = step.page_label if isinstance(step, PagedStep) else None
        line.where = progress_text(index, len(STEP_IDS), step.step_title, page)
        line.urgent = self.urgent
        line.saved = self._save_state

    def finished(self, step_id: str) -> bool:
        from ketatui.intake.document import REQUIRED_SECTIONS

        assert self.intake is not None
        needed = [name for name in STEP_SECTIONS[step_id] if name in dict(REQUIRED_SECTIONS)]
        return bool(needed) and all(getattr(self.intake, name) is not None for name in needed)

    def apply(self, step: IntakeStep, *, recompute: bool = True) -> StepResult:
        """Copy what the step holds into the intake: raw answers always, sections as they validate."""
        assert self.intake is not None
        result = step.collect()
        self.intake.form_state[step.step_id] = result.form_state
        for name in STEP_SECTIONS.get(step.step_id, ()):
            setattr(self.intake, name, result.sections.get(name))
        self.intake.plan = self._derived_plan()
        if recompute:
            self._recompute_urgent()
        return result

    def _derived_plan(self) -> dict[str, Any] | None:
        """The plan as the core derives it from the answers now (stored with the intake), or None
        while a section it needs is missing."""
        from ketatui.intake.document import IntakeInvalid
        from ketatui.clinical.plan import make_plan

        assert self.intake is not None
        try:
            return make_plan(self.intake, self.protocol).model_dump(mode="json")
        except IntakeInvalid:
            return None

    def _recompute_urgent(self, *, announce: bool = True) -> None:
        """Urgent when the rules raise an urgent flag, or a suicide screen is positive as it is answered.
        Turning urgent shows the crisis dialog once, after the current action has finished."""
        from ketatui.clinical.rules import evaluate

        assert self.intake is not None
        flags = evaluate(self.intake, self.protocol)
        was = self.urgent
        self.urgent = self._screen_positive or any(f.severity == "urgent" for f in flags)
        self._urgent_reasons = [f.reason for f in flags if f.severity == "urgent"]
        if self.urgent and not was and announce:
            self.call_later(self._announce_crisis)
        self.update_progress()

    def _announce_crisis(self) -> None:
        if self.urgent and self.on_a_step:
            self.action_crisis()

    # --- saving ---

    def request_save(self) -> None:
        """Save the intake as it is now, in a thread; saves never overlap and the newest one wins."""
        if self.intake is None or self.repository is None:
            return
        if not self._worth_storing():
            return
        self._pending = self.intake.model_dump(mode="json")
        if not self._saving:
            self._start_save()

    def _worth_storing(self) -> bool:
        """A new intake is stored once something is typed: no empty drafts in the list."""
        return self.intake is not None and (self._stored_rev > 0 or _answered(self.intake.form_state))

    def save_and_tell(self, words: str) -> None:
        """A save the person asked for: say so once it is on disk (a failure says so anyway)."""
        if self.repository is None:
            self.notify("No store is open, so nothing can be saved; see the message when ketatui started.", severity="error")
            return
        self._tell_when_saved = words
        self.request_save()

    def _start_save(self) -> None:
        doc, self._pending = self._pending, None
        if doc is None:
            return
        self._saving = True
        self.run_worker(lambda: self._save_in_thread(doc), thread=True, group="save", exit_on_error=False)

    def _save_in_thread(self, doc: dict[str, Any]) -> None:
        try:
            stored = self.store(doc)
        except Exception as exc:
            self.post_message(self.SaveFailed(_plain(exc)))
            return
        self.post_message(self.Saved(stored))

    def store(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Create or save ``doc`` now (blocking); the lock keeps the revision straight across threads."""
        with self._store_lock:
            if self._stored_rev == 0:
                stored = self.repository.create(doc, user=self.user)
            else:
                stored = self.repository.save(doc, user=self.user, expected_rev=self._stored_rev)
            self._stored_rev = stored["rev"]
            return stored

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self._saving = False
        if self.intake is not None:
            for key in ("rev", "created_at", "created_by", "updated_at", "updated_by"):
                setattr(self.intake, key, message.stored.get(key))
        self._save_state = f"Saved {_clock(self.intake.updated_at if self.intake else None)}"
        self.update_progress()
        if self._tell_when_saved and self._pending is None:
            self.notify(f"{self._tell_when_saved} at {_clock(self.intake.updated_at if self.intake else None)}.")
            self._tell_when_saved = ""
        self._start_save()

    @on(SaveFailed)
    def _save_failed(self, message: SaveFailed) -> None:
        self._saving = False
        self._tell_when_saved = ""
        if not self._save_state.startswith("NOT SAVED"):  # say it once; the progress line keeps saying it
            self.notify(message.message, title="The draft was not saved", severity="error", timeout=30)
        self._save_state = "NOT SAVED (see message)"
        self.update_progress()

    def _install_hangup_handler(self) -> None:
        """A dropped SSH connection (SIGHUP) or a plain kill (SIGTERM): save what is on screen, then exit."""
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._hang_up, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests) or no signals here

    def _hang_up(self, sig: signal.Signals) -> None:
        """Runs on the event loop (not inside a save): waits for any save in a thread through the lock."""
        step = self.step
        try:
            if step is not None and self.intake is not None and self.repository is not None:
                self.apply(step, recompute=False)
                if self._worth_storing():
                    self.store(self.intake.model_dump(mode="json"))
        except Exception:
            pass  # nothing can be shown on a terminal that has gone; the last autosave stands
        if sig == signal.SIGHUP:
            os._exit(128 + sig)  # the terminal is gone: there is nothing to restore or draw
        self.exit(128 + sig)

    # --- reacting to the steps ---

    def on_intake_step_field_left(self) -> None:
        """A step's ``IntakeStep.FieldLeft``: keep the answers and save the draft."""
        step = self.step
        if step is not None and self.intake is not None:
            self.apply(step)
            self.request_save()

    def on_plan_summary_exported(self, message: Any) -> None:
        """Every export of a stored intake goes in the audit log, as a kind of file (never its name,
        which may hold the person's name)."""
        if self.intake is not None and self.repository is not None and self._stored_rev:
            threading.Thread(target=self._log_export, args=(self.intake.record_id, self._stored_rev), daemon=True).start()

    def _log_export(self, record_id: str, rev: int) -> None:
        try:
            with self._store_lock:
                self.repository.log_export(record_id, rev, user=self.user, target="markdown file")
        except Exception as exc:
            self.call_from_thread(self.notify, f"The file was written, but the audit log could not record it: {_plain(exc)}", severity="warning")

    def on_plan_summary_save_requested(self, message: Any) -> None:
        """The summary's Save: store the intake with the plan derived from it."""
        step = self.step
        if step is None or self.intake is None:
            return
        self.apply(step)
        self.save_and_tell("Saved with the plan" if self.intake.plan else "Saved as a draft (the plan needs the missing answers first)")

    def on_page_changed(self) -> None:
        """A step with pages moved to another page (``PageChanged``): save, and say where we are."""
        self.on_intake_step_field_left()
        self.update_progress()

    def on_screening_changed(self, message: ScreeningChanged) -> None:
        """A suicide screen turned positive or negative as it was answered (``ScreeningChanged``)."""
        self._screen_positive = message.positive
        if self.intake is not None:
            self._recompute_urgent()

    # --- actions (Footer) ---

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step = self.step
        if action in ("back", "next", "go_to", "save"):
            if step is None or self.screen is not step:
                return False
            if action == "next" and step.step_id == STEP_IDS[-1]:
                return False
        if action == "crisis":
            return self.intake is not None and self.urgent
        return True

    async def action_next(self) -> None:
        step = self.step
        if step is None:
            return
        if isinstance(step, PagedStep) and step.next_page():
            self.refresh_bindings()
            return
        result = self.apply(step)
        if result.problems:
            step.show_problems(result.problems)
            count = len(result.problems)
            self.notify(f"{count} answer{'s' if count > 1 else ''} need{'s' if count == 1 else ''} attention: "
                        "see the message beneath each one.", title="Not moved on", severity="warning")
            self.request_save()
            return
        await self.show_step(STEP_IDS[STEP_IDS.index(step.step_id) + 1])

    async def action_back(self) -> None:
        step = self.step
        if step is None:
            return
        if isinstance(step, PagedStep) and step.previous_page():
            return
        self.apply(step)
        index = STEP_IDS.index(step.step_id)
        if index == 0:
            self.notify("This is the first page of the intake.")
            return
        await self.show_step(STEP_IDS[index - 1], from_after=True)

    def action_save(self) -> None:
        step = self.step
        if step is not None:
            self.apply(step)
            self.save_and_tell("Draft saved")

    def action_go_to(self) -> None:
        step = self.step
        if step is None or self.intake is None:
            return
        self.apply(step)
        first_open = next((s for s in STEP_IDS if not self.finished(s)), STEP_IDS[-1])
        choices = []
        for number, step_id in enumerate(STEP_IDS, 1):
            done = self.finished(step_id)
            state = "finished" if done else ("next to do" if step_id == first_open else "not reached")
            ok = done or step_id == first_open or step_id == step.step_id
            choices.append((step_id, f"{number}. {_step_title(step_id)} ({state})", ok))

        async def chosen(step_id: str | None) -> None:
            if step_id and step_id != step.step_id:
                await self.show_step(step_id)

        self.push_screen(StepPicker(choices, step.step_id), chosen)

    def action_help(self) -> None:
        """F1: why this screen asks what it asks (the step's own words), and the keys that work here."""
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.step if self.on_a_step else self.screen
        title = getattr(screen, "step_title", None) or getattr(screen, "help_title", "ketatui")
        why = getattr(screen, "help_text", "") or "ketatui helps a clinician run an intake for ketamine treatment."
        if isinstance(screen, PagedStep):
            title = f"{title}, {screen.page_label}"
            why = f"{screen.page_help()}\n\n{why}"
        keys: dict[str, list[str]] = {}
        for _, binding, enabled, _ in self.active_bindings.values():
            if (binding.show or binding.id == "crisis") and enabled:
                keys.setdefault(binding.description, []).append(binding.key_display or self.get_key_display(binding))
        self.push_screen(HelpScreen(title, why, [(", ".join(shown), description) for description, shown in keys.items()]))

    def action_crisis(self) -> None:
        from ketatui.screens.crisis import CrisisScreen

        self.push_screen(CrisisScreen(self.protocol.crisis_contacts, self._urgent_reasons, audience=self.AUDIENCE))

    def action_toggle_contrast(self) -> None:
        self.theme = THEMES["default"] if self.theme == THEMES["high-contrast"] else THEMES["high-contrast"]

    async def action_quit(self) -> None:
        """Save what is on screen (the field being typed in too), then quit. If it cannot be saved,
        say so and quit only when asked again."""
        step = self.step
        if step is not None and self.intake is not None and self.repository is not None and not self._quit_anyway:
            self.apply(step, recompute=False)
            if not self._worth_storing():
                self.exit(0)
                return
            try:
                await asyncio.to_thread(self.store, self.intake.model_dump(mode="json"))
            except Exception as exc:
                self._quit_anyway = True
                self.notify(f"{_plain(exc)} Press Ctrl+Q again to quit without saving.", title="Not saved", severity="error", timeout=30)
                return
        self.exit(0)

    # --- the terminal's size ---

    def on_resize(self, event: events.Resize) -> None:
        if self._started:
            self._check_size(event.size)

    def _check_size(self, size: Size | None = None) -> None:
        """Below 80x24 the too-small message covers whatever is on show (it goes by itself when it fits)."""
        if too_small(*(size or self.size)) and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen())


class ClinicianApp(IntakeApp):
    """The clinician's App (``ketatui`` with no sub-command): start screen, then the five steps."""

    AUDIENCE = "clinician"
    TITLE = "ketatui"
    # The start screen is the default screen, whose own CSS_PATH Textual does not load: the App does.
    CSS_PATH = ["../styles/base.tcss", "../styles/start.tcss"]

    def get_default_screen(self) -> StartScreen:
        """The start screen is the App's own screen: drawn first, and under every step."""
        return StartScreen(audience_title="ketatui · ketamine treatment intake", user=self.user)

    def show_start(self) -> None:
        """Back to the start screen (at the bottom of the stack), with the drafts as they are now."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.intake = None
        if self.ready:
            self.run_worker(self._list_drafts, thread=True, group="load", exit_on_error=False)

    def on_ready(self) -> None:
        """The first frame is on screen: load in a thread now (a thread started earlier competes
        with drawing that frame for the interpreter and delays it)."""
        if not self.ready:
            self.run_worker(self._load, thread=True, group="load", exit_on_error=False)

    def _list_drafts(self) -> None:
        try:
            drafts = self.repository.drafts()
        except Exception as exc:
            self.post_message(self.Loaded(error=_plain(exc)))
            return
        self.post_message(self.Loaded(repository=self.repository, drafts=drafts, protocol=self.protocol, user=self.user))

    @on(IntakeApp.Loaded)
    async def _loaded(self, message: IntakeApp.Loaded) -> None:
        start = self.screen_stack[0] if isinstance(self.screen_stack[0], StartScreen) else None
        if message.error is not None:
            if start is not None:
                start.show_error(message.error)
            self.notify(message.error, title="Cannot start", severity="error", timeout=30)
            return
        if message.repository is not None:
            self.repository, self.protocol, self.user = message.repository, message.protocol, message.user
            self.ready = True
            if start is not None:
                start.show_user(self.user)
                await start.show_drafts(message.drafts or [])
        if message.doc is not None:
            from pydantic import ValidationError

            from ketatui.intake.fields import problems_from
            from ketatui.intake.document import Intake

            try:
                intake = Intake.model_validate(message.doc)
            except ValidationError as exc:
                problems = "; ".join(str(p) for p in problems_from(exc, Intake)[:3])
                self.notify(f"This draft cannot be opened: {problems}", title="Draft not opened", severity="error", timeout=30)
                self.show_start()
                return
            await self.open_intake(intake, stored_rev=intake.rev)

    @on(StartScreen.Chosen)
    async def _start_chosen(self, message: StartScreen.Chosen) -> None:
        choice = message.choice
        if choice.action == "quit":
            self.exit(0)
        elif choice.action == "new":
            from ketatui.intake.document import Intake

            await self.open_intake(Intake(), stored_rev=0)
        else:
            self.run_worker(lambda: self._read_draft(choice.record_id), thread=True, group="load", exit_on_error=False)


def _answered(value: Any) -> bool:
    """Whether anything was typed or chosen (where a step stands, ``page``, is not an answer)."""
    if isinstance(value, dict):
        return any(_answered(v) for k, v in value.items() if k != "page")
    if isinstance(value, list):
        return any(_answered(v) for v in value)
    return value not in (None, "", False)


def _step_title(step_id: str) -> str:
    from ketatui.intake.document import STEPS

    return dict(STEPS)[step_id]


def _plain(exc: BaseException) -> str:
    return str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else str(exc) or type(exc).__name__


def _clock(moment: Any) -> str:
    if moment is None:
        return ""
    local = moment.astimezone() if getattr(moment, "tzinfo", None) else moment
    return local.strftime("%H:%M:%S")


def run_clinician_app(data_dir: Path | None = None) -> int:
    """Entry point for ``ketatui``: the clinician App on this terminal; returns the exit code."""
    return ClinicianApp(data_dir=data_dir).run() or 0
