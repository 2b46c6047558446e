"""The command palette (ctrl+p): every action that works on the screen it was opened over, found by
name, so a key nobody remembers is one search away. The Footer has no room for it at 80 columns;
F1 help names its key.

The commands are the screen's enabled bindings (the step's own, the App's that work there) with
the keys that do the same, plus what the App offers everywhere (the high-contrast theme). Like
Posting's provider, it asks the screen it was opened on, so it never offers what cannot run there.
They are read by ``open_palette`` just before the palette covers the screen: once it is covered,
the App turns its step keys off (they must never act on a step under a dialog).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

PALETTE_ACTIONS = frozenset({"command_palette", "app.command_palette"})


@dataclass(frozen=True)
class ScreenCommand:
    title: str
    help: str
    run: Callable[[], Awaitable[Any] | Any]


def screen_commands(screen: Screen[Any]) -> list[ScreenCommand]:
    """The commands for ``screen``: each enabled binding with a description, once, with all its keys."""
    app = screen.app
    where = getattr(screen, "step_title", None) or getattr(screen, "help_title", None) or "this screen"
    keys: dict[tuple[int, str], list[str]] = {}
    found: dict[tuple[int, str], tuple[str, Any, str]] = {}  # (what it does, where it is bound, action)
    for node, binding, enabled, _ in screen.active_bindings.values():
        # Only ketatui's own bindings (they have ids; Textual's Tab and the like do not), and not a
        # field's hidden keys (an answer row's arrows): those work where the cursor is, not by name.
        hidden_in_a_field = not binding.show and node is not screen and node is not app
        if not (enabled and binding.id and binding.description) or binding.action in PALETTE_ACTIONS or hidden_in_a_field:
            continue
        identity = (id(node), binding.id)
        keys.setdefault(identity, []).append(app.get_key_display(binding))
        found[identity] = (binding.description, node, binding.action)
    commands = [ScreenCommand(title, f"{', '.join(keys[identity])} · {where}", partial(app.run_action, action, node))
                for identity, (title, node, action) in found.items()]
    actions = {action.removeprefix("app.") for _, _, action in found.values()}
    if hasattr(app, "action_toggle_contrast") and "toggle_contrast" not in actions:
        commands.append(ScreenCommand("High contrast on or off", "everywhere", partial(app.run_action, "app.toggle_contrast")))
    return commands


#: The commands of each screen the palette was opened over, read while that screen was in front.
_read_in_front: WeakKeyDictionary[Screen[Any], list[ScreenCommand]] = WeakKeyDictionary()


def open_palette(app: App[Any]) -> None:
    """Ctrl+P (the App's ``action_command_palette``): the palette over the screen in front, with
    that screen's commands as they are now."""
    if not CommandPalette.is_open(app):
        _read_in_front[app.screen] = screen_commands(app.screen)
        app.push_screen(CommandPalette(id="--command-palette"))


class ScreenCommands(Provider):
    """The palette's commands for the screen under it (``App.COMMANDS = {ScreenCommands}``)."""

    @property
    def commands(self) -> list[ScreenCommand]:
        return _read_in_front.get(self.screen) or screen_commands(self.screen)

    async def discover(self) -> Hits:
        for command in self.commands:
            yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands:
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)
