"""The database commands: ``db upgrade`` (the schema, versioned) and ``store copy`` (a folder
store into a database, counts checked). Only a server backend has a schema; the embedded store
needs neither.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ketatui.commands.common import BAD_INPUT, OK, fail, settings_of


def _backend_of(args: argparse.Namespace):
    from ketatui.storage import backends

    return backends.backend_named(settings_of(args).backend)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    backend = _backend_of(args)
    if not hasattr(backend, "upgrade"):
        print(f"The {settings.backend} store has no database schema to upgrade.")
        from ketatui.commands.intake_upgrade import report_intake_migrations

        return report_intake_migrations(args)
    before, ran = backend.upgrade(settings)
    if not ran:
        print(f"The database schema is up to date (version {before}).")
        from ketatui.commands.intake_upgrade import report_intake_migrations

        return report_intake_migrations(args)
    for migration in ran:
        print(f"Applied migration {migration.version}: {migration.name}.")
    print(f"The database schema is now at version {ran[-1].version} (it was at {before}).")
    from ketatui.commands.intake_upgrade import report_intake_migrations

    return report_intake_migrations(args)


def cmd_store_copy(args: argparse.Namespace) -> int:
    from pydantic import SecretStr

    from ketatui.storage.postgres.copy import KINDS, copy_folder_to_database

    settings = settings_of(args)
    folder = Path(args.source).expanduser()
    if not folder.is_dir():
        return fail(f"--from {folder}: no such folder. Give the data folder of the store to copy (the data_dir setting).", BAD_INPUT)
    source = settings.model_copy(update={"backend": "tinydb", "data_dir": folder})
    destination = settings.model_copy(update={"backend": "postgres", "database_url": SecretStr(args.to)})
    report = copy_folder_to_database(source, destination, user=settings.user)
    words = {"records": "intakes", "revisions": "kept revisions", "amendments": "amendment reasons",
             "course": "sessions and visits", "audit": "audit lines"}
    print(f"{'':22}{'in the folder':>14}{'in the database':>17}")
    for kind in KINDS:
        mark = "" if report.source[kind] == report.copied[kind] else "   <- DIFFERENT"
        print(f"{words[kind]:22}{report.source[kind]:>14}{report.copied[kind]:>17}{mark}")
    audit = report.audit
    if audit is not None and not audit.ok:
        for problem in audit.problems:
            print(f"  audit: {problem}")
    if not report.ok:
        return fail("The copy does not match the folder store (see above). Keep using the folder store and report this.")
    print(f"Copied and checked: every count matches and the audit chain of {audit.entries} entries verifies. "
          "Set backend = \"postgres\" and database_url in the settings to use the database.")
    return OK


def add_database_commands(subparsers: argparse._SubParsersAction) -> None:
    from ketatui.commands.records import _common, _plainly

    db = subparsers.add_parser("db", help="the database of a server backend (postgres)")
    dsub = db.add_subparsers(title="db commands", metavar="ACTION", required=True)
    upgrade = dsub.add_parser("upgrade", help="bring the database schema up to date (versioned migrations, run once each)")
    _common(upgrade)
    upgrade.set_defaults(handler=_plainly(cmd_db_upgrade))

    store = subparsers.add_parser("store", help="move a store between backends")
    ssub = store.add_subparsers(title="store commands", metavar="ACTION", required=True)
    copy = ssub.add_parser("copy", help="copy a folder store, with revisions, sessions and audit, into an empty PostgreSQL database")
    copy.add_argument("--from", dest="source", required=True, metavar="DIR", help="the folder store's data folder")
    copy.add_argument("--to", required=True, metavar="URL", help="the database, e.g. postgresql://ketatui@db.clinic.example/ketatui")
    _common(copy)
    copy.set_defaults(handler=_plainly(cmd_store_copy))
