"""A short list of answers shown all at once, picked with one key: the instruments' answer widget.

Every choice is on screen with its key, so a clinician reading a question aloud can type the
patient's answer straight away (``2`` for "More than half the days", ``y`` for yes). The chosen
answer is marked with a filled circle and bold reverse text, never by colour alone. Choices wrap
between answers (never inside one) so the row fits any width without horizontal scrolling.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.events import Key
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

CHOSEN, NOT_CHOSEN = "●", "○"
GAP = " "


class ChoiceRow(Widget, can_focus=True):
    """Pick one of a few answers: its key, or ←/→ then Space. Enter picks and moves on; Tab moves on;
    Backspace clears. A key moves on by itself only where ``advance_on_key`` is set (questionnaires,
    read aloud one after another); elsewhere a habitual Tab after a key must never skip a question."""

    BINDINGS = [
        Binding("left", "move(-1)", "Previous answer", show=False, id="choice.previous"),
        Binding("right", "move(1)", "Next answer", show=False, id="choice.next"),
        Binding("space", "choose", "Choose", show=False, id="choice.choose"),
        Binding("enter", "choose_and_go", "Choose and go on", show=False, id="choice.choose_and_go"),
        Binding("backspace,delete", "clear", "Clear the answer", show=False, id="choice.clear"),
    ]
    COMPONENT_CLASSES = {"choice--chosen", "choice--cursor", "choice--focused"}
    DEFAULT_CSS = """
    ChoiceRow {
        height: auto;
        width: 1fr;
        & > .choice--chosen { text-style: bold reverse; }
        & > .choice--cursor { text-style: underline; }
        & > .choice--focused { background: $boost; }
    }
    """

    stays_on_last = False  # see go_on
    value: reactive[Any] = reactive(None, init=False)
    cursor: reactive[int] = reactive(0)

    class Changed(Message):
        """The answer changed (``value`` is the chosen option's value, or None when cleared)."""

        def __init__(self, choice_row: "ChoiceRow", value: Any) -> None:
            super().__init__()
            self.choice_row = choice_row
            self.value = value

        @property
        def control(self) -> "ChoiceRow":
            return self.choice_row

    def __init__(
        self,
        options: Sequence[tuple[str, Any]],
        *,
        keys: Sequence[str] | None = None,
        value: Any = None,
        advance_on_key: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.options = list(options)
        self.advance_on_key = advance_on_key
        self.keys = list(keys) if keys is not None else [str(n + 1) for n in range(len(self.options))]
        if len(self.keys) != len(self.options):
            raise ValueError("ChoiceRow needs one key per option")
        self.set_reactive(ChoiceRow.value, value)
        index = self._index_of(value)
        self.set_reactive(ChoiceRow.cursor, index if index is not None else 0)

    def _index_of(self, value: Any) -> int | None:
        for index, (_, option_value) in enumerate(self.options):
            if value is not None and option_value == value and type(option_value) is type(value):
                return index
        return None

    @property
    def chosen_label(self) -> str | None:
        index = self._index_of(self.value)
        return None if index is None else self.options[index][0]

    # --- drawing ---

    def _pieces(self) -> list[str]:
        return [
            f"{CHOSEN if self._index_of(self.value) == i else NOT_CHOSEN}{key} {label}"
            for i, ((label, _), key) in enumerate(zip(self.options, self.keys))
        ]

    def _lines(self, width: int) -> list[list[int]]:
        """Option indexes per line, wrapping between options only."""
        lines: list[list[int]] = [[]]
        used = 0
        for index, piece in enumerate(self._pieces()):
            needed = cell_len(piece) + (cell_len(GAP) if lines[-1] else 0)
            if lines[-1] and used + needed > width:
                lines.append([])
                used, needed = 0, cell_len(piece)
            lines[-1].append(index)
            used += needed
        return lines

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return sum(cell_len(p) for p in self._pieces()) + cell_len(GAP) * (len(self.options) - 1)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(max(width, 1)))

    def render(self) -> Content:
        """The answers; on the focused row, its whole width on the ``choice--focused`` background
        (drawn here rather than by a ``:focus`` rule, see ``watch_has_focus``)."""
        pieces = self._pieces()
        chosen = self._index_of(self.value)
        focus = ("choice--focused",) if self.has_focus else ()
        chosen_style = self.get_visual_style(*focus, "choice--chosen")
        cursor_style = self.get_visual_style(*focus, "choice--cursor")
        width = max(self.size.width, 1)
        lines: list[Content] = []
        for line in self._lines(width):
            parts: list[Content] = []
            for position, index in enumerate(line):
                if position:
                    parts.append(Content(GAP))
                piece = Content(pieces[index])
                if index == chosen:
                    piece = piece.stylize(chosen_style)
                if self.has_focus and index == self.cursor:
                    piece = piece.stylize(cursor_style)
                parts.append(piece)
            lines.append(Content.assemble(*parts))
        if self.has_focus:
            focused = self.get_visual_style("choice--focused")
            lines = [line.pad_right(width - line.cell_length).stylize_before(focused) for line in lines]
        return Content("\n").join(lines)

    def watch_has_focus(self, has_focus: bool) -> None:
        """Only this row is drawn again. Textual's own watcher matches the whole stylesheet against
        the row losing the focus and the one taking it, a fifth of every answer's frame, since
        each answer moves the focus on; nothing in the stylesheet reads a row's ``:focus``."""
        self.refresh()

    # --- answering ---

    def choose(self, index: int) -> None:
        self.cursor = index
        self.value = self.options[index][1]

    def action_clear(self) -> None:
        self.value = None

    def watch_value(self, value: Any) -> None:
        self.refresh()  # a chosen mark is as wide as an empty one: the row keeps its size
        self.post_message(self.Changed(self, value))

    def watch_cursor(self) -> None:
        self.refresh()

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(self.options)

    def action_choose(self) -> None:
        self.choose(self.cursor)

    def action_choose_and_go(self) -> None:
        self.choose(self.cursor)
        self.go_on()

    def go_on(self) -> None:
        """Focus the next question on this row's page. The page's last question keeps the focus
        where ``stays_on_last`` is set (the medical history: F3 goes on, and wrapping back to the
        top lost the place); elsewhere the screen decides what comes next (a form's next part).
        Looking only at the widgets after this row is what keeps an answer's frame quick: the
        screen's whole focus chain walks and sorts every widget of every page."""
        following = next_focusable(self)
        if following is not None:
            self.screen.set_focus(following)
        elif not self.stays_on_last:
            self.screen.focus_next()

    def on_key(self, event: Key) -> None:
        key = (event.character or "").lower()
        if key in self.keys:
            event.stop()
            event.prevent_default()
            self.choose(self.keys.index(key))
            if self.advance_on_key:
                self.go_on()


def next_focusable(widget: Widget) -> Widget | None:
    """The first widget that can take the focus after ``widget`` in reading order, inside its
    page (the nearest scrolling container), skipping hidden parts; None when there is none."""
    node: Widget = widget
    while isinstance(parent := node.parent, Widget) and not isinstance(node, ScrollableContainer):
        siblings = list(parent.children)
        for sibling in siblings[siblings.index(node) + 1:]:
            if (found := _first_focusable(sibling)) is not None:
                return found
        node = parent
    return None


def _first_focusable(node: Widget) -> Widget | None:
    if not node.display:
        return None
    if node.focusable:
        return node
    for child in node.children:
        if isinstance(child, Widget) and (found := _first_focusable(child)) is not None:
            return found
    return None
