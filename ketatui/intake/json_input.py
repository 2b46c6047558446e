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


def load_json(text: str | bytes) -> Any:
    """The value in ``text``, or ``JSONInputInvalid`` saying why it cannot be read."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JSONInputInvalid("(file)", f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise JSONInputInvalid("(file)", f"is nested too deeply (more than {MAX_DEPTH} levels of lists or objects)") from None
    except UnicodeDecodeError:
        raise JSONInputInvalid("(file)", "is not UTF-8 text; save it as UTF-8") from None
    except ValueError as exc:  # a number with thousands of digits
        detail = "it holds a number with more than 4,300 digits" if "digits" in str(exc) else str(exc)
        raise JSONInputInvalid("(file)", f"cannot be read: {detail}") from None
    too_deep = _too_deep(value)
    if too_deep is not None:
        raise JSONInputInvalid(too_deep, f"is nested too deeply (more than {MAX_DEPTH} levels of lists or objects)")
    return value


def _too_deep(value: Any) -> str | None:
    """The path of the first value nested deeper than ``MAX_DEPTH``, or None. Walks without recursion."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return path or "(file)"
        if isinstance(item, dict):
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(item))
    return None
