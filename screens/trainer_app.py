"""The trainer's App (``ketatui train``): a scenario picker, then the intake steps every role shares,
with a TRAINING banner on every screen, the synthetic patient's answers on F6 and a scorecard on F8.

It is ``IntakeApp`` (the same session core, steps, saving, urgency and crisis dialog as the
clinician's) given the training store's settings (``ketatui.training.store.training_settings``),
so it never opens the real store: every record it writes is marked ``training`` and lives in the
training data folder. Scoring, the persona's answers and the kept scorecards are the core's
(``ketatui.training``); this App shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from textual import on
from textual.binding import Binding
from textual.screen import Screen

from ketatui.screens.intake_app import IntakeApp
from ketatui.screens.terminal_run import run_on_terminal
from ketatui.screens.training_banner import PersonaPanel, TrainingBanner, asked_path, banner_text, scorecard_banner
from ketatui.screens.training_picker import ScenarioPicker

if TYPE_CHECKING:
    from ketatui.settings import Settings
    from ketatui.training.scenario import Library, Scenario
    from ketatui.training.scorecard import Scorecard


def _now() -> datetime:
    return datetime.now(timezone.utc)


class TrainerApp(IntakeApp):
    """Scenario picker, then the five steps on a synthetic patient, then the scorecard."""

    AUDIENCE = "clinician"  # the trainee runs the intake as a clinician would
    TITLE = "ketatui training"
    CSS_PATH = ["../styles/base.tcss", "../styles/training.tcss"]
    BINDINGS = [
        Binding("f6", "ask", "Ask patient", id="trainer.ask", show=False),
        Binding("f8", "finish", "Finish", id="trainer.finish", show=False),
    ]

    def __init__(self, *, settings: Settings, library: Library, scenario: str | None = None, trainee: str | None = None,
                 protocol: Any = None, repository: Any = None, clock: Callable[[], datetime] = _now) -> None:
        """``settings``: the training store's (``training_settings``), never the real store's."""
        if not settings.data_dir.resolve().is_relative_to(settings.training_data_dir.resolve()):
            raise ValueError(f"the trainer app opens only the training store (under {settings.training_data_dir}), "
                             f"not {settings.data_dir}; pass training_settings(settings)")
        super().__init__(settings=settings, protocol=protocol, repository=repository)
        self.library = library
        self.first_scenario = scenario
        self.trainee = trainee or settings.user
        self.user = self.trainee
        self.clock = clock
        self.scenario: Scenario | None = None
        self.started_at: datetime | None = None
        self.crisis_shown = False
        self.scorecard: Scorecard | None = None

    # --- starting ---

    def get_default_screen(self) -> ScenarioPicker:
        return ScenarioPicker(self.trainee)

    def on_mount(self) -> None:
        super().on_mount()
        self.screen_change_signal.subscribe(self, self._mark_training)

    def on_ready(self) -> None:
        if not self.ready:
            self.load_in_thread()

    def apply_settings(self, settings: Settings, *, theme: bool = True) -> None:
        super().apply_settings(settings, theme=theme)
        self.user = self.trainee  # every save and audit line names the trainee

    @property
    def picker(self) -> ScenarioPicker | None:
        bottom = self.screen_stack[0] if self.screen_stack else None
        return bottom if isinstance(bottom, ScenarioPicker) else None

    async def show_drafts(self, drafts: list) -> None:
        """The training store is open: list the scenarios, and start the one asked for."""
        if self.picker is not None:
            self.picker.show_library(self.library)
        if self.first_scenario:
            scenario_id, self.first_scenario = self.first_scenario, None
            await self.start_scenario(self.library.get(scenario_id).id)

    def show_start(self) -> None:
        """Back to the scenario picker."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.session = None
        self.scenario = None

    def show_error(self, message: str) -> None:
        if self.picker is not None:
            self.picker.query_one("#picker-brief").update(f"! Training cannot start: {message}")  # type: ignore[attr-defined]
        super().show_error(message)

    @on(ScenarioPicker.Start)
    async def _start(self, message: ScenarioPicker.Start) -> None:
        await self.start_scenario(message.scenario_id)

    async def start_scenario(self, scenario_id: str) -> None:
        """A new training intake (marked ``training``) for the scenario's synthetic patient."""
        if not self.ready:
            return
        from ketatui.intake.document import Intake

        self.scenario = self.library.get(scenario_id)
        self.started_at = self.clock()
        self.crisis_shown = False
        self.scorecard = None
        await self.open_intake(self.new_session(Intake(training=True)))
        self._say(self.scenario.persona.opening, "First words")

    # --- the banner on every screen ---

    def banner(self) -> str:
        return banner_text(self.scenario.title if self.scenario else None)

    def _mark_training(self, screen: Screen) -> None:
        """Every screen shown gets the TRAINING banner, dialogs and help included."""
        if screen not in self.screen_stack:
            return
        if not screen.is_mounted:
            self.call_after_refresh(self._mark_training, screen)
            return
        if not screen.query(TrainingBanner):  # a screen that draws its own banner keeps its words
            screen.mount(TrainingBanner(self.banner()))

    # --- asking the patient ---

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("ask", "finish"):
            return self.scenario is not None and self.on_a_step
        return super().check_action(action, parameters)

    def action_ask(self) -> None:
        """F6: what the patient says about the field the trainee is on."""
        step = self.step
        if step is None or self.scenario is None:
            return
        from ketatui.training.persona import answer, title_of

        said = answer(self.scenario, asked_path(step, self.focused))
        self._say(said.words, title_of(said.about))

    def _say(self, words: str, about: str) -> None:
        step = self.step
        if step is None or self.scenario is None:
            return
        panels = step.query(PersonaPanel)
        panel = panels.first() if panels else PersonaPanel()
        if not panels:
            step.mount(panel)
        panel.say(self.scenario.persona.name, about, words)
        panel.page = getattr(step, "page", None)

    def on_page_changed(self) -> None:
        super().on_page_changed()
        step = self.step
        if step is not None and self.scenario is not None:
            for panel in step.query(PersonaPanel).results(PersonaPanel):
                if panel.page != getattr(step, "page", None):
                    panel.wait_for_question(self.scenario.persona.name)

    def action_crisis(self) -> None:
        self.crisis_shown = True  # the crisis path: the help was put in front of the trainee
        super().action_crisis()

    # --- finishing ---

    def action_finish(self) -> None:
        """F8: score the intake as it stands (asked first, unless on the plan summary)."""
        step = self.step
        if step is None or self.session is None:
            return
        self.apply(step, announce=False)
        if step.step_id == "summary":
            self.finish()
            return
        from ketatui.screens.training_scorecard import FinishDialog

        left_out = [p.label for p in self.session.intake.missing_sections()]
        self.push_screen(FinishDialog(left_out), lambda finish: self.finish() if finish else None)

    def finish(self) -> Scorecard | None:
        """The scorecard: worked out by the core, kept in the training folder, shown."""
        if self.session is None or self.scenario is None or self.started_at is None:
            return None
        from ketatui.training.results import Results
        from ketatui.training.scorecard import score
        from ketatui.training.store import scorecards_dir
        from ketatui.screens.training_scorecard import ScorecardScreen

        if self.session.worth_storing():
            self.request_save()
        card = score(self.scenario, self.session.intake, self.protocol, trainee=self.trainee,
                     started_at=self.started_at, finished_at=self.clock(), crisis_help_shown=self.crisis_shown)
        self.scorecard = card
        try:
            Results(scorecards_dir(self.settings)).save(card)
        except OSError as exc:
            self.notify(f"The scorecard is shown but was not kept: {exc.strerror or exc}", severity="error", timeout=30)
        banner = scorecard_banner(self.scenario.title)
        self.scenario = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(ScorecardScreen(card, self.settings.export_dir, banner))
        return card

    # --- past scorecards ---

    def _cards(self, trainee: str | None = None) -> list[Scorecard]:
        from ketatui.training.results import Results
        from ketatui.training.store import scorecards_dir

        if self.settings is None:
            return []
        return Results(scorecards_dir(self.settings)).all(trainee)

    def action_results(self) -> None:
        from ketatui.screens.training_results import TraineeResults

        self.push_screen(TraineeResults(self.banner(), self.trainee, self._cards(self.trainee)))

    def action_trainer_view(self) -> None:
        from ketatui.screens.training_results import TrainerView

        self.push_screen(TrainerView(self.banner(), self._cards()))


def run_trainer_app(settings: Settings, library: Library, *, scenario: str | None = None, trainee: str | None = None) -> int:
    """Entry point for ``ketatui train``: the trainer App on the training store, never the real one."""
    from ketatui.training.store import training_settings

    return run_on_terminal(TrainerApp(settings=training_settings(settings), library=library, scenario=scenario, trainee=trainee))
