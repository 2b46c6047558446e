"""What a person at 80x24 would see cut short: read from Textual's own widgets and regions.

``cut_short(app, where)`` walks the screen on top and lists, in words a later fix can act on
(the screen, the widget's id, the text, its width against the room it has):

- a one-line text (a Label, a Button, a radio or check box label, a Static styled one line high)
  wider than its widget: it wraps or is cut;
- a Footer key that is not wholly on screen (Textual's Footer scrolls the rest out of sight);
- a list row (OptionList option) wider than the list: it wraps onto a second line;
- a DataTable whose columns are wider than the table, or a cell wider than its column;
- an Input left (not focused) that shows the tail of its text and hides the start;
- a widget that reaches past the right edge of the terminal;
- a scrollbar drawn inside a bordered box that has nothing to scroll;
- the focused widget (the question being answered) partly off screen.

No pixels are compared: pictures are the snapshot tests' job.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual.app import App
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, OptionList, RadioButton, Static


def _plain(renderable: object) -> str:
    for attribute in ("plain", "markup"):
        value = getattr(renderable, attribute, None)
        if isinstance(value, str) and attribute == "plain":
            return value
    return str(renderable)


def _widest(text: str) -> tuple[int, str]:
    lines = text.split("\n") or [""]
    widest = max(lines, key=cell_len)
    return cell_len(widest), widest


def _name(widget: Widget) -> str:
    """The widget as a selector a fix can search for: its type, id and classes."""
    where = type(widget).__name__
    if widget.id:
        where += f"#{widget.id}"
    classes = ".".join(sorted(widget.classes))
    if classes:
        where += f".{classes}"
    parent = widget.parent
    while parent is not None and not getattr(parent, "id", None):
        parent = parent.parent
    if parent is not None and parent.id and parent is not widget.screen:
        where += f" in #{parent.id}"
    return where


def _shown(widget: Widget) -> bool:
    """Displayed, visible, and inside the screen's layout (a widget scrolled out of sight still counts)."""
    node: Widget | None = widget
    while node is not None and isinstance(node, Widget):
        if not node.display or node.styles.visibility == "hidden":
            return False
        node = node.parent if isinstance(node.parent, Widget) else None
    return widget.size.width > 0


#: A label longer than this is a question or a sentence, written to wrap; shorter ones name a field.
LABEL_WORDS = 50
#: Lists whose rows are paragraphs, written to wrap (the side-effect topics).
PROSE_LISTS = {"TopicChecklist"}


def _one_line(widget: Widget) -> bool:
    """Text that is meant to sit on one line."""
    if isinstance(widget, Label) and type(widget) is Label or isinstance(widget, Label) and "field-label" in widget.classes:
        return cell_len(_plain(widget.render())) <= LABEL_WORDS
    if isinstance(widget, (Label, Button, RadioButton, Checkbox)):
        return True
    styles = widget.styles
    height = styles.height
    return (styles.text_wrap == "nowrap" or styles.text_overflow == "ellipsis"
            or (height is not None and height.is_cells and height.value == 1))


def _text_of(widget: Widget) -> str:
    if isinstance(widget, (RadioButton, Checkbox)):
        return _plain(widget.label) + "  " * 2  # the box and its gap are drawn before the label
    if isinstance(widget, Button):
        return _plain(widget.label)
    return _plain(widget.render())


def _room(widget: Widget) -> int:
    return widget.size.width


def _one_line_texts(widgets: Iterable[Widget]) -> list[str]:
    problems = []
    for widget in widgets:
        if not isinstance(widget, (Static, Button)) or isinstance(widget, Footer) or not _one_line(widget):
            continue
        if type(widget).__module__.startswith("textual.widgets._footer"):
            continue
        text = _text_of(widget)
        if not text.strip():
            continue
        width, line = _widest(text)
        room = _room(widget)
        if width > room:
            problems.append(f"{_name(widget)}: one-line text {line.strip()!r} is {width} cells, room {room}: it wraps or is cut")
    return problems


def _footers(screen, widgets: Iterable[Widget], width: int) -> list[str]:
    problems = []
    for footer in widgets:
        if not isinstance(footer, Footer):
            continue
        keys = [k for k in footer.query("FooterKey") if k.display]
        for key in keys:
            right = key.virtual_region.right
            if right > footer.size.width or key.region.width < key.virtual_region.width:
                label = f"{getattr(key, 'key_display', '')} {getattr(key, 'description', '')}".strip()
                problems.append(f"{_name(footer)}: Footer key {label!r} ends at column {right}, room {footer.size.width}: "
                                "off screen (fewer or shorter keys, or a key-help line)")
    return problems


def _option_lists(widgets: Iterable[Widget]) -> list[str]:
    problems = []
    for widget in widgets:
        if not isinstance(widget, OptionList) or type(widget).__name__ in PROSE_LISTS:
            continue
        room = widget.scrollable_content_region.width
        for index in range(widget.option_count):
            option = widget.get_option_at_index(index)
            width, line = _widest(_plain(option.prompt))
            if width > room:
                problems.append(f"{_name(widget)}: row {index} {line.strip()!r} is {width} cells, room {room}: it wraps")
    return problems


