"""``ketatui serve --kiosk``: the patient kiosk in a browser (a waiting-room tablet), through
textual-serve. Each browser tab gets its own ``ketatui kiosk`` process, so one tab is one kiosk
session: closing the tab ends the process, and the next tab starts at the welcome, as the idle
reset does. Only the kiosk is ever served: never the clinician's App, never a shell. It listens
on 127.0.0.1 unless told otherwise; a reverse proxy (docs/kiosk.md) puts it on the clinic's
network with TLS.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ketatui.commands.common import BAD_INPUT, fail

SETTING_FLAGS = ("data_dir", "key_file", "config")


def add_serve_command(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="serve the patient kiosk to a browser (docs/kiosk.md)")
    serve.add_argument("--kiosk", action="store_true", help="serve the patient kiosk (the only App ever served)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    serve.add_argument("--public-url", metavar="URL", help="the address browsers use, when behind a reverse proxy")
    for name in SETTING_FLAGS:
        serve.add_argument(f"--{name.replace('_', '-')}", type=Path, default=argparse.SUPPRESS)
    serve.set_defaults(handler=cmd_serve)


def kiosk_command(args: argparse.Namespace) -> str:
    """The command each browser tab runs: this Python's ``ketatui kiosk`` with the same settings."""
    argv = [sys.executable, "-m", "ketatui", "kiosk"]
    for name in SETTING_FLAGS:
        value = getattr(args, name, None)
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", str(Path(value).expanduser().resolve())]
    return shlex.join(argv)


def cmd_serve(args: argparse.Namespace) -> int:
    if not args.kiosk:
        return fail("serve: only the patient kiosk is served to a browser; say so with --kiosk. "
                    "The clinician's App is reached over SSH (docs/deploy-ssh.md).", BAD_INPUT)
    if not 0 < args.port < 65536:
        return fail(f"--port {args.port}: use a port from 1 to 65535.", BAD_INPUT)
    from textual_serve.server import Server

    print(f"ketatui: serving the patient kiosk at http://{args.host}:{args.port}/ (Ctrl+C stops it)", file=sys.stderr)
    Server(kiosk_command(args), host=args.host, port=args.port, title="ketatui kiosk",
           public_url=args.public_url).serve()
    return 0
