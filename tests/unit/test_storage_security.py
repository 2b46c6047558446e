"""Encryption at rest, keys, permissions and damaged files: each refusal is clear and changes nothing."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from ketatui.storage import InsecurePermissions, MissingKey, StoreCorrupt, WrongKey, open_repository
from ketatui.storage.tinydb.index import shard_of

from stores import store_settings

NAME = "Marguerite Okonkwo-Lindqvist"


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``root`` with its content hash and mode: proof that nothing changed."""
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def store(tmp_path, make_data):
    """A store with one named intake, plus where its files are."""
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    data = make_data({"medical_history.demographics.full_name": NAME})
    data.pop("record_id")
    doc = repo.create(data, user="kiosk")
    repo.save(dict(doc, current_step="medications"), user="dr.lee", expected_rev=1)
    return repo, doc["record_id"], tmp_path


def reopen(tmp_path, key_file=None):
    return open_repository(store_settings(tmp_path / "store", key_file or tmp_path / "store.key"))


def test_no_health_data_in_plain_text_anywhere(store):
    repo, record_id, tmp_path = store
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert any(p.name.endswith(".json.enc") for p in files)
    for p in files:
        raw = p.read_bytes()
        for needle in (NAME, NAME.split()[0], "Okonkwo", "1984-03-14", "sertraline", "Effexor"):
            assert needle.encode() not in raw, f"{needle} found in {p}"
    assert reopen(tmp_path).get(record_id, user="dr.lee")["medical_history"]["demographics"]["full_name"] == NAME


def test_key_file_is_private_and_made_once(store):
    repo, record_id, tmp_path = store
    key = tmp_path / "store.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = key.read_bytes()
    reopen(tmp_path)
    assert key.read_bytes() == before


def test_wrong_key_is_refused_and_nothing_changes(store):
    repo, record_id, tmp_path = store
    other = tmp_path / "other.key"
    open_repository(store_settings(tmp_path / "elsewhere", other))  # makes a second, different key
    before = snapshot(tmp_path / "store")
    with pytest.raises(WrongKey) as caught:
        reopen(tmp_path, key_file=other)
    assert "different key" in str(caught.value) and "Nothing was read or changed" in str(caught.value)
    assert snapshot(tmp_path / "store") == before


def test_missing_key_is_refused_and_not_replaced(store):
    repo, record_id, tmp_path = store
    before = snapshot(tmp_path / "store")
    with pytest.raises(MissingKey, match="does not exist"):
        reopen(tmp_path, key_file=tmp_path / "lost.key")
    assert not (tmp_path / "lost.key").exists()
    assert snapshot(tmp_path / "store") == before


def test_a_record_file_moved_onto_another_does_not_open(store, make_data):
    """The file's path is bound into its encryption: a swapped file cannot show the wrong person."""
    repo, record_id, tmp_path = store
    data = make_data()
    data.pop("record_id")
    other = repo.create(data, user="kiosk")["record_id"]
    repo.layout.record(other).write_bytes(repo.layout.record(record_id).read_bytes())
    with pytest.raises(StoreCorrupt, match=other):
        repo.get(other, user="dr.lee")


@pytest.mark.parametrize("target", ["folder", "key", "record", "store.json"])
def test_files_open_to_others_are_refused_and_nothing_changes(store, target):
    repo, record_id, tmp_path = store
    path = {
        "folder": tmp_path / "store",
        "key": tmp_path / "store.key",
        "record": repo.layout.record(record_id),
        "store.json": repo.layout.meta,
    }[target]
    path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
    before = snapshot(tmp_path / "store")
    with pytest.raises(InsecurePermissions) as caught:
        fresh = reopen(tmp_path)
        fresh.get(record_id, user="dr.lee")
    message = str(caught.value)
    assert str(path) in message and "chmod" in message and "Nothing was read or changed" in message
    assert snapshot(tmp_path / "store") == before


