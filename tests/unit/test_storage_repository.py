"""The Repository contract: revisions, refusals, the records list and search, and fresh reads."""

from __future__ import annotations

import os
import uuid

import pytest

from ketatui.intake.document import parse_intake
from ketatui.storage import (
    InvalidRequest,
    NewerSchema,
    RecordNotFound,
    Repository,
    SignedRecordLocked,
    StaleRevision,
    StoreMissing,
    open_repository,
)


@pytest.fixture
def open_store(tmp_path):
    def open_(**kwargs):
        return open_repository(tmp_path / "store", key_file=tmp_path / "store.key", **kwargs)

    return open_


@pytest.fixture
def repo(open_store) -> Repository:
    return open_store()


def person(make_data, name="Jordan Ellis", dob="1984-03-14", **top):
    data = make_data({"medical_history.demographics.full_name": name, "medical_history.demographics.date_of_birth": dob})
    data.pop("record_id")
    data.update(top)
    return data


def test_create_assigns_identity_revision_and_who_when(repo, make_data):
    stored = repo.create(person(make_data), user="kiosk")
    assert uuid.UUID(stored["record_id"]).version == 4
    assert stored["rev"] == 1 and stored["status"] == "submitted"
    assert stored["created_by"] == stored["updated_by"] == "kiosk"
    assert stored["created_at"] == stored["updated_at"] is not None
    assert repo.get(stored["record_id"], user="dr.lee") == stored
    parse_intake(stored)  # what is stored is still a valid intake


def test_save_counts_revisions_and_keeps_origin(repo, make_data):
    first = repo.create(person(make_data), user="kiosk")
    edited = dict(first, current_step="medications", created_by="someone else", training=True)
    second = repo.save(edited, user="dr.lee", expected_rev=1)
    assert second["rev"] == 2 and second["updated_by"] == "dr.lee" and second["current_step"] == "medications"
    assert second["created_by"] == "kiosk" and second["training"] is False  # a save cannot rewrite origin
    assert repo.get(first["record_id"], user="dr.lee")["rev"] == 2


def test_stale_revision_is_refused_and_names_who_changed_it(repo, make_data):
    first = repo.create(person(make_data), user="kiosk")
    repo.save(dict(first, current_step="medications"), user="dr.lee", expected_rev=1)
    with pytest.raises(StaleRevision) as caught:
        repo.save(dict(first, current_step="goals_support"), user="dr.kim", expected_rev=1)
    assert "changed in another session by dr.lee" in str(caught.value) and "Nothing was saved" in str(caught.value)
    stored = repo.get(first["record_id"], user="dr.kim")
    assert stored["current_step"] == "medications" and stored["rev"] == 2


def test_signed_revision_is_never_edited_and_amendment_keeps_it(repo, make_data):
    rid = repo.create(person(make_data), user="kiosk")["record_id"]
    signed = repo.sign(rid, user="dr.lee", expected_rev=1)
    assert signed["status"] == "signed" and signed["signed_by"] == "dr.lee" and signed["rev"] == 2
    with pytest.raises(SignedRecordLocked):
        repo.save(dict(signed, current_step="medications"), user="dr.lee", expected_rev=2)
    with pytest.raises(SignedRecordLocked):
        repo.sign(rid, user="dr.lee", expected_rev=2)
    with pytest.raises(SignedRecordLocked):
        repo.delete(rid, user="dr.lee", expected_rev=2)

    draft = repo.amend(rid, user="dr.kim")
    assert (draft["status"], draft["rev"], draft["amends_rev"], draft["signed_by"]) == ("draft", 3, 2, None)
    with pytest.raises(InvalidRequest, match="not signed"):
        repo.amend(rid, user="dr.kim")
    repo.save(dict(draft, current_step="medications"), user="dr.kim", expected_rev=3)
    resigned = repo.sign(rid, user="dr.kim", expected_rev=4)

    kept = repo.revisions(rid, user="dr.kim")
    assert [(d["rev"], d["status"]) for d in kept] == [(2, "signed"), (5, "signed")]
    assert kept[0]["signed_by"] == "dr.lee" and kept[0]["current_step"] == "summary"
    assert repo.get(rid, user="dr.kim", rev=2) == kept[0]
    assert resigned["amends_rev"] == 2


