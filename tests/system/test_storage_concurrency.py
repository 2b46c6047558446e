"""Several ketatui processes writing to one store at once, as clinicians over SSH and a kiosk do."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from ketatui.settings import Settings
from ketatui.storage import open_repository

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import json, sys, time
from pathlib import Path
from ketatui.settings import Settings
from ketatui.storage import open_repository
store, key, go, who, count = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], int(sys.argv[5])
repo = open_repository(Settings(data_dir=store, key_file=key))
base = json.loads(Path(sys.argv[6]).read_text())
base.pop("record_id")
while not go.exists():
    time.sleep(0.001)
for i in range(count):
    doc = dict(base, medical_history=dict(base["medical_history"], demographics=dict(
        base["medical_history"]["demographics"], full_name=f"{who} patient {i}")))
    stored = repo.create(doc, user=who)
    print(stored["record_id"], flush=True)
"""

EDITOR = r"""
import sys, time
from pathlib import Path
from ketatui.settings import Settings
from ketatui.storage import open_repository, StaleRevision
store, key, go, who, record_id, tries = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
repo = open_repository(Settings(data_dir=store, key_file=key))
while not go.exists():
    time.sleep(0.001)
saved = refused = 0
for i in range(tries):
    doc = repo.get(record_id, user=who)
    doc["form_state"] = dict(doc.get("form_state") or {}, **{f"{who}-{i}": {"note": "x"}})
    try:
        repo.save(doc, user=who, expected_rev=doc["rev"])
        saved += 1
    except StaleRevision:
        refused += 1
print(saved, refused)
"""


def start(script: str, *args: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(processes: list[subprocess.Popen]) -> list[str]:
    outputs = []
    for p in processes:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outputs.append(out)
    return outputs


@pytest.fixture
def store(tmp_path):
    open_repository(Settings(data_dir=tmp_path / "store", key_file=tmp_path / "store.key"))
    return tmp_path / "store", tmp_path / "store.key", tmp_path / "go"


def test_eight_processes_writing_25_records_each_keep_all_200(store, tmp_path):
    path, key, go = store
    example = ROOT / "examples" / "01-treatment-resistant-uncomplicated.json"
    writers = [start(WRITER, path, key, go, f"writer{n}", 25, example) for n in range(8)]
    time.sleep(1.0)  # let every process start and open the store, then release them together
    go.touch()
    acknowledged = {line for out in finish(writers) for line in out.split()}
    assert len(acknowledged) == 200

    repo = open_repository(Settings(data_dir=path, key_file=key))
    listed = repo.list()
    assert {r.record_id for r in listed} == acknowledged
    assert sorted(r.full_name for r in listed) == sorted(f"writer{n} patient {i}" for n in range(8) for i in range(25))
    for record_id in acknowledged:
        assert repo.get(record_id, user="check")["rev"] == 1
    assert repo.audit.verify().ok and repo.audit.verify().entries == 200 + 200
    assert not repo.layout.journal.exists() and list(repo.layout.tmp.iterdir()) == []


def test_editors_racing_on_one_record_never_lose_a_save(store, make_data):
    """Every save either lands on top of the one before or is refused as stale: none is overwritten."""
    path, key, go = store
    data = make_data()
    data.pop("record_id")
    record_id = open_repository(Settings(data_dir=path, key_file=key)).create(data, user="kiosk")["record_id"]
    editors = [start(EDITOR, path, key, go, f"dr{n}", record_id, 15) for n in range(4)]
    time.sleep(1.0)
    go.touch()
    results = [tuple(map(int, out.split())) for out in finish(editors)]
    saved = sum(s for s, _ in results)
    assert sum(r for _, r in results) > 0  # they really did collide
    final = open_repository(Settings(data_dir=path, key_file=key)).get(record_id, user="check")
    assert final["rev"] == 1 + saved
    assert len(final["form_state"]) == saved  # each accepted save built on every earlier one
