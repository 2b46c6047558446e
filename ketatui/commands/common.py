"""What every command shares: exit codes, problems printed in words, and the settings built once.

Kept free of heavy imports: ``ketatui.cli`` imports this module before the App's first paint.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketatui.settings import Settings

OK, FAILED, BAD_INPUT = 0, 1, 2


def fail(message: str, code: int = FAILED) -> int:
    print(f"ketatui: {message}", file=sys.stderr)
    return code


def print_problems(source: str, problems: Iterable[Any]) -> None:
    """Each problem on its own line, with the field it is about when there is one."""
    print(f"ketatui: {source} is not valid:", file=sys.stderr)
    for problem in problems:
        path = getattr(problem, "path", None)
        where = f" [{path}]" if path and not path.startswith("(") else ""
        print(f"  - {problem}{where}", file=sys.stderr)


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings for this run, built once from the ``SettingsRequest`` the CLI made from its
    flags (``args.request``). A bad setting raises ``SettingsInvalid``; ``ketatui.cli.main``
    reports it with exit status 2."""
    if getattr(args, "settings", None) is None:
        args.settings = args.request.build()
    return args.settings
