"""Signing: the plan exactly as it will be frozen, and the clinician's signing passphrase.

``prepare`` reads the record in a thread (the read is one audit line) and renders its stored plan
with the core's ``plan_markdown``, so what is shown is what is signed. The first time a clinician
signs, the dialog asks them to set a passphrase, twice; after that, once. A wrong passphrase is
counted by the store, which says how many tries are left; the dialog only shows it.

A plan that is not yet a revision (the course's adjusted plan) comes with ``revise``: the dialog
calls it once, just before signing, to write the amendment it then signs, so cancelling before the
passphrase leaves the signed plan untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Markdown, Static


@dataclass(frozen=True)
class ToSign:
    """What the dialog shows: the record, its plan as Markdown, and what an amendment changed."""

    record_id: str
    rev: int
    name: str
    plan: str
    first_passphrase: bool
    changes: list[str] = field(default_factory=list)
    reason: str | None = None
    title: str | None = None
    revise: Callable[[], int] | None = None  # writes the revision to sign and returns its number


def prepare(repository: Any, record_id: str, user: str) -> ToSign:
    """Read the record and render the plan that signing will freeze (blocking: call from a thread)."""
    from ketatui.clinical.plan import Plan
    from ketatui.exchange.markdown import plan_markdown
    from ketatui.intake.changes import changes
    from ketatui.intake.document import parse_intake
    from ketatui.intake.listing import listing

    doc = repository.get(record_id, user=user)
    intake = parse_intake(doc)
    if intake.plan is None:
        missing = ", ".join(p.label for p in intake.missing_sections()) or "the plan was not derived"
        raise ValueError(f"there is no plan to sign yet (missing: {missing}); open the intake and finish it")
    name = listing(intake).full_name or "(no name yet)"
    changed: list[str] = []
    reason = None
    if intake.amends_rev:
        signed = repository.get(record_id, user=user, rev=intake.amends_rev)
        changed = [str(c) for c in changes(signed, doc)]
        notes = [n for n in repository.amendments(record_id, user=user) if n["rev"] <= intake.rev]
        reason = notes[-1]["reason"] if notes else None
    return ToSign(record_id, intake.rev, name, plan_markdown(Plan.model_validate(intake.plan), intake),
                  first_passphrase=not repository.has_signing_passphrase(user), changes=changed, reason=reason)


def refusal(exc: Exception) -> str:
    """Why nothing was signed, short enough for one line of the dialog (the store counts the tries)."""
    from ketatui.storage import WrongPassphrase

    if isinstance(exc, WrongPassphrase):
        if exc.locked_until:
            return f"Wrong passphrase. Signing is locked for {exc.user} until {exc.locked_until} UTC."
        return f"Wrong passphrase: {exc.left} {'try' if exc.left == 1 else 'tries'} left. Nothing was signed."
    return str(exc)


class SignDialog(ModalScreen[dict | None]):
    """The plan to freeze, then the passphrase; Enter signs, Escape cancels."""

    CSS_PATH = "../styles/records_browser.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="sign.cancel"),
        Binding("pagedown", "scroll_plan(1)", "Scroll the plan", id="sign.scroll_down", show=False),
        Binding("pageup", "scroll_plan(-1)", "Scroll the plan back", id="sign.scroll_up", show=False),
    ]

    class Outcome(Message):
        def __init__(self, signed: dict | None, words: str = "") -> None:
            super().__init__()
            self.signed, self.words = signed, words

    def __init__(self, to_sign: ToSign, *, repository: Any, user: str) -> None:
        super().__init__()
        self.to_sign = to_sign
        self.repository = repository
        self.user = user
        self.first = to_sign.first_passphrase
        self.busy = False
        self.revised: int | None = None  # the revision ``revise`` wrote, signed on every later try

    def compose(self) -> ComposeResult:
        s = self.to_sign
        with Vertical(id="dialog", classes="sign"):
            yield Static(s.title or f"Sign the plan: {s.name}, revision {s.rev}", classes="dialog-title", markup=False)
            if s.reason is not None or s.changes:
                lines = [f"Amendment: {s.reason}"] + [f"  {c}" for c in s.changes or ["(no answer changed)"]]
                yield Static("\n".join(lines), id="sign-changes", markup=False)
            with VerticalScroll(id="sign-plan"):
                yield Markdown(s.plan)
            if self.first:
                yield Static(f"First signature: set a signing passphrase for {self.user}, typed twice (8+ characters).")
                yield Input(password=True, id="sign-new", placeholder="new signing passphrase", compact=True)
                yield Input(password=True, id="sign-again", placeholder="the same again", compact=True)
            else:
                yield Static(f"Signing passphrase for {self.user}:")
                yield Input(password=True, id="sign-passphrase", placeholder="signing passphrase", compact=True)
            yield Static("", id="sign-message")
            yield Static("Enter signs and freezes this plan · PgUp/PgDn scroll it · Escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def _say(self, words: str) -> None:
        self.query_one("#sign-message", Static).update(words)

    def action_scroll_plan(self, direction: int) -> None:
        plan = self.query_one("#sign-plan", VerticalScroll)
        (plan.scroll_page_down if direction > 0 else plan.scroll_page_up)(animate=False)

    def action_cancel(self) -> None:
        if self.busy:
            return  # signing is under way: its outcome closes the dialog
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self.busy:
            return
        if event.input.id == "sign-new":
            self.query_one("#sign-again", Input).focus()
            return
        from ketatui.storage.signing import PassphraseRefused, check_new

        if self.first:
            new, again = self.query_one("#sign-new", Input).value, self.query_one("#sign-again", Input).value
            try:
                check_new(new, again)
            except PassphraseRefused as exc:
                self._say(f"! {exc}")
                self._clear()
                return
            passphrase = new
        else:
            passphrase = self.query_one("#sign-passphrase", Input).value
            if not passphrase:
                self._say("! Signing passphrase: type it, then press Enter.")
                return
        self.busy = True
        self._say("Checking the passphrase…")
        self._sign(passphrase)

    @work(thread=True, group="sign", exit_on_error=False)
    def _sign(self, passphrase: str) -> None:
        try:
            if self.first:
                self.repository.set_signing_passphrase(self.user, passphrase)
            if self.to_sign.revise is not None and self.revised is None:
                self.revised = self.to_sign.revise()
            signed = self.repository.sign(self.to_sign.record_id, user=self.user, expected_rev=self.revised or self.to_sign.rev,
                                          passphrase=passphrase)
        except Exception as exc:
            self.post_message(self.Outcome(None, refusal(exc)))
            return
        self.post_message(self.Outcome(signed))

    @on(Outcome)
    def _outcome(self, message: Outcome) -> None:
        self.busy = False
        if message.signed is not None:
            self.dismiss(message.signed)
            return
        if self.first and self.repository.has_signing_passphrase(self.user):
            self.first = False  # set, but signing failed: next time it is asked once
        self._say(f"! {message.words}")
        self._clear()

    def _clear(self) -> None:
        """Empty the boxes and start again at the first: a passphrase is typed whole each time."""
        for box in self.query(Input):
            box.value = ""
        self.query(Input).first().focus()
