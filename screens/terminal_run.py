"""Running an App on a real terminal: its frames let out as soon as they are drawn, and the
start-up not slowed by the garbage collector.

Textual writes each frame from its own output thread, and that thread needs the interpreter lock
to write. Python hands the lock from one thread to another only every 5 ms by default, so a frame
the event loop had finished waited behind whatever the loop did next (an answer's rules, the
draft's snapshot for the save) before it reached the screen: up to 5 ms of every keystroke. A
1 ms interval lets the frame out first; the work behind it barely notices.

Starting the App creates a few hundred thousand objects that live as long as it does (Textual's
classes and stylesheets, our modules); the collector scanned them again and again while none was
garbage, about 15 ms of every start. The command holds collection off from before the App's
imports until its first frame is out, then freezes what exists (``gc.freeze``: the collections
Python starts by itself skip it) and lets collection run; what the core loads after the first
paint is frozen the same way once it has loaded. The full sweeps made while the person pauses
(``idle_sweeps.py``) unfreeze and look at everything, so nothing that became garbage is kept for
good. Only a run on a terminal does this, never an App under test.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

SWITCH_INTERVAL = 0.001  # seconds
_held = False  # collection held off by collection_held, not yet resumed
_on_terminal = False  # run_on_terminal is running an App


@contextmanager
def collection_held() -> Iterator[None]:
    """Hold the collector off until the App's first frame (see the module's docstring), or until
    the block ends, whatever ends it."""
    global _held
    gc.disable()
    _held = True
    try:
        yield
    finally:
        resume_collection()


def run_on_terminal(app: App[int]) -> int:
    """Run ``app`` until it exits; its exit code (0 when it returned none)."""
    global _on_terminal
    sys.setswitchinterval(SWITCH_INTERVAL)
    _on_terminal = True
    try:
        return app.run() or 0
    finally:
        _on_terminal = False


def resume_collection() -> None:
    """The first frame is out: freeze what exists and let the collector run again."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()


def settled() -> None:
    """The core has loaded: what it brought lives as long as the App, so it is frozen too (until
    the next sweep in a pause)."""
    if _on_terminal and not _held:
        gc.freeze()
