"""The record-store commands: ``records list|show|import|course``, ``records session add``, ``demo-data``,
``backup``, ``restore``, ``audit verify``.

``add_commands`` hangs them on the main ``ketatui`` parser. Every handler returns an exit code
(0 done, 1 it could not be done, 2 the input is wrong) and prints failures as one plain message
on stderr; storage errors already say what happened and what to do. The store, its key (or
passphrase), the backend and the user named in the audit log come from the settings; each
command also takes ``--data-dir`` and ``--key-file``, which override them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ketatui.commands.common import BAD_INPUT, OK, fail, for_terminal, print_problems, say, settings_of
from ketatui.commands.course import add_course_options
from ketatui.storage import (
    STATUSES,
    AuditAnchored,
    Auditable,
    Maintainable,
    NotSupported,
    RecordSummary,
    Repository,
    StorageError,
    UnknownBackend,
    open_repository,
    restore_store,
)

DEMO_BATCH = 500


def _plainly(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn storage errors into their message on stderr and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except UnknownBackend as exc:  # a setting is wrong
            return fail(str(exc), BAD_INPUT)
        except StorageError as exc:
            return fail(str(exc))
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            return fail(f"cannot use{where}: {exc.strerror or exc}. Nothing more was changed.")
        finally:
            for repair in getattr(getattr(args, "repo", None), "repairs", None) or []:
                print(f"ketatui: {repair}", file=sys.stderr)

    run.__doc__ = handler.__doc__
    return run


def _open(args: argparse.Namespace, *, create: bool = False, read_only: bool = False) -> Repository:
    repo = open_repository(settings_of(args), create=create, read_only=read_only)
    args.repo = repo  # so repairs made while it was open are reported (see ``_plainly``)
    if repo.notice:  # e.g. written by a newer ketatui: readable, but this one will not change it
        print(f"ketatui: {repo.notice}", file=sys.stderr)
    return repo


# ----- records ---------------------------------------------------------------------------------


@_plainly
def cmd_init(args: argparse.Namespace) -> int:
    """Create the store (its folder and key) if there is none; say where it is either way."""
    settings = settings_of(args)
    _open(args, create=True)
    print(f"ketatui: the store is {settings.data_dir} (backend {settings.backend}).")
    return OK


@_plainly
def cmd_list(args: argparse.Namespace) -> int:
    repo = _open(args)
    training = {"only": True, "exclude": False, "include": None}[args.training]
    rows = repo.list(search=args.search, status=args.status, training=training, limit=args.limit)
    if args.format == "json":
        say(json.dumps([r.model_dump() for r in rows], indent=2, ensure_ascii=False))
    elif rows:
        from ketatui.commands.records_table import table, wide_table

        say(wide_table(rows) if args.wide else table(rows))
    else:
        print("No intakes match." if (args.search or args.status) else "No intakes are stored yet.")
    return OK


def _resolve(repo: Repository, given: str) -> str | int:
    """The full record id for an id or a unique prefix of one, or an exit code after saying why."""
    given = given.lower()
    if len(given) == 36:
        return given
    if len(given) < 4:
        return fail(f"'{given}' is too short to pick out an intake; give at least 4 characters of its record id.", BAD_INPUT)
    found = [r for r in repo.list(search=given) if r.record_id.startswith(given)]
    if not found:
        return fail(f"No intake has a record id starting with '{given}'. Check it with `ketatui records list`.", BAD_INPUT)
    if len(found) > 1:
        ids = ", ".join(r.record_id for r in found[:5])
        return fail(f"'{given}' matches {len(found)} intakes ({ids}); give more of the record id.", BAD_INPUT)
    return found[0].record_id


@_plainly
def cmd_show(args: argparse.Namespace) -> int:
    repo = _open(args)
    record_id = _resolve(repo, args.record_id)
    if isinstance(record_id, int):
        return record_id
    doc = repo.get(record_id, user=settings_of(args).user, rev=args.rev)
    if args.format == "json":
        say(json.dumps(doc, indent=2, ensure_ascii=False))
        return OK
    from ketatui.exchange.markdown import intake_markdown
    from ketatui.intake.document import IntakeInvalid, parse_intake
    from ketatui.clinical.plan import Plan

    shown = _escaped(doc)  # a record stored before text fields refused control characters shows them escaped
    try:
        intake = parse_intake(shown)
        plan = Plan.model_validate(shown["plan"]) if shown.get("plan") else None
    except (IntakeInvalid, ValueError) as exc:
        return fail(f"intake {record_id} (revision {doc.get('rev')}) cannot be shown as markdown: {exc}. "
                     "Use --format json to see it as stored.")
    say(intake_markdown(intake, plan))
    return OK


def _escaped(value: Any) -> Any:
    """``value`` with every string escaped for the terminal (``for_terminal``), for showing as Markdown."""
    if isinstance(value, str):
        return for_terminal(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _documents(path: Path) -> list[dict[str, Any]]:
    """The intakes in a file (one, or a list); a problem at a field raises ``IntakeInvalid`` naming it."""
    from ketatui.intake.document import Intake, IntakeInvalid
    from ketatui.intake.fields import FieldProblem, label_for
    from ketatui.intake.json_input import JSONInputInvalid, load_json

    try:
        data = load_json(path.read_bytes())
    except JSONInputInvalid as exc:
        if exc.where == "(file)":
            raise ValueError(str(exc)) from None
        in_intake = exc.where.split("].", 1)[1] if exc.where.startswith("[") and "]." in exc.where else exc.where
        raise IntakeInvalid([FieldProblem(exc.where, label_for(Intake, in_intake), str(exc))]) from None
    docs = data if isinstance(data, list) else [data]
    if not all(isinstance(d, dict) for d in docs):
        raise ValueError("it must hold one intake (a JSON object) or a list of them")
    return docs


def _same_id_twice(valid: list[tuple[Path, list[dict[str, Any]]]]) -> str | None:
    """Where the same record id is given twice across the files being imported, in words; or None."""
    seen: dict[str, str] = {}
    for path, docs in valid:
        for number, doc in enumerate(docs, start=1):
            where = f"{path}" + (f" (intake {number})" if len(docs) > 1 else "")
            record_id = doc["record_id"]
            if record_id in seen:
                return f"Record id: {record_id} is given twice, in {seen[record_id]} and in {where}; give each intake its own record id"
            seen[record_id] = where
    return None


@_plainly
def cmd_import(args: argparse.Namespace) -> int:
    if getattr(args, "format", "intake") == "fhir":
        from ketatui.commands.fhir import cmd_import_fhir

        return cmd_import_fhir(args)
    from ketatui.intake.document import IntakeInvalid, parse_intake
    from ketatui.intake.migrations import migrate
    from ketatui.clinical.plan import make_plan
    from ketatui.clinical.clinic import for_clinic
    from ketatui.clinical.protocol import load_protocol

    protocol = for_clinic(load_protocol(settings_of(args).protocol_file), settings_of(args))
    valid: list[tuple[Path, list[dict[str, Any]]]] = []
    for name in args.files:
        path = Path(name)
        try:
            docs = _documents(path)
        except OSError as exc:
            return fail(f"cannot read {path}: {exc.strerror or exc}. Nothing was imported.", BAD_INPUT)
        except IntakeInvalid as exc:
            print_problems(f"{path} (nothing was imported)", exc.problems)
            return BAD_INPUT
        except ValueError as exc:
            return fail(f"{path} is not an intake file: {exc}. Nothing was imported.", BAD_INPUT)
        checked = []
        for number, doc in enumerate(docs, start=1):
            where = f"{path}" + (f" (intake {number})" if len(docs) > 1 else "")
            try:
                intake = parse_intake(migrate(doc))
            except ValueError as exc:  # an unknown schema version
                return fail(f"{where} cannot be imported: {exc}. Nothing was imported.", BAD_INPUT)
            except IntakeInvalid as exc:
                print_problems(f"{where} (nothing was imported)", exc.problems)
                return BAD_INPUT
            stored = intake.model_dump(mode="json")
            if intake.status != "signed" and not intake.missing_sections():
                stored["plan"] = make_plan(intake, protocol).model_dump(mode="json")  # derived, never taken on trust
            checked.append(stored)
        valid.append((path, checked))
    twice = _same_id_twice(valid)
    if twice:
        return fail(f"{twice}. Nothing was imported.", BAD_INPUT)
    repo = _open(args, create=True)
    user = settings_of(args).user
    for path, docs in valid:
        imported = set(repo.import_documents(docs, user=user))
        skipped = [d["record_id"] for d in docs if d["record_id"] not in imported]
        note = f"; {len(skipped)} already stored and left as they are ({', '.join(skipped)})" if skipped else ""
        say(f"{path}: imported {len(imported)} intake(s){note}.")
    return OK


# ----- the course ------------------------------------------------------------------------------


@_plainly
def cmd_course(args: argparse.Namespace) -> int:
    """The course of a stored intake, worked out as ``ketatui course`` does from files."""
    from ketatui.commands.course import print_course
    from ketatui.commands.plans import protocol_or_report

    protocol = protocol_or_report(args)
    if protocol is None:
        return BAD_INPUT
    repo = _open(args)
    record_id = _resolve(repo, args.record_id)
    if isinstance(record_id, int):
        return record_id
    user = settings_of(args).user
    doc, records = repo.get(record_id, user=user), repo.course_records(record_id, user=user)
    return print_course(args, protocol, doc, records, intake_source=f"intake {record_id}", records_source=f"the sessions of intake {record_id}")


@_plainly
def cmd_session_add(args: argparse.Namespace) -> int:
    """Keep one session or visit from a file with its intake; a pre-dose reading at the limit holds it."""
    from ketatui.commands.plans import protocol_or_report
    from ketatui.course.decisions import hold_if_needed
    from ketatui.course.engine import sessions_ahead
    from ketatui.course.records import CourseInvalid, TreatmentSession, check_series, parse_course_record, parse_course_records
    from ketatui.intake.document import parse_intake

    protocol = protocol_or_report(args)
    if protocol is None:
        return BAD_INPUT
    from ketatui.intake.json_input import load_json

    try:
        data = load_json(Path(args.file).read_bytes())
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror or exc}. Nothing was stored.", BAD_INPUT)
    except ValueError as exc:
        return fail(f"{args.file} cannot be used: {exc}. Nothing was stored.", BAD_INPUT)
    repo = _open(args)
    record_id = _resolve(repo, args.record_id)
    if isinstance(record_id, int):
        return record_id
    user = settings_of(args).user
    route = repo.get(record_id, user=user)["route"]
    if isinstance(data, dict):
        data.setdefault("intake_record_id", record_id)
    try:
        record = parse_course_record(data)
        if isinstance(record, TreatmentSession):
            record, held = hold_if_needed(record, protocol)
            for flag in held:
                print(f"Session {record.number} held: {flag.reason}.")
        kept = [r for r in parse_course_records(repo.course_records(record_id, user=user)) if r.record_id != record.record_id]
        problems = [p for p in check_series([record, *kept], record_id, route) if p.path.startswith("[0]")]
        if problems:
            raise CourseInvalid(problems)
    except CourseInvalid as exc:
        print_problems(args.file, exc.problems)
        return BAD_INPUT
    ahead = sessions_ahead(parse_intake(repo.get(record_id, user=user)), protocol, [record, *kept])
    stored = repo.add_course_record(record_id, record.model_dump(mode="json"), user=user, expected_rev=args.rev, sessions_ahead=ahead)
    what = f"session {stored['number']} ({stored['status']})" if stored["kind"] == "session" else f"follow-up visit of {stored['date']}"
    print(f"Stored {what} as revision {stored['rev']}: {stored['record_id']}")
    return OK


# ----- demo data -------------------------------------------------------------------------------


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    print(f"\rCreating synthetic intakes [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)


def demo_documents(count: int, seed: int, protocol_file: Path | None = None) -> list[dict[str, Any]]:
    """``count`` synthetic intakes (``training=True``), each derived as the App derives one (the
    plan, the triage that lists it urgent or blocked, the name it is listed by)."""
    from ketatui.clinical.protocol import load_protocol
    from ketatui.intake.synthetic import synthetic_intake
    from ketatui.session import derive

    protocol = load_protocol(protocol_file)
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        intake = synthetic_intake(rng)
        derive(intake, protocol)
        doc = intake.model_dump(mode="json")
        doc["training"] = True
        docs.append(doc)
    return docs


@_plainly
def cmd_demo_data(args: argparse.Namespace) -> int:
    if args.count < 1:
        return fail("--count must be 1 or more.", BAD_INPUT)
    settings = settings_of(args)
    if args.training_store:
        from ketatui.training.store import TrainingStoreRefused, training_settings

        try:
            settings = args.settings = training_settings(settings)
        except TrainingStoreRefused as exc:
            return fail(str(exc), BAD_INPUT)
    repo = _open(args, create=True)
    real = repo.page(training=False, limit=0).total
    if real:  # synthetic records are never mixed into a store that holds real ones
        return fail(f"{settings.data_dir} holds {real} real record(s), so no synthetic ones are added to it. Use "
                    "--training-store (the training_data_dir setting's store), or --data-dir with a folder of its own.", BAD_INPUT)
    show = args.count >= DEMO_BATCH and sys.stderr.isatty()
    done = 0
    for start in range(0, args.count, DEMO_BATCH):
        batch = min(DEMO_BATCH, args.count - start)
        repo.create_many(demo_documents(batch, args.seed * 1_000_003 + start, settings.protocol_file), user=settings.user)
        done += batch
        if show:
            _progress(done, args.count)
    if show:
        print(file=sys.stderr)
    print(f"Created {done} synthetic training intakes (marked TRAINING, names end in '(synthetic)').")
    return OK


# ----- backup, restore, audit ------------------------------------------------------------------


def _maintainable(args: argparse.Namespace) -> Maintainable:
    """The store, opened read-only, if its backend lets ketatui back it up and check its audit log."""
    repo = _open(args, read_only=True)
    if not isinstance(repo, Maintainable):
        raise NotSupported(settings_of(args).backend, "back up its records or check its audit log")
    return repo


@_plainly
def cmd_backup(args: argparse.Namespace) -> int:
    repo = _maintainable(args)
    result = repo.backup(Path(args.output) if args.output else Path.cwd())
    print(f"Backed up {result.records} intake(s) to {result.path} ({result.size / 1e6:.1f} MB). "
          "It is encrypted: keep the key file (or passphrase) safe separately, a backup is useless without it.")
    return OK


@_plainly
def cmd_restore(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    result = restore_store(settings, Path(args.backup), user=settings.user)
    print(f"Restored {result.records} intake(s) from {args.backup}.")
    if result.kept is not None:
        print(f"The store that was there is kept at {result.kept}; delete it when you no longer need it.")
    return OK


@_plainly
def cmd_audit_verify(args: argparse.Namespace) -> int:
    repo = _open(args, read_only=True)
    if not isinstance(repo, Auditable):  # a server store is Auditable without being Maintainable
        raise NotSupported(settings_of(args).backend, "check its audit log")
    if args.head and not isinstance(repo, AuditAnchored):
        raise NotSupported(settings_of(args).backend, "check its audit log against a head written down earlier")
    try:
        report = repo.verify_audit(witness=args.head) if args.head else repo.verify_audit()
    except ValueError as exc:
        return fail(f"--head: {exc}.", BAD_INPUT)
    for number in report.interrupted:
        print(f"Note: line {number} is incomplete (a write was interrupted); it is not part of the chain.")
    if not report.ok:
        for problem in report.problems:
            print(f"ketatui: audit log {report.where}: {problem}", file=sys.stderr)
        return fail(f"The audit log has been altered ({len(report.problems)} problem(s) above). "
                    "Keep a copy of it as evidence and compare it with a backup.")
    print(f"Audit log intact: {report.entries} entries, each chained to the one before"
          + (", reaching the head kept in store.json" if report.head else "")
          + (f" and the head you gave ({args.head.split(':')[0]})" if args.head else "")
          + "; records, records list and audit log agree.")
    return OK


@_plainly
def cmd_audit_head(args: argparse.Namespace) -> int:
    """Print the audit head (``SEQ:MAC``) for a witness kept outside the store, optionally to syslog too."""
    repo = _open(args, read_only=True)  # a server store gives its head too
    if not isinstance(repo, AuditAnchored):
        raise NotSupported(settings_of(args).backend, "give its audit head")
    head = repo.audit_head()
    print(head)
    if args.syslog:
        import syslog

        syslog.openlog("ketatui", 0, syslog.LOG_AUTH)
        syslog.syslog(syslog.LOG_NOTICE, f"audit head {head} store {settings_of(args).data_dir}")
        syslog.closelog()
    return OK


# ----- the parser ------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps a --data-dir given before the command (on the main parser) from being reset.
    parser.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="the store folder (default: the data_dir setting)")
    parser.add_argument("--key-file", type=Path, default=argparse.SUPPRESS,
                        help="the store's key file (default: the key_file setting)")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    records = subparsers.add_parser("records", help="list, show and import stored intakes")
    rsub = records.add_subparsers(title="records commands", metavar="ACTION", required=True)

    init = rsub.add_parser("init", help="create the store if there is none (a server's store, before its first login)")
    _common(init)
    init.set_defaults(handler=cmd_init)

    lst = rsub.add_parser("list", help="list intakes, urgent first, then most recently updated")
    lst.add_argument("--search", metavar="TEXT", help="part of a name, the start of a record id, or a birth date")
    lst.add_argument("--status", choices=STATUSES)
    lst.add_argument("--training", choices=("include", "only", "exclude"), default="include",
                     help="synthetic training intakes: include (default), only, or exclude them")
    lst.add_argument("--limit", type=int, metavar="N")
    lst.add_argument("--format", choices=("table", "json"), default="table")
    lst.add_argument("--wide", action="store_true",
                     help="every column (revision, time, who saved it) and every name whole, wider than 80 columns")
    _common(lst)
    lst.set_defaults(handler=cmd_list)

    show = rsub.add_parser("show", help="show one intake (this is recorded in the audit log)")
    show.add_argument("record_id", metavar="ID", help="a record id, or its first characters")
    show.add_argument("--rev", type=int, help="a kept earlier revision (default: the current one)")
    show.add_argument("--format", choices=("json", "markdown"), default="json")
    _common(show)
    show.set_defaults(handler=cmd_show)

    imp = rsub.add_parser("import", help="store intakes from JSON files (one intake or a list per file); "
                          "the plan of an unsigned intake is derived again")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--format", choices=("intake", "fhir"), default="intake",
                     help="intake (ketatui JSON, default) or fhir (a PHQ-9 or GAD-7 QuestionnaireResponse, added as a follow-up score)")
    imp.add_argument("--record", metavar="ID", help="with --format fhir: the intake to add the score to (default: the one the response names)")
    _common(imp)
    imp.set_defaults(handler=cmd_import)

    from ketatui.commands.fhir import add_export_command

    add_export_command(rsub, _common, _plainly)

    course = rsub.add_parser("course", help="the course of a stored intake: response, decisions and the adjusted plan")
    course.add_argument("record_id", metavar="ID", help="a record id, or its first characters")
    add_course_options(course)
    _common(course)
    course.set_defaults(handler=cmd_course)

    session = rsub.add_parser("session", help="keep treatment sessions and follow-up visits with their intake")
    ssub = session.add_subparsers(title="session commands", metavar="ACTION", required=True)
    sadd = ssub.add_parser("add", help="keep one session or visit from a JSON file (see `ketatui schema session`)")
    sadd.add_argument("record_id", metavar="ID", help="the intake's record id, or its first characters")
    sadd.add_argument("file", metavar="FILE", help="one session or follow-up visit record as JSON")
    sadd.add_argument("--rev", type=int, metavar="N", help="correct the kept record at this revision (default: a new record)")
    sadd.add_argument("--protocol", metavar="FILE", help="the clinic's protocol TOML (default: the protocol_file setting or built-in)")
    _common(sadd)
    sadd.set_defaults(handler=cmd_session_add)

    demo = subparsers.add_parser("demo-data", help="add synthetic intakes, clearly marked, to a store with no real records (or --training-store)")
    demo.add_argument("--count", type=int, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=0, metavar="S", help="the same seed gives the same intakes")
    demo.add_argument("--training-store", action="store_true",
                      help="into the training store (the training_data_dir setting) instead; a store holding real records is always refused")
    _common(demo)
    demo.set_defaults(handler=cmd_demo_data)

    bk = subparsers.add_parser("backup", help="write an encrypted backup of the store to one file")
    bk.add_argument("output", nargs="?", metavar="PATH", help="a .tar file name, or a folder to put one in (default: the current folder)")
    _common(bk)
    bk.set_defaults(handler=cmd_backup)

    rs = subparsers.add_parser("restore", help="replace the store with a backup (the current one is kept aside)")
    rs.add_argument("backup", metavar="BACKUP")
    _common(rs)
    rs.set_defaults(handler=cmd_restore)

    audit = subparsers.add_parser("audit", help="check the audit log")
    asub = audit.add_subparsers(title="audit commands", metavar="ACTION", required=True)
    verify = asub.add_parser("verify", help="check that no audit line was changed, removed, inserted or cut off, "
                             "and that records, the records list and the audit log agree")
    verify.add_argument("--head", metavar="SEQ:MAC", help="also check the log still reaches a head printed earlier by `ketatui audit head`")
    _common(verify)
    verify.set_defaults(handler=cmd_audit_verify)
    head = asub.add_parser("head", help="print the latest audit entry (SEQ:MAC) to keep elsewhere as a witness against a rolled-back store")
    head.add_argument("--syslog", action="store_true", help="also send it to syslog (facility auth)")
    _common(head)
    head.set_defaults(handler=cmd_audit_head)
