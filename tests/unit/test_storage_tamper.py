"""The tamper suite: someone who can write the store folder (but has no key) cuts, deletes,
reorders, replays and forges audit lines and journals, swaps record files across ids and
revisions, and damages or deletes index shards. Every attempt is detected (``audit verify``
says what) or repaired (and the repair is audited and said), and none silently loses a record:
every acknowledged record reads back at its latest revision, or the read fails saying why.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ketatui.storage import RecordNotFound, StoreCorrupt, open_repository
from ketatui.storage.tinydb.index import shard_of

from stores import person, store_settings


@dataclass
class Store:
    """A store with a history, and what was acknowledged: each record id and its latest revision."""

    root: Path
    key: Path
    ids: dict[str, str]  # role -> record id
    acknowledged: dict[str, int] = field(default_factory=dict)
    copies: dict[str, bytes] = field(default_factory=dict)  # files as they were at some earlier moment

    def open(self, **kw):
        return open_repository(store_settings(self.root, self.key), **kw)

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def audit_lines(self) -> list[str]:
        return self.path("audit.log").read_text().splitlines(keepends=True)


@pytest.fixture
def store(tmp_path, make_data) -> Store:
    root, key = tmp_path / "store", tmp_path / "store.key"
    repo = open_repository(store_settings(root, key))
    signed = repo.create(person(make_data, "Signe Holm", status="draft"), user="kiosk")
    sid = signed["record_id"]
    s = Store(root, key, {"signed": sid})
    s.copies["signed rev 1"] = repo.layout.record(sid).read_bytes()
    s.copies["signed shard rev 1"] = repo.layout.shard(shard_of(sid)).read_bytes()
    repo.save(dict(signed, current_step="medications"), user="dr.lee", expected_rev=1)
    repo.sign(sid, user="dr.lee", expected_rev=2)
    course = repo.create(person(make_data, "Cora Lind", status="draft"), user="kiosk")
    cid = course["record_id"]
    repo.add_course_record(cid, {"kind": "session", "intake_record_id": cid, "number": 1}, user="nurse.ng")
    gone = repo.create(person(make_data, "Gus Dahl", status="draft"), user="kiosk")
    repo.discard(gone["record_id"], user="dr.lee", expected_rev=1)
    plain = repo.create(person(make_data, "Pia Berg", status="draft"), user="kiosk")
    s.ids.update(course=cid, plain=plain["record_id"])
    s.acknowledged = {sid: 3, cid: 1, plain["record_id"]: 1}
    assert repo.verify_audit().ok
    return s


# ----- what counts as detected, repaired and not lost ----------------------------------------


def outcome(s: Store) -> tuple[bool, bool]:
    """(detected, repaired) after a tamper: a fresh session opens the store, lists, reads every record."""
    repo = s.open()
    detected = not repo.verify_audit().ok
    repo.list()
    for record_id in s.acknowledged:
        try:
            repo.get(record_id, user="dr.lee")
        except (StoreCorrupt, RecordNotFound):
            detected = True
    return detected, bool(repo.repairs)


def nothing_silently_lost(s: Store) -> None:
    """Every acknowledged record is read at its acknowledged revision, or reading it says why it cannot be,
    or (a record file and its shard put back together, consistent with each other) ``audit verify`` names it."""
    repo = s.open()
    problems = " ".join(repo.verify_audit().problems)
    for record_id, rev in s.acknowledged.items():
        try:
            read = repo.get(record_id, user="dr.lee")["rev"]
        except StoreCorrupt as exc:  # said plainly, naming the file
            assert record_id in str(exc)
        else:
            assert read == rev or (record_id in problems and "older copy" in problems)
    listed = {r.record_id: r.rev for r in repo.list()}
    for record_id, rev in s.acknowledged.items():
        assert listed.get(record_id) == rev or not repo.verify_audit().ok


# ----- the tampering ---------------------------------------------------------------------------


def cut_last_line(s: Store) -> None:
    s.path("audit.log").write_text("".join(s.audit_lines()[:-1]))


def cut_last_five_lines(s: Store) -> None:
    s.path("audit.log").write_text("".join(s.audit_lines()[:-5]))


def delete_audit_log(s: Store) -> None:
    s.path("audit.log").unlink()


def delete_audit_log_and_its_head(s: Store) -> None:
    s.path("audit.log").unlink()
    meta = json.loads(s.path("store.json").read_text())
    del meta["audit_head"]
    s.path("store.json").write_text(json.dumps(meta))


def cut_lines_and_move_the_head_back(s: Store) -> None:
    lines = s.audit_lines()
    s.path("audit.log").write_text("".join(lines[:-2]))
    meta = json.loads(s.path("store.json").read_text())
    last = json.loads(lines[-3])
    meta["audit_head"].update(seq=last["seq"], mac=last["mac"])
    s.path("store.json").write_text(json.dumps(meta))


def reorder_lines(s: Store) -> None:
    lines = s.audit_lines()
    lines[2], lines[3] = lines[3], lines[2]
    s.path("audit.log").write_text("".join(lines))


def replay_a_line(s: Store) -> None:
    lines = s.audit_lines()
    s.path("audit.log").write_text("".join(lines + [lines[1]]))


def forge_a_line(s: Store) -> None:
    lines = s.audit_lines()
    line = json.loads(lines[1])
    line["user"] = "ghost"
    lines[1] = json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n"
    s.path("audit.log").write_text("".join(lines))


def plant_a_journal(s: Store) -> None:
    size = s.path("audit.log").stat().st_size
    entries = [{"action": "update", "record_id": s.ids["signed"], "rev": 3, "user": "ghost", "target": None, "recovered": False},
               {"action": "delete", "record_id": s.ids["plain"], "rev": 1, "user": "ghost", "target": None, "recovered": False}]
    s.path("journal.json").write_text(json.dumps({"pid": 1, "audit_size": size, "audit_seq": 0, "entries": entries}))


def replay_an_old_journal(s: Store) -> None:
    s.path("journal.json").write_bytes(s.copies["journal"])


def put_back_rev_1_of_a_signed_record(s: Store) -> None:
    repo = s.open()
    repo.layout.record(s.ids["signed"]).write_bytes(s.copies["signed rev 1"])


def put_back_rev_1_and_its_shard(s: Store) -> None:
    repo = s.open()
    repo.layout.record(s.ids["signed"]).write_bytes(s.copies["signed rev 1"])
    repo.layout.shard(shard_of(s.ids["signed"])).write_bytes(s.copies["signed shard rev 1"])


def swap_two_record_files(s: Store) -> None:
    repo = s.open()
    a, b = repo.layout.record(s.ids["plain"]), repo.layout.record(s.ids["course"])
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)


def delete_a_record_file(s: Store) -> None:
    s.open().layout.record(s.ids["plain"]).unlink()


def flip_a_byte_in_a_shard(s: Store) -> None:
    shard = s.open().layout.shard(shard_of(s.ids["plain"]))
    raw = bytearray(shard.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    shard.write_bytes(bytes(raw))


def delete_a_shard(s: Store) -> None:
    s.open().layout.shard(shard_of(s.ids["plain"])).unlink()


def delete_every_shard(s: Store) -> None:
    shutil.rmtree(s.path("index"))
    s.path("index").mkdir()


def put_back_an_older_shard(s: Store) -> None:
    """The signed record's shard as it was at rev 1: its row is at the wrong revision."""
    s.open().layout.shard(shard_of(s.ids["signed"])).write_bytes(s.copies["signed shard rev 1"])


