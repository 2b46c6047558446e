"""Text that is safe to show on a terminal: control characters are refused at the model.

An intake file, or a paste into a form, can carry ESC, NUL or a right-to-left override. Printed
on a clinician's terminal, ESC sequences can clear the screen or rewrite what is shown, and a
bidirectional override can make a name read differently from what is stored. So text fields
refuse them, naming the character, and every printout escapes whatever older data still holds
(``ketatui.commands.common.for_terminal``).
"""

from __future__ import annotations

import unicodedata

#: Characters that change the direction text is shown in (Unicode bidirectional controls).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: What a note may hold besides printable text.
NOTE_WHITESPACE = frozenset("\n\t\r")

_NAMES = {"\x1b": "escape", "\x00": "NUL", "\x7f": "delete", "\n": "line break", "\r": "carriage return", "\t": "tab",
          "\x07": "bell", "\x08": "backspace"}


def is_control(char: str) -> bool:
    """A character that is not text: C0 and C1 controls, DEL, and the bidirectional controls."""
    return unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS


def describe(char: str) -> str:
    """``U+001B (escape)``: how a refused character is named in a message."""
    name = _NAMES.get(char) or unicodedata.name(char, "").lower() or "control character"
    return f"U+{ord(char):04X} ({name})"


def _first_control(text: str, allowed: frozenset[str]) -> tuple[int, str] | None:
    for at, char in enumerate(text):
        if char not in allowed and is_control(char):
            return at, char
    return None


def _refuse(text: str, allowed: frozenset[str]) -> str:
    found = _first_control(text, allowed)
    if found is not None:
        at, char = found
        raise ValueError(f"contains the control character {describe(char)} at character {at + 1}; remove it "
                         "(such characters can change what a terminal shows)")
    return text


def refuse_controls_in_line(text: str) -> str:
    """One line of text, refused if it holds any control character (line breaks included)."""
    return _refuse(text, frozenset())


def refuse_controls_in_notes(text: str) -> str:
    """A note, refused if it holds a control character other than a line break or a tab."""
    return _refuse(text, NOTE_WHITESPACE)


def without_controls(text: str) -> str:
    """``text`` with every control character removed (for values derived from what was typed)."""
    return "".join(c for c in text if not is_control(c))
