"""``ketatui demo-data`` writes intakes derived as the App derives them, so they list as a
clinician would see real ones: urgent and blocked from the core's triage, named by the listing."""

from __future__ import annotations

from ketatui.clinical.protocol import default_protocol
from ketatui.commands.records import demo_documents
from ketatui.intake.document import parse_intake
from ketatui.session import derive
from ketatui.storage import open_repository

from stores import store_settings


def test_each_synthetic_intake_carries_the_triage_listing_and_plan_the_core_derives():
    docs = demo_documents(60, seed=3)
    protocol = default_protocol()
    for doc in docs:
        intake = parse_intake(doc)
        derived = derive(intake, protocol)
        assert doc["triage"] == derived.triage.model_dump(mode="json")
        assert doc["listing"]["full_name"] == doc["medical_history"]["demographics"]["full_name"]
        assert doc["training"] is True
    assert any(d["triage"]["urgent"] for d in docs) and not all(d["triage"]["urgent"] for d in docs)


def test_the_records_list_shows_them_urgent_first_with_their_next_session(tmp_path):
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    docs = demo_documents(40, seed=5)
    repo.create_many(docs, user="trainer")
    rows = repo.list()
    urgent = {d["record_id"] for d in docs if d["triage"]["urgent"]}
    assert [r.urgent for r in rows] == sorted((r.record_id in urgent for r in rows), reverse=True)
    assert {r.record_id for r in rows if r.urgent} == urgent
    assert all(r.blocked == next(d for d in docs if d["record_id"] == r.record_id)["triage"]["blocked"] for r in rows)
    planned = [r for r in rows if not r.blocked]
    assert planned and all(r.next_session for r in planned)
