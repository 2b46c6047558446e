"""``ketatui kiosk``: its arguments, and ``--hash-pin``, which makes the staff PIN's settings line.

The kiosk App itself is started by the CLI (``ketatui.cli``), which alone may import the screens.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from ketatui.commands.common import BAD_INPUT, OK


def add_kiosk_command(sub: argparse._SubParsersAction, handler: Callable[[argparse.Namespace], int]) -> None:
    kiosk = sub.add_parser("kiosk", help="the patient kiosk: plain words, no way out, staff PIN to leave (docs/kiosk.md)")
    kiosk.add_argument("--idle-timeout", dest="kiosk_idle_timeout", type=int, metavar="SECONDS", default=argparse.SUPPRESS,
                       help="seconds without a key before the kiosk warns, then clears (default: the kiosk_idle_timeout setting)")
    # The main parser's setting flags, accepted after the word too (``ketatui kiosk --data-dir DIR``).
    kiosk.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="where records are kept")
    kiosk.add_argument("--key-file", type=Path, default=argparse.SUPPRESS, help="the store's key file")
    kiosk.add_argument("--config", type=Path, metavar="FILE", default=argparse.SUPPRESS, help="the settings file")
    kiosk.add_argument("--hash-pin", action="store_true",
                       help="ask for a new staff PIN twice and print the kiosk_staff_pin line for the settings file")
    kiosk.set_defaults(handler=handler)


def cmd_hash_pin() -> int:
    """Ask for the PIN twice (never echoed) and print the settings line; it is never stored here."""
    from ketatui.kiosk.staff_pin import PinRefused, check_new_pin, hash_pin

    try:
        pin = getpass.getpass("New staff PIN (6 or more digits): ")
        again = getpass.getpass("The same PIN again: ")
        check_new_pin(pin, again)
    except PinRefused as exc:
        print(f"ketatui: {exc}", file=sys.stderr)
        return BAD_INPUT
    except (EOFError, KeyboardInterrupt):
        print("ketatui: no PIN was made.", file=sys.stderr)
        return BAD_INPUT
    print(f'kiosk_staff_pin = "{hash_pin(pin)}"')
    print("Put this line in the kiosk's settings file (`ketatui config` shows which file).", file=sys.stderr)
    return OK
