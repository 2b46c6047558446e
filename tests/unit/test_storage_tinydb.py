"""What belongs to the TinyDB backend alone: its list cache and shards, its folder, its temp files,
its lock, and a store written by a newer ketatui. The Repository contract is in
``test_storage_contract.py``."""

from __future__ import annotations

import os

import pytest

from ketatui.storage import InvalidRequest, NewerSchema, StoreMissing, open_repository

from stores import person, store_settings


@pytest.fixture
def open_store(tmp_path):
    def open_(**kwargs):
        return open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"), **kwargs)

    return open_


@pytest.fixture
def repo(open_store):
    return open_store()


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
