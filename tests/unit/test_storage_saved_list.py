"""The records list kept ready for the next process (``index/list.json.enc``, ``index/head.json.enc``):
sealed like every health-bearing file, never hiding another process's write, ignored when
damaged, and in the same order as a list made from the shards alone."""

from __future__ import annotations

import random

import pytest

from ketatui.storage import open_repository
from ketatui.storage.tinydb import index

from stores import person, store_settings


@pytest.fixture(autouse=True)
def small_stores_keep_the_files(monkeypatch):
    monkeypatch.setattr(index.SummaryCache, "SAVE_FROM", 0)


@pytest.fixture
def open_store(tmp_path):
    def open_(**kwargs):
        return open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"), **kwargs)

    return open_


def settle(repo):
    """Wait for the whole-list file being written in the background."""
    for writer in repo._summaries.writes:
        writer.join(10)


def names(rows):
    return [r.full_name for r in rows]


def fill(repo, make_data, count, seed=1):
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        doc = person(make_data, name=f"{rng.choice(['Ana', 'Ben', 'Chloé', 'Dev'])} Person{i}", dob=f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
        doc["triage"] = {"urgent": rng.random() < 0.2, "blocked": False, "reasons": []}
        doc["training"] = rng.random() < 0.3
        docs.append(doc)
    repo.create_many(docs, user="clin")


def test_the_files_are_sealed_and_a_new_process_lists_the_same_from_them(open_store, make_data):
    repo = open_store()
    fill(repo, make_data, 40)
    first = repo.list()
    settle(repo)
    files = repo._summaries._saved
    for path in (files.list_path, files.head_path):
        blob = path.read_bytes()
        assert b"Person" not in blob and b"19" not in blob[:64]  # no name or birth date in the clear
    fresh = open_store()
    page = fresh.page(limit=10)  # from the head file
    assert names(page.rows) == names(first[:10]) and page.total == 40
    assert names(fresh.page(limit=10, training=False).rows) == names([r for r in first if not r.training][:10])
    assert names(fresh.list()) == names(first)  # from the whole-list file


def test_a_write_by_another_process_is_seen_whatever_file_the_list_comes_from(open_store, make_data):
    repo = open_store()
    fill(repo, make_data, 30)
    repo.list()
    settle(repo)
    other = open_store()
    target = other.list(search="Person7")[0]
    doc = other.get(target.record_id, user="clin")
    doc["triage"] = {"urgent": True, "blocked": False, "reasons": ["test"]}
    doc["listing"] = {"full_name": "Zed Renamed", "date_of_birth": "1950-01-01"}
    other.save(doc, user="clin", expected_rev=doc["rev"])
    for reader in (open_store(), repo):  # a new process (head and list files behind) and a warm one
        rows = reader.page(limit=5, urgent=True).rows
        assert "Zed Renamed" in names(rows)
        assert reader.list(search="renamed")[0].record_id == target.record_id
        assert not reader.list(search="Person7 ")


def test_damaged_files_are_ignored_and_made_again(open_store, make_data):
    repo = open_store()
    fill(repo, make_data, 20)
    expected = names(repo.list())
    settle(repo)
    files = repo._summaries._saved
    for path in (files.list_path, files.head_path):
        path.write_bytes(b"not a sealed file")
    again = open_store()
    assert names(again.page(limit=50).rows) == expected
    settle(again)
    assert files.load_head() is not None and files.load_list() is not None


def test_the_list_kept_in_order_by_moving_rows_matches_a_fresh_sort(open_store, make_data):
    """Saves, new intakes and discards move single rows into place; the order is the one a
    list read from the shards alone has."""
    repo = open_store()
    fill(repo, make_data, 60)
    repo.list()
    rng = random.Random(5)
    for step in range(25):
        rows = repo.list()
        pick = rng.choice(rows)
        if step % 5 == 4 and pick.status == "draft":
            repo.discard(pick.record_id, user="clin", expected_rev=pick.rev)
            continue
        doc = repo.get(pick.record_id, user="clin")
        doc["triage"] = {"urgent": rng.random() < 0.5, "blocked": False, "reasons": []}
        repo.save(doc, user="clin", expected_rev=doc["rev"])
        if step % 3 == 0:
            fill(repo, make_data, 2, seed=step)
    kept = [r.record_id for r in repo.list()]
    settle(repo)
    (repo._summaries._saved.list_path).unlink(missing_ok=True)  # a write skipped while a save held the lock
    (repo._summaries._saved.head_path).unlink(missing_ok=True)
    from_shards = [r.record_id for r in open_store().list()]
    assert kept == from_shards


def test_a_read_only_store_writes_no_list_file(open_store, make_data):
    fill(open_store(), make_data, 10)
    reader = open_store(read_only=True)
    reader.list()
    settle(reader)
    assert not reader._summaries._saved.list_path.exists()


@pytest.fixture
def list_file_held(monkeypatch):
    """The whole-list file's reading waits until the test lets it go: a new process whose list
    is still loading. Yields the event that lets it go."""
    import threading

    from ketatui.storage.tinydb import saved_list

    go = threading.Event()
    real = saved_list.ListFiles.load_list

    def held(self):
        go.wait(20)
        return real(self)

    monkeypatch.setattr(saved_list.ListFiles, "load_list", held)
    yield go
    go.set()


def test_a_search_is_answered_from_the_head_rows_while_the_whole_list_loads(open_store, make_data, list_file_held):
    repo = open_store()
    fill(repo, make_data, 320)
    repo.list()
    settle(repo)
    fresh = open_store()
    first = fresh.page(limit=10)  # the first page from the head file; the whole list starts loading
    assert first.total == 320 and fresh._summaries._loading.is_alive()
    early = {search: fresh.early_page(search=search, limit=10) for search in ("a", "person1", "19", "Person31")}
    early_kept = fresh.early_page(search="e", training=False, urgent=False, limit=5)
    assert fresh._summaries._loading.is_alive()  # none of them waited for the list
    assert early["Person31"] is None  # too few of its matches among the first rows: wait for the list
    list_file_held.set()
    fresh._summaries._loading.join(20)
    for search in ("a", "person1", "19"):
        page = early[search]
        full = fresh.page(search=search, limit=10)
        assert page is not None and not page.counted, search
        assert names(page.rows) == names(full.rows)  # exactly the rows the whole list gives
        assert 10 <= page.total <= full.total
    assert names(early_kept.rows) == names(fresh.page(search="e", training=False, urgent=False, limit=5).rows)
    assert fresh.early_page(search="a", limit=10) is None  # once the list is read, it answers


def test_a_head_holding_every_row_counts_them_all_and_a_stale_head_answers_nothing(open_store, make_data, list_file_held):
    repo = open_store()
    fill(repo, make_data, 60)
    repo.list()
    settle(repo)
    fresh = open_store()
    fresh.page(limit=10)
    page = fresh.early_page(search="Person1", limit=50)
    assert page is not None and page.counted and page.total == 11  # Person1, Person10 to Person19
    other = open_store()
    doc = other.get(other.list(search="Person5")[0].record_id, user="clin")
    doc["listing"] = {"full_name": "Person1 Renamed", "date_of_birth": "1950-01-01"}
    other.save(doc, user="clin", expected_rev=doc["rev"])
    assert fresh.early_page(search="Person1", limit=50) is None  # a shard changed since the head was written


def test_a_list_file_of_the_older_format_is_ignored_and_made_again(open_store, make_data):
    """A list file written by an earlier ketatui (JSON columns, sealed like every file) is not
    used: the list comes from the shards and the file is written again in the packed form."""
    import json

    from ketatui.storage.tinydb.saved_list import LIST_FORMAT, unpack_columns

    repo = open_store()
    fill(repo, make_data, 30)
    expected = names(repo.list())
    settle(repo)
    files = repo._summaries._saved
    older = {"format": 4, "day": "2000-01-01", "heads": {}, "columns": {"id": [], "name": []}}
    files._write(files.list_path, older)
    assert files.load_list() is None  # sealed and readable, but of another format
    again = open_store()
    assert names(again.list()) == expected
    settle(again)
    plain = repo.keys.open(files.list_path.read_bytes(), repo.layout.rel(files.list_path))
    assert json.loads(plain[4:4 + int.from_bytes(plain[:4], "big")])["format"] == LIST_FORMAT
    day, heads, rows = unpack_columns(plain)
    assert [rows.row(at)[1] for at in range(len(rows))] == expected
