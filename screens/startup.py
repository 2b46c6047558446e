"""Starting the intake App: after the first frame is drawn, a thread worker builds the settings
(unless given), loads the clinic's protocol, opens the store and lists its drafts, then imports
the core and the step screens so that opening an intake is quick. What cannot be used (settings,
protocol, store) is said in words where the role shows it, and no intake starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from ketatui.screens import background
from ketatui.screens.background import DraftOpened, Loaded
from ketatui.screens.themes import theme_for
from ketatui.steps import STEPS

if TYPE_CHECKING:
    from ketatui.settings import Settings


class StartUp:
    """Mixed into the intake App (which provides ``request``, ``settings``, ``repository``,
    ``protocol``, ``user``, ``ready``, ``show_start`` and ``open_intake``); handlers are named
    ``on_<message>`` so Textual finds them here."""

    #: Whether the store's drafts are listed while loading (a role with its own list says no).
    LISTS_DRAFTS = True

    def before_warm_up(self) -> None:
        """Called in the load thread before the core is imported; a role may wait here for a
        moment when the import would not slow down what the user is doing."""

    def show_drafts(self, drafts: list) -> Any:
        """Overridden by a role that lists drafts; called with them once the store is open."""

    def show_error(self, message: str) -> None:
        """What cannot be started, in words, where the role shows it (and as a notification)."""
        self.notify(message, title="Cannot start", severity="error", timeout=30)

    @work(thread=True, group="load", exit_on_error=False)
    def load_in_thread(self) -> None:
        """After the first paint: settings, protocol, store and drafts, then the core."""
        loaded = background.start_up(self.request, self.settings, self.repository, self.protocol, drafts=self.LISTS_DRAFTS)
        self.post_message(loaded)
        if loaded.error is None:
            self.before_warm_up()
            background.warm_up(tuple(s.screen for s in STEPS))

    @work(thread=True, group="load", exit_on_error=False)
    def draft_in_thread(self, record_id: str) -> None:
        self.post_message(background.open_draft(record_id, self.repository, self.protocol, self.user))

    async def on_loaded(self, message: Loaded) -> None:
        if message.error is not None:
            self.show_error(message.error)
            return
        if not self.ready:
            self.apply_settings(message.settings, theme=self.settings is None)
        self.repository, self.protocol, self.ready = message.repository, message.protocol, True
        await self.show_drafts(message.drafts or [])

    def apply_settings(self, settings: Settings, *, theme: bool = True) -> None:
        """The user, theme and keymap, once the settings are built (a theme given with the App's
        settings is already on screen, and may have been toggled since)."""
        self.settings, self.user = settings, settings.user
        if theme:
            self.theme = theme_for(settings.theme)
        if settings.keymap:
            from ketatui.screens.keys import apply_keymap

            apply_keymap(self, settings.keymap)

    async def on_draft_opened(self, message: DraftOpened) -> None:
        if message.session is None:
            self.notify(message.error or "", title="Draft not opened", severity="error", timeout=30)
            self.show_start()
            return
        await self.open_intake(message.session)