def _tables(widgets: Iterable[Widget]) -> list[str]:
    problems = []
    for table in widgets:
        if not isinstance(table, DataTable):
            continue
        columns = list(table.columns.values())
        needed = sum(c.get_render_width(table) for c in columns) + (table._row_label_column_width if table.show_row_labels else 0)
        room = table.scrollable_content_region.width
        if needed > room:
            problems.append(f"{_name(table)}: columns {[_plain(c.label) for c in columns]} need {needed} cells, room {room}: "
                            "the table scrolls sideways")
        for row_key in table.rows:
            for column, cell in zip(columns, table.get_row(row_key)):
                width, line = _widest(_plain(cell))
                if not column.auto_width and width > column.content_width:
                    problems.append(f"{_name(table)}: cell {line.strip()!r} in column {_plain(column.label)!r} is {width} cells, "
                                    f"room {column.content_width}: it is cut")
    return problems


def _inputs(app: App, widgets: Iterable[Widget]) -> list[str]:
    problems = []
    for widget in widgets:
        if isinstance(widget, Input) and widget is not app.focused and widget.value and widget.scroll_x > 0:
            problems.append(f"{_name(widget)}: left showing the tail of {widget.value!r} "
                            f"({cell_len(widget.value)} cells, room {widget.content_size.width}): its start is hidden")
    return problems


def _past_the_edge(widgets: Iterable[Widget], width: int) -> list[str]:
    problems = []
    for widget in widgets:
        region = widget.region
        if region.width and region.right > width:
            problems.append(f"{_name(widget)}: reaches column {region.right}, the terminal has {width}")
    return problems


def _distance(one, other) -> int:
    return sum(abs(a - b) for a, b in zip(one.rgb, other.rgb))


#: Below this (the sum of the red, green and blue differences) a track does not show against what is behind it.
UNSEEN = 40


def _stray_scrollbars(widgets: Iterable[Widget]) -> list[str]:
    """A scrollbar inside a bordered box with nothing to scroll, or a scrollbar whose track does
    not show against the background, so that its thumb's half blocks look like stray characters."""
    problems = []
    for widget in widgets:
        if widget.show_vertical_scrollbar and widget.region.height:
            track = widget.styles.scrollbar_background
            behind = widget.background_colors[1]
            if _distance(track.blend(behind, 1 - track.a) if track.a < 1 else track, behind) < UNSEEN:
                problems.append(f"{_name(widget)}: its scrollbar track {track.hex} does not show against {behind.hex}: "
                                "the thumb reads as stray characters")
        styles = widget.styles
        bordered = any(edge[0] not in ("", "none", "hidden") for edge in (styles.border_top, styles.border_right))
        if not bordered:
            continue
        if widget.show_vertical_scrollbar and widget.max_scroll_y == 0:
            problems.append(f"{_name(widget)}: a vertical scrollbar inside its border with nothing to scroll")
        if widget.show_horizontal_scrollbar and widget.max_scroll_x == 0:
            problems.append(f"{_name(widget)}: a horizontal scrollbar inside its border with nothing to scroll")
    return problems


def _is_or_inside(widget: Widget, focused: Widget) -> bool:
    return widget is focused or focused in widget.ancestors


def _focus_in_sight(app: App) -> list[str]:
    """The widget being answered is wholly on screen (a question's last option included)."""
    focused = app.focused
    if focused is None or focused.screen is not app.screen or not _shown(focused):
        return []
    seen, whole = focused.region, focused.outer_size
    screen = app.screen
    covered = [y for y in range(seen.y, seen.bottom)
               if not _is_or_inside(screen.get_widget_at(seen.x + seen.width // 2, y)[0], focused)]
    if covered:
        return [f"{_name(focused)}: has the focus but screen row(s) {covered} of it are covered by "
                f"{_name(screen.get_widget_at(seen.x + seen.width // 2, covered[0])[0])} (scroll it into view above what is docked)"]
    if seen.height < whole.height or seen.width < whole.width:
        return [f"{_name(focused)}: has the focus but only {seen.width}x{seen.height} of its {whole.width}x{whole.height} "
                "cells are on screen (scroll it, or its question, into view)"]
    return []


def cut_short(app: App, where: str) -> list[str]:
    """Everything on the screen on top that does not fit, one line each, prefixed with ``where``."""
    screen = app.screen
    width = app.size.width
    widgets = [w for w in screen.walk_children(with_self=False) if isinstance(w, Widget) and _shown(w)]
    problems = (_one_line_texts(widgets) + _footers(screen, widgets, width) + _option_lists(widgets) + _tables(widgets)
                + _inputs(app, widgets) + _past_the_edge(widgets, width) + _stray_scrollbars(widgets) + _focus_in_sight(app))
    return [f"[{where} · {type(screen).__name__}] {p}" for p in problems]
