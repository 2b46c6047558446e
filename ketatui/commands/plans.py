"""The commands about plans and their inputs: ``plan``, ``schema`` and ``protocol``.

The protocol is the ``--protocol`` file when one is given, else the ``protocol_file`` setting,
else the built-in one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ketatui.commands.common import BAD_INPUT, OK, for_terminal, print_problems, say, settings_of


def protocol_or_report(args: argparse.Namespace):
    """The protocol this command uses, or None after printing why it cannot be used."""
    from ketatui.clinical.clinic import for_clinic
    from ketatui.clinical.protocol import ProtocolInvalid, load_protocol

    try:
        settings = settings_of(args)
        return for_clinic(load_protocol(getattr(args, "protocol", None) or settings.protocol_file), settings)
    except ProtocolInvalid as exc:
        print_problems(f"the protocol {exc.source}", exc.problems)
        return None


def cmd_plan(args: argparse.Namespace) -> int:
    from ketatui.clinical.plan import make_plan
    from ketatui.exchange.markdown import plan_markdown
    from ketatui.intake.document import IntakeInvalid, parse_intake

    protocol = protocol_or_report(args)
    if protocol is None:
        return BAD_INPUT
    try:
        text = Path(args.intake).read_text(encoding="utf-8") if args.intake != "-" else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"ketatui: cannot read {for_terminal(args.intake)}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return BAD_INPUT
    try:
        intake = parse_intake(_up_to_date(text))
        plan = make_plan(intake, protocol, start=args.start)
    except IntakeInvalid as exc:
        print_problems(args.intake, exc.problems)
        return BAD_INPUT
    if args.format == "markdown":
        say(plan_markdown(plan, intake))
    else:
        say(json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return OK


def _up_to_date(text: str) -> str | dict:
    """A file written for an older schema is read as the current one (``ketatui.intake.migrations``)."""
    from ketatui.intake.json_input import JSONInputInvalid, load_json
    from ketatui.intake.migrations import brought_up_to_date

    try:
        return brought_up_to_date(load_json(text))
    except JSONInputInvalid:
        return text  # parse_intake names the problem


def cmd_schema(args: argparse.Namespace) -> int:
    from ketatui.intake.document import intake_json_schema

    print(json.dumps(intake_json_schema(), indent=2))
    return OK


def cmd_protocol(args: argparse.Namespace) -> int:
    import tomli_w

    protocol = protocol_or_report(args)
    if protocol is None:
        return BAD_INPUT
    if args.format == "json":
        print(json.dumps(protocol.model_dump(mode="json"), indent=2))
    else:
        from ketatui.clinical.clinic import defaults_notice

        print("# The effective ketatui protocol (copy this file and pass it with --protocol to change it)")
        if notice := defaults_notice(protocol):
            print(f"# Note: {notice}")
        print(tomli_w.dumps(protocol.model_dump(mode="json", exclude_none=True)))
    return OK
