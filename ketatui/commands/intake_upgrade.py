"""``ketatui db upgrade``, the intakes' part: how many stored intakes are read in the current form,
and how many had answers that were only a form's default, now "not answered" to confirm.

Intakes are migrated when they are read (``ketatui.intake.migrations``) and saved in the current
form at their next save; nothing stored is rewritten here, so the audit log and every kept
revision stay exactly as they were written. This reads each record's latest revision once and
says what the migrations did to it.
"""

from __future__ import annotations

import argparse

from ketatui.commands.common import OK
from ketatui.intake.schema import SCHEMA_VERSION


def report_intake_migrations(args: argparse.Namespace) -> int:
    from ketatui.commands.records import _open
    from ketatui.commands.common import settings_of
    from ketatui.intake.migrations import reporting

    from ketatui.storage.errors import NoStoreInDatabase, StoreMissing

    try:
        repo = _open(args)
    except (NoStoreInDatabase, StoreMissing):
        print("Intakes: none are stored here yet, so there is nothing to migrate.")
        return OK
    user = settings_of(args).user
    with reporting() as report:
        rows = repo.list(training=None)
        for row in rows:
            repo.get(row.record_id, user=user)
    if not report.read:
        print(f"Intakes: all {len(rows)} are stored in the current form (version {SCHEMA_VERSION}); nothing to migrate.")
        return OK
    changed = len(report.answers_to_confirm)
    answers = sum(report.answers_to_confirm.values())
    print(f"Intakes: {report.read} of {len(rows)} are stored in an older form and are read in version {SCHEMA_VERSION}; "
          "each is saved in it at its next save.")
    print(f"Intakes: {changed} record{'s' if changed != 1 else ''} changed: {answers} answer{'s' if answers != 1 else ''} "
          "that were only the old form's default (a pre-ticked 'controlled' box, an unticked box, an empty count) now "
          "read as not answered, for a clinician to confirm. Signed records are kept as they were signed.")
    for record_id, count in sorted(report.answers_to_confirm.items()):
        print(f"  {record_id}: {count} answer{'s' if count != 1 else ''} to confirm")
    return OK
