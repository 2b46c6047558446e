"""Sessions and visits kept with their intake: each a record of its own with a ``rev``, in the
intake's own encrypted file, a stale correction refused, and one audit line per write."""

from __future__ import annotations

import json
from datetime import date

import pytest
from course_builders import session_data

from ketatui.course.records import parse_course_records
from ketatui.storage import InvalidRequest, StaleRevision, open_repository
from ketatui.storage.tinydb import store as tinydb_store
from ketatui.storage.tinydb.audit import AuditLog

from stores import store_settings


@pytest.fixture
def stored(tmp_path, make_data):
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    intake = repo.import_documents([make_data()], user="kiosk")[0]  # keeps the example's record id
    return repo, intake


def audit(repo) -> list[dict]:
    return [json.loads(line) for line in repo.layout.audit.read_text().splitlines()]


def test_a_session_is_kept_with_its_intake_and_reads_back_as_a_valid_record(stored):
    repo, record_id = stored
    first = repo.add_course_record(record_id, session_data(1, date(2026, 3, 9)), user="nurse.lee")
    held = session_data(2, date(2026, 3, 12), "held", bp_pre={"systolic": 170, "diastolic": 100})
    repo.add_course_record(record_id, held, user="nurse.lee")
    kept = repo.course_records(record_id, user="dr.okafor")
    assert [(d["number"], d["status"], d["rev"]) for d in kept] == [(1, "given", 1), (2, "held", 1)]
    assert parse_course_records(kept, intake_record_id=record_id)[0].record_id == first["record_id"]
    assert repo.get(record_id, user="dr.okafor")["rev"] == 1  # the intake itself is untouched
    blob = repo.layout.record(record_id).read_bytes()
    assert b"nurse.lee" not in blob and b"held" not in blob  # encrypted at rest, in the intake's own file


def test_a_correction_names_the_revision_it_corrects_and_a_stale_one_is_refused(stored):
    repo, record_id = stored
    first = repo.add_course_record(record_id, session_data(1, date(2026, 3, 9)), user="nurse.lee")
    corrected = repo.add_course_record(record_id, dict(first, notes="BP cuff re-sized"), user="nurse.lee", expected_rev=1)
    assert corrected["rev"] == 2
    with pytest.raises(StaleRevision) as refused:
        repo.add_course_record(record_id, dict(first, notes="an older copy"), user="dr.kim", expected_rev=1)
    assert "now revision 2; this copy is revision 1" in str(refused.value) and "Session or visit" in str(refused.value)
    with pytest.raises(InvalidRequest, match="already stored"):
        repo.add_course_record(record_id, first, user="nurse.lee")
    assert [d["notes"] for d in repo.course_records(record_id, user="dr.kim")] == ["BP cuff re-sized"]


def test_a_session_of_another_intake_is_refused(stored):
    repo, record_id = stored
    other = session_data(1, date(2026, 3, 9)) | {"intake_record_id": "00000000-0000-4000-8000-000000000000", "record_id": "11111111-1111-4111-8111-111111111111"}
    with pytest.raises(InvalidRequest, match="belongs to intake 00000000"):
        repo.add_course_record(record_id, other, user="nurse.lee")


def test_every_write_and_reading_of_the_course_is_one_audit_line_without_health_data(stored):
    repo, record_id = stored
    data = session_data(1, date(2026, 3, 9)) | {"record_id": "a1f0c3e2-0001-4a6b-8c1d-2e3f4a5b6c01"}
    repo.add_course_record(record_id, data, user="nurse.lee")
    repo.add_course_record(record_id, dict(data, rev=1, notes="x"), user="nurse.lee", expected_rev=1)
    repo.course_records(record_id, user="dr.okafor")
    course_lines = [(line["action"], line["user"], line.get("target")) for line in audit(repo)[1:]]
    assert course_lines == [("course", "nurse.lee", "session a1f0c3e2-0001-4a6b-8c1d-2e3f4a5b6c01 rev 1"),
                            ("course", "nurse.lee", "session a1f0c3e2-0001-4a6b-8c1d-2e3f4a5b6c01 rev 2"),
                            ("view", "dr.okafor", "course")]
    assert repo.verify_audit().ok
    # No reading reaches the audit log: only the chain's own fields, and none of them holds a reading
    # (the MAC, the previous MAC and the time are hex and digits, so they are left out of the search).
    for line in audit(repo):
        assert set(line) <= {"action", "mac", "prev", "record_id", "rev", "seq", "target", "ts", "user", "note"}
        plain = {key: value for key, value in line.items() if key not in {"mac", "prev", "ts"}}
        assert not any(reading in str(value) for value in plain.values() for reading in ("128", "142", "bp_"))


class Died(BaseException):
    """Stands for the process being killed at this point."""


def die_on_call(monkeypatch, owner, name, call_number):
    real, calls = getattr(owner, name), {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call_number:
            raise Died
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)


# write_atomic calls in one course write: 1 = the journal, 2 = the intake's file.
@pytest.mark.parametrize(("where", "owner", "name", "call", "kept"), [
    ("journal written, session not", tinydb_store, "write_atomic", 2, False),
    ("session written, audit not", AuditLog, "append", 1, True),
    ("all written, journal not removed", tinydb_store, "remove_durably", 1, True),
])
def test_an_interrupted_course_write_is_finished_or_undone(tmp_path, stored, monkeypatch, where, owner, name, call, kept):
    repo, record_id = stored
    data = session_data(1, date(2026, 3, 9)) | {"record_id": "a1f0c3e2-0001-4a6b-8c1d-2e3f4a5b6c01"}
    with monkeypatch.context() as m:
        die_on_call(m, owner, name, call)
        with pytest.raises(Died):
            repo.add_course_record(record_id, data, user="nurse.lee")
    assert repo.layout.journal.exists()

    after = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    assert not after.layout.journal.exists() and after.verify_audit().ok
    assert [d["record_id"] for d in after.course_records(record_id, user="dr.okafor")] == ([data["record_id"]] if kept else [])
    logged = [line for line in audit(after) if line["action"] == "course"]
    assert len(logged) == (1 if kept else 0)  # the line is written once, by the writer or by the recovery
    assert [line.get("recovered", False) for line in logged] == ([where == "session written, audit not"] if kept else [])
