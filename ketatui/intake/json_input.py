"""Reading JSON that comes from outside (a file, standard input) without letting its shape crash ketatui.

``json.loads`` alone lets hostile input escape as the wrong kind of error: a document nested a
thousand levels deep raises ``RecursionError``, a 5,000-digit number a bare ``ValueError``. Here
every such input becomes ``JSONInputInvalid`` with a message that says where and what to fix.
Nothing ketatui reads is nested anywhere near ``MAX_DEPTH`` levels.
"""

from __future__ import annotations

import json
from typing import Any

#: The deepest nesting accepted (an intake with its plan and typed answers stays under 10).
MAX_DEPTH = 64


class JSONInputInvalid(ValueError):
    """JSON that cannot be read; ``where`` is the dotted path of the problem, or "(file)"."""

    def __init__(self, where: str, message: str):
        self.where = where
        super().__init__(message)


#: How many levels of a path name the field in a message (an intake's fields are never deeper).
_NAMED_LEVELS = 5
#: The most digits a whole number may have (Python's own limit for turning text into a number).
MAX_DIGITS = 4300


class _TooLong(str):
    """A whole number with more than ``MAX_DIGITS`` digits, kept as its text until its place is found."""


def _whole_number(text: str) -> int | _TooLong:
    return _TooLong(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def load_json(text: str | bytes) -> Any:
    """The value in ``text``, or ``JSONInputInvalid`` saying why it cannot be read and, where it can, where."""
    try:
        value = json.loads(text, parse_int=_whole_number)
    except json.JSONDecodeError as exc:
        raise JSONInputInvalid("(file)", f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise JSONInputInvalid("(file)", f"is nested too deeply (more than {MAX_DEPTH} levels of lists or objects)") from None
    except UnicodeDecodeError:
        raise JSONInputInvalid("(file)", "is not UTF-8 text; save it as UTF-8") from None
    found = _first_problem(value)
    if found is not None:
        raise JSONInputInvalid(*found)
    return value


def _first_problem(value: Any) -> tuple[str, str] | None:
    """(path, problem) of the first value nested deeper than ``MAX_DEPTH`` or a number too long to
    be one, or None. Walks without recursion, so the walk itself cannot run out of stack."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return path or "(file)", f"is nested too deeply (more than {MAX_DEPTH} levels of lists or objects)"
        if isinstance(item, _TooLong):
            return path or "(file)", f"is a number with {len(item.lstrip('-')):,} digits; enter a number of at most {MAX_DIGITS:,} digits"
        named = depth < _NAMED_LEVELS  # deeper levels do not lengthen the path that names the field
        if isinstance(item, dict):
            stack.extend((v, depth + 1, (f"{path}.{k}" if path else str(k)) if named else path) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, depth + 1, f"{path}[{i}]" if named else path) for i, v in enumerate(item))
    return None
