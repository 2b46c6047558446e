"""Go to (F4): every finished step, and the first one not finished yet."""

from __future__ import annotations

from textual import on
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class StepPicker(ModalScreen[str | None]):
    """The steps in order, those that cannot be reached yet shown but disabled.

    An App keeps one and shows it again (``offer`` then push): building the dialog anew on every
    F4 was most of the time it took to open.
    """

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    def __init__(self, choices: list[tuple[str, str, bool]], current: str) -> None:
        super().__init__()
        self.choices = choices  # (step id, words shown, can go there)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="goto"):
            yield Static("Go to step", classes="dialog-title")
            yield OptionList(*self._options(), id="goto-list")
            yield Static("Enter: go there · Escape: stay here", classes="dialog-hint")

    def _options(self) -> list[Option]:
        return [Option(words, id=step_id, disabled=not ok) for step_id, words, ok in self.choices]

    @classmethod
    def kept(cls, app: App[Any], choices: list[tuple[str, str, bool]], current: str) -> StepPicker:
        """The App's one Go to dialog, built the first time, offering ``choices`` now."""
        if not app.is_screen_installed("go-to"):
            app.install_screen(cls(choices, current), "go-to")
        picker = app.get_screen("go-to")
        assert isinstance(picker, StepPicker)
        picker.offer(choices, current)
        return picker

    def on_mount(self) -> None:
        self._highlight()

    def offer(self, choices: list[tuple[str, str, bool]], current: str) -> None:
        """The steps as they stand now, before the dialog is shown again."""
        changed = choices != self.choices
        self.choices, self.current = choices, current
        if self.is_mounted:
            if changed:
                options = self.query_one(OptionList)
                options.clear_options()
                options.add_options(self._options())
            self._highlight()

    def _highlight(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = next((i for i, (s, _, _) in enumerate(self.choices) if s == self.current), 0)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def step_choices(session) -> list[tuple[str, str, bool]]:
    """(step id, ``2. Current medications (finished)``, can go there) for every step, in order."""
    from ketatui.steps import STEPS

    first_open = session.first_open_step()
    choices = []
    for number, step in enumerate(STEPS, 1):
        done = session.finished(step.id)
        state = "finished" if done else ("next to do" if step.id == first_open else "not reached")
        if not step.required and (plan := session.plan_state()) is not None:
            state = plan  # the summary fills no section: it is done once the plan is saved
        choices.append((step.id, f"{number}. {step.title} ({state})", session.can_go_to(step.id)))
    return choices
