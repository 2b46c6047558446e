"""A screen lays itself out only for the size the terminal has now.

Textual tells a screen of a resize twice: the App forwards the terminal's Resize, and the screen's
own layout, having changed the screen's size, posts it one more notice. A screen under another
(the records under a step or under the too-small message, a step under a dialog) is laid out by
the screen on top as well, so that second notice can arrive after a newer size has been applied.
Laying out again at that stale size changes the size once more, which posts another notice: with
two sizes queued, the two chase each other for ever and the App hangs (the too-small test did, on
Pilot's resize). A notice for a size the terminal no longer has is dropped here; the newer one,
already on its way, lays the screen out.
"""

from __future__ import annotations

from textual import events


class SteadyResize:
    """Mixed into a Screen, before it: stale resize notices go no further."""

    def _on_resize(self, event: events.Resize) -> None:
        if event.size != self.app.size:
            event.stop()
            event.prevent_default()  # Screen's own handler would lay the screen out at the stale size