TAMPERING = [cut_last_line, cut_last_five_lines, delete_audit_log, delete_audit_log_and_its_head,
             cut_lines_and_move_the_head_back, reorder_lines, replay_a_line, forge_a_line, plant_a_journal,
             put_back_rev_1_of_a_signed_record, put_back_rev_1_and_its_shard, swap_two_record_files,
             delete_a_record_file, flip_a_byte_in_a_shard, delete_a_shard, delete_every_shard, put_back_an_older_shard]


@pytest.mark.parametrize("tamper", TAMPERING, ids=[t.__name__ for t in TAMPERING])
def test_every_tampering_is_detected_or_repaired_and_nothing_is_silently_lost(store, tamper):
    tamper(store)
    detected, repaired = outcome(store)
    assert detected or repaired, f"{tamper.__name__} went unnoticed"
    nothing_silently_lost(store)


def test_an_old_journal_put_back_is_not_acted_on(store, monkeypatch):
    from ketatui.storage.tinydb.store import TinyDBRepository

    real = TinyDBRepository._apply

    def keep_a_copy(self, changes, undo):
        store.copies["journal"] = self.layout.journal.read_bytes()
        return real(self, changes, undo)

    monkeypatch.setattr(TinyDBRepository, "_apply", keep_a_copy)
    repo = store.open()
    repo.save(dict(repo.get(store.ids["plain"], user="dr.lee"), current_step="medications"), user="dr.lee", expected_rev=1)
    monkeypatch.undo()
    store.acknowledged[store.ids["plain"]] = 2
    repo.get(store.ids["plain"], user="dr.lee")  # the log moves on past that write
    before = store.audit_lines()
    replay_an_old_journal(store)
    repo = store.open()
    after = store.audit_lines()
    assert len(after) == len(before) + 1
    assert "belongs to an earlier write" in json.loads(after[-1])["target"]
    assert not repo.layout.journal.exists()
    assert list(store.root.glob("journal.rejected-*.json"))
    assert repo.verify_audit().ok
    nothing_silently_lost(store)