def test_refusals_say_what_to_do(repo, make_data):
    with pytest.raises(InvalidRequest, match="create it, then sign it"):
        repo.create(person(make_data, status="signed"), user="kiosk")
    with pytest.raises(InvalidRequest, match="not a record id"):
        repo.create(person(make_data, record_id="42"), user="kiosk")
    stored = repo.create(person(make_data), user="kiosk")
    with pytest.raises(InvalidRequest, match="already stored"):
        repo.create(dict(stored), user="kiosk")
    with pytest.raises(InvalidRequest, match="is signed with Sign"):
        repo.save(dict(stored, status="signed"), user="dr.lee", expected_rev=1)
    missing = str(uuid.uuid4())
    with pytest.raises(RecordNotFound, match=missing):
        repo.get(missing, user="dr.lee")
    with pytest.raises(RecordNotFound):
        repo.save(dict(stored, record_id=missing), user="dr.lee", expected_rev=1)
    with pytest.raises(InvalidRequest, match="no revision 9"):
        repo.get(stored["record_id"], user="dr.lee", rev=9)
    with pytest.raises(InvalidRequest, match="Unknown status"):
        repo.list(status="finished")


def test_delete_needs_the_current_revision_and_spares_signed_real_records(repo, make_data):
    draft = repo.create(person(make_data, status="draft"), user="kiosk")
    with pytest.raises(StaleRevision):
        repo.delete(draft["record_id"], user="dr.lee", expected_rev=7)
    repo.delete(draft["record_id"], user="dr.lee", expected_rev=1)
    with pytest.raises(RecordNotFound):
        repo.get(draft["record_id"], user="dr.lee")
    assert repo.list() == []
    training = repo.create(person(make_data, training=True), user="trainer")
    repo.sign(training["record_id"], user="trainer", expected_rev=1)
    repo.delete(training["record_id"], user="trainer", expected_rev=2)  # synthetic data may go
    assert repo.list() == []


def test_list_orders_urgent_first_then_most_recent(repo, make_data):
    old = repo.create(person(make_data, name="Avery Old"), user="kiosk")
    urgent = repo.create(person(make_data, name="Blake Urgent", plan={"schedulable": False, "flags": [
        {"code": "RISK-SUICIDE-SCREEN", "severity": "urgent"}, {"code": "BP-SEVERE", "severity": "stop"}]}), user="kiosk")
    new = repo.create(person(make_data, name="Casey New", plan={"schedulable": True, "flags": [{"code": "BLADDER", "severity": "caution"}]}), user="kiosk")
    rows = repo.list()
    assert [r.full_name for r in rows] == ["Blake Urgent", "Casey New", "Avery Old"]
    assert (rows[0].urgent, rows[0].blocked, rows[1].urgent, rows[1].blocked) == (True, True, False, False)
    repo.save(old, user="dr.lee", expected_rev=1)
    assert [r.full_name for r in repo.list()] == ["Blake Urgent", "Avery Old", "Casey New"]
    assert [r.full_name for r in repo.list(limit=2)] == ["Blake Urgent", "Avery Old"]
    assert {r.record_id for r in repo.list()} == {old["record_id"], urgent["record_id"], new["record_id"]}


