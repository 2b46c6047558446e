"""The kiosk's idle clock: how long since the last key, timed from input only.

A repaint, a timer or a save never counts as activity: only ``touch`` (called on a key or a
mouse press) moves the clock, so a screen that keeps redrawing cannot hold a patient's answers
on screen for the next person. After ``timeout`` seconds a warning counts down ``warning``
seconds; any input in that time continues; at zero the kiosk resets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import monotonic
from typing import Literal

State = Literal["active", "warning", "expired"]


@dataclass
class IdleClock:
    """Seconds since the last input, against the timeout and the warning that follows it."""

    timeout: float
    warning: float
    last_input: float = field(default_factory=monotonic)

    def touch(self, now: float | None = None) -> None:
        """A key or a press: the person is still here."""
        self.last_input = monotonic() if now is None else now

    def idle_for(self, now: float | None = None) -> float:
        return max(0.0, (monotonic() if now is None else now) - self.last_input)

    def state(self, now: float | None = None) -> State:
        idle = self.idle_for(now)
        if idle < self.timeout:
            return "active"
        if idle < self.timeout + self.warning:
            return "warning"
        return "expired"

    def seconds_left(self, now: float | None = None) -> int:
        """Whole seconds of the warning left (rounded up, so it never shows 0 while still counting)."""
        left = self.timeout + self.warning - self.idle_for(now)
        return max(0, int(-(-left // 1)))
