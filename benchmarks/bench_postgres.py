"""PostgreSQL backend benchmark: save and search p95 at 100,000 and 1,000,000 intakes, measured in
the same run against the TinyDB backend at 100,000.

    python benchmarks/bench_postgres.py --sizes 100000,1000000 --tinydb 100000

A throwaway PostgreSQL server is started from the machine's binaries (``tests/pgserver.py``)
with fsync on, in --work-dir; each size gets a database of its own, filled with the same
synthetic intakes the storage benchmark uses (~10 kB each with their plans, sealed, with their
blind-index terms). Each store is then measured in a fresh process doing what the app does:

- save: ``get`` then ``save`` with ``expected_rev`` (one transaction: row lock, sealed revision,
  list row, audit line), p50/p95;
- search: ``list(search=…)`` for a name, a record id start or a birth date, every match
  returned (the same call on both backends), p50/p95; and ``page(search=…, limit=50)``, the
  first screen of the records browser;
- the measuring process's peak RSS, and the database's size on disk (``pg_database_size``).

Budgets (issue 15): save p95 ≤ 20 ms, search p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_storage import build, documents, percentiles, store_settings, workload, write_sample  # noqa: E402

BUDGET = {"save": 0.020, "search": 0.050}
BATCH = 2000


def pg_settings(url: str, key: Path):
    from ketatui.settings import Settings

    return Settings(backend="postgres", database_url=url, key_file=key, data_dir=key.parent / "unused", user="bench")


def fill(url: str, key: Path, size: int) -> float:
    from ketatui.storage import open_repository

    repo = open_repository(pg_settings(url, key))
    started = time.perf_counter()
    batch: list[dict] = []
    done = 0
    for i, doc in enumerate(documents(size, seed=size)):
        batch.append(doc)
        if len(batch) == BATCH or i == size - 1:
            repo.create_many(batch, user="bench")
            done += len(batch)
            batch = []
            print(f"\r  postgres {done:,}/{size:,} ({time.perf_counter() - started:.0f} s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with repo._tx() as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def measure(backend: str, where: str, key: str, sample: str, ops: int) -> dict:
    """Runs in its own process: open, first page, then get+save and search, as the app does."""
    from ketatui.storage import open_repository

    settings = pg_settings(where, Path(key)) if backend == "postgres" else store_settings(Path(where), Path(key))
    repo = open_repository(settings)
    repo.list(limit=50)
    saves, searches, pages = [], [], []
    for record_id, text in workload(Path(sample), ops):
        doc = repo.get(record_id, user="bench")
        doc["current_step"] = "medications" if doc.get("current_step") != "medications" else "summary"
        t = time.perf_counter()
        repo.save(doc, user="bench", expected_rev=doc["rev"])
        saves.append(time.perf_counter() - t)
        t = time.perf_counter()
        found = repo.list(search=text)
        searches.append(time.perf_counter() - t)
        assert found, text
        t = time.perf_counter()
        repo.page(search=text, limit=50)
        pages.append(time.perf_counter() - t)
    result = {"save": percentiles(saves), "search": percentiles(searches), "page50": percentiles(pages),
              "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if backend == "postgres":
        with repo._tx() as conn:
            result["db_mb"] = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
    return result


def run_measure(*args: object) -> dict:
    code = f"import sys; sys.path[:0] = {[str(ROOT / 'benchmarks')]!r}; import bench_postgres, json; print(json.dumps(bench_postgres.measure(*sys.argv[1:5], int(sys.argv[5]))))"
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    import pgserver

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--tinydb", type=int, default=100_000, help="the TinyDB size to measure against (0: none)")
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/ketatui-bench"))
    args = parser.parse_args()
    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    key = work / "bench.key"
    rows = []
    if args.tinydb:
        build(work, args.tinydb, key)
        sample = write_sample(work / str(args.tinydb), args.tinydb)
        rows.append(("tinydb", args.tinydb, run_measure("tinydb", work / str(args.tinydb) / "ketatui", key, sample, args.ops), None))
    server = pgserver.start_server(durable=True, parent=work)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            url = server.new_database()
            took = fill(url, key, size)
            folder = work / str(size)
            folder.mkdir(exist_ok=True)
            sample = write_sample(folder, size)
            rows.append(("postgres", size, run_measure("postgres", url, key, sample, args.ops), took))
    finally:
        pgserver.stop_server(server)
    print(f"\n{'backend':9}{'intakes':>10}{'save p50':>10}{'save p95':>10}{'search p50':>12}{'search p95':>12}{'page50 p95':>12}{'RSS MB':>8}{'DB MB':>8}{'load s':>8}")
    ok = True
    for backend, size, r, took in rows:
        ms = lambda s: f"{s * 1000:.1f}"  # noqa: E731
        print(f"{backend:9}{size:>10,}{ms(r['save']['p50']):>10}{ms(r['save']['p95']):>10}{ms(r['search']['p50']):>12}"
              f"{ms(r['search']['p95']):>12}{ms(r['page50']['p95']):>12}{r['rss_mb']:>8.0f}{r.get('db_mb', 0):>8.0f}{took or 0:>8.0f}")
        if backend == "postgres":
            ok &= r["save"]["p95"] <= BUDGET["save"] and r["search"]["p95"] <= BUDGET["search"]
    print(f"\nBudgets (postgres): save p95 <= {BUDGET['save'] * 1000:.0f} ms, search p95 <= {BUDGET['search'] * 1000:.0f} ms: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