def test_a_draft_with_a_positive_screen_is_urgent_before_it_has_a_plan(repo, make_data):
    draft = person(make_data, name="Devon Draft", status="draft")
    for section in ("medications", "side_effects", "goals_support"):
        draft[section] = None  # stopped on step 1: no plan can be made yet
    draft["asq"] = {"wished_dead": True, "family_better_off": False, "thoughts_of_killing_self": False,
                    "ever_tried": False, "thoughts_right_now": False}
    calm = person(make_data, name="Emery Calm", status="draft")
    calm["goals_support"] = None
    repo.create(calm, user="kiosk")
    stored = repo.create(draft, user="kiosk")
    assert stored.get("plan") is None
    rows = {r.full_name: r for r in repo.drafts()}
    assert rows["Devon Draft"].urgent and not rows["Emery Calm"].urgent
    assert repo.list()[0].full_name == "Devon Draft"


def test_search_by_name_id_prefix_and_birth_date(repo, make_data):
    jordan = repo.create(person(make_data, name="Jordan Ellis", dob="1984-03-14"), user="kiosk")
    repo.create(person(make_data, name="Zoë Ellison", dob="1990-07-02"), user="kiosk")
    repo.create(person(make_data, name="Sam Carter", dob="1984-11-30", training=True), user="kiosk")

    def names(**kw):
        return sorted(r.full_name for r in repo.list(**kw))

    assert names(search="ellis") == ["Jordan Ellis", "Zoë Ellison"]
    assert names(search="ELLIS jor") == ["Jordan Ellis"]
    assert names(search="zoe") == ["Zoë Ellison"]  # accents do not matter
    assert names(search=jordan["record_id"][:6]) == ["Jordan Ellis"]
    assert names(search="1984-03-14") == ["Jordan Ellis"]
    assert names(search="3/14/1984") == ["Jordan Ellis"]
    assert names(search="1984") == ["Jordan Ellis", "Sam Carter"]
    assert names(search="nobody") == []
    assert names(training=True) == ["Sam Carter"]
    assert names(training=False, search="1984") == ["Jordan Ellis"]
    assert names(status="submitted", search="carter") == ["Sam Carter"]


def test_drafts_for_one_user(repo, make_data):
    a = repo.create(person(make_data, name="Mine", status="draft"), user="dr.lee")
    repo.create(person(make_data, name="Theirs", status="draft"), user="dr.kim")
    repo.create(person(make_data, name="Done"), user="dr.lee")
    assert [r.full_name for r in repo.drafts(user="dr.lee")] == ["Mine"]
    assert sorted(r.full_name for r in repo.drafts()) == ["Mine", "Theirs"]
    repo.save(a, user="dr.kim", expected_rev=1)
    assert sorted(r.full_name for r in repo.drafts(user="dr.kim")) == ["Mine", "Theirs"]


def test_another_session_sees_every_write_at_once(open_store, make_data):
    """Two repositories on one store behave like two processes: no cache hides the other's writes."""
    mine, theirs = open_store(), open_store()
    assert mine.list() == []
    made = theirs.create(person(make_data, name="First Person"), user="kiosk")
    assert [r.full_name for r in mine.list()] == ["First Person"]
    for step in ("medications", "side_effects", "goals_support"):  # several writes within one clock tick
        current = theirs.get(made["record_id"], user="kiosk")
        theirs.save(dict(current, current_step=step), user="kiosk", expected_rev=current["rev"])
        assert mine.list()[0].current_step == step
        assert mine.get(made["record_id"], user="dr.lee")["current_step"] == step
    theirs.delete(made["record_id"], user="kiosk", expected_rev=4)
    assert mine.list() == []


