"""``ketatui config``: the effective settings and where each came from, secrets masked.

The first thing to run when the App opens the wrong store or the wrong protocol.
"""

from __future__ import annotations

import argparse
import json

from ketatui.commands.common import OK, settings_of


def cmd_config(args: argparse.Namespace) -> int:
    from ketatui.settings import config_path, describe

    rows = describe(settings_of(args), args.request)
    if args.format == "json":
        print(json.dumps({name: {"value": shown, "source": source} for name, shown, source in rows}, indent=2,
                         ensure_ascii=False))
        return OK
    path = config_path(args.request)
    print(f"Settings file: {path}{'' if path.exists() else ' (not present: defaults and environment only)'}")
    table = [("SETTING", "VALUE", "FROM"), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(2)]
    for name, shown, source in table:
        print(f"{name.ljust(widths[0])}  {shown.ljust(widths[1])}  {source}".rstrip())
    return OK
