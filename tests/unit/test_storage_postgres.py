"""What belongs to the PostgreSQL backend itself, on a real server (``tests/pgserver.py``): no
health data in clear on the server, the append-only audit table, versioned migrations, the copy
of a folder store, and the blind index. The behaviour every backend shares is in
``test_storage_contract.py``."""

from __future__ import annotations

import json
import re

import psycopg
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from ketatui.cli import main
from ketatui.settings import Settings
from ketatui.storage import DatabaseNotReady, InvalidRequest, open_repository
from ketatui.storage.postgres import blind, migrations
from ketatui.storage.postgres.keys import StoreKeys

import builders
from stores import person


@pytest.fixture
def pg_settings(postgres_url, tmp_path) -> Settings:
    return Settings(backend="postgres", database_url=postgres_url, key_file=tmp_path / "store.key",
                    data_dir=tmp_path / "unused", user="dr.lee")


def _examples() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(builders.EXAMPLES.glob("*.json"))]


def test_a_pg_dump_holds_no_name_birth_date_or_answer(pg_settings, postgres_server, make_data):
    from ketatui.commands.records import demo_documents

    repo = open_repository(pg_settings)
    docs = _examples() + demo_documents(40, seed=7)
    repo.import_documents(docs[:7], user="dr.lee")
    repo.create_many(docs[7:], user="trainer")
    first = docs[0]["record_id"]
    repo.sign(first, user="dr.lee", expected_rev=repo.get(first, user="dr.lee")["rev"])
    repo.amend(first, user="dr.lee", reason="Escort is now her brother Tobias Quennell")
    dump = postgres_server.dump(pg_settings.database_url.get_secret_value())
    assert "ketatui_records" in dump and len(dump) > 50_000  # the data really is in the dump

    secrets_ = {"Tobias Quennell", "Quennell"}
    for doc in docs:
        demo = doc["medical_history"]["demographics"]
        secrets_.add(demo["full_name"])
        secrets_.update(w for w in re.findall(r"[A-Za-zÀ-ž]{4,}", demo["full_name"]) if w != "synthetic")
        secrets_.add(demo["date_of_birth"])
        born = demo["date_of_birth"]
        secrets_.add(f"{born[8:10]}/{born[5:7]}/{born[:4]}")
    found = sorted(s for s in secrets_ if s in dump)
    assert found == [], f"in clear on the server: {found}"
    assert repo.list(search=docs[8]["medical_history"]["demographics"]["full_name"].split()[0])  # and search still works


