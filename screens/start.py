"""The first screen: start a new intake, resume a draft, or quit.

Drafts come from the repository's summaries (name, step, when, who, urgent), loaded by the App in
a thread; until they arrive the list says so. A draft opens at the step where it was left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ketatui.steps import STEPS

MAX_DRAFTS = 9
NO_NAME = "(no name yet)"


@dataclass(frozen=True)
class StartChoice:
    """What the person chose: ``new``, ``resume`` (with the record id) or ``quit``."""

    action: str
    record_id: str | None = None


def when(text: str | None) -> str:
    """``26 Nov 14:02`` in local time, from the stored ISO time."""
    if not text:
        return "never saved"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d %b %H:%M")


def draft_line(number: int, draft) -> str:
    """One draft on one line: number, URGENT, name, where it stopped, when it was saved and by whom."""
    urgent = "!! URGENT  " if draft.urgent else ""
    step = next((s.title for s in STEPS if s.id == draft.current_step), STEPS[0].title)
    by = f" · {draft.updated_by}" if draft.updated_by else ""
    return f"{number}  {urgent}{draft.full_name or NO_NAME} · {step} · {when(draft.updated_at)}{by}"


class StartScreen(Screen):
    """New intake (n), resume a draft (Enter or its number), quit (q). It stays under the steps,
    so the App comes back to it; a choice is posted to the App as ``StartScreen.Chosen``."""

    CSS_PATH = "../styles/start.tcss"  # also on ClinicianApp, which shows it as its default screen
    help_title = "Starting or resuming an intake"
    help_text = (
        "Start a new intake for the person in the room, or carry on with a draft. Drafts are saved "
        "on every step and every answer, so one left by a dropped connection or a closed window "
        "opens again at the same step with every answer. The most urgent drafts come first."
    )
    BINDINGS = [
        Binding("n", "new", "New intake", id="start.new"),
        Binding("enter", "resume", "Resume draft", id="start.resume", show=True),
        Binding("q", "quit", "Quit", id="start.quit"),
        Binding("c", "app.toggle_contrast", "High contrast", id="start.contrast"),
    ] + [Binding(str(n), f"resume_number({n})", show=False, id=f"start.resume_{n}") for n in range(1, MAX_DRAFTS + 1)]

    class Chosen(Message):
        def __init__(self, choice: StartChoice) -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, *, audience_title: str, user: str) -> None:
        super().__init__()
        self.audience_title = audience_title
        self.user = user
        self.drafts: list = []

    def compose(self) -> ComposeResult:
        with Vertical(id="start"):
            yield Static(self.audience_title, id="start-title")
            yield Static(f"Signed in as {self.user}." if self.user else "", id="start-user")
            yield Static("N  Start a new intake\nQ  Quit", id="start-actions")
            yield Static("Drafts to resume (where each stopped, when, who saved it): Enter opens the\nhighlighted one, or press its number.", id="drafts-heading")
            yield Static("Loading drafts…", id="drafts-status")  # the list itself comes with the drafts
        yield Footer()

    def show_user(self, user: str) -> None:
        self.user = user
        self.query_one("#start-user", Static).update(f"Signed in as {user}.")

    async def show_drafts(self, drafts: Sequence) -> None:
        """List ``drafts``; ``self.drafts`` is set once they are on screen."""
        shown = list(drafts)[:MAX_DRAFTS]
        await self.query("#drafts").remove()
        status = self.query_one("#drafts-status", Static)
        status.display = not shown
        status.update("No drafts: press N to start a new intake.")
        if shown:
            options = OptionList(*(Option(draft_line(n, d), id=d.record_id) for n, d in enumerate(shown, 1)), id="drafts")
            await self.query_one("#start", Vertical).mount(options)
            options.highlighted = 0
            options.focus()
        self.drafts = shown
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        self.refresh_bindings()

    def show_error(self, message: str) -> None:
        status = self.query_one("#drafts-status", Static)
        status.display = True
        status.update(f"Drafts cannot be listed: {message}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume":
            return bool(self.drafts)
        if action == "new":
            return getattr(self.app, "ready", True)  # not before the protocol and the store are loaded
        return True

    def _choose(self, action: str, record_id: str | None = None) -> None:
        self.post_message(self.Chosen(StartChoice(action, record_id)))

    def action_new(self) -> None:
        self._choose("new")

    def action_quit(self) -> None:
        self._choose("quit")

    def action_resume(self) -> None:
        options = self.query("#drafts").results(OptionList)
        index = next(options).highlighted if self.drafts else None
        if index is not None:
            self._choose("resume", self.drafts[index].record_id)

    def action_resume_number(self, number: int) -> None:
        if number <= len(self.drafts):
            self._choose("resume", self.drafts[number - 1].record_id)

    @on(OptionList.OptionSelected, "#drafts")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._choose("resume", event.option.id)
