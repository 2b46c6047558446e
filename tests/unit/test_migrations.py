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


# --- version 2 to 3: answers that were only the form's default become "not answered" ---

V2 = Path(__file__).resolve().parents[1] / "fixtures" / "v2"


def test_a_v2_draft_keeps_what_was_ticked_and_asks_again_what_was_only_a_default():
    from ketatui.clinical.rules import evaluate
    from ketatui.clinical.protocol import load_protocol
    from ketatui.intake.migrations import reporting

    v2 = load(V2 / "draft-with-defaults.json")
    with reporting() as report:
        intake = parse_intake(migrate(v2))
    physical, substance = intake.medical_history.physical, intake.medical_history.substance_use
    assert physical.hypertension is True, "a tick is an answer"
    assert physical.hypertension_controlled is None, "the pre-ticked 'controlled' box was only a default"
    assert physical.glaucoma is None and physical.stroke is None, "an unticked box could not tell no from not asked"
    assert substance.cannabis_use is True and substance.alcohol_drinks_per_week is None
    assert intake.medical_history.psychiatric.prior_ect is None
    assert all(t.in_current_episode is None for t in intake.medical_history.psychiatric.antidepressant_trials)
    values = intake.form_state["medical_history"]["values"]
    assert values["medical_history.physical.hypertension"] is True
    assert values["medical_history.physical.hypertension_controlled"] is None
    assert values["medical_history.physical.hyperthyroidism"] is None and values["medical_history.physical.stroke"] is None
    assert intake.form_state["medical_history"]["trials"][0]["in_current_episode"] is None
    assert report.read == 1 and list(report.answers_to_confirm) == [v2["record_id"]]
    assert report.answers_to_confirm[v2["record_id"]] >= 30

    flag = next(f for f in evaluate(intake, load_protocol()) if f.code == "ANSWER-MISSING")
    assert "'Blood pressure controlled by treatment'" in flag.reason, "the rules name it; they never read it as controlled"


def test_a_signed_v2_record_stays_as_it_was_signed():
    from ketatui.intake.migrations import reporting

    v2 = load(V2 / "signed-with-defaults.json")
    with reporting() as report:
        current = migrate(v2)
    signed = parse_intake(current)
    assert signed.medical_history.substance_use.alcohol_drinks_per_week == 0, "a section the v2 file left out read as its defaults"
    physical = signed.medical_history.physical
    assert (physical.hypertension, physical.hypertension_controlled, physical.stroke) == (True, True, False), (
        "it reads as the clinician saw it when signing: the v2 form showed 'controlled' ticked and stroke unticked")
    assert all(t.in_current_episode is True for t in signed.medical_history.psychiatric.antidepressant_trials)
    assert (signed.status, signed.signed_by, signed.plan) == ("signed", v2["signed_by"], v2.get("plan"))
    assert report.answers_to_confirm == {}, "a signed record is never counted as changed"


def test_v2_to_v3_is_pure_and_reports_nothing_outside_reporting():
    v2 = load(V2 / "draft-with-defaults.json")
    original = copy.deepcopy(v2)
    assert migrate(v2) == migrate(v2)
    assert v2 == original


def test_db_upgrade_says_how_many_stored_records_it_changed(tmp_path, monkeypatch, capsys):
    """Records written by the previous release (stored as version 2) are counted by ``ketatui db upgrade``."""
    from ketatui.cli import main
    from ketatui.storage import documents, open_repository
    from stores import store_settings

    settings = store_settings(tmp_path / "store", tmp_path / "store.key")
    with monkeypatch.context() as old_release:  # the previous release stored version 2 as it was
        old_release.setattr(documents, "SCHEMA_VERSION", 2)
        old_release.setattr(documents, "migrate", lambda doc: doc)
        repo = open_repository(settings)
        repo.import_documents([load(V2 / "draft-with-defaults.json"), load(V2 / "signed-with-defaults.json")], user="dr.lee")
    code = main(["db", "upgrade", "--data-dir", str(tmp_path / "store"), "--key-file", str(tmp_path / "store.key")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 of 2 are stored in an older form" in out
    assert "1 record changed" in out and "0c2f9a57-3f1e-4d0b-9a51-7e2b6c1d4a01" in out
    assert "Signed records are kept as they were signed" in out
    assert "0c2f9a57-3f1e-4d0b-9a51-7e2b6c1d4a02" not in out


def test_ketatui_plan_reads_a_v2_file_and_names_what_it_must_ask(capsys):
    """A file written for version 2 is planned, not refused; its assumed answers are named, not passed."""
    from ketatui.cli import main

    code = main(["plan", str(V2 / "draft-with-defaults.json")])
    out = capsys.readouterr().out
    assert code == 0
    flags = {f["code"]: f for f in json.loads(out)["flags"]}
    assert "'Blood pressure controlled by treatment'" in flags["ANSWER-MISSING"]["reason"]
