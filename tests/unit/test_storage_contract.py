"""The Repository contract, run against every registered backend (the ``ketatui.backends`` entry
points): revisions, refusals, the records list and search, fresh reads, and backup and audit for
a ``Maintainable`` store. A new backend must pass it unchanged; what belongs to one backend's
files is tested in that backend's own modules (``test_storage_tinydb.py`` and the security,
recovery, backup and audit modules for TinyDB)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from ketatui.intake.document import parse_intake
from ketatui.settings import Settings
from ketatui.storage import (
    InvalidRequest,
    Maintainable,
    NewerSchema,
    RecordNotFound,
    Repository,
    SignedRecordLocked,
    StaleRevision,
    UnknownBackend,
    known_backends,
    open_repository,
    restore_store,
)

from stores import person

#: How to make a throwaway store for each backend this suite knows (a folder, or a test database).
THROWAWAY = {
    "tinydb": lambda tmp_path: {"data_dir": tmp_path / "store", "key_file": tmp_path / "store.key"},
}


@pytest.fixture(params=known_backends())
def backend(request) -> str:
    return request.param


@pytest.fixture
def settings(tmp_path: Path, backend: str) -> Settings:
    if backend not in THROWAWAY:
        pytest.skip(f"no throwaway store is known for the {backend} backend: add one to THROWAWAY")
    return Settings(backend=backend, user="kiosk", **THROWAWAY[backend](tmp_path))


@pytest.fixture
def open_store(settings):
    def open_(**kwargs):
        return open_repository(settings, **kwargs)

    return open_


@pytest.fixture
def repo(open_store) -> Repository:
    return open_store()


def test_the_default_backend_is_registered():
    assert Settings.model_fields["backend"].default in known_backends()


def test_an_unknown_backend_names_the_known_ones(tmp_path):
    with pytest.raises(UnknownBackend) as caught:
        open_repository(Settings(backend="postgres", data_dir=tmp_path / "store", key_file=tmp_path / "k"))
    message = str(caught.value)
    assert "no storage backend named 'postgres'" in message
    assert all(name in message for name in known_backends()) and "KETATUI_BACKEND" in message
    assert not (tmp_path / "store").exists()


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


def test_a_draft_the_core_found_urgent_is_listed_urgent_before_it_has_a_plan(repo, make_data):
    """Storage does not decide urgency: it lists the triage the core wrote on the document."""
    draft = person(make_data, name="Devon Draft", status="draft")
    for section in ("medications", "side_effects", "goals_support"):
        draft[section] = None  # stopped on step 1: no plan can be made yet
    draft["asq"] = {"wished_dead": True, "family_better_off": False, "thoughts_of_killing_self": False,
                    "ever_tried": False, "thoughts_right_now": False}
    draft["triage"] = {"urgent": True, "blocked": False, "reasons": ["ASQ: wished they were dead"]}
    calm = person(make_data, name="Emery Calm", status="draft")
    calm["goals_support"] = None
    calm["triage"] = {"urgent": False, "blocked": False, "reasons": []}
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


def test_a_newer_document_is_never_overwritten(repo, make_data):
    with pytest.raises(NewerSchema):
        repo.create(person(make_data, schema_version=3), user="kiosk")


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


def test_a_maintainable_store_is_backed_up_restored_and_its_audit_checked(settings, open_store, make_data, tmp_path):
    repo = open_store()
    if not isinstance(repo, Maintainable):
        pytest.skip(f"the {settings.backend} backend leaves backups to the database's own tools")
    kept = repo.create(person(make_data, name="Kept Person"), user="kiosk")
    lost = repo.create(person(make_data, name="Lost Person", status="draft"), user="kiosk")
    result = repo.backup(tmp_path / "backup.tar")
    assert result.path == tmp_path / "backup.tar" and result.records == 2 and result.size > 0
    repo.delete(lost["record_id"], user="kiosk", expected_rev=1)
    assert [r.full_name for r in repo.list()] == ["Kept Person"]
    restored = restore_store(settings, result.path, user="admin")
    assert restored.records == 2
    again = open_store()
    assert sorted(r.full_name for r in again.list()) == ["Kept Person", "Lost Person"]
    assert again.get(kept["record_id"], user="dr.lee")["rev"] == 1
    report = again.verify_audit()
    assert report.ok and report.problems == [] and report.entries >= 3
