"""Staff at the kiosk: the PIN (hashed in the settings, limited tries, then a lockout) and,
once it is right, what staff may do: go back, start over for the next person, end a crisis hold,
or close the kiosk. The App audits every try and every exit."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

#: What staff may choose, by key: the choice's id and its words.
CHOICES_HOLDING = (("1", "continue", "End the hold and let the person carry on with the questions"),
                   ("2", "start-over", "End the hold, keep the answers for the clinician, start over"),
                   ("3", "close", "Close the kiosk"))
CHOICES = (("1", "back", "Go back to where the person was"),
           ("2", "start-over", "Start over for the next person (the answers are kept for the clinician)"),
           ("3", "close", "Close the kiosk"))


class StaffPinDialog(ModalScreen[bool]):
    """The PIN, hidden as it is typed. Enter checks it; Enter on nothing goes back."""

    DEFAULT_CSS = "StaffPinDialog { align: center middle; background: $background 70%; }"

    def __init__(self, check) -> None:  # check(pin) -> Verdict
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk-card"):
            yield Static("Staff only", classes="kiosk-title")
            yield Static("Type the staff PIN and press Enter. Press Enter with nothing typed to go back.", classes="kiosk-body")
            yield Input(password=True, id="pin-input", max_length=32, placeholder="PIN")
            yield Static("", id="pin-verdict")

    def on_mount(self) -> None:
        self.query_one("#pin-input", Input).focus()

    @on(Input.Submitted, "#pin-input")
    def _entered(self, event: Input.Submitted) -> None:
        pin = event.value
        event.input.value = ""
        if not pin:
            self.dismiss(False)
            return
        verdict = self.check(pin)
        if verdict.ok:
            self.dismiss(True)
        else:
            self.query_one("#pin-verdict", Static).update(verdict.words())


class StaffMenu(ModalScreen[str]):
    """What staff do now; the choice's id is the result."""

    DEFAULT_CSS = "StaffMenu { align: center middle; background: $background 70%; }"
    BINDINGS = [Binding(key, f"choose('{key}')", show=False, id=f"staff_menu.choose_{key}") for key in ("1", "2", "3")]

    def __init__(self, *, holding: bool) -> None:
        super().__init__()
        self.choices = CHOICES_HOLDING if holding else CHOICES

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk-card"):
            yield Static("Staff", classes="kiosk-title")
            yield Static("\n".join(f"{key}  {words}" for key, _, words in self.choices), classes="kiosk-body")
            yield Static("Press 1, 2 or 3.", classes="kiosk-hint")

    def action_choose(self, key: str) -> None:
        chosen = {k: choice for k, choice, _ in self.choices}
        if key in chosen:
            self.dismiss(chosen[key])