def test_the_database_refuses_to_change_or_remove_audit_lines(pg_settings, make_data, capsys, monkeypatch):
    repo = open_repository(pg_settings)
    repo.create(person(make_data), user="kiosk")
    url = pg_settings.database_url.get_secret_value()
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in ("UPDATE ketatui_audit SET username = 'someone else'", "DELETE FROM ketatui_audit",
                          "TRUNCATE ketatui_audit"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
    assert repo.verify_audit().ok
    head = repo.audit_head()
    assert head.startswith("1:") and repo.verify_audit(witness=head).ok

    monkeypatch.setenv("KETATUI_BACKEND", "postgres")
    monkeypatch.setenv("KETATUI_DATABASE_URL", url)
    monkeypatch.setenv("KETATUI_KEY_FILE", str(pg_settings.key_file))
    assert main(["audit", "verify"]) == 0
    assert "Audit log intact: 1 entries" in capsys.readouterr().out
    assert main(["audit", "head"]) == 0 and capsys.readouterr().out.strip() == head
    assert main(["audit", "verify", "--head", head]) == 0
    capsys.readouterr()

    with psycopg.connect(url, autocommit=True) as conn:  # an owner who drops the guard still cannot forge a MAC
        conn.execute("ALTER TABLE ketatui_audit DISABLE TRIGGER USER")
        conn.execute("UPDATE ketatui_audit SET username = 'someone else' WHERE seq = 1")
    report = repo.verify_audit()
    assert not report.ok and "entry 1 was changed after it was written" in report.problems[0]
    assert main(["audit", "verify"]) == 1
    assert "The audit log has been altered" in capsys.readouterr().err
    with psycopg.connect(url, autocommit=True) as conn:  # and cutting the table's end is caught by a witness
        conn.execute("DELETE FROM ketatui_audit")
    assert "the audit table ends at entry 0, but the head you gave is entry 1" in repo.verify_audit(witness=head).problems[0]


def test_migrations_are_versioned_and_run_once_by_db_upgrade(postgres_url, tmp_path, capsys, monkeypatch):
    with psycopg.connect(postgres_url, autocommit=True) as conn:  # a database set up by an older ketatui
        conn.execute("CREATE TABLE ketatui_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        with conn.transaction():
            conn.execute(migrations.MIGRATIONS[0].sql)
            conn.execute("INSERT INTO ketatui_migrations (version, name) VALUES (1, 'first')")
    settings = Settings(backend="postgres", database_url=postgres_url, key_file=tmp_path / "k", data_dir=tmp_path / "d")
    with pytest.raises(DatabaseNotReady, match="is at schema version 1; this ketatui needs 2.*ketatui db upgrade"):
        open_repository(settings)

    monkeypatch.setenv("KETATUI_BACKEND", "postgres")
    monkeypatch.setenv("KETATUI_DATABASE_URL", postgres_url)
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "Applied migration 2" in out and "Applied migration 1" not in out and "now at version 2 (it was at 1)" in out
    assert main(["db", "upgrade"]) == 0
    assert "up to date (version 2)" in capsys.readouterr().out
    with psycopg.connect(postgres_url) as conn:
        assert [r[0] for r in conn.execute("SELECT version FROM ketatui_migrations ORDER BY version")] == [1, 2]
    assert open_repository(settings).list() == []

    with psycopg.connect(postgres_url, autocommit=True) as conn:  # a newer ketatui moved the schema on
        conn.execute("INSERT INTO ketatui_migrations (version, name) VALUES (99, 'from the future')")
    newer = open_repository(settings)
    assert newer.read_only and "newer ketatui" in newer.notice
    with pytest.raises(InvalidRequest, match="newer ketatui"):
        newer.create({}, user="dr.lee")


def test_a_missing_or_unreadable_database_url_is_named_with_the_fix(tmp_path):
    with pytest.raises(InvalidRequest, match="Database URL: not set.*KETATUI_DATABASE_URL"):
        open_repository(Settings(backend="postgres", key_file=tmp_path / "k", data_dir=tmp_path / "d"))


def test_store_copy_moves_revisions_amendments_sessions_and_the_audit_chain(tmp_path, postgres_url, make_data, capsys):
    folder = Settings(data_dir=tmp_path / "store", key_file=tmp_path / "store.key", user="dr.lee")
    source = open_repository(folder)
    rid = source.create(person(make_data, name="Carried Over"), user="kiosk")["record_id"]
    source.sign(rid, user="dr.lee", expected_rev=1)
    source.amend(rid, user="dr.lee", reason="Escort changed")
    source.create(person(make_data, name="Second Person", status="draft"), user="kiosk")
    course = {"kind": "follow_up", "intake_record_id": rid, "date": "2027-01-20", "phq9_total": 8}
    source.add_course_record(rid, course, user="dr.lee")

    code = main(["store", "copy", "--from", str(folder.data_dir), "--to", postgres_url, "--key-file", str(folder.key_file)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"intakes\s+2\s+2", out) and re.search(r"kept revisions\s+3\s+3", out)
    assert re.search(r"amendment reasons\s+1\s+1", out) and re.search(r"sessions and visits\s+1\s+1", out)
    assert "the audit chain of" in out and "verifies" in out

    copied = open_repository(Settings(backend="postgres", database_url=postgres_url, key_file=folder.key_file, data_dir=tmp_path / "d"))
    assert [(d["rev"], d["status"]) for d in copied.revisions(rid, user="dr.lee")] == [(2, "signed"), (3, "draft")]
    assert copied.amendments(rid, user="dr.lee")[0]["reason"] == "Escort changed"
    assert copied.course_records(rid, user="dr.lee")[0]["phq9_total"] == 8
    assert sorted(r.full_name for r in copied.list(search="car")) == ["Carried Over"]
    lines = copied.audit_lines()
    assert [line["action"] for line in lines][:3] == ["create", "sign", "amend"]
    assert [line["target"] for line in lines if line["action"] == "import"] == ["copy of 2 intakes from a folder store"]
    assert copied.verify_audit().ok

    assert main(["store", "copy", "--from", str(folder.data_dir), "--to", postgres_url, "--key-file", str(folder.key_file)]) == 1
    assert "copy only into an empty database" in capsys.readouterr().err


KEYS = StoreKeys.from_master(b"k" * 32)


@hsettings(max_examples=60, deadline=None)
@given(first=st.text("abcdefghijklmnopqrstuvwxyzéöñ", min_size=2, max_size=12),
       last=st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=30), cut=st.integers(2, 30))
def test_every_start_of_a_name_word_is_found_and_nothing_else_is_stored(first, last, cut):
    name = f"{first.title()} {last.title()}"
    stored = blind.record_terms(KEYS, name, "1984-03-14")
    for word in (first, last):
        typed = word[:cut].upper()
        (wanted,) = blind.search_words(KEYS, typed)
        assert set(wanted.terms) & stored, f"{typed!r} does not find {name!r}"
    assert len(stored) <= 2 * (blind.MAX_PREFIX - 1) + 7


def test_search_words_read_dates_ids_and_ignore_single_letters():
    (by_date,) = blind.search_words(KEYS, "3/14/1984")
    assert KEYS.blind("born", "1984-03-14") in by_date.terms
    (year,) = blind.search_words(KEYS, "1984")
    assert KEYS.blind("born", "1984") in year.terms and year.id_prefix == "1984"
    assert blind.search_words(KEYS, "j") == []
    (hexish,) = blind.search_words(KEYS, "dead")
    assert hexish.id_prefix == "dead" and KEYS.blind("name", "dead") in hexish.terms
    assert blind.record_terms(KEYS, "Zoë", None) == {KEYS.blind("name", "zo"), KEYS.blind("name", "zoe")}
