"""The course commands: ``course`` (the course state from an intake and its sessions, no store
needed) and ``schema session`` (the JSON Schema of a session or visit record).

Like ``plan``, ``course`` is pure: the same files, protocol and ``--today`` give the same output.
This module is imported while the parser is built, so it imports nothing heavy at the top.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ketatui.commands.common import BAD_INPUT, OK, print_problems, say

if TYPE_CHECKING:
    from ketatui.clinical.protocol import Protocol


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2027-03-19") from None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8") if path != "-" else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"ketatui: cannot read {path}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return None


def print_course(args: argparse.Namespace, protocol: Protocol, intake_data: str | dict, records_data: str | list, *, intake_source: str, records_source: str) -> int:
    """Work the course out and print it in ``args.format``; invalid input is listed by field (exit 2).
    Shared by ``course`` (files) and ``records course`` (the store)."""
    from ketatui.course.engine import course_state, signed_plan
    from ketatui.course.records import CourseInvalid, parse_course_records
    from ketatui.exchange.course_markdown import course_markdown, progress_sheet_markdown
    from ketatui.intake.document import IntakeInvalid, parse_intake
    from ketatui.intake.migrations import brought_up_to_date

    today = args.today or date.today()
    try:
        intake = parse_intake(brought_up_to_date(intake_data))
        records = parse_course_records(records_data, intake_record_id=intake.record_id, route=intake.route)
        plan = signed_plan(intake, protocol, records, today=today)
    except IntakeInvalid as exc:
        print_problems(intake_source, exc.problems)
        return BAD_INPUT
    except CourseInvalid as exc:
        print_problems(records_source, exc.problems)
        return BAD_INPUT
    state = course_state(intake, plan, records, protocol, today=today)
    if args.format == "markdown":
        say(course_markdown(state, intake))
    elif args.format == "sheet":
        say(progress_sheet_markdown(state, intake, plan, protocol.clinic_name))
    else:
        say(json.dumps(state.as_json(), indent=2, ensure_ascii=False))
    return OK


def cmd_course(args: argparse.Namespace) -> int:
    from ketatui.commands.plans import protocol_or_report

    protocol = protocol_or_report(args)
    if protocol is None:
        return BAD_INPUT
    intake_text = _read(args.intake)
    sessions_text = _read(args.sessions) if intake_text is not None else None
    if intake_text is None or sessions_text is None:
        return BAD_INPUT
    return print_course(args, protocol, intake_text, sessions_text, intake_source=args.intake, records_source=args.sessions)


def add_course_options(parser: argparse.ArgumentParser) -> None:
    """``--format``, ``--protocol`` and ``--today``, the same for the course from files or from the store."""
    parser.add_argument("--format", choices=("json", "markdown", "sheet"), default="json",
                        help="json (the stable contract), markdown (the clinician's course summary) or sheet (the person's progress sheet)")
    parser.add_argument("--protocol", metavar="FILE", help="the clinic's protocol TOML (default: the protocol_file setting or built-in)")
    parser.add_argument("--today", type=_day, metavar="DATE", help="the day to work the course out on, YYYY-MM-DD (default: today)")


def _schema_with_session(intake_schema: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap the intake schema command so ``schema session`` prints the record schema instead."""

    def run(args: argparse.Namespace) -> int:
        if args.what == "session":
            from ketatui.course.records import course_record_json_schema

            print(json.dumps(course_record_json_schema(), indent=2))
            return OK
        return intake_schema(args)

    return run


def add_course_commands(sub: argparse._SubParsersAction, schema: argparse.ArgumentParser) -> None:
    """Hang ``course`` on the main parser and teach ``schema`` the word ``session``."""
    course = sub.add_parser("course", help="the course so far: response, decisions and the adjusted plan, from an intake and its sessions")
    course.add_argument("intake", metavar="INTAKE.json", help="the intake as JSON ('-' reads standard input)")
    course.add_argument("--sessions", required=True, metavar="SESSIONS.json", help="a JSON list of session and follow-up visit records (see `ketatui schema session`)")
    add_course_options(course)
    course.set_defaults(handler=cmd_course)
    schema.add_argument("what", nargs="?", choices=("intake", "session"), default="intake",
                        help="intake (default) or session: one session or follow-up visit record")
    schema.set_defaults(handler=_schema_with_session(schema.get_default("handler")))
