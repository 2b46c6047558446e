"""Python's full memory sweep, done when the person pauses and kept short in between.

CPython frees most objects at once, but objects that refer to each other in a cycle (widgets and
their parents, for one) wait for the cyclic garbage collector. Its young generations are quick;
a full sweep walks every object the App holds (about 180,000 once an intake is open) and takes
70-350 ms here. By default one starts every few page turns, wherever the person is: on a key
press it is a visible stall (it was the slowest page turns and answers under the UI benchmark).

``IdleSweeps`` runs the full sweep when no key or mouse event has come for ``IDLE_SECONDS``,
which happens all the time (a question read aloud, an answer thought over), then freezes what
is left (``gc.freeze``): a full sweep that Python still starts by itself in a long burst of
typing walks only what was made since, a few milliseconds. The next pause unfreezes and sweeps
everything again, so nothing that became garbage meanwhile is kept for good. Python's own
threshold for a full sweep is also raised tenfold while the App runs. Textual's
``PAUSE_GC_ON_SCROLL`` holds the collector back in the same spirit while scrolling.
"""

from __future__ import annotations

import gc
import time

from textual import events

IDLE_SECONDS = 1.5  # no input for this long: the person is reading, listening or thinking
CHECK_EVERY = 0.5
DUE = 10  # young-generation sweeps since the last full one: when Python itself would start one
HELD_BACK = 100  # the full sweep's own threshold while the App runs (Python's is 10)


class IdleSweeps:
    """Mixed into an App: full sweeps when the person pauses; everything as it was on exit."""

    _input_at = 0.0
    _thresholds: tuple[int, int, int] | None = None

    def hold_back_sweeps(self) -> None:
        """From now on (called once the App is mounted) until the App closes; on a terminal only:
        under Pilot (headless, tests) Python's collector is left as it is, so a sweep never lands
        inside a test's timing."""
        if self._thresholds is None and not self.is_headless:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, HELD_BACK)
            self.set_interval(CHECK_EVERY, self._sweep_if_idle, name="idle sweeps")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._input_at = time.monotonic()
        await super().on_event(event)

    def _sweep_if_idle(self) -> None:
        if time.monotonic() - self._input_at >= IDLE_SECONDS and gc.get_count()[2] >= DUE:
            gc.unfreeze()
            gc.collect()
            gc.freeze()

    def on_unmount(self) -> None:
        """The App is closing: Python's own collector again (tests run many Apps in one process)."""
        if self._thresholds is not None:
            gc.unfreeze()
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
