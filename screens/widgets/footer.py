"""The Footer of every step: Textual's, redrawn only when the keys it shows change.

Textual's Footer rebuilds all its keys whenever the screen's bindings may have changed, which is
on every move of the focus: each answer on a questionnaire page (the next question takes the
focus) and each page turn would rebuild a dozen key widgets and restyle them, for the same keys.
This one compares what it would show with what it shows, and rebuilds only when they differ.

It also fits its width: at 80 columns a step's own keys (Add goal, Add clinician, Remove row) and
the App's do not all fit on one line, and Textual's Footer would scroll the last ones out of
sight, cut mid-word ("f4 Go"). This one leaves out whole keys instead, those a clinician needs
least on a step first (``LEAVE_OUT_FIRST``); F1 help lists every key, shown or not.
"""

from __future__ import annotations

from typing import Any

from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: The actions whose keys give way first when the Footer is short of room, in that order: each
#: is in F1 help, and Quit, Records and Go to are also in the command palette.
LEAVE_OUT_FIRST = ("quit", "records", "go_to", "save", "crisis")


class KeysFooter(Footer):
    """A Footer that rebuilds its keys only when the keys, their names or whether they work change."""

    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def _keys(self) -> tuple[Any, ...]:
        """Everything the Footer draws from the bindings, in order."""
        app = self.app
        return tuple(
            (key, binding.key, app.get_key_display(binding), binding.description, binding.action, binding.group,
             binding.tooltip, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        ) + (self.show_command_palette, app.ENABLE_COMMAND_PALETTE)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
            self.call_after_refresh(self.fit_width)

    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self.fit_width)

    def fit_width(self) -> None:
        """Show every key that fits; leave out whole keys, least needed first, until the rest do."""
        if not self.is_attached:
            return
        keys = list(self.query(FooterKey))
        for key in keys:
            key.display = True
        room = self.size.width
        width = {key: key.outer_size.width + key.styles.margin.width for key in keys}
        needed = sum(width.values())
        for action in LEAVE_OUT_FIRST:
            if needed <= room:
                break
            for key in keys:
                if key.action.rsplit(".", 1)[-1] == action and key.display:
                    key.display = False
                    needed -= width[key]
