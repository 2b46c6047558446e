"""FHIR R5 in and out of the store: ``records export ID --format fhir`` writes one intake, its plan
and its course as a Bundle; ``records import --format fhir FILE`` adds a PHQ-9 or GAD-7 answered
elsewhere to a record as a follow-up score.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ketatui.commands.common import BAD_INPUT, OK, fail, settings_of


def cmd_export(args: argparse.Namespace) -> int:
    from ketatui.clinical.plan import Plan, make_plan
    from ketatui.clinical.protocol import load_protocol
    from ketatui.commands.records import _open, _resolve
    from ketatui.course.records import CourseInvalid, parse_course_records
    from ketatui.exchange.fhir_export import intake_bundle
    from ketatui.exchange.files import write_export
    from ketatui.intake.document import IntakeInvalid, parse_intake

    settings = settings_of(args)
    repo = _open(args)
    record_id = _resolve(repo, args.record_id)
    if isinstance(record_id, int):
        return record_id
    doc = repo.get(record_id, user=settings.user)
    try:
        intake = parse_intake(doc)
        if doc.get("plan"):
            plan = Plan.model_validate(doc["plan"])
        else:
            plan = None if intake.missing_sections() else make_plan(intake, load_protocol(settings.protocol_file))
        course = parse_course_records(repo.course_records(record_id, user=settings.user), intake_record_id=record_id, route=intake.route)
    except (IntakeInvalid, CourseInvalid) as exc:
        problems = "; ".join(str(p) for p in exc.problems[:3])
        return fail(f"intake {record_id} (revision {doc['rev']}) cannot be exported as FHIR until it is complete: {problems}. "
                    "Finish the intake, then export it.")
    bundle = intake_bundle(doc, intake, plan, course)
    text = bundle.model_dump_json(indent=2, exclude_none=True) + "\n"
    target = Path(args.output).expanduser() if args.output else settings.export_dir / f"{record_id[:8]}-fhir-bundle.json"
    if target.is_dir():
        target = target / f"{record_id[:8]}-fhir-bundle.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    written = write_export(target, text)
    repo.log_export(record_id, doc["rev"], user=settings.user, target="fhir bundle")
    print(f"Wrote a FHIR R5 Bundle of {len(bundle.entry)} resources for intake {record_id} to {written}. "
          "It holds health data: hand it to the EHR and delete it here.")
    return OK


def cmd_import_fhir(args: argparse.Namespace) -> int:
    from ketatui.commands.records import _open, _resolve
    from ketatui.course.records import CourseInvalid, parse_course_record
    from ketatui.exchange.fhir_import import ResponseRefused, read_response

    settings = settings_of(args)
    if len(args.files) != 1:
        return fail("--format fhir takes one QuestionnaireResponse file at a time. Nothing was imported.", BAD_INPUT)
    path = Path(args.files[0])
    try:
        score = read_response(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return fail(f"cannot read {path}: {exc.strerror}. Nothing was imported.", BAD_INPUT)
    except ResponseRefused as exc:
        return fail(f"{path} cannot be added as a follow-up score: {exc}. Nothing was imported.", BAD_INPUT)
    given = args.record or score.record_id
    if not given:
        return fail(f"{path} does not name a ketatui record (its subject has no identifier {'of ours'}); "
                    "give the record with --record ID. Nothing was imported.", BAD_INPUT)
    repo = _open(args)
    record_id = _resolve(repo, given)
    if isinstance(record_id, int):
        return record_id
    source = f"Imported from a FHIR QuestionnaireResponse{f' ({score.response_id})' if score.response_id else ''}, file {path.name}."
    kept = repo.course_records(record_id, user=settings.user)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    expected_rev: int | None = None
    if score.instrument.key == "phq-9":
        record: dict[str, Any] = {"kind": "follow_up", "intake_record_id": record_id, "date": score.day.isoformat(),
                                  "phq9": score.answers, "recorded_by": settings.user, "recorded_at": now, "notes": source}
    else:
        same_day = [r for r in kept if r.get("kind") == "follow_up" and r.get("date") == score.day.isoformat()]
        if not same_day:
            return fail(f"{path} holds a GAD-7 of {score.day}, and a GAD-7 is kept with that day's follow-up PHQ-9; intake "
                        f"{record_id} has no follow-up visit on {score.day}. Import the PHQ-9 of that day first. Nothing was imported.", BAD_INPUT)
        visit = same_day[0]
        if visit.get("gad7"):
            return fail(f"The follow-up visit of {score.day} already has a GAD-7; nothing was imported.", BAD_INPUT)
        record = dict(visit, gad7=score.answers, notes=" ".join(filter(None, [visit.get("notes"), source])))
        expected_rev = visit["rev"]
    try:
        checked = parse_course_record(record).model_dump(mode="json")
    except CourseInvalid as exc:
        print(f"ketatui: {path} gives a follow-up score that is not valid; nothing was imported:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return BAD_INPUT
    stored = repo.add_course_record(record_id, checked, user=settings.user, expected_rev=expected_rev)
    total = sum(score.answers["answers"])
    what = "PHQ-9" if score.instrument.key == "phq-9" else "GAD-7"
    print(f"Added the {what} of {score.day} (total {total}) to intake {record_id} as a follow-up score "
          f"(visit {stored['record_id']}, revision {stored['rev']}).")
    return OK


def add_export_command(records: argparse._SubParsersAction, common: Any, plainly: Any) -> None:
    export = records.add_parser("export", help="write one intake, its plan and its course as a FHIR R5 Bundle (recorded in the audit log)")
    export.add_argument("record_id", metavar="ID", help="a record id, or its first characters")
    export.add_argument("--format", choices=("fhir",), default="fhir", help="fhir: a FHIR R5 Bundle (JSON)")
    export.add_argument("--output", metavar="PATH", help="a file or folder (default: the export folder, setting export_dir)")
    common(export)
    export.set_defaults(handler=plainly(cmd_export))
