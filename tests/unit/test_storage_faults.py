"""A failing disk: a file-size limit (``ulimit -f``), a full file system (a small tmpfs, when the
tests run as root), an audit log that cannot be written, a restore while a writer waits.

Every acknowledged write is complete and audited; every refused one changes nothing and names
the file. Writers run in subprocesses with ``RLIMIT_FSIZE`` set, so the limit never touches pytest.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ketatui.storage import StorageError, open_repository, restore_store

from stores import person, store_settings

ROOT = Path(__file__).resolve().parents[2]

#: Writes intakes until the disk refuses one: prints each acknowledged (id, rev), the state just
#: before the refused write, and the refusal. argv: store, key, count.
WRITER = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[4])
import builders
from ketatui.settings import Settings
from ketatui.storage import StorageError, open_repository

def state(repo):
    return {r.record_id: r.rev for r in repo.list()}

repo = open_repository(Settings(data_dir=Path(sys.argv[1]), key_file=Path(sys.argv[2]), user="dr.lee"))
for n in range(int(sys.argv[3])):
    doc = builders.build_data({"medical_history.demographics.full_name": f"Person {n}", "status": "draft"})
    doc.pop("record_id")
    writes = [lambda: repo.create(doc, user="dr.lee"),
              lambda: repo.save(dict(doc, current_step="medications"), user="dr.lee", expected_rev=1)]
    for write in writes:
        before = state(repo)
        try:
            doc = write()
        except StorageError as exc:
            print(json.dumps({"refused": str(exc), "before": before}), flush=True)
            sys.exit(0)
        print(json.dumps({"ack": [doc["record_id"], doc["rev"]]}), flush=True)
"""


