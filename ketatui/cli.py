"""The ``ketatui`` command: the parser, and the clinician app by default; the sub-commands live
in ``ketatui.commands``.

The flags that are settings (``--data-dir``, ``--key-file``, ``--config``) become one
``SettingsRequest``, passed to the App (which builds its settings after the first paint) and to
every command (which builds them once). Every failure reaches the user as a plain message on
stderr with an exit code (2: the input or a setting is wrong, 1: something else went wrong); a
traceback never does.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ketatui import __version__
from ketatui.commands.common import BAD_INPUT, FAILED, OK
from ketatui.commands.config import cmd_config
from ketatui.commands.plans import cmd_plan, cmd_protocol, cmd_schema
from ketatui.settings_request import SettingsRequest

#: Flags of the main parser that take a value; with only these, ``ketatui`` opens the App.
APP_FLAGS = ("--data-dir", "--key-file", "--config", "--as")
#: The sub-commands that work on the store, defined in ``ketatui.commands.records`` (whose imports
#: cost more than a whole ``plan``): loaded only when one of them, or the full help, is asked for.
STORE_COMMANDS = frozenset({"records", "demo-data", "backup", "restore", "audit", "db", "store"})
LIGHT_COMMANDS = frozenset({"plan", "schema", "course", "protocol", "config", "train", "kiosk", "serve"})


def _start_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2027-01-11") from None


def cmd_app(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("ketatui: the clinician app needs a terminal; over SSH connect with `ssh -t`.", file=sys.stderr)
        return BAD_INPUT
    from ketatui.screens.terminal_run import collection_held

    with collection_held():  # until the first frame is out
        from ketatui.screens.clinician_app import run_clinician_app

        return run_clinician_app(request=args.request)


def run_trainer(*args: object, **kwargs: object) -> int:
    from ketatui.screens.terminal_run import collection_held

    with collection_held():  # until the first frame is out
        from ketatui.screens.trainer_app import run_trainer_app

        return run_trainer_app(*args, **kwargs)  # type: ignore[arg-type]


def cmd_kiosk(args: argparse.Namespace) -> int:
    from ketatui.commands.kiosk import cmd_hash_pin

    if args.hash_pin:
        return cmd_hash_pin()
    from ketatui.screens.terminal_run import collection_held

    with collection_held():  # until the first frame is out
        from ketatui.screens.kiosk_app import run_kiosk_app

        return run_kiosk_app(request=args.request)


def _command_word(argv: list[str]) -> str | None:
    """The first word that is not one of the main parser's setting flags (``--data-dir DIR`` …), or
    None when the arguments only open the app."""
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in APP_FLAGS:
            rest = rest[1:]
        elif not arg.startswith(tuple(f"{flag}=" for flag in APP_FLAGS)):
            return arg
    return None


def _wants_the_store_commands(argv: list[str]) -> bool:
    """A store command, the full help, or a word argparse must refuse with the whole list."""
    word = _command_word(argv)
    return word is not None and word not in LIGHT_COMMANDS


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. The store's commands are only loaded when a command is asked for,
    so opening the app does not pay for the storage and pydantic imports before its first paint."""
    parser = argparse.ArgumentParser(prog="ketatui", description="Intake and consultation assistant for ketamine treatment of depression.")
    parser.add_argument("--version", action="version", version=f"ketatui {__version__}")
    parser.add_argument("--data-dir", type=Path, help="where records are kept (default: the data_dir setting)")
    parser.add_argument("--key-file", type=Path, help="the store's key file (default: the key_file setting)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="the settings file (default: KETATUI_CONFIG or settings.toml in the user config folder)")
    parser.add_argument("--as", dest="as_name", metavar="NAME",
                        help="work as NAME: only from the SSH service account's forced command (docs/deploy-ssh.md)")
    parser.set_defaults(handler=cmd_app)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    plan = sub.add_parser("plan", help="make a draft plan from an intake file")
    plan.add_argument("intake", metavar="INTAKE.json", help="the intake as JSON ('-' reads standard input)")
    plan.add_argument("--format", choices=("json", "markdown"), default="json")
    plan.add_argument("--protocol", metavar="FILE", help="the clinic's protocol TOML (default: the protocol_file setting or built-in)")
    plan.add_argument("--start", type=_start_date, metavar="DATE", help="earliest first session, YYYY-MM-DD")
    plan.set_defaults(handler=cmd_plan)

    schema = sub.add_parser("schema", help="print the intake JSON Schema")
    schema.set_defaults(handler=cmd_schema)
    from ketatui.commands.course import add_course_commands  # argparse only: the first paint stays light

    add_course_commands(sub, schema)

    protocol = sub.add_parser("protocol", help="print the effective protocol")
    protocol.add_argument("--protocol", metavar="FILE", help="a protocol TOML to check and print")
    protocol.add_argument("--format", choices=("toml", "json"), default="toml")
    protocol.set_defaults(handler=cmd_protocol)

    config = sub.add_parser("config", help="print the effective settings and where each came from (secrets hidden)")
    config.add_argument("--format", choices=("table", "json"), default="table")
    config.set_defaults(handler=cmd_config)

    from ketatui.commands.training import add_train_command  # argparse only, like the course commands

    add_train_command(sub, launch=run_trainer)

    from ketatui.commands.kiosk import add_kiosk_command  # argparse only

    add_kiosk_command(sub, cmd_kiosk)
    from ketatui.commands.serve import add_serve_command  # argparse only

    add_serve_command(sub)

    if _wants_the_store_commands(sys.argv[1:] if argv is None else argv):
        from ketatui.commands.records import add_commands

        add_commands(sub)
        from ketatui.commands.database import add_database_commands

        add_database_commands(sub)
    return parser


def settings_request(args: argparse.Namespace) -> SettingsRequest:
    """The one request for settings this run makes: the flags that override, and the settings file."""
    flags = {name: getattr(args, name, None) for name in ("data_dir", "key_file", "kiosk_idle_timeout")}
    return SettingsRequest(overrides={k: v for k, v in flags.items() if v is not None}, config_file=getattr(args, "config", None))


def apply_login_identity(args: argparse.Namespace) -> int | None:
    """Over SSH the login says who is working (``ketatui.identity``): put it on the request, or
    refuse with the reason (exit 2)."""
    from ketatui.identity import IdentityRefused, login_identity, settings_file

    as_name = getattr(args, "as_name", None)
    try:
        user = login_identity(as_name, settings_file(args.request.config_file))
    except IdentityRefused as exc:
        print(f"ketatui: {exc}", file=sys.stderr)
        return BAD_INPUT
    if user is not None:
        args.request = SettingsRequest({**args.request.overrides, "user": user}, args.request.config_file, args.request.environ)
    return None


def main(argv: list[str] | None = None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        # ``ketatui`` alone opens the App: what parsing nothing gives, without building the parser
        # (sub-commands and all) before the App's first paint.
        args = argparse.Namespace(handler=cmd_app, config=None, request=SettingsRequest())
    else:
        args = build_parser(argv).parse_args(argv)
        args.request = settings_request(args)
    refused = apply_login_identity(args)
    if refused is not None:
        return refused
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("ketatui: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return OK
    except Exception as exc:  # the last line of defence: no traceback reaches the user
        from ketatui.settings import SettingsInvalid

        if isinstance(exc, SettingsInvalid):
            print("ketatui: the settings cannot be used:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            if args.handler is not cmd_config:
                print("`ketatui config` shows every setting and where it came from.", file=sys.stderr)
            return BAD_INPUT
        print(f"ketatui: something went wrong ({type(exc).__name__}: {exc}). Nothing was changed by this command after the error; please report it.", file=sys.stderr)
        return FAILED