# ----- 1: the audit trail cannot be cut unnoticed ------------------------------------------------


@pytest.mark.parametrize("cut", [cut_last_line, cut_last_five_lines, delete_audit_log])
def test_cutting_or_deleting_the_audit_log_is_detected(store, cut):
    cut(store)
    report = store.open(read_only=True).verify_audit()
    assert not report.ok
    assert any("cut from the end or the file was deleted" in p for p in report.problems), report.problems


def test_after_a_delete_the_next_write_does_not_start_a_new_chain_unnoticed(store):
    delete_audit_log(store)
    repo = store.open()
    repo.get(store.ids["plain"], user="dr.lee")  # the next write: a view line
    report = repo.verify_audit()
    assert not report.ok
    first = json.loads(store.audit_lines()[0])
    assert first["seq"] > 1  # it goes on from the anchored head
    assert any("does not follow" in p for p in report.problems)


def test_removing_the_head_as_well_is_detected(store):
    """Log and head gone: no chain to check, but every record is now without its audit line."""
    delete_audit_log_and_its_head(store)
    report = store.open(read_only=True).verify_audit()
    assert any(f"intake {store.ids['plain']} has a record file but no audit line ever wrote it" in p for p in report.problems)


def test_a_head_changed_by_hand_is_detected_and_audited_not_a_lockout(store):
    meta = json.loads(store.path("store.json").read_text())
    meta["audit_head"]["seq"] += 5
    store.path("store.json").write_text(json.dumps(meta))
    report = store.open(read_only=True).verify_audit()
    assert any("changed by hand" in p for p in report.problems)
    repo = store.open()
    repo.get(store.ids["plain"], user="dr.lee")  # work goes on; the evidence is in the log
    assert any("changed by hand" in str(json.loads(line).get("target")) for line in store.audit_lines())


def test_the_head_printed_earlier_is_a_witness_against_rolling_back_the_whole_folder(store, tmp_path):
    """Log and head rolled back together are out of the store's own reach; a head kept elsewhere is not."""
    old = tmp_path / "old"
    shutil.copytree(store.root, old)
    repo = store.open()
    repo.get(store.ids["plain"], user="dr.lee")
    witness = repo.audit_head()
    shutil.rmtree(store.root)
    shutil.copytree(old, store.root)  # the whole folder as it was: consistent in itself
    rolled_back = store.open(read_only=True)
    assert rolled_back.verify_audit().ok
    report = rolled_back.verify_audit(witness=witness)
    assert any("the head you gave" in p for p in report.problems)


# ----- 2: journal.json is authenticated ----------------------------------------------------------


def test_a_planted_journal_writes_no_audit_line_and_is_set_aside(store):
    plant_a_journal(store)
    before = store.audit_lines()
    repo = store.open()
    after = store.audit_lines()
    assert not any('"user":"ghost"' in line for line in after)
    assert len(after) == len(before) + 1
    note = json.loads(after[-1])
    assert note["action"] == "recover" and "MAC does not match" in note["target"]
    assert not repo.layout.journal.exists()
    assert repo.get(store.ids["plain"], user="dr.lee")["rev"] == 1
    assert repo.verify_audit().ok


# ----- 5: an older copy of a record file is refused ---------------------------------------------


def test_rev_1_of_a_signed_record_put_back_is_refused_and_the_signed_revision_not_lost(store):
    put_back_rev_1_of_a_signed_record(store)
    repo = store.open()
    with pytest.raises(StoreCorrupt, match="an older copy of the file was put back") as caught:
        repo.get(store.ids["signed"], user="dr.lee")
    assert "revision 1" in str(caught.value) and "revision 3" in str(caught.value)
    with pytest.raises(StoreCorrupt):
        repo.save({"record_id": store.ids["signed"], "schema_version": 2}, user="dr.lee", expected_rev=1)
    report = repo.verify_audit()
    assert any("older copy" in p and store.ids["signed"] in p for p in report.problems)


