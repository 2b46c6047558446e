"""The end of a training run: ask before finishing, then the scorecard on screen.

The scorecard is worked out by the core (``ketatui.training.scorecard``); this screen shows it with
marks that need no colour ([x] done, [ ] missed, [!] raised wrongly) and exports it as Markdown and
JSON on ``e``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from ketatui.screens.training_banner import TrainingBanner

if TYPE_CHECKING:
    from ketatui.training.scorecard import Scorecard


class FinishDialog(ModalScreen[bool]):
    """F8 before the plan summary: finish now (Enter) or go on with the intake (Escape)."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [
        Binding("enter", "finish", "Finish and score", id="finish.confirm"),
        Binding("escape", "back", "Back to the intake", id="finish.back"),
    ]

    def __init__(self, left_out: list[str]) -> None:
        super().__init__()
        self.left_out = left_out

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Finish this scenario and see the scorecard?", classes="dialog-title")
            if self.left_out:
                yield Static("Not filled in yet: " + ", ".join(self.left_out) + ". They count as incomplete.", markup=False)
            yield Static("Enter: finish and score · Escape: back to the intake", classes="dialog-hint")

    def action_finish(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)


def scorecard_lines(card: Scorecard) -> str:
    """The scorecard as the trainee reads it on screen (the Markdown export has the same items)."""
    from ketatui.training.scorecard import decision_words

    result = "PERFECT: everything caught" if card.perfect else f"{len(card.misses())} to go over"
    lines = [f"Scorecard · {card.scenario_title}", f"Trainee {card.trainee} · time taken {card.time_taken} · {result}", "", "FLAGS"]
    lines += [f"  [x] caught        {f.code}: {f.title}" for f in card.caught]
    lines += [f"  [ ] MISSED        {f.code}: {f.title}" for f in card.missed]
    lines += [f"  [!] RAISED WRONGLY {f.code}: {f.reason}" for f in card.wrongly_raised]
    if not (card.caught or card.missed or card.wrongly_raised):
        lines.append("  none expected, none raised")
    lines += ["", "FACTS TO FIND OUT"] + [f"  [{'x' if f.elicited else ' '}] {f.text}" for f in card.facts]
    lines += ["", "COMPLETENESS",
              "  Sections incomplete: " + (", ".join(card.sections_incomplete) or "none"),
              "  Side effects not discussed: " + (", ".join(card.topics_not_discussed) or "none")]
    lines += ["", "CRISIS PATH"]
    if card.crisis.needed:
        lines += [f"  [{'x' if s.done else ' '}] {s.text}" for s in card.crisis.steps]
    else:
        lines.append("  not needed: the suicide screen is negative in this scenario")
    d = card.decision
    lines += ["", "COURSE DECISION",
              f"  [{'x' if d.matches else ' '}] recorded: {decision_words(d.recorded_schedulable, d.recorded_sessions)}",
              f"      expected: {decision_words(d.expected_schedulable, d.expected_sessions)}"]
    return "\n".join(lines)


class ScorecardScreen(Screen):
    """The scorecard of the run just finished; e exports it, n picks another scenario."""

    CSS_PATH = "../styles/training.tcss"
    help_title = "Scorecard"
    help_text = (
        "Your intake compared with what a careful intake of this synthetic patient finds. Flags come "
        "from the same rules as in the clinic, run on the answers you recorded. Export writes the "
        "scorecard as Markdown and JSON to the training data folder; `ketatui train results` lists "
        "your past scorecards."
    )
    BINDINGS = [
        Binding("e", "export", "Export", id="scorecard.export"),
        Binding("n", "next_scenario", "Scenarios", id="scorecard.scenarios"),
        Binding("v", "trainer_view", "Trainer's view", id="scorecard.trainer_view"),
    ]

    def __init__(self, card: Scorecard, export_dir: Path, banner: str) -> None:
        super().__init__()
        self.card = card
        self.export_dir = export_dir
        self.banner = banner

    def compose(self) -> ComposeResult:
        yield TrainingBanner(self.banner)
        with VerticalScroll(id="scorecard-body"):
            yield Static(scorecard_lines(self.card), id="scorecard", markup=False)
        yield Static("", id="scorecard-status", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#scorecard-body").focus()

    def action_export(self) -> None:
        from ketatui.training.results import export

        try:
            markdown, json_file = export(self.card, self.export_dir)
        except OSError as exc:
            self.query_one("#scorecard-status", Static).update(f"! Not exported: {exc.strerror or exc}")
            return
        self.query_one("#scorecard-status", Static).update(f"Exported {markdown.name} and {json_file.name} to {markdown.parent}")

    def action_next_scenario(self) -> None:
        self.app.show_start()  # type: ignore[attr-defined]

    def action_trainer_view(self) -> None:
        self.app.action_trainer_view()  # type: ignore[attr-defined]
