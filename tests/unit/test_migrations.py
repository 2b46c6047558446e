"""Schema migrations: stored v1 documents become valid current intakes, by pure functions."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ketatui.intake.document import parse_intake
from ketatui.intake.migrations import MIGRATIONS, migrate
from ketatui.intake.schema import SCHEMA_VERSION

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "v1").glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_is_a_step_for_every_version_below_the_current_one():
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION))


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_a_stored_v1_document_becomes_a_valid_current_intake(path):
    v1 = load(path)
    assert v1["schema_version"] == 1
    current = migrate(v1)
    intake = parse_intake(current)
    assert intake.schema_version == SCHEMA_VERSION
    assert (intake.record_id, intake.rev) == (v1["record_id"], v1["revision"])
    assert intake.updated_by == v1["updated_by"] and intake.signed_by == v1["signed_by"]
    if v1.get("medical_history"):
        assert intake.medical_history.demographics.full_name == v1["medical_history"]["demographics"]["name"]
        assert intake.medical_history.demographics.date_of_birth.isoformat() == v1["medical_history"]["demographics"]["dob"]


def test_v1_words_and_numbers_map_onto_v2():
    draft = migrate(load(FIXTURES[0].with_name("draft-in-progress.json")))
    assert (draft["status"], draft["current_step"], draft["training"], draft["route"]) == ("draft", "medical_history", False, "iv_ketamine")
    assert migrate(load(FIXTURES[0].with_name("submitted-complete.json")))["current_step"] == "summary"
    assert migrate({"schema_version": 1, "revision": 2, "current_step": 3})["current_step"] == "side_effects"


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_migration_is_pure(path):
    v1 = load(path)
    original = copy.deepcopy(v1)
    assert migrate(v1) == migrate(v1)
    assert v1 == original


def test_current_documents_pass_through_and_newer_ones_are_refused(make_data):
    data = make_data()
    assert migrate(data) == data
    with pytest.raises(ValueError, match="newer"):
        migrate(dict(data, schema_version=SCHEMA_VERSION + 1))
    with pytest.raises(ValueError, match="whole number"):
        migrate(dict(data, schema_version="two"))


def test_a_store_holding_v1_documents_reads_and_lists_them_as_current(tmp_path):
    """Stored v1 records (as an older ketatui wrote them) open, list and save as the current schema."""
    from ketatui.storage import open_repository
    from ketatui.storage.tinydb.store import REVISIONS

    repo = open_repository(tmp_path / "store", key_file=tmp_path / "store.key")
    for path in FIXTURES:
        doc = load(path)
        repo.layout.record(doc["record_id"]).parent.mkdir(exist_ok=True)
        repo._db(repo.layout.record(doc["record_id"])).table(REVISIONS).insert(doc)
    assert repo.rebuild_index() == len(FIXTURES)
    rows = {r.record_id: r for r in repo.list()}
    signed = load(FIXTURES[0].with_name("signed.json"))
    assert rows[signed["record_id"]].full_name == "Rowan Adeyemi" and rows[signed["record_id"]].status == "signed"
    draft = load(FIXTURES[0].with_name("draft-in-progress.json"))
    stored = repo.get(draft["record_id"], user="dr.lee")
    saved = repo.save(stored, user="dr.lee", expected_rev=1)
    assert saved["schema_version"] == SCHEMA_VERSION and saved["rev"] == 2
    assert [d["rev"] for d in repo.revisions(draft["record_id"])] == [2]  # the v1 draft was replaced, not kept beside
    amended = repo.amend(signed["record_id"], user="dr.lee", reason="Weight corrected")
    assert amended["amends_rev"] == 5 and parse_intake(amended).status == "draft"
