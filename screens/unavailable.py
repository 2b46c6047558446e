"""Stands in for a step whose screen is not in this build, so the App still runs end to end."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from ketatui.intake.document import Intake
from ketatui.clinical.protocol import Protocol
from ketatui.screens.step import IntakeStep, StepResult
from ketatui.steps import step
from ketatui.screens.widgets.footer import KeysFooter


class UnavailableStep(IntakeStep):
    """Says plainly that the step is missing; answers saved for it earlier are kept untouched."""

    help_text = "This step's screen is not part of this build of ketatui."

    def __init__(self, step_id: str, intake: Intake, protocol: Protocol, *, audience: str = "clinician") -> None:
        self.step_id = step_id
        self.step_title = step(step_id).title
        super().__init__(intake, protocol, audience=audience)

    def compose(self) -> ComposeResult:
        yield Static(f"{self.step_title}: this screen is not part of this build of ketatui yet. "
                     "Answers already saved for it are kept.", id="unavailable")
        yield KeysFooter(compact=True, show_command_palette=False)  # ctrl+p: in F1 help, no room here

    def collect(self) -> StepResult:
        return StepResult(form_state=dict(self.intake.form_state.get(self.step_id, {})))

    def show_problems(self, problems) -> None:
        pass
