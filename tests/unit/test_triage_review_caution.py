"""The triage says whether an intake carries a flag to review or to monitor, and storage lists it:
the records list's FLAGS column reads REVIEW and CAUTION from there."""

from __future__ import annotations

import json

from builders import EXAMPLES, TODAY
from ketatui.clinical.protocol import default_protocol
from ketatui.intake.document import parse_intake
from ketatui.session import derive
from ketatui.storage.documents import list_fields, review_and_caution
from ketatui.storage.tinydb.index import summary_row, to_summary, _as_tuple


def derived(name: str):
    intake = parse_intake((EXAMPLES / name).read_text(encoding="utf-8"))
    found = derive(intake, default_protocol(), today=TODAY)
    return intake, found


def test_review_and_caution_follow_the_severities_raised() -> None:
    for name in sorted(p.name for p in EXAMPLES.glob("0*.json")):
        intake, found = derived(name)
        severities = {f.severity for f in found.flags}
        assert intake.triage.review == ("review" in severities), name
        assert intake.triage.caution == ("caution" in severities), name


def test_both_backends_list_them_and_an_older_triage_falls_back_to_the_plans_flags() -> None:
    intake, _ = derived("03-blood-pressure-out-of-range.json")
    doc = json.loads(intake.model_dump_json())
    doc.update(rev=1, updated_at="2026-12-03T10:00:00+00:00", updated_by="dr.lee", created_by="dr.lee")
    assert review_and_caution(doc) == (True, True)
    assert (list_fields(doc)["review"], list_fields(doc)["caution"]) == (True, True)
    summary = to_summary(_as_tuple(summary_row(doc)), "2026-12-03")
    assert (summary.review, summary.caution) == (True, True)
    older = dict(doc, triage={"urgent": False, "blocked": True, "reasons": []})  # stored before it said so
    assert review_and_caution(older) == (True, True)
    none = dict(older, plan={"flags": [{"severity": "info"}]})
    assert review_and_caution(none) == (False, False)


def test_the_records_table_measures_wide_names_in_cells() -> None:
    from rich.cells import cell_len as rich_cells

    from ketatui.commands.records_table import cell_len, table
    from ketatui.storage import RecordSummary

    names = ["山田 太郎 さくら子 山田 太郎 さくら子 山田 太郎", "José Müller", "Zoë Ångström-Ólafsdóttir de la Cruz y Villanueva"]
    assert [cell_len(n) for n in names] == [rich_cells(n) for n in names]
    rows = [RecordSummary(record_id=f"{i:08x}-0000-4000-8000-000000000000", full_name=n, date_of_birth="1980-01-01",
                          status="submitted", rev=1, updated_at=None, updated_by=None, urgent=True, blocked=True,
                          training=False, current_step=None, review=True, caution=True) for i, n in enumerate(names)]
    lines = table(rows).splitlines()
    assert all(rich_cells(line) <= 80 for line in lines), [(rich_cells(line), line) for line in lines]
    assert len({rich_cells(line[:line.index("1980")]) for line in lines[1:]}) == 1  # the columns line up