def test_a_file_and_its_shard_put_back_together_are_caught_by_the_audit_trail(store):
    put_back_rev_1_and_its_shard(store)
    report = store.open(read_only=True).verify_audit()
    assert any(f"intake {store.ids['signed']}'s record file holds revision 1 but the audit log wrote revision 3" in p
               for p in report.problems), report.problems


def test_record_files_swapped_across_ids_do_not_open(store):
    swap_two_record_files(store)
    repo = store.open()
    with pytest.raises(StoreCorrupt, match="could not be decrypted"):
        repo.get(store.ids["plain"], user="dr.lee")


# ----- 4: damaged or deleted index shards -------------------------------------------------------


def test_a_flipped_byte_in_a_shard_then_an_import_into_it_works_and_is_said(store, make_data):
    """The reproduction from the issue: the import used to say "Nothing was changed" with the file
    written, and every later write and read failed."""
    flip_a_byte_in_a_shard(store)
    repo = store.open()
    shard = shard_of(store.ids["plain"])
    doc = dict(person(make_data, "Ines Shard", status="draft"), record_id=shard + "000000-0000-4000-8000-000000000000")
    assert repo.import_documents([doc], user="dr.lee") == [doc["record_id"]]
    assert any(f"index shard {shard} rebuilt" in note for note in repo.repairs)
    listed = {r.record_id for r in repo.list()}
    assert {doc["record_id"], *store.acknowledged} <= listed
    for record_id in store.acknowledged:
        repo.get(record_id, user="dr.lee")
    recover = [json.loads(line) for line in store.audit_lines() if '"action":"recover"' in line]
    assert any(f"index shard {shard} rebuilt" in line["target"] for line in recover)
    assert repo.verify_audit().ok


def test_a_deleted_shard_is_rebuilt_when_the_store_is_opened(store):
    delete_a_shard(store)
    repo = store.open()
    assert any("its file was missing" in note for note in repo.repairs)
    assert store.ids["plain"] in {r.record_id for r in repo.list()}
    assert repo.verify_audit().ok


def test_a_deleted_record_file_is_noticed_not_shown_as_never_stored(store):
    delete_a_record_file(store)
    repo = store.open()
    with pytest.raises(StoreCorrupt, match="the record file was deleted"):
        repo.get(store.ids["plain"], user="dr.lee")
    report = repo.verify_audit()
    assert any(f"intake {store.ids['plain']} is in the records list (revision 1) but its record file is missing" in p
               for p in report.problems)


def test_the_cli_reports_a_repair(store, monkeypatch, capsys):
    from ketatui.cli import main

    delete_a_shard(store)
    code = main(["records", "list", "--data-dir", str(store.root), "--key-file", str(store.key)])
    err = capsys.readouterr().err
    assert code == 0 and "The records list was repaired" in err


def test_audit_verify_exits_1_naming_the_problem(store, capsys):
    from ketatui.cli import main

    cut_last_line(store)
    code = main(["audit", "verify", "--data-dir", str(store.root), "--key-file", str(store.key)])
    err = capsys.readouterr().err
    assert code == 1 and "cut from the end" in err


def test_the_head_can_be_printed_and_checked_against_from_the_cli(store, capsys):
    from ketatui.cli import main

    flags = ["--data-dir", str(store.root), "--key-file", str(store.key)]
    assert main(["audit", "head", *flags]) == 0
    head = capsys.readouterr().out.strip()
    assert main(["audit", "verify", "--head", head, *flags]) == 0
    assert "and the head you gave" in capsys.readouterr().out
    cut_last_five_lines(store)
    assert main(["audit", "verify", "--head", head, *flags]) == 1
    assert "the head you gave" in capsys.readouterr().err
    assert main(["audit", "verify", "--head", "not-a-head", *flags]) == 2
    assert "is not an audit head" in capsys.readouterr().err


def test_no_session_is_added_to_an_older_copy_of_a_record(store):
    put_back_rev_1_of_a_signed_record(store)
    repo = store.open()
    sid = store.ids["signed"]
    with pytest.raises(StoreCorrupt, match="older copy"):
        repo.add_course_record(sid, {"kind": "session", "intake_record_id": sid, "number": 1}, user="nurse.ng")
