"""``kill -9`` during writes, over and over: the store always opens and keeps every acknowledged write.

Writers are real processes (forked, so each starts in milliseconds) that create, save, sign,
amend and batch-create without pause and report each write only after the call returned.
The test kills them at random moments with SIGKILL, then opens the store afresh and checks
every reported write is there; at the end the list, the records and the audit log agree.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import select
import signal
import time
from pathlib import Path

import pytest

from ketatui.settings import Settings
from ketatui.storage import open_repository

pytestmark = pytest.mark.system

KILLS = 120
WRITERS_AT_ONCE = 2


def writer(store: Path, key: Path, base: dict, seed: int, acks) -> None:
    rng = random.Random(seed)
    repo = open_repository(Settings(data_dir=store, key_file=key))
    mine: list[tuple[str, int]] = []

    def ack(record_id: str, rev: int) -> None:
        os.write(acks, f"{record_id} {rev}\n".encode())

    os.write(acks, b"ready\n")
    while True:
        roll = rng.random()
        if roll < 0.35 or not mine:
            stored = repo.create(dict(base, status="draft"), user=f"w{seed}")
            mine.append((stored["record_id"], 1))
            ack(stored["record_id"], 1)
        elif roll < 0.45:
            for record_id in repo.create_many([dict(base, status="draft") for _ in range(3)], user=f"w{seed}"):
                mine.append((record_id, 1))
                ack(record_id, 1)
        else:
            i = rng.randrange(len(mine))
            record_id, rev = mine[i]
            doc = repo.get(record_id, user=f"w{seed}")
            if doc["status"] == "signed":
                doc = repo.amend(record_id, user=f"w{seed}", reason="amended by a worker")
            elif roll < 0.55:
                doc = repo.sign(record_id, user=f"w{seed}", expected_rev=doc["rev"])
            else:
                doc = repo.save(dict(doc, current_step=rng.choice(["medications", "side_effects"])), user=f"w{seed}", expected_rev=doc["rev"])
            mine[i] = (record_id, doc["rev"])
            ack(record_id, doc["rev"])


def read_acks(fd: int) -> list[str]:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode().split("\n")


@pytest.mark.slow
def test_random_kill_9_during_writes_loses_nothing_acknowledged(tmp_path):
    store, key = tmp_path / "store", tmp_path / "store.key"
    open_repository(Settings(data_dir=store, key_file=key))
    base = json.loads((Path(__file__).resolve().parents[2] / "examples" / "01-treatment-resistant-uncomplicated.json").read_text())
    base.pop("record_id")
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(20260309)
    acknowledged: dict[str, int] = {}
    kills = interrupted = 0
    seed = 0
    while kills < KILLS:
        round_ = []
        for _ in range(WRITERS_AT_ONCE):
            seed += 1
            r, w = os.pipe()
            os.set_blocking(r, False)
            p = ctx.Process(target=writer, args=(store, key, base, seed, w), daemon=True)
            p.start()
            os.close(w)
            round_.append((p, r))
        for p, r in round_:
            select.select([r], [], [], 30)
            assert os.read(r, 6) == b"ready\n"  # the store is open; writes start now
        time.sleep(rng.uniform(0.005, 0.06))
        for p, r in round_:
            time.sleep(rng.uniform(0, 0.01))
            os.kill(p.pid, signal.SIGKILL)
            p.join()
            assert p.exitcode == -signal.SIGKILL
            kills += 1
        if (store / "journal.json").exists() or any((store / "tmp").iterdir()):
            interrupted += 1  # killed in the middle of a write
        for p, r in round_:
            for line in read_acks(r):
                if line and line != "ready":
                    record_id, rev = line.split()
                    acknowledged[record_id] = max(acknowledged.get(record_id, 0), int(rev))
            os.close(r)

        repo = open_repository(Settings(data_dir=store, key_file=key))  # always opens, finishing any interrupted write
        listed = {s.record_id: s.rev for s in repo.list()}
        for record_id, rev in acknowledged.items():
            assert listed.get(record_id, 0) >= rev, f"acknowledged {record_id} rev {rev} missing after kill {kills}"
        if kills % 20 == 0:
            for record_id, rev in acknowledged.items():
                assert repo.get(record_id, user="check")["rev"] >= rev

    assert kills >= 100 and len(acknowledged) > 50
    assert interrupted >= 5, f"only {interrupted} kills landed inside a write; the test did not exercise recovery"
    repo = open_repository(Settings(data_dir=store, key_file=key))
    stored = {p.name.removesuffix(".json.enc"): repo._stored(p.name.removesuffix(".json.enc"))[-1]["rev"]
              for p in store.glob("records/*/*.json.enc")}
    assert {s.record_id: s.rev for s in repo.list()} == stored
    assert set(acknowledged) <= set(stored)
    check = repo.audit.verify()
    assert check.ok, check.problems
    assert not (store / "journal.json").exists() and list((store / "tmp").iterdir()) == []

