"""The command palette (ctrl+p): every action that works on the screen it was opened over, found by
name, so a key nobody remembers is one search away. The Footer has no room for it at 80 columns;
F1 help names its key.

The commands are the screen's enabled bindings (the step's own, the App's that work there) with
the keys that do the same, plus what the App offers everywhere (the high-contrast theme). Like
Posting's provider, it asks the screen it was opened on, so it never offers what cannot run there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
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
        widget_key = not binding.show and node is not screen and node is not app  # e.g. an answer row's arrows
        if not enabled or not binding.description or binding.action in PALETTE_ACTIONS or widget_key:
            continue
        identity = (id(node), binding.id or binding.action)
        keys.setdefault(identity, []).append(app.get_key_display(binding))
        found[identity] = (binding.description, node, binding.action)
    commands = [ScreenCommand(title, f"{', '.join(keys[identity])} · {where}", partial(app.run_action, action, node))
                for identity, (title, node, action) in found.items()]
    actions = {action.removeprefix("app.") for _, _, action in found.values()}
    if hasattr(app, "action_toggle_contrast") and "toggle_contrast" not in actions:
        commands.append(ScreenCommand("High contrast on or off", "everywhere", partial(app.run_action, "app.toggle_contrast")))
    return commands


class ScreenCommands(Provider):
    """The palette's commands for the screen under it (``App.COMMANDS = {ScreenCommands}``)."""

    async def discover(self) -> Hits:
        for command in screen_commands(self.screen):
            yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in screen_commands(self.screen):
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)
