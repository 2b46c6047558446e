"""Several ketatui processes on one PostgreSQL server, as clinics on several sites use it: many
writers at once, a client killed mid-transaction, the server restarted under load, and urgent
intakes heard across processes within 2 s. The server is the session's throwaway one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from ketatui.settings import Settings
from ketatui.storage import open_repository
from ketatui.storage.backends import backend_named
from ketatui.storage.postgres.store import CONNECT_WAIT

pytestmark = [pytest.mark.system]

WORKER = Path(__file__).with_name("pg_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def start(*args: object, stdin: bool = False) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.PIPE if stdin else None, text=True)


@pytest.fixture
def store(postgres_url, tmp_path):
    key = tmp_path / "store.key"
    settings = Settings(backend="postgres", database_url=postgres_url, key_file=key, data_dir=tmp_path / "unused")
    open_repository(settings)  # made once, before the writers race
    return settings, postgres_url, key


def test_eight_processes_writing_25_intakes_each_keep_all_200(store, tmp_path):
    settings, url, key = store
    go = tmp_path / "go"
    writers = [start("write", url, key, f"writer{n}", 25, go) for n in range(8)]
    time.sleep(1.5)
    go.touch()
    acknowledged = set()
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        acknowledged |= set(out.split())
    assert len(acknowledged) == 200
    repo = open_repository(settings)
    listed = repo.list()
    assert {r.record_id for r in listed} == acknowledged
    assert sorted(r.full_name for r in listed) == sorted(f"writer{n} patient {i}" for n in range(8) for i in range(25))
    report = repo.verify_audit()
    assert report.ok and report.entries == 200


def test_a_client_killed_mid_transaction_loses_nothing_it_was_told_was_kept(store):
    settings, url, key = store
    writer = start("forever", url, key, "kiosk")
    acknowledged = []
    while len(acknowledged) < 100:  # two transactions of 50 acknowledged; the third is under way
        acknowledged.append(writer.stdout.readline().strip())
    time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    acknowledged += [line.strip() for line in writer.stdout.read().splitlines() if line.strip()]

    repo = open_repository(settings)
    kept = {r.record_id for r in repo.list()}
    assert set(acknowledged) <= kept
    assert len(kept) % 50 == 0 and len(kept) - len(acknowledged) in (0, 50)  # a transaction is kept whole or not at all
    with psycopg.connect(url) as conn:  # no half-written intake: every row has its revision, and its audit line
        orphans = conn.execute("SELECT count(*) FROM ketatui_records r WHERE NOT EXISTS "
                               "(SELECT 1 FROM ketatui_revisions v WHERE v.record_id = r.record_id)").fetchone()[0]
        assert orphans == 0
    report = repo.verify_audit()
    assert report.ok and report.entries == len(kept)


def test_the_server_restarted_under_load_gives_a_clear_message_then_the_work_resumes(store, postgres_server):
    settings, url, key = store
    watch = backend_named("postgres").watch_urgent(settings)  # an open browser's listener
    writer = start("resilient", url, key, "kiosk", 60)
    lines = []
    while len(lines) < 10:
        lines.append(writer.stdout.readline().strip())
    postgres_server.stop("fast")
    time.sleep(CONNECT_WAIT + 1.5)  # longer than a call waits for a connection: the writer must hear of it
    postgres_server.start()
    news: list[str] = []
    deadline = time.monotonic() + 15
    while watch.RESYNC not in news and time.monotonic() < deadline:
        news += watch.wait(timeout=0.5)
    assert watch.RESYNC in news, "the listener did not come back after the restart"
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    lines += out.splitlines()
    waiting = [line for line in lines if line.startswith("WAITING")]
    assert waiting, "the writer never saw the server go away"
    assert "cannot be reached" in waiting[0] and "try again in a moment" in waiting[0]
    kept = [line for line in lines if not line.startswith("WAITING")]
    assert len(kept) == 60
    repo = open_repository(settings)
    assert {r.record_id for r in repo.list()} >= set(kept)
    assert repo.verify_audit().ok
    doc = json.loads((ROOT / "examples" / "04-positive-suicide-screen.json").read_text())
    doc.pop("record_id")
    doc["triage"] = {"urgent": True, "blocked": True, "reasons": ["ASQ"]}
    urgent = repo.create(doc, user="kiosk")["record_id"]
    heard = watch.wait(timeout=2.0)
    watch.close()
    assert urgent in heard, "the listener hears urgent intakes again after the restart"


def test_two_processes_hear_each_others_urgent_intake_within_two_seconds(store):
    settings, url, key = store
    sites = [start("urgent", url, key, who, stdin=True) for who in ("north", "south")]
    for site in sites:
        assert site.stdout.readline().strip() == "LISTENING"
    for site in sites:
        site.stdin.write("go\n")
        site.stdin.flush()
    outputs = []
    for site in sites:
        out, err = site.communicate(timeout=30)
        assert site.returncode == 0, err
        outputs.append(dict(line.split(" ", 1) for line in out.splitlines()))
    saved = {o["SAVED"].split()[0]: float(o["SAVED"].split()[1]) for o in outputs}
    for mine, other in ((outputs[0], outputs[1]), (outputs[1], outputs[0])):
        assert "HEARD" in mine, "an urgent intake saved at the other site was never heard"
        record_id, at, name = mine["HEARD"].split(" ", 2)
        assert record_id == other["SAVED"].split()[0] and name.endswith("in crisis")
        assert at and float(at) - saved[record_id] < 2.0
