"""Key bindings by id, and the user's keymap from the settings file applied over them.

Every binding has an id ``"<owner>.<action>"``: the owner is the snake_case name of the screen or
widget that holds it (``app`` for the keys that work everywhere, ``medical_history``,
``choice`` for the answer rows), the action is what it does (``app.next``,
``medications.add_row``). A keymap (``Settings.keymap``) maps ids to keys, e.g.
``{"app.next" = "f3,ctrl+right"}``; ``docs/keys.md`` lists every id.

A clinician who mistypes an id is told which id and the nearest ones, instead of the key silently
keeping its old place.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from collections.abc import Mapping
from functools import partial
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

BINDING_ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def binding_owners() -> list[type[DOMNode]]:
    """Every App, screen and widget class in ``ketatui.screens`` that declares bindings of its own."""
    import ketatui.screens as package

    owners: list[type[DOMNode]] = []
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, DOMNode) and value.__module__ == module.__name__
                    and "BINDINGS" in value.__dict__):
                owners.append(value)
    return owners


def own_bindings(owner: type[DOMNode]) -> list[Binding]:
    """The bindings ``owner`` declares itself (a binding written as a tuple has no id: shown as one without)."""
    return [b if isinstance(b, Binding) else Binding(*b) for b in owner.__dict__["BINDINGS"]]


def known_bindings() -> dict[str, Binding]:
    """Every binding in the screens, by id."""
    return {binding.id: binding for owner in binding_owners() for binding in own_bindings(owner) if binding.id}


def keymap_problems(keymap: Mapping[str, str], known: Mapping[str, Binding]) -> dict[str, str]:
    """What is wrong with each entry of ``keymap`` that cannot be applied, in words, by id."""
    problems = {}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=3, cutoff=0.6)
            hint = f"close ones: {', '.join(close)}" if close else "every id is listed in docs/keys.md"
            problems[binding_id] = f"'{binding_id}' is not a key binding id ({hint})."
        elif not _has_keys(keys):
            problems[binding_id] = (f"'{binding_id}' needs one or more keys separated by commas, "
                                    f"e.g. \"{known[binding_id].key}\".")
    return problems


def apply_keymap(app: App[Any], keymap: Mapping[str, str]) -> None:
    """Move the keys named in ``keymap`` at once (``App.set_keymap``; an id that no binding has
    moves nothing). Then, in a thread worker, since knowing every id imports every screen, tell
    the clinician in one notification about each entry that was not applied."""
    if not keymap:
        return
    app.set_keymap({binding_id: "".join(keys.split()) for binding_id, keys in keymap.items() if _has_keys(keys)})
    app.run_worker(partial(_tell_problems, app, dict(keymap)), thread=True, group="keymap", exit_on_error=False)


def _tell_problems(app: App[Any], keymap: dict[str, str]) -> None:
    problems = keymap_problems(keymap, known_bindings())
    if problems:
        app.notify("\n".join(problems.values()), title="Keymap in the settings file: not applied",
                   severity="warning", timeout=20, markup=False)


def _has_keys(keys: object) -> bool:
    return isinstance(keys, str) and all(key.strip() for key in keys.split(","))
