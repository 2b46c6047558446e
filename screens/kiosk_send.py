"""The end of the kiosk's questions: send the answers to the clinic, then what happens next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static


class KioskSend(Screen):
    """Enter sends; F2 goes back to check the answers."""

    BINDINGS = [Binding("enter", "app.next", "Send", id="kiosk_send.send", show=False)]

    class Send(Message):
        """Send the answers to the clinic's queue."""

    def __init__(self) -> None:
        super().__init__(classes="kiosk-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk-card"):
            yield Static("You have answered all the questions", classes="kiosk-title")
            yield Static(
                "Thank you. When you are ready, send your answers to the clinic. After you send "
                "them, you cannot change them here, but you can tell your doctor about any change.",
                classes="kiosk-body",
            )
            yield Static("", id="send-status", classes="kiosk-small")
            yield Static("Press Enter to send your answers.  F2: go back and check them.", classes="kiosk-hint")

    def go_next(self) -> None:
        self.post_message(self.Send())

    def say(self, words: str) -> None:
        self.query_one("#send-status", Static).update(words)


class KioskDone(Screen):
    """What happens next; Enter (or the idle reset) brings back the welcome for the next person."""

    BINDINGS = [Binding("enter", "app.next", "Done", id="kiosk_done.finish", show=False)]

    class Finished(Message):
        """The person has read it: the welcome for the next person."""

    def __init__(self) -> None:
        super().__init__(classes="kiosk-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk-card"):
            yield Static("Your answers have been sent", classes="kiosk-title")
            yield Static(
                "What happens next:\n\n"
                "1. Please tell the front desk that you have finished.\n"
                "2. A doctor or nurse will go through your answers with you. They will check your "
                "height, weight and blood pressure, and ask a few more questions.\n"
                "3. Together you will decide if this treatment is right for you, and plan your "
                "sessions.\n\n"
                "You will get a sheet to take home that tells you about the treatment.",
                classes="kiosk-body",
            )
            yield Static("Press Enter to finish.", classes="kiosk-hint")

    def go_next(self) -> None:
        self.post_message(self.Finished())
