"""A screen whose focus moves without repainting the whole screen.

Textual's ``Screen.focused`` repaints every line of the screen when focus moves. On a
questionnaire page, where each answer moves the focus to the next question, that full repaint
was most of the time between the key and the frame that shows the answer. Nothing on our
screens is drawn from which widget has the focus except the two widgets involved, and Textual
restyles those two itself (their ``:focus`` rules), so only they are drawn again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.reactive import Reactive

if TYPE_CHECKING:
    from textual.widget import Widget


class QuietFocus:
    """Mixed into a ``Screen`` before it in the bases."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
