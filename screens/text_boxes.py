"""Text boxes read from their start once left.

Textual's Input keeps its view where the cursor was: after a long goal is typed and the field is
left, the box shows only the tail ("…a week at first, then five"), and whoever reads the step
sees the end of a sentence. Here a box that loses the focus shows its text from the start again,
and one that takes the focus back brings its cursor into view, so typing goes on where it left off.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Region
from textual.widgets import Input


class TextFromTheStart:
    """App mixin: every Input in the App shows the start of its text when it is not being typed in."""

    def on_input_blurred(self, event: Input.Blurred) -> None:
        event.input.scroll_to(x=0, animate=False, immediate=True)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        box = event.widget
        if isinstance(box, Input) and box.value:
            box.scroll_to_region(Region(box._cursor_offset, 0, width=1, height=1), force=True, animate=False, immediate=True)
