"""The Repository contract, run against every registered backend (the ``ketatui.backends`` entry
points): revisions, refusals, the records list and search, fresh reads, and backup and audit for
a ``Maintainable`` store. A new backend must pass it unchanged; what belongs to one backend's
files is tested in that backend's own modules (``test_storage_tinydb.py`` and the security,
recovery, backup and audit modules for TinyDB)."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from ketatui.intake.document import parse_intake
from ketatui.intake.schema import SCHEMA_VERSION
from ketatui.settings import Settings
from ketatui.storage import (
    InvalidRequest,
    Auditable,
    Maintainable,
    NotSupported,
    NewerSchema,
    NoSigningPassphrase,
    RecordNotFound,
    Repository,
    SignedRecordLocked,
    SigningLocked,
    StaleRevision,
    UnknownBackend,
    known_backends,
    open_repository,
    restore_store,
    WrongPassphrase,
)

from stores import person

#: How to make a throwaway store for each backend this suite knows (a folder, or a new database on
#: the session's PostgreSQL server, ``tests/pgserver.py``); ``request`` gives such fixtures.
THROWAWAY = {
    "tinydb": lambda tmp_path, request: {"data_dir": tmp_path / "store", "key_file": tmp_path / "store.key"},
    "postgres": lambda tmp_path, request: {"database_url": request.getfixturevalue("postgres_url"),
                                           "key_file": tmp_path / "store.key", "data_dir": tmp_path / "unused"},
}


@pytest.fixture(params=known_backends())
def backend(request) -> str:
    return request.param


@pytest.fixture
def settings(tmp_path: Path, backend: str, request) -> Settings:
    if backend not in THROWAWAY:
        pytest.fail(f"no throwaway store is known for the {backend} backend: add one to THROWAWAY")
    return Settings(backend=backend, user="kiosk", **THROWAWAY[backend](tmp_path, request))


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
        open_repository(Settings(backend="oracle", data_dir=tmp_path / "store", key_file=tmp_path / "k"))
    message = str(caught.value)
    assert "no storage backend named 'oracle'" in message
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

    draft = repo.amend(rid, user="dr.kim", reason="Escort changed")
    assert (draft["status"], draft["rev"], draft["amends_rev"], draft["signed_by"]) == ("draft", 3, 2, None)
    with pytest.raises(InvalidRequest, match="not signed"):
        repo.amend(rid, user="dr.kim", reason="Escort changed")
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
        repo.create(person(make_data, schema_version=SCHEMA_VERSION + 1), user="kiosk")


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
    if not isinstance(repo, Maintainable):  # a server store: backups are the database's own tools, and it says so
        with pytest.raises(NotSupported, match="use the database's own tools. Nothing was changed."):
            restore_store(settings, tmp_path / "backup.tar", user="admin")
        assert isinstance(repo, Auditable) and repo.verify_audit().ok
        return
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


def audit_lines(settings) -> list[dict]:
    """The audit lines the store wrote: the embedded store's ``audit.log``, or the database's audit table."""
    if settings.backend == "postgres":
        return open_repository(settings).audit_lines()
    if settings.backend != "tinydb":
        pytest.fail(f"reading the {settings.backend} audit log is not known to this suite")
    path = Path(settings.data_dir) / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def acts(settings, record_id: str) -> list[tuple[str, str, int]]:
    return [(a["action"], a["user"], a["rev"]) for a in audit_lines(settings) if a["record_id"] == record_id]


def test_statuses_run_draft_submitted_reviewed_signed_and_each_step_is_audited(settings, repo, make_data):
    draft = repo.create(person(make_data, status="draft"), user="kiosk")
    rid = draft["record_id"]
    with pytest.raises(InvalidRequest, match="cannot be marked reviewed: it can be marked submitted next"):
        repo.review(rid, user="dr.lee", expected_rev=1)
    submitted = repo.submit(rid, user="kiosk", expected_rev=1)
    with pytest.raises(StaleRevision):
        repo.review(rid, user="dr.lee", expected_rev=1)
    reviewed = repo.review(rid, user="dr.lee", expected_rev=2)
    assert (submitted["status"], submitted["rev"], reviewed["status"], reviewed["rev"]) == ("submitted", 2, "reviewed", 3)
    assert reviewed["updated_by"] == "dr.lee" and repo.list()[0].status == "reviewed"
    with pytest.raises(InvalidRequest, match="sign it with Sign"):
        repo.set_status(rid, "signed", user="dr.lee", expected_rev=3)
    assert acts(settings, rid) == [("create", "kiosk", 1), ("submit", "kiosk", 2), ("review", "dr.lee", 3)]


def test_signing_with_a_passphrase_set_once_and_wrong_tries_counted_audited_and_locked(settings, repo, make_data):
    rid = repo.create(person(make_data), user="kiosk")["record_id"]
    assert not repo.has_signing_passphrase("dr.lee")
    with pytest.raises(NoSigningPassphrase, match="dr.lee has no signing passphrase yet"):
        repo.sign(rid, user="dr.lee", expected_rev=1, passphrase="anything at all")
    with pytest.raises(InvalidRequest, match="at least 8 characters"):
        repo.set_signing_passphrase("dr.lee", "short")
    repo.set_signing_passphrase("dr.lee", "correct horse")
    assert repo.has_signing_passphrase("dr.lee") and not repo.has_signing_passphrase("dr.kim")
    with pytest.raises(InvalidRequest, match="set once"):
        repo.set_signing_passphrase("dr.lee", "another one here")
    with pytest.raises(WrongPassphrase, match="4 tries left") as caught:
        repo.sign(rid, user="dr.lee", expected_rev=1, passphrase="wrong horse")
    assert caught.value.left == 4 and repo.get(rid, user="dr.lee")["status"] == "submitted"
    signed = repo.sign(rid, user="dr.lee", expected_rev=1, passphrase="correct horse")
    assert (signed["status"], signed["signed_by"], signed["rev"]) == ("signed", "dr.lee", 2)
    assert acts(settings, rid)[1:] == [("sign-refused", "dr.lee", 1), ("view", "dr.lee", 1), ("sign", "dr.lee", 2)]
    log = json.dumps(audit_lines(settings))
    assert "horse" not in log and "passphrase-set" in log

    other = repo.create(person(make_data, name="Other Person"), user="kiosk")["record_id"]
    for left in (4, 3, 2, 1):  # a right passphrase reset the count
        with pytest.raises(WrongPassphrase, match=f"{left} tr"):
            repo.sign(other, user="dr.lee", expected_rev=1, passphrase=f"guess {left}")
    with pytest.raises(WrongPassphrase, match="Signing is now locked for dr.lee until"):
        repo.sign(other, user="dr.lee", expected_rev=1, passphrase="guess 0")
    with pytest.raises(SigningLocked, match="too many wrong passphrases"):
        repo.sign(other, user="dr.lee", expected_rev=1, passphrase="correct horse")
    assert [a for a, _, _ in acts(settings, other)].count("sign-refused") == 6
    assert repo.list(search="other")[0].status == "submitted"


def test_an_amendment_needs_a_reason_which_is_kept_with_the_record(settings, repo, make_data):
    rid = repo.create(person(make_data), user="kiosk")["record_id"]
    repo.sign(rid, user="dr.lee", expected_rev=1)
    for blank in ("", "   "):
        with pytest.raises(InvalidRequest, match="Reason for the amendment: required"):
            repo.amend(rid, user="dr.lee", reason=blank)
    assert repo.get(rid, user="dr.lee")["rev"] == 2
    draft = repo.amend(rid, user="dr.lee", reason="  Escort changed to her brother ")
    assert (draft["rev"], draft["amends_rev"]) == (3, 2)
    assert [(r.status, r.amends_rev) for r in repo.list()] == [("draft", 2)]  # the list tells an amendment apart
    (note,) = repo.amendments(rid, user="dr.lee")
    assert (note["rev"], note["amends_rev"], note["reason"], note["by"]) == (3, 2, "Escort changed to her brother", "dr.lee")
    assert ("amend", "dr.lee", 3) in acts(settings, rid)


def test_only_a_draft_never_signed_is_discarded_and_the_discard_is_audited(settings, repo, make_data):
    draft = repo.create(person(make_data, name="Mistaken Entry", status="draft"), user="dr.lee")
    submitted = repo.create(person(make_data, name="Sent In"), user="kiosk")
    with pytest.raises(StaleRevision):
        repo.discard(draft["record_id"], user="dr.lee", expected_rev=2)
    with pytest.raises(InvalidRequest, match="it is submitted, and only a draft that was never signed"):
        repo.discard(submitted["record_id"], user="dr.lee", expected_rev=1)
    repo.sign(submitted["record_id"], user="dr.lee", expected_rev=1)
    amendment = repo.amend(submitted["record_id"], user="dr.lee", reason="Phone number corrected")
    with pytest.raises(InvalidRequest, match="amendment of a signed plan"):
        repo.discard(submitted["record_id"], user="dr.lee", expected_rev=amendment["rev"])
    repo.discard(draft["record_id"], user="dr.lee", expected_rev=1)
    assert [r.full_name for r in repo.list()] == ["Sent In"]
    with pytest.raises(RecordNotFound):
        repo.get(draft["record_id"], user="dr.lee")
    assert acts(settings, draft["record_id"]) == [("create", "dr.lee", 1), ("discard", "dr.lee", 1)]


def test_a_draft_is_listed_by_the_name_the_core_derived_before_its_page_validates(repo, make_data):
    draft = person(make_data, name="", status="draft")
    draft["medical_history"] = None
    draft["listing"] = {"full_name": "Robin Typed", "date_of_birth": "1979-05-06"}
    stored = repo.create(draft, user="dr.lee")
    (row,) = repo.list(search="robin")
    assert (row.record_id, row.full_name, row.date_of_birth) == (stored["record_id"], "Robin Typed", "1979-05-06")
    assert [r.full_name for r in repo.list(search="1979-05")] == ["Robin Typed"]


def _planned(make_data, name, dates, **top):
    plan = {"schedulable": True, "flags": [], "schedule": [{"number": i + 1, "date": d} for i, d in enumerate(dates)]}
    return person(make_data, name=name, plan=plan, **top)


def test_list_filters_and_pages_urgent_first_then_by_next_session(repo, make_data):
    today = date.today()
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    repo.create(_planned(make_data, "Later Lane", [day(-7), day(9)]), user="kiosk")
    repo.create(_planned(make_data, "Today Tate", [day(-3), day(0), day(4)]), user="kiosk")
    repo.create(_planned(make_data, "Past Parker", [day(-30), day(-20)]), user="kiosk")
    repo.create(person(make_data, name="Unplanned Uma", status="draft"), user="kiosk")
    repo.create(_planned(make_data, "Urgent Ursa", [day(20)], triage={"urgent": True, "blocked": False, "reasons": ["ASQ"]}), user="kiosk")
    repo.create(_planned(make_data, "Soon Sage", [day(2)], training=True), user="trainer")

    everyone = repo.list()
    assert [r.full_name for r in everyone[:4]] == ["Urgent Ursa", "Today Tate", "Soon Sage", "Later Lane"]
    assert [r.full_name for r in everyone[4:]] == ["Unplanned Uma", "Past Parker"]  # no session ahead: newest first
    assert everyone[1].next_session == day(0) and everyone[3].next_session == day(9) and everyone[5].next_session is None

    names = lambda **kw: [r.full_name for r in repo.list(**kw)]  # noqa: E731
    assert names(due=day(0)) == ["Today Tate"]
    assert names(urgent=True) == ["Urgent Ursa"]
    assert names(training=False, limit=2) == ["Urgent Ursa", "Today Tate"]
    assert names(training=False, offset=2, limit=2) == ["Later Lane", "Unplanned Uma"]
    assert names(status="draft") == ["Unplanned Uma"]
    page = repo.page(training=False, offset=4, limit=2)
    assert (page.total, page.offset, [r.full_name for r in page.rows]) == (5, 4, ["Past Parker"])
    with pytest.raises(InvalidRequest, match="offset -1"):
        repo.list(offset=-1)


def test_searching_on_as_a_name_is_typed_sees_a_save_made_between_keys(open_store, make_data):
    """Typing narrows what the last search kept; a save in between is never hidden by that."""
    mine, theirs = open_store(), open_store()
    theirs.create(person(make_data, name="Kestrel One"), user="kiosk")
    assert [r.full_name for r in mine.list(search="ke")] == ["Kestrel One"]
    theirs.create(person(make_data, name="Kestrel Two"), user="kiosk")
    assert sorted(r.full_name for r in mine.list(search="kes")) == ["Kestrel One", "Kestrel Two"]
    assert [r.full_name for r in mine.list(search="kestrel tw")] == ["Kestrel Two"]
    assert sorted(r.full_name for r in mine.list(search="kestrel")) == ["Kestrel One", "Kestrel Two"]


def test_once_the_course_keeps_dates_ahead_the_list_orders_by_them_not_by_the_first_plan(repo, make_data):
    """``add_course_record(..., sessions_ahead=)``: the dates the core worked out with that record
    become the intake's session dates in the list, and stay so through later saves."""
    today = date.today()
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    moved = repo.create(_planned(make_data, "Moved Morgan", [day(-4), day(1), day(5)]), user="kiosk")
    repo.create(_planned(make_data, "Steady Sam", [day(3)]), user="kiosk")
    assert [r.full_name for r in repo.list()] == ["Moved Morgan", "Steady Sam"]
    session = {"kind": "session", "intake_record_id": moved["record_id"], "number": 2, "date": day(1), "status": "missed"}
    repo.add_course_record(moved["record_id"], session, user="nurse.lee", sessions_ahead=[day(8), day(4)])
    rows = repo.list()
    assert [(r.full_name, r.next_session) for r in rows] == [("Steady Sam", day(3)), ("Moved Morgan", day(4))]
    assert [r.full_name for r in repo.list(due=day(4))] == ["Moved Morgan"] and not repo.list(due=day(1))
    reviewed = repo.review(moved["record_id"], user="dr.okafor", expected_rev=moved["rev"])
    assert repo.list(search="Morgan")[0].next_session == day(4) and reviewed["status"] == "reviewed"
    repo.add_course_record(moved["record_id"], dict(session, number=3, date=day(4), status="given"), user="nurse.lee")
    assert repo.list(search="Morgan")[0].next_session == day(4)  # no dates given: the kept ones stand
    with pytest.raises(InvalidRequest, match="ISO dates"):
        repo.add_course_record(moved["record_id"], dict(session, number=4), user="nurse.lee", sessions_ahead=["next week"])