def test_the_list_cache_does_not_trust_timestamps(open_store, make_data):
    """A shard rewritten to the same size with the same modification time is still re-read."""
    from ketatui.storage.tinydb import index

    mine, theirs = open_store(), open_store()
    made = theirs.create(person(make_data, name="Anne Aaaa"), user="kiosk")
    assert mine.list()[0].full_name == "Anne Aaaa"
    shard = theirs.layout.shard(index.shard_of(made["record_id"]))
    before = os.stat(shard)
    theirs.save(dict(made, medical_history={**made["medical_history"], "demographics": {
        **made["medical_history"]["demographics"], "full_name": "Anne Bbbb"}}), user="kiosk", expected_rev=1)
    os.utime(shard, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime as before, same size
    assert mine.list()[0].full_name == "Anne Bbbb"


def test_store_written_by_a_newer_app_opens_read_only(open_store, make_data):
    repo = open_store()
    made = repo.create(person(make_data), user="kiosk")
    meta = repo.meta
    meta.data["schema_version"] = 99
    meta.save(repo.layout.tmp)
    newer = open_store()
    assert newer.read_only and "schema version 99" in newer.notice and "read-only" in newer.notice
    assert newer.get(made["record_id"], user="dr.lee")["rev"] == 1  # still readable
    assert len(newer.list()) == 1
    with pytest.raises(NewerSchema, match="Update ketatui"):
        newer.save(made, user="dr.lee", expected_rev=1)
    with pytest.raises(NewerSchema):  # a session opened before the upgrade is stopped too
        repo.save(made, user="dr.lee", expected_rev=1)
    assert repo.read_only


def test_a_newer_document_is_never_overwritten(repo, make_data):
    with pytest.raises(NewerSchema):
        repo.create(person(make_data, schema_version=3), user="kiosk")


def test_read_only_open_needs_an_existing_store_and_refuses_writes(open_store, make_data, tmp_path):
    with pytest.raises(StoreMissing, match="no ketatui store"):
        open_store(read_only=True)
    assert not (tmp_path / "store").exists()
    open_store().create(person(make_data), user="kiosk")
    reader = open_store(read_only=True)
    assert len(reader.list()) == 1
    with pytest.raises(InvalidRequest, match="read-only"):
        reader.create(person(make_data), user="kiosk")


def test_stale_temp_files_are_removed_when_a_store_opens(open_store, make_data):
    repo = open_store()
    leftover = repo.layout.tmp / "12345-deadbeef.tmp"
    leftover.write_bytes(b"half a record")
    open_store()
    assert not leftover.exists()


def test_bulk_create_and_import(repo, make_data):
    ids = repo.create_many([person(make_data, name=f"Person {i}") for i in range(30)], user="trainer")
    assert len(ids) == 30 == len(repo.list())
    signed = person(make_data, name="From Elsewhere", status="signed", signed_by="dr.far",
                    signed_at="2025-01-01T10:00:00+01:00", rev=4, record_id=str(uuid.uuid4()))
    assert repo.import_documents([signed], user="dr.lee") == [signed["record_id"]]
    stored = repo.get(signed["record_id"], user="dr.lee")
    assert (stored["status"], stored["signed_by"], stored["rev"]) == ("signed", "dr.far", 4)
    assert stored["signed_at"] == "2025-01-01T09:00:00.000000+00:00"
    assert repo.import_documents([signed], user="dr.lee") == []  # already there: skipped
    with pytest.raises(InvalidRequest, match="twice"):
        repo.create_many([dict(signed, status="draft")] * 2, user="dr.lee")


def test_a_store_this_account_cannot_write_to_is_a_plain_error(open_store, make_data, tmp_path):
    from ketatui.storage import StorageError

    open_store().create(person(make_data), user="kiosk")
    lock = tmp_path / "store" / ".lock"
    lock.unlink()
    lock.mkdir(mode=0o700)  # stands for a lock file this account may not open
    with pytest.raises(StorageError, match="Cannot use the lock file"):
        open_store().create(person(make_data), user="kiosk")


def test_a_write_waits_for_the_lock_then_gives_up_plainly(repo, make_data):
    from ketatui.storage import StoreLocked
    from ketatui.storage.tinydb.locking import StoreLock

    made = repo.create(person(make_data), user="kiosk")
    repo.lock.timeout = 0.2
    with StoreLock(repo.layout.lock).hold():  # another session in the middle of a long write
        with pytest.raises(StoreLocked, match="Nothing was saved"):
            repo.save(made, user="dr.lee", expected_rev=1)
    assert repo.save(made, user="dr.lee", expected_rev=1)["rev"] == 2
