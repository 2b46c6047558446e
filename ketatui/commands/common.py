"""What every command shares: exit codes, problems printed in words, and the settings built once.

Kept free of heavy imports: ``ketatui.cli`` imports this module before the App's first paint.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketatui.settings import Settings

OK, FAILED, BAD_INPUT = 0, 1, 2

#: Characters that are not text (C0 and C1 controls, DEL) plus the bidirectional controls, which can
#: make a name read differently from what is stored. Kept in step with ``ketatui.intake.plain_text``.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NOT_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def for_terminal(text: str) -> str:
    """``text`` safe to print: every control character but line breaks and tabs is shown as ``\\uXXXX``.

    Text fields refuse control characters, but older records, typed answers and files given to
    ``plan`` may still hold them; printed raw, ESC sequences would drive the clinician's terminal.
    The escape is JSON's own, so JSON output stays valid JSON that means the same."""
    return _NOT_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text.replace("\r\n", "\n"))


def say(text: str) -> None:
    """Print ``text`` to standard output, escaped for the terminal (see ``for_terminal``)."""
    print(for_terminal(text))


def fail(message: str, code: int = FAILED) -> int:
    print(f"ketatui: {for_terminal(message)}", file=sys.stderr)
    return code


def print_problems(source: str, problems: Iterable[Any]) -> None:
    """Each problem on its own line, with the field it is about when there is one."""
    print(f"ketatui: {for_terminal(str(source))} is not valid:", file=sys.stderr)
    for problem in problems:
        path = getattr(problem, "path", None)
        where = f" [{path}]" if path and not path.startswith("(") else ""
        print(for_terminal(f"  - {problem}{where}"), file=sys.stderr)


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings for this run, built once from the ``SettingsRequest`` the CLI made from its
    flags (``args.request``). A bad setting raises ``SettingsInvalid``; ``ketatui.cli.main``
    reports it with exit status 2."""
    if getattr(args, "settings", None) is None:
        args.settings = args.request.build()
    return args.settings
