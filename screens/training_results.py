"""Past scorecards: one trainee's (``r``), and the trainer's view across trainees (``v``): who
missed which flag, as a table and a bar chart drawn in characters (# missed, . caught), which reads
the same in any theme and with ``NO_COLOR``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ketatui.screens.training_banner import TrainingBanner

if TYPE_CHECKING:
    from ketatui.training.scorecard import Scorecard


class _Back(Screen):
    CSS_PATH = "../styles/training.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="results.back")]

    def __init__(self, banner: str) -> None:
        super().__init__()
        self.banner = banner

    def action_back(self) -> None:
        self.dismiss()


class TraineeResults(_Back):
    """This trainee's scorecards, newest first."""

    help_title = "My scorecards"
    help_text = "Every scenario you finished, newest first: the result, the time taken and the flags you missed."

    def __init__(self, banner: str, trainee: str, cards: list[Scorecard]) -> None:
        super().__init__(banner)
        self.trainee = trainee
        self.cards = cards

    def compose(self) -> ComposeResult:
        from ketatui.training.results import trainee_lines

        yield TrainingBanner(self.banner)
        yield Static(f"Scorecards of {self.trainee}", classes="results-title", markup=False)
        if self.cards:
            table: DataTable = DataTable(id="results-table", cursor_type="row", zebra_stripes=True)
            rows = trainee_lines(self.cards)
            table.add_columns(*rows[0])
            table.add_rows(rows[1:])
            yield table
        else:
            yield Static("No scorecards yet: finish a scenario (F8) and it is kept here.", markup=False)
        yield Footer(compact=True, show_command_palette=False)


class TrainerView(_Back):
    """Across trainees and scenarios: each trainee's runs, and who missed which flag."""

    help_title = "Trainer's view"
    help_text = ("Every scorecard kept in the training data folder. The table says, for each flag a scenario "
                 "expects, how often it was expected, how often missed and by whom; the chart shows the share "
                 "of runs that missed it (# missed, . caught), most missed first.")

    def __init__(self, banner: str, cards: list[Scorecard]) -> None:
        super().__init__(banner)
        self.cards = cards

    def compose(self) -> ComposeResult:
        from ketatui.training.results import summary

        view = summary(self.cards)
        yield TrainingBanner(self.banner)
        with VerticalScroll(id="view-body"):
            if not view.trainees:
                yield Static("No scorecards yet: the view fills in as trainees finish scenarios.", markup=False)
            else:
                trainees: DataTable = DataTable(id="view-trainees", cursor_type="none", show_cursor=False)
                trainees.add_columns("TRAINEE", "RUNS", "PERFECT", "FLAGS MISSED")
                trainees.add_rows([(t.trainee, t.runs, t.perfect, t.flags_missed) for t in view.trainees])
                yield trainees
                yield Static("Who missed which flag", classes="results-title")
                flags: DataTable = DataTable(id="view-flags", cursor_type="none", show_cursor=False)
                rows = view.table()
                flags.add_columns(*rows[0])
                flags.add_rows(rows[1:])
                yield flags
                yield Static("Share of runs that missed each flag (# missed, . caught)", classes="results-title")
                yield Static("\n".join(view.chart(width=24)), id="view-chart", markup=False)
        yield Footer(compact=True, show_command_palette=False)
