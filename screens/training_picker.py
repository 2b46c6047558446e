"""The trainer App's home: choose a scenario, read its brief, start; or look at past scorecards.

The list shows each scenario's title and the flag family it teaches; the brief of the highlighted
one is shown beneath, in the words the trainee is given before meeting the synthetic patient. What
a correct intake finds is never shown here: that is for the scorecard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ketatui.screens.training_banner import TrainingBanner, banner_text

if TYPE_CHECKING:
    from ketatui.training.scenario import Library


class ScenarioPicker(Screen):
    """Enter starts the highlighted scenario; r shows this trainee's scorecards, v the trainer's view."""

    CSS_PATH = "../styles/training.tcss"
    help_title = "Training scenarios"
    help_text = (
        "Each scenario is a synthetic patient with a story to find out. Take the intake as you would "
        "with a real person: ask (F6 on a field shows what the patient says), record, and finish "
        "with F8. The scorecard compares your intake with what a careful one finds: flags caught, "
        "missed and raised wrongly, facts found out, sections and side effects left out, the crisis "
        "path when the suicide screen is positive, and the time taken. Nothing here is a real record, "
        "and the real store is never opened."
    )
    BINDINGS = [
        Binding("enter", "start", "Start", id="scenarios.start", show=True),
        Binding("r", "results", "My scorecards", id="scenarios.results"),
        Binding("v", "trainer_view", "Trainer's view", id="scenarios.trainer_view"),
        Binding("q", "app.quit", "Quit", id="scenarios.quit", show=False),
    ]

    class Start(Message):
        def __init__(self, scenario_id: str) -> None:
            super().__init__()
            self.scenario_id = scenario_id

    def __init__(self, trainee: str) -> None:
        super().__init__()
        self.trainee = trainee
        self.library: Library | None = None

    def compose(self) -> ComposeResult:
        yield TrainingBanner(banner_text(None))
        with Vertical(id="picker-body"):
            yield Static(f"Training scenarios · trainee: {self.trainee} · Enter starts the highlighted one", id="picker-title", markup=False)
            yield OptionList(Option("Loading the scenarios…", disabled=True), id="picker-list")
            yield Static("", id="picker-brief", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def show_library(self, library: Library) -> None:
        self.library = library
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        for scenario in library.scenarios:
            options.add_option(Option(f"  {scenario.title}", id=scenario.id))
        problems = [f"! {p.source}: {'; '.join(p.problems)}" for p in library.problems]
        if problems:
            self.notify("\n".join(problems), title="Scenario files not used", severity="warning", timeout=30)
        if library.scenarios:
            options.highlighted = 0
        options.focus()
        self._show_brief()

    @on(OptionList.OptionHighlighted, "#picker-list")
    def _show_brief(self) -> None:
        if self.library is None:
            return
        options = self.query_one("#picker-list", OptionList)
        for index, scenario in enumerate(self.library.scenarios):  # ▶ marks it without colour (NO_COLOR)
            options.replace_option_prompt_at_index(index, f"{'▶' if index == options.highlighted else ' '} {scenario.title}")
        option = options.highlighted_option
        brief = self.query_one("#picker-brief", Static)
        if option is None or option.id is None:
            brief.update("No scenarios found." if not self.library.scenarios else "")
            return
        scenario = self.library.get(option.id)
        brief.update(f"The patient: {scenario.persona.name}\n{scenario.brief}")

    @on(OptionList.OptionSelected, "#picker-list")
    def action_start(self) -> None:
        option = self.query_one("#picker-list", OptionList).highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.Start(option.id))

    def action_results(self) -> None:
        self.app.action_results()  # type: ignore[attr-defined]

    def action_trainer_view(self) -> None:
        self.app.action_trainer_view()  # type: ignore[attr-defined]
