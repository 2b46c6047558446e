"""Backups and restore: a backup is encrypted and complete; a restore is checked before it replaces anything."""

from __future__ import annotations

import io
import stat
import tarfile

import pytest

from ketatui.storage import WrongKey, open_repository, restore_store
from ketatui.storage.tinydb.backup import BackupInvalid

from stores import store_settings

NAME = "Henrietta Abernathy-Quist"


@pytest.fixture
def store(tmp_path, make_data):
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    ids = []
    for i in range(5):
        data = make_data({"medical_history.demographics.full_name": f"{NAME} {i}"})
        data.pop("record_id")
        ids.append(repo.create(data, user="kiosk")["record_id"])
    repo.sign(ids[0], user="dr.lee", expected_rev=1)
    repo.amend(ids[0], user="dr.lee", reason="Weight corrected")
    return repo, ids, tmp_path


def state(repo) -> dict:
    return {r.record_id: (r.rev, r.status, r.full_name) for r in repo.list()}


def do_restore(tmp_path, source, key="store.key", folder="store"):
    result = restore_store(store_settings(tmp_path / folder, tmp_path / key), source, user="admin")
    return result.records, result.kept


def test_backup_then_restore_gives_back_every_record_and_revision(store):
    repo, ids, tmp_path = store
    before = state(repo)
    result = repo.backup(tmp_path)
    assert result.records == 5 and result.path.parent == tmp_path
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert NAME.encode() not in result.path.read_bytes()

    data = repo.get(ids[1], user="dr.lee")
    repo.save(data, user="dr.lee", expected_rev=1)
    repo.delete(ids[2], user="dr.lee", expected_rev=1)
    count, kept = do_restore(tmp_path, result.path)
    assert count == 5 and kept is not None and (kept / "store.json").exists()

    restored = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    assert state(restored) == before
    assert [d["status"] for d in restored.revisions(ids[0], user="dr.lee")] == ["signed", "draft"]
    assert restored.audit.verify().ok
    assert [line["action"] for line in restored.audit.lines_after(0)[-3:]] == ["restore", "view", "view"]
    assert state(open_repository(store_settings(kept, tmp_path / "store.key"))) != before  # the replaced store is intact


def test_restore_is_the_way_out_of_a_damaged_store(store):
    repo, ids, tmp_path = store
    result = repo.backup(tmp_path / "backups")
    repo.layout.meta.write_text("damaged")
    count, kept = do_restore(tmp_path, result.path)
    assert count == 5 and (kept / "store.json").read_text() == "damaged"
    assert len(open_repository(store_settings(tmp_path / "store", tmp_path / "store.key")).list()) == 5


def test_restore_into_a_new_folder(store):
    repo, ids, tmp_path = store
    result = repo.backup(tmp_path / "b.tar")
    count, kept = do_restore(tmp_path, result.path, folder="fresh")
    assert (count, kept) == (5, None)
    assert state(open_repository(store_settings(tmp_path / "fresh", tmp_path / "store.key"))) == state(repo)


def damage_member(source, target, member_prefix):
    with tarfile.open(source) as tin, tarfile.open(target, "w") as tout:
        for info in tin.getmembers():
            data = tin.extractfile(info).read()
            if info.name.startswith(member_prefix):
                data = data[:-1] + bytes([data[-1] ^ 1])
                member_prefix = "\0"  # only the first one
            tout.addfile(info, io.BytesIO(data))


def snapshot(root):
    return sorted((str(p.relative_to(root)), p.read_bytes()) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("how", ["damaged record", "not a backup", "missing"])
def test_a_bad_backup_changes_nothing(store, how):
    repo, ids, tmp_path = store
    good = repo.backup(tmp_path / "good.tar").path
    bad = tmp_path / "bad.tar"
    if how == "damaged record":
        damage_member(good, bad, "records/")
    elif how == "not a backup":
        bad.write_bytes(b"just some bytes")
    before = snapshot(tmp_path / "store")
    with pytest.raises(BackupInvalid) as caught:
        do_restore(tmp_path, bad)
    assert str(bad) in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert snapshot(tmp_path / "store") == before
    assert not [p for p in tmp_path.iterdir() if "restoring" in p.name or "replaced" in p.name]


def test_a_backup_from_another_key_changes_nothing(store, tmp_path):
    repo, ids, tmp_path = store
    good = repo.backup(tmp_path / "good.tar").path
    open_repository(store_settings(tmp_path / "other", tmp_path / "other.key"))
    before = snapshot(tmp_path / "store")
    with pytest.raises(WrongKey):
        do_restore(tmp_path, good, key="other.key")
    assert snapshot(tmp_path / "store") == before