def limited(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def run_writer(root: Path, key: Path, count: int, limit: int | None) -> list[dict]:
    result = subprocess.run([sys.executable, "-c", WRITER, str(root), str(key), str(count), str(ROOT / "tests")],
                            capture_output=True, text=True, timeout=120, cwd=root.parent, preexec_fn=limited(limit) if limit else None)
    assert "Traceback" not in result.stderr and result.returncode == 0, (result.returncode, result.stderr)
    return [json.loads(line) for line in result.stdout.splitlines()]


def check_after(root: Path, key: Path, events: list[dict]) -> dict:
    """What a later session finds: every acknowledged write, audited; a refused one changed nothing."""
    repo = open_repository(store_settings(root, key))
    listed = {r.record_id: r.rev for r in repo.list()}
    acked: dict[str, int] = {}
    for event in events:
        if "ack" in event:
            acked[event["ack"][0]] = event["ack"][1]
    for record_id, rev in acked.items():
        assert listed.get(record_id, 0) >= rev
        assert repo._stored(record_id)[-1]["rev"] == listed[record_id]
    report = repo.verify_audit()
    assert report.ok, report.problems
    logged = {(line["record_id"], line["rev"]) for line in repo.audit.lines_after(0) if line["action"] in ("create", "update")}
    assert {(rid, rev) for rid, rev in acked.items()} <= logged
    refused = [e for e in events if "refused" in e]
    if refused:
        assert listed == refused[0]["before"]  # the refused write changed nothing
        assert not repo.layout.journal.exists()
    return {"acked": len(acked), "refused": len(refused)}


# ----- 3: a short write to the audit log is not ignored ------------------------------------------


def test_demo_data_under_a_file_size_limit_is_refused_naming_the_audit_log_and_changes_nothing(tmp_path):
    """The reproduction from the issue: with a file-size limit the audit append was cut short, yet
    the command said "Created 5" and 4 of 5 records had no audit line."""
    root, key = tmp_path / "store", tmp_path / "store.key"
    repo = open_repository(store_settings(root, key))
    record_id = repo.create(person(__import__("builders").build_data, "Ada Lim", training=True), user="dr.lee")["record_id"]
    for _ in range(120):  # make the audit log the largest file, so the limit bites there
        repo.get(record_id, user="dr.lee")
    limit = repo.layout.audit.stat().st_size + 300  # room for about one line, not five
    before = sorted(p.name for p in root.rglob("*.json.enc"))
    env = {**os.environ, "KETATUI_DATA_DIR": str(root), "KETATUI_KEY_FILE": str(key), "KETATUI_USER": "dr.lee",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("KETATUI_CONFIG", None)
    result = subprocess.run([sys.executable, "-m", "ketatui", "demo-data", "--count", "5"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120, preexec_fn=limited(limit))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Created" not in result.stdout
    assert f"{root / 'audit.log'} could not be written (File too large). Nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    after = open_repository(store_settings(root, key))
    assert sorted(p.name for p in root.rglob("*.json.enc")) == before
    assert [r.record_id for r in after.list()] == [record_id]
    assert after.verify_audit().ok
    assert not after.layout.journal.exists()


# ----- the disk-full and short-write paths ------------------------------------------------------


@pytest.mark.parametrize(("limit", "file"), [(200, "journal.json"), (2_000, ".json.enc"), (6_000, "audit.log"),
                                             (40_000, "audit.log")])
def test_under_a_file_size_limit_every_acknowledged_write_is_complete_and_audited(tmp_path, limit, file):
    """The limit bites on a different file: the journal, a record file, the audit log early or late."""
    root, key = tmp_path / "store", tmp_path / "store.key"
    open_repository(store_settings(root, key))  # made without a limit
    events = run_writer(root, key, 400, limit)
    figures = check_after(root, key, events)
    assert figures["refused"] == 1, (len(events), events[-3:])
    refusal = next(e["refused"] for e in events if "refused" in e)
    assert str(root) in refusal and "Nothing was changed" in refusal and "File too large" in refusal
    assert file in refusal.split(" could not be written")[0]


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs (root only): the real "No space left on device"."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a tmpfs can only be mounted as root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_on_a_full_disk_every_acknowledged_write_is_complete_and_audited(small_disk, tmp_path):
    root, key = small_disk / "store", tmp_path / "store.key"
    open_repository(store_settings(root, key))
    events = run_writer(root, key, 400, None)
    refusal = next(e["refused"] for e in events if "refused" in e)
    assert "No space left on device" in refusal and str(root) in refusal and "Free some space" in refusal
    for stray in list((root / "tmp").iterdir()):  # what the refused write left, if anything, is only temp files
        assert stray.suffix in (".tmp", ".undo")
    # Room again (the next session cleans temp files), and every acknowledged write is there.
    figures = check_after(root, key, events)
    assert figures["acked"] > 10 and figures["refused"] == 1


# ----- 10: the smaller points ------------------------------------------------------------------


def test_an_audit_log_that_cannot_be_written_refuses_the_save_and_changes_nothing(tmp_path, make_data):
    """It used to write the record, then report the save as failed. (A folder stands in for a
    read-only file, which root could still write.)"""
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    doc = repo.create(person(make_data, "Rui Costa", status="draft"), user="dr.lee")
    record = repo.layout.record(doc["record_id"])
    before = record.read_bytes()
    lines = repo.layout.audit.read_bytes()
    repo.layout.audit.unlink()
    repo.layout.audit.mkdir()
    with pytest.raises(StorageError) as caught:
        repo.save(dict(doc, current_step="medications"), user="dr.lee", expected_rev=1)
    assert str(repo.layout.audit) in str(caught.value) and "Is a directory" in str(caught.value)
    assert "Nothing was changed" in str(caught.value)
    assert record.read_bytes() == before
    repo.layout.audit.rmdir()
    repo.layout.audit.write_bytes(lines)
    fresh = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    assert fresh.get(doc["record_id"], user="dr.lee")["rev"] == 1
    assert fresh.verify_audit().ok


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_audit_log_refuses_the_save_and_changes_nothing(tmp_path, make_data):
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    doc = repo.create(person(make_data, "Rui Costa", status="draft"), user="dr.lee")
    repo.layout.audit.chmod(0o440)
    with pytest.raises(StorageError, match="Permission denied"):
        repo.save(dict(doc, current_step="medications"), user="dr.lee", expected_rev=1)
    repo.layout.audit.chmod(0o660)
    assert repo.get(doc["record_id"], user="dr.lee")["rev"] == 1


def test_a_key_file_that_is_a_folder_is_named(tmp_path, capsys):
    from ketatui.cli import main

    open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    (tmp_path / "key-folder").mkdir(mode=0o700)
    code = main(["records", "list", "--data-dir", str(tmp_path / "store"), "--key-file", str(tmp_path / "key-folder")])
    err = capsys.readouterr().err
    assert code != 0 and str(tmp_path / "key-folder") in err and "is a folder" in err


def test_no_space_names_the_file_being_written(tmp_path):
    from ketatui.storage.atomic import write_atomic

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    target = tmp_path / "export.md"
    script = ("import sys; from pathlib import Path; from ketatui.storage.atomic import write_atomic\n"
              "try:\n write_atomic(Path(sys.argv[1]), b'x' * 50000, Path(sys.argv[2]))\n"
              "except OSError as e:\n print(e.filename, e.strerror)")
    out = subprocess.run([sys.executable, "-c", script, str(target), str(tmp)], capture_output=True, text=True,
                         preexec_fn=limited(10_000), timeout=60).stdout
    assert out.strip() == f"{target} File too large"
    assert list(tmp.iterdir()) == [] and not target.exists()
    assert write_atomic  # the same function, in-process, without a limit, works
    write_atomic(target, b"x", tmp)


def test_the_new_key_files_folder_is_fsynced(tmp_path, monkeypatch):
    from ketatui.storage.tinydb import crypto

    synced = []
    real = crypto.fsync_dir
    monkeypatch.setattr(crypto, "fsync_dir", lambda path: (synced.append(Path(path)), real(path)))
    open_repository(store_settings(tmp_path / "store", tmp_path / "keys" / "store.key"))
    assert tmp_path / "keys" in synced


def test_restore_fsyncs_every_file_it_unpacked(tmp_path, make_data, monkeypatch):
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    ids = [repo.create(person(make_data, f"Lee {n}", status="draft"), user="dr.lee")["record_id"] for n in range(3)]
    backup = repo.backup(tmp_path / "b.tar").path
    synced: list[str] = []
    real = os.fsync

    def spy(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    restore_store(store_settings(tmp_path / "store", tmp_path / "store.key"), backup, user="admin")
    names = {Path(p).name for p in synced}
    assert {f"{rid}.json.enc" for rid in ids} <= names
    assert "store.json" in names


def test_a_writer_waiting_on_the_old_lock_waits_on_the_restored_stores_lock(tmp_path, make_data):
    """It used to wake up holding the old store's lock and write into the restored one unserialised.

    The restore's last step is done by hand here, as ``backup.restore`` does it: under the old
    store's lock, the folder is moved aside and the restored one put in its place."""
    from ketatui.storage.tinydb.locking import StoreLock

    settings = store_settings(tmp_path / "store", tmp_path / "store.key")
    open_repository(settings).create(person(make_data, "Before", status="draft"), user="dr.lee")
    restored = tmp_path / "restored"
    shutil.copytree(tmp_path / "store", restored)
    lock = tmp_path / "store" / ".lock"
    entered = threading.Event()

    def waiting_writer():
        with StoreLock(lock, timeout=20).hold():
            entered.set()

    writer = threading.Thread(target=waiting_writer)
    with StoreLock(lock).hold():  # the restore holds the old store's lock
        writer.start()
        time.sleep(0.2)  # the writer waits on the old store's lock file
        os.rename(tmp_path / "store", tmp_path / "store.replaced")
        os.rename(restored, tmp_path / "store")
        new_lock = StoreLock(lock)
        held = new_lock.hold()
        held.__enter__()  # someone is writing to the restored store
    try:
        assert not entered.wait(0.5)  # the writer must not be in while the restored store's lock is held
    finally:
        held.__exit__(None, None, None)
    writer.join(timeout=20)
    assert entered.is_set()
