"""A write stopped at any step is finished by the next session: list, records and audit agree.

Each test stops a write at one step (the process "dies": the lock is released, the journal
stays) and checks what the next opener sees. Real ``kill -9`` runs are in
tests/system/test_storage_kill.py.
"""

from __future__ import annotations

import pytest

from ketatui.storage import open_repository
from ketatui.storage.tinydb import store as tinydb_store
from ketatui.storage.tinydb.audit import AuditLog

from stores import store_settings


class Died(BaseException):
    """Stands for the process being killed at this point."""


def die_on_call(monkeypatch, owner, name, call_number):
    real = getattr(owner, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call_number:
            raise Died
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)


def build(tmp_path, make_data):
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    data = make_data()
    data.pop("record_id")
    return repo, repo.create(data, user="kiosk"), data


def consistent(repo) -> None:
    """The list shows exactly the stored records at their current revision, and the audit chain holds."""
    listed = {r.record_id: r.rev for r in repo.list()}
    stored = {}
    for path in repo.layout.records.glob("*/*.json.enc"):
        rid = path.name.removesuffix(".json.enc")
        stored[rid] = repo._stored(rid)[-1]["rev"]
    assert listed == stored
    assert repo.audit.verify().ok
    assert not repo.layout.journal.exists()
    assert list(repo.layout.tmp.iterdir()) == []


def audited(repo, action, rev) -> list[dict]:
    return [line for line in repo.audit.lines_after(0) if (line["action"], line["rev"]) == (action, rev)]


# write_json calls in one save: 1 = the record file, 2 = the index shard.
STEPS = [
    ("journal written", tinydb_store, "write_atomic", 2, False),
    ("record written, index not", tinydb_store.SealedFiles, "write_json", 2, True),
    ("record and index written, audit not", AuditLog, "append", 1, True),
    ("all written, journal not removed", tinydb_store, "remove_durably", 1, True),
]


@pytest.mark.parametrize(("where", "owner", "name", "call", "happened"), STEPS, ids=[s[0] for s in STEPS])
def test_an_interrupted_save_is_finished_or_undone(tmp_path, make_data, monkeypatch, where, owner, name, call, happened):
    repo, doc, _ = build(tmp_path, make_data)
    with monkeypatch.context() as m:
        die_on_call(m, owner, name, call)
        with pytest.raises(Died):
            repo.save(dict(doc, current_step="medications"), user="dr.lee", expected_rev=1)
    assert repo.layout.journal.exists()

    after = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    consistent(after)
    current = after.get(doc["record_id"], user="dr.lee")
    assert current["rev"] == (2 if happened else 1)
    updates = audited(after, "update", 2)
    assert len(updates) == (1 if happened else 0)
    if happened and where != "all written, journal not removed":
        assert updates[0].get("recovered") is True
    after.save(current, user="dr.lee", expected_rev=current["rev"])  # the store carries on


def test_an_interrupted_create_is_finished_by_the_next_write(tmp_path, make_data, monkeypatch):
    repo, doc, data = build(tmp_path, make_data)
    with monkeypatch.context() as m:
        die_on_call(m, tinydb_store.SealedFiles, "write_json", 2)
        with pytest.raises(Died):
            repo.create(dict(data), user="kiosk")
    reader = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"), read_only=True)
    assert len(reader.list()) == 1  # a read-only session does not repair; it shows the last finished write
    repo.save(doc, user="dr.lee", expected_rev=1)  # the next write, from any session, finishes it first
    consistent(reader)
    assert len(reader.list()) == 2


def test_an_interrupted_delete_is_finished(tmp_path, make_data, monkeypatch):
    repo, doc, _ = build(tmp_path, make_data)
    with monkeypatch.context() as m:
        die_on_call(m, tinydb_store.SealedFiles, "write_json", 1)  # the index shard
        with pytest.raises(Died):
            repo.delete(doc["record_id"], user="dr.lee", expected_rev=1)
    after = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    consistent(after)
    assert after.list() == [] and len(audited(after, "delete", 1)) == 1


def test_an_interrupted_batch_is_finished(tmp_path, make_data, monkeypatch):
    repo, doc, data = build(tmp_path, make_data)
    with monkeypatch.context() as m:
        die_on_call(m, tinydb_store.SealedFiles, "write_json", 25)
        with pytest.raises(Died):
            repo.create_many([dict(data) for _ in range(40)], user="trainer")
    after = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    consistent(after)
    written = len(after.list()) - 1
    assert written == 24 and len([line for line in after.audit.lines_after(0) if line.get("recovered")]) == 24


def test_views_logged_after_a_crash_do_not_duplicate_its_audit_lines(tmp_path, make_data, monkeypatch):
    repo, doc, _ = build(tmp_path, make_data)
    with monkeypatch.context() as m:
        die_on_call(m, tinydb_store, "remove_durably", 1)  # everything written but the journal removal
        with pytest.raises(Died):
            repo.save(dict(doc, current_step="medications"), user="dr.lee", expected_rev=1)
    reader = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"), read_only=True)
    reader.get(doc["record_id"], user="dr.kim")  # a read-only session logs its view, and repairs nothing
    after = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    consistent(after)
    assert len(audited(after, "update", 2)) == 1
