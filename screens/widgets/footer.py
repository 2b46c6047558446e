"""The Footer of every step: Textual's, redrawn only when the keys it shows change.

Textual's Footer rebuilds all its keys whenever the screen's bindings may have changed, which is
on every move of the focus: each answer on a questionnaire page (the next question takes the
focus) and each page turn would rebuild a dozen key widgets and restyle them, for the same keys.
This one compares what it would show with what it shows, and rebuilds only when they differ.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


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