def test_group_may_share_the_store(store):
    repo, record_id, tmp_path = store
    (tmp_path / "store").chmod(0o770)
    (tmp_path / "store.key").chmod(0o640)
    repo.layout.record(record_id).chmod(0o660)
    assert reopen(tmp_path).get(record_id, user="dr.lee")["rev"] == 2


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "empty"])
def test_a_damaged_record_names_the_file_and_the_way_out(store, damage):
    repo, record_id, tmp_path = store
    path = repo.layout.record(record_id)
    raw = bytearray(path.read_bytes())
    if damage == "flip a byte":
        raw[len(raw) // 2] ^= 0x40
    elif damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    before = snapshot(tmp_path / "store")
    fresh = reopen(tmp_path)
    for attempt in (
        lambda: fresh.get(record_id, user="dr.lee"),
        lambda: fresh.save({"record_id": record_id, "schema_version": 2}, user="dr.lee", expected_rev=2),
        lambda: fresh.sign(record_id, user="dr.lee", expected_rev=2),
    ):
        with pytest.raises(StoreCorrupt) as caught:
            attempt()
        message = str(caught.value)
        assert str(path) in message and "ketatui restore" in message and "Nothing was changed" in message
    assert snapshot(tmp_path / "store") == before


def test_a_damaged_index_shard_is_rebuilt_from_the_records_and_said_so(store):
    """The index is derived data: a damaged shard is rebuilt (and audited), never a reason to restore."""
    repo, record_id, tmp_path = store
    shard = repo.layout.shard(shard_of(record_id))
    shard.write_bytes(b"not encrypted at all")
    fresh = reopen(tmp_path)
    assert [r.record_id for r in fresh.list()] == [record_id]
    assert any(f"index shard {shard_of(record_id)} rebuilt" in note for note in fresh.repairs)
    assert fresh.verify_audit().ok


def test_a_damaged_index_shard_in_a_read_only_store_advises_a_rebuild_not_a_restore(store):
    repo, record_id, tmp_path = store
    shard = repo.layout.shard(shard_of(record_id))
    shard.write_bytes(b"not encrypted at all")
    before = snapshot(tmp_path / "store")
    read_only = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"), read_only=True)
    with pytest.raises(StoreCorrupt, match=str(shard)) as caught:
        read_only.list()
    assert "ketatui records list" in str(caught.value) and "restore" not in str(caught.value).replace("no restore", "")
    assert snapshot(tmp_path / "store") == before


@pytest.mark.parametrize("content", [b"{ not json", b'{"kind": "something else"}', b""])
def test_a_damaged_store_description_is_refused(store, content):
    repo, record_id, tmp_path = store
    repo.layout.meta.write_bytes(content)
    before = snapshot(tmp_path / "store")
    with pytest.raises(StoreCorrupt, match="store.json"):
        reopen(tmp_path)
    assert snapshot(tmp_path / "store") == before


def test_a_missing_store_description_is_not_recreated(store):
    repo, record_id, tmp_path = store
    repo.layout.meta.unlink()
    with pytest.raises(StoreCorrupt, match="store.json is missing"):
        reopen(tmp_path)
    assert not repo.layout.meta.exists()


def test_passphrase_store(tmp_path, make_data):
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "unused.key", passphrase="correct horse battery"))
    assert not (tmp_path / "unused.key").exists()
    data = make_data()
    data.pop("record_id")
    rid = repo.create(data, user="kiosk")["record_id"]
    again = open_repository(store_settings(tmp_path / "store", tmp_path / "unused.key", passphrase="correct horse battery"))
    assert again.get(rid, user="dr.lee")["rev"] == 1
    with pytest.raises(WrongKey, match="passphrase"):
        open_repository(store_settings(tmp_path / "store", tmp_path / "unused.key", passphrase="wrong horse"))
    with pytest.raises(MissingKey, match="passphrase"):
        open_repository(store_settings(tmp_path / "store", tmp_path / "unused.key"))


def test_an_open_key_file_is_refused_before_a_new_store_is_made(tmp_path):
    key = tmp_path / "store.key"
    open_repository(store_settings(tmp_path / "first", key))
    key.chmod(0o644)
    with pytest.raises(InsecurePermissions, match="store.key"):
        open_repository(store_settings(tmp_path / "second", key))
    assert not (tmp_path / "second").exists()
    os.chmod(key, 0o600)


def test_an_unreadable_record_names_the_file_and_is_left_alone(store):
    from ketatui.storage import StoreUnreadable

    repo, record_id, tmp_path = store
    path = repo.layout.record(record_id)
    path.unlink()
    path.mkdir(mode=0o700)  # something that cannot be read as a file
    before = snapshot(tmp_path / "store")
    with pytest.raises(StoreUnreadable) as caught:
        reopen(tmp_path).get(record_id, user="dr.lee")
    assert str(path) in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert path.is_dir() and snapshot(tmp_path / "store") == before
