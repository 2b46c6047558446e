"""The ``ketatui`` command: the clinician app by default, and sub-commands for plans and records.

Every failure reaches the user as a plain message on stderr with an exit code (2: the input is
wrong, 1: something else went wrong); a traceback never does.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from ketatui import __version__

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _print_problems(source: str, problems) -> None:
    print(f"ketatui: {source} is not valid:", file=sys.stderr)
    for problem in problems:
        where = f" [{problem.path}]" if problem.path and not problem.path.startswith("(") else ""
        print(f"  - {problem}{where}", file=sys.stderr)


def _start_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2027-01-11") from None


def _protocol_or_report(path: str | None):
    """The protocol at ``path`` (or the default), or None after printing why it cannot be used."""
    from ketatui.clinical.protocol import ProtocolInvalid, load_protocol

    try:
        return load_protocol(path)
    except ProtocolInvalid as exc:
        _print_problems(f"the protocol {exc.source}", exc.problems)
        return None


def cmd_plan(args: argparse.Namespace) -> int:
    from ketatui.exchange.markdown import plan_markdown
    from ketatui.intake.document import IntakeInvalid, parse_intake
    from ketatui.clinical.plan import make_plan

    protocol = _protocol_or_report(args.protocol)
    if protocol is None:
        return EXIT_BAD_INPUT
    try:
        text = Path(args.intake).read_text(encoding="utf-8") if args.intake != "-" else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"ketatui: cannot read {args.intake}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        intake = parse_intake(text)
        plan = make_plan(intake, protocol, start=args.start)
    except IntakeInvalid as exc:
        _print_problems(args.intake, exc.problems)
        return EXIT_BAD_INPUT
    if args.format == "markdown":
        print(plan_markdown(plan, intake))
    else:
        print(json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from ketatui.intake.document import intake_json_schema

    print(json.dumps(intake_json_schema(), indent=2))
    return EXIT_OK


def cmd_protocol(args: argparse.Namespace) -> int:
    import tomli_w

    protocol = _protocol_or_report(args.protocol)
    if protocol is None:
        return EXIT_BAD_INPUT
    if args.format == "json":
        print(json.dumps(protocol.model_dump(mode="json"), indent=2))
    else:
        print("# The effective ketatui protocol (copy this file and pass it with --protocol to change it)")
        print(tomli_w.dumps(protocol.model_dump(mode="json", exclude_none=True)))
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    from ketatui.screens.clinician_app import run_clinician_app

    return run_clinician_app(data_dir=getattr(args, "data_dir", None))


def _wants_a_command(argv: list[str]) -> bool:
    """True unless the arguments only open the app (``ketatui [--data-dir DIR]``)."""
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--data-dir":
            rest = rest[1:]
        elif not arg.startswith("--data-dir="):
            return True
    return False


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. The store's commands are only loaded when a command is asked for,
    so opening the app does not pay for the storage and pydantic imports before its first paint."""
    parser = argparse.ArgumentParser(prog="ketatui", description="Intake and consultation assistant for ketamine treatment of depression.")
    parser.add_argument("--version", action="version", version=f"ketatui {__version__}")
    parser.add_argument("--data-dir", type=Path, help="where records are kept (default: KETATUI_DATA_DIR or the user data folder)")
    parser.set_defaults(handler=cmd_app)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    plan = sub.add_parser("plan", help="make a draft plan from an intake file")
    plan.add_argument("intake", metavar="INTAKE.json", help="the intake as JSON ('-' reads standard input)")
    plan.add_argument("--format", choices=("json", "markdown"), default="json")
    plan.add_argument("--protocol", metavar="FILE", help="the clinic's protocol TOML (default: KETATUI_PROTOCOL or built-in)")
    plan.add_argument("--start", type=_start_date, metavar="DATE", help="earliest first session, YYYY-MM-DD")
    plan.set_defaults(handler=cmd_plan)

    schema = sub.add_parser("schema", help="print the intake JSON Schema")
    schema.set_defaults(handler=cmd_schema)

    protocol = sub.add_parser("protocol", help="print the effective protocol")
    protocol.add_argument("--protocol", metavar="FILE", help="a protocol TOML to check and print")
    protocol.add_argument("--format", choices=("toml", "json"), default="toml")
    protocol.set_defaults(handler=cmd_protocol)

    if _wants_a_command(sys.argv[1:] if argv is None else argv):
        from ketatui.commands.records import add_commands

        add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("ketatui: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: no traceback reaches the user
        print(f"ketatui: something went wrong ({type(exc).__name__}: {exc}). Nothing was changed by this command after the error; please report it.", file=sys.stderr)
        return EXIT_FAILED
