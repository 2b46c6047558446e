"""``ketatui train``: the scenarios (``--list``), a trainee's past scorecards (``results``), the
trainer's view across trainees (``summary``), and the trainer App (``train [SCENARIO]``).

Loaded before the App's first paint, so only argparse is imported at the top; the core, the
scenarios and the App load inside the handler. The training store is the ``training_data_dir``
setting's, never the real store (``ketatui.training.store``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from ketatui.commands.common import BAD_INPUT, OK, fail, settings_of

WORDS = ("results", "summary")


def add_train_command(subparsers: argparse._SubParsersAction, launch: Callable[..., int]) -> None:
    """``launch(settings, library, scenario=, trainee=)`` runs the trainer App (the CLI's, since a
    command never imports the screens)."""
    train = subparsers.add_parser(
        "train", help="training mode: mock intakes with synthetic patients, scored; never touches the real store",
        description="Run a training scenario in the trainer app, or: --list the scenarios; 'results' for a "
                    "trainee's past scorecards; 'summary' for the trainer's view of who missed which flag.")
    train.add_argument("scenario", nargs="?", metavar="SCENARIO",
                       help="a scenario id (or its start) to run at once; 'results' or 'summary' instead of a scenario")
    train.add_argument("--list", action="store_true", help="list the scenarios (built-in and the scenarios_dir setting's)")
    train.add_argument("--format", choices=("table", "json"), default="table", help="for --list, results and summary")
    train.add_argument("--trainee", metavar="NAME", help="who is training (default: the user setting)")
    train.set_defaults(handler=cmd_train, launch=launch)


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def _library(settings: Any) -> Any:
    from ketatui.training.scenario import Library

    library = Library(settings.scenarios_dir)
    for problem in library.problems:
        print(f"ketatui: scenario {problem.source} cannot be used:", file=sys.stderr)
        for line in problem.problems:
            print(f"  - {line}", file=sys.stderr)
    return library


def cmd_list(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    library = _library(settings)
    if args.format == "json":
        print(json.dumps([{"id": s.id, "title": s.title, "family": s.family, "expected_flags": s.flags_in_order,
                           "schedulable": s.expected.schedulable, "file": str(library.sources[s.id])}
                          for s in library.scenarios], indent=2))
    else:
        rows = [("SCENARIO", "TITLE", "EXPECTED FLAGS")]
        rows += [(s.id, s.title, " ".join(s.flags_in_order)) for s in library.scenarios]
        _print_table(rows)
        print(f"\n{len(library.scenarios)} scenario(s); your own go in {settings.scenarios_dir}. Run one: ketatui train SCENARIO")
    return BAD_INPUT if library.problems else OK


def cmd_results(args: argparse.Namespace) -> int:
    from ketatui.training.results import Results, trainee_lines
    from ketatui.training.store import scorecards_dir

    settings = settings_of(args)
    trainee = args.trainee or settings.user
    results = Results(scorecards_dir(settings))
    cards = results.all(trainee)
    for line in results.unreadable:
        print(f"ketatui: {line}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps([json.loads(c.model_dump_json()) | {"perfect": c.perfect, "misses": c.misses()} for c in cards], indent=2))
    elif not cards:
        print(f"No scorecards for {trainee} yet. Run a scenario: ketatui train --trainee {trainee}")
    else:
        print(f"Scorecards of {trainee}, newest first:\n")
        _print_table(trainee_lines(cards))
    return OK


def cmd_summary(args: argparse.Namespace) -> int:
    from ketatui.training.results import Results, summary
    from ketatui.training.store import scorecards_dir

    results = Results(scorecards_dir(settings_of(args)))
    view = summary(results.all())
    for line in results.unreadable:
        print(f"ketatui: {line}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps({
            "trainees": [{"trainee": t.trainee, "runs": t.runs, "perfect": t.perfect, "flags_missed": t.flags_missed,
                          "scenarios": sorted(t.scenarios)} for t in view.trainees],
            "flags": [{"code": f.code, "title": f.title, "expected": f.expected, "missed": f.missed, "missed_by": f.by} for f in view.flags],
        }, indent=2))
        return OK
    if not view.trainees:
        print("No scorecards yet: the summary fills in as trainees finish scenarios.")
        return OK
    _print_table([("TRAINEE", "RUNS", "PERFECT", "FLAGS MISSED")] +
                 [(t.trainee, str(t.runs), str(t.perfect), str(t.flags_missed)) for t in view.trainees])
    print("\nWho missed which flag:\n")
    _print_table(view.table())
    print("\nShare of runs that missed each flag (# missed, . caught):\n")
    print("\n".join(view.chart()))
    return OK


def cmd_train(args: argparse.Namespace) -> int:
    from ketatui.training.store import TrainingStoreRefused, check_apart

    settings = settings_of(args)
    try:
        check_apart(settings)
    except TrainingStoreRefused as exc:
        return fail(str(exc), BAD_INPUT)
    if args.list:
        return cmd_list(args)
    if args.scenario == "results":
        return cmd_results(args)
    if args.scenario == "summary":
        return cmd_summary(args)
    library = _library(settings)
    if args.scenario:
        try:
            library.get(args.scenario)
        except KeyError as exc:
            return fail(f"{exc.args[0]}. `ketatui train --list` shows them.", BAD_INPUT)
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        return fail("the trainer app needs a terminal; `ketatui train --list` works anywhere.", BAD_INPUT)
    return args.launch(settings, library, scenario=args.scenario, trainee=args.trainee)
