"""Automatic logoff for the clinician: after ``clinician_idle_timeout`` seconds without a key or a
click, every screen with health data is covered by the lock screen (HIPAA 164.312(a)(2)(iii)).

The lock screen is a full screen, not a dialog, so nothing under it is drawn; notifications wait
until it is unlocked, and every App action but quitting is off while it shows. The clinician's
signing passphrase unlocks it (checked by the store, wrong tries counting toward the same lock as
signing); Ctrl+Q saves the draft and closes ketatui. Every lock, unlock, wrong passphrase and
close at the lock is an audit line under the clinician's name. The draft is saved as it locks.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ketatui.screens.background import plain

#: The lock's default when the settings are not built yet (the ``clinician_idle_timeout`` default).
DEFAULT_TIMEOUT = 600
#: How often the App looks at the time since the last key.
CHECK_EVERY = 1.0
#: App actions that still work while locked: quitting (which saves first).
ALLOWED_WHILE_LOCKED = frozenset({"quit"})


def _duration(seconds: int) -> str:
    """``10 minutes``, ``1 minute``, ``45 seconds``."""
    count, unit = (seconds // 60, "minute") if seconds % 60 == 0 else (seconds, "second")
    return f"{count} {unit}{'s' if count != 1 else ''}"


class Unlocked(Message):
    """The passphrase was right (``ok``), or ``words`` say why not."""

    def __init__(self, ok: bool, words: str = "") -> None:
        super().__init__()
        self.ok, self.words = ok, words


class LockScreen(Screen[None]):
    """Covers everything: who is locked out, since when, and the passphrase box."""

    CSS_PATH = "../styles/lock.tcss"
    AUTO_FOCUS = "#lock-passphrase"
    BINDINGS = [Binding("ctrl+q", "app.quit", "Save and close ketatui", id="lock.quit", priority=True)]

    def __init__(self, user: str, idle_seconds: int, *, can_unlock: bool, repository: Any) -> None:
        super().__init__()
        self.user, self.repository = user, repository
        self.idle_seconds, self.can_unlock = idle_seconds, can_unlock
        self.locked_at = datetime.now().strftime("%H:%M")
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="lock"):
            yield Static("ketatui is locked", classes="lock-title")
            after = _duration(self.idle_seconds)
            yield Static(f"Locked at {self.locked_at} after {after} without a key, so that no one else can read "
                         f"the records. Clinician: {self.user or '(not known yet)'}.", markup=False)
            if self.can_unlock:
                yield Static(f"Signing passphrase of {self.user}, then Enter, to go on where you were:", markup=False)
                yield Input(password=True, id="lock-passphrase", placeholder="signing passphrase", compact=True)
            else:
                yield Static("This lock can only be closed: there is no signing passphrase to unlock it with "
                             "(it is set at your first signature). Your draft is saved.", markup=False)
            yield Static("", id="lock-message")
            yield Static("Ctrl+Q saves the draft and closes ketatui.", classes="lock-hint")
        yield Footer(compact=True, show_command_palette=False)

    def say(self, words: str) -> None:
        self.query_one("#lock-message", Static).update(words)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self.busy:
            return
        if not event.value:
            self.say("! Signing passphrase: type it, then press Enter.")
            return
        self.busy = True
        self.say("Checking the passphrase…")
        self._check(event.value)

    @work(thread=True, group="unlock", exit_on_error=False)
    def _check(self, passphrase: str) -> None:
        from ketatui.storage import StorageError, WrongPassphrase

        try:
            self.repository.check_signing_passphrase(self.user, passphrase)
        except WrongPassphrase as exc:
            left = (f"Unlocking is now refused until {exc.locked_until} (UTC); Ctrl+Q saves and closes." if exc.locked_until
                    else f"{exc.left} {'try' if exc.left == 1 else 'tries'} left before unlocking is refused for a while.")
            self.post_message(Unlocked(False, f"That is not the signing passphrase of {self.user}. {left}"))
            return
        except StorageError as exc:
            self.post_message(Unlocked(False, plain(exc).replace("Nothing was signed. ", "")))
            return
        except Exception as exc:
            self.post_message(Unlocked(False, f"The passphrase could not be checked: {plain(exc)}"))
            return
        self.post_message(Unlocked(True))

    @on(Unlocked)
    def _unlocked(self, message: Unlocked) -> None:
        self.busy = False
        box = self.query_one("#lock-passphrase", Input)
        box.value = ""
        if message.ok:
            self.app.call_later(self.app.unlock_screen)  # type: ignore[attr-defined]  # on the App, not on this screen
            return
        self.say(f"! {message.words}")
        box.focus()


class IdleLock:
    """Mixed into the clinician App before ``IntakeApp``: watches for keys and clicks, and locks.
    The App gives ``user``, ``settings``, ``repository``, ``step``, ``session``, ``apply`` and
    ``request_save``; it asks ``locked`` in ``check_action``."""

    idle_clock = staticmethod(time.monotonic)
    _last_input: float | None = None
    _held_notices: list[tuple[tuple, dict]] | None = None

    @property
    def locked(self) -> bool:
        return any(isinstance(screen, LockScreen) for screen in self.screen_stack)  # type: ignore[attr-defined]

    @property
    def idle_timeout(self) -> int:
        settings = getattr(self, "settings", None)
        return settings.clinician_idle_timeout if settings is not None else DEFAULT_TIMEOUT

    def on_ready(self) -> None:
        self.start_idle_watch()

    def start_idle_watch(self) -> None:
        self._last_input = self.idle_clock()
        self.set_interval(CHECK_EVERY, self._check_idle_lock, name="idle lock")  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)) and not event.is_forwarded:
            self._last_input = self.idle_clock()
        await super().on_event(event)  # type: ignore[misc]

    def _check_idle_lock(self) -> None:
        if self._last_input is not None and not self.locked and self.idle_clock() - self._last_input >= self.idle_timeout:
            self.lock_screen()

    def lock_screen(self) -> None:
        """Save what is on screen, cover it, hold notifications back, and audit the lock."""
        step, session = self.step, self.session  # type: ignore[attr-defined]
        if step is not None and session is not None:
            self.apply(step, announce=False)  # type: ignore[attr-defined]
            if session.worth_storing() and session.changed():
                self.request_save()  # type: ignore[attr-defined]
        self.clear_notifications()  # type: ignore[attr-defined]
        self._held_notices = []
        repository = self.repository  # type: ignore[attr-defined]
        can_unlock = repository is not None and bool(self.user) and self._has_passphrase(repository)  # type: ignore[attr-defined]
        self.push_screen(LockScreen(self.user, self.idle_timeout, can_unlock=can_unlock, repository=repository))  # type: ignore[attr-defined]
        self._lock_audited = self.audit_access("lock")

    def _has_passphrase(self, repository: Any) -> bool:
        try:
            return bool(repository.has_signing_passphrase(self.user))  # type: ignore[attr-defined]
        except Exception:
            return False

    async def unlock_screen(self) -> None:
        if isinstance(self.screen, LockScreen):  # type: ignore[attr-defined]
            await self.pop_screen()  # type: ignore[attr-defined]
        self._last_input = self.idle_clock()
        self.audit_access("unlock")
        held, self._held_notices = self._held_notices or [], None
        self.call_after_refresh(self._tell_held, held)  # type: ignore[attr-defined]  # once the screen under it is back

    def _tell_held(self, held: list[tuple[tuple, dict]]) -> None:
        for args, kwargs in held:
            self.notify(*args, **kwargs)

    def notify(self, *args: Any, **kwargs: Any) -> None:
        """While locked, a notification (which may name a person) waits for the unlock."""
        if self._held_notices is not None and self.locked:
            self._held_notices.append((args, kwargs))
            return
        super().notify(*args, **kwargs)  # type: ignore[misc]

    async def action_quit(self) -> None:
        if self.locked:
            lock = getattr(self, "_lock_audited", None)
            if lock is not None:
                await lock.wait()  # the audit log reads lock, then logoff, however fast the keys came
            await self.audit_access("logoff").wait()
        await super().action_quit()  # type: ignore[misc]

    @work(thread=True, group="audit", exit_on_error=False)
    def audit_access(self, action: str) -> None:
        repository = self.repository  # type: ignore[attr-defined]
        if repository is None or not self.user:  # type: ignore[attr-defined]
            return
        try:
            repository.log_access(self.user, action)  # type: ignore[attr-defined]
        except Exception as exc:
            self.call_from_thread(super().notify, f"The audit log could not record the {action}: {plain(exc)}",  # type: ignore[attr-defined]
                                  severity="warning")
