"""Storage benchmark: ketatui's store against stock TinyDB with the same intakes, in one run.

    python benchmarks/bench_storage.py --sizes 1000,10000,100000

For each size it builds (once, cached under --work-dir) a ketatui store and a stock TinyDB
file holding the same synthetic intakes (~10 kB each, with their plans), then measures each
in a fresh process:

- save: one changed intake saved (ketatui: ``Repository.save`` with lock, journal, fsyncs and
  audit line; stock: ``table.update`` by record id), p50/p95;
- search: a name, a record id prefix or a birth date (ketatui: ``list(search=...)`` with the
  list already loaded once in the process; stock: ``table.search``), p50/p95;
- list: the first 50 rows in list order (urgent first, most recent first), p50/p95;
- cold list: the first page in a fresh process (from the head file when it is current, else every shard);
- full list: every row as ``RecordSummary`` objects, in a process of its own;
- start-up: a fresh process that imports storage and opens the store, against the same for
  an empty store (median of several runs), plus the open call alone;
- peak RSS: of the process doing what the app does (first page, gets, saves, searches), and
  of the full-list process.

The searches and saves pick intakes from a sample the builder knows, so no measuring process
has to list everything to find them.

Stock TinyDB rewrites its whole file on every change, so at large sizes it is measured on
fewer operations (the table says how many). Its file is written directly in TinyDB's own
JSON format (one ``json.dumps`` of the whole database, as its JSONStorage does), because
inserting 100k documents one by one through TinyDB would take hours. Above ``--stock-up-to``
(10,000 unless told) it is not measured at all: at 100k its file is about 1 GB, each of its
operations parses all of it, and the measuring process grew past 7 GB and ran for more than
ten minutes, which is what kept this benchmark from finishing.

Last figures at 100,000 intakes (2 cores, shared): save p95 7.6 ms, search p95 19.3 ms,
start-up 1.00× an empty store, peak RSS 104 MB (app-like) and 142 MB (every row listed);
docs/storage.md has them with the figures before the list was kept by column.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGETS = {10_000: {"save": 0.030, "search": 0.050}, 100_000: {"save": 0.060, "search": 0.100}}
STARTUP_BUDGET = 1.2
RSS_BUDGET_MB = 150
POOL = 1000
BUILD_BATCH = 10000  # each batch rewrites every index shard once: fewer, larger batches build 100k in minutes
STARTUP_RUNS = 9


# ----- building ---------------------------------------------------------------------------------


def documents(count: int, seed: int):
    """``count`` synthetic intakes: a pool of distinct ones, each reused with a new record id."""
    from ketatui.commands.records import demo_documents

    pool = demo_documents(min(POOL, count), seed)
    rng = random.Random(seed)
    for i in range(count):
        yield dict(pool[i % len(pool)], record_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)))


def store_settings(folder: Path, key: Path):
    """Settings naming only this store and its key: nothing is read from the environment."""
    from ketatui.settings import Settings

    return Settings(data_dir=folder, key_file=key, user="bench")


def build(work: Path, size: int, key: Path) -> None:
    """The ketatui store of ``size`` intakes, built once and kept (``complete`` marks it whole)."""
    from ketatui.storage import open_repository

    folder = work / str(size)
    if (folder / "complete").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["rm", "-rf", str(folder / "ketatui")], check=True)
    print(f"  building {size:,} intakes (once; kept in {folder})", file=sys.stderr, flush=True)
    repo = open_repository(store_settings(folder / "ketatui", key))
    started = time.perf_counter()
    batch: list[dict] = []
    done = 0
    for i, doc in enumerate(documents(size, seed=size)):
        batch.append(doc)
        if len(batch) == BUILD_BATCH or i == size - 1:
            repo.create_many(batch, user="bench")
            done += len(batch)
            batch = []
            print(f"\r  {done:,}/{size:,} ({time.perf_counter() - started:.0f} s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    (folder / "complete").touch()


def build_stock(work: Path, size: int) -> Path:
    """Stock TinyDB's file of the same intakes, written once in its own format and kept."""
    path = work / str(size) / "stock.json"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with open(partial, "w", encoding="utf-8") as stock:
            stock.write('{"_default": {')
            for i, doc in enumerate(documents(size, seed=size)):
                stock.write((", " if i else "") + json.dumps(str(i + 1)) + ": " + json.dumps(doc))
            stock.write("}}")
        partial.replace(path)
    return path


# ----- measuring (each in its own process) ------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered), "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], "n": len(ordered)}


SAMPLE = 600


def write_sample(folder: Path, size: int) -> Path:
    """(record id, name, birth date) of intakes spread over the store, for searches and saves."""
    path = folder / "sample.json"
    if not path.exists():
        rng = random.Random(3)
        wanted = set(rng.sample(range(size), min(SAMPLE, size)))
        rows = [(d["record_id"], d["medical_history"]["demographics"]["full_name"], d["medical_history"]["demographics"]["date_of_birth"])
                for i, d in enumerate(documents(size, seed=size)) if i in wanted]
        path.write_text(json.dumps(rows))
    return path


def workload(sample: Path, count: int) -> list[tuple[str, str]]:
    """(intake to save, text to search): searches cycle through a name, a record id start, a birth date."""
    rows = json.loads(sample.read_text())
    rng = random.Random(1)
    kinds = [lambda r: r[1].removesuffix(" (synthetic)"), lambda r: r[0][:8], lambda r: r[2]]
    return [(rng.choice(rows)[0], kinds[i % 3](rng.choice(rows))) for i in range(count)]


def measure_ketatui(store: Path, key: Path, sample: Path, ops: int) -> dict:
    """What the app does: open, show the first page, then get, save and search."""
    import ketatui.storage.tinydb.store  # noqa: F401  (so "open" times the open, not the import)
    from ketatui.storage import open_repository

    settings = store_settings(store, key)
    t = time.perf_counter()
    repo = open_repository(settings)
    opened = time.perf_counter() - t
    t = time.perf_counter()
    repo.list(limit=50)
    cold = time.perf_counter() - t
    saves, searches, lists = [], [], []
    for i, (record_id, text) in enumerate(workload(sample, ops)):
        doc = repo.get(record_id, user="bench")
        doc["current_step"] = "medications" if doc.get("current_step") != "medications" else "summary"
        t = time.perf_counter()
        repo.save(doc, user="bench", expected_rev=doc["rev"])
        saves.append(time.perf_counter() - t)
        t = time.perf_counter()
        found = repo.list(search=text)
        searches.append(time.perf_counter() - t)
        assert found, text
        if i % 4 == 0:
            t = time.perf_counter()
            repo.list(limit=50)
            lists.append(time.perf_counter() - t)
    return {"open": opened, "cold_list": cold, "save": percentiles(saves), "search": percentiles(searches),
            "list": percentiles(lists), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure_full_list(store: Path, key: Path) -> dict:
    """Every row as a RecordSummary, first cold then again with the index loaded."""
    from ketatui.storage import open_repository

    repo = open_repository(store_settings(store, key))
    t = time.perf_counter()
    count = len(repo.list())
    cold = time.perf_counter() - t
    t = time.perf_counter()
    repo.list()
    warm = time.perf_counter() - t
    return {"count": count, "cold": cold, "warm": warm, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure_stock(path: Path, sample: Path, ops: int) -> dict:
    from tinydb import Query, TinyDB, where

    t = time.perf_counter()
    db = TinyDB(path)
    count = len(db)  # TinyDB reads its file lazily; this is the first read
    opened = time.perf_counter() - t
    saves, searches, lists = [], [], []
    for record_id, text in workload(sample, ops):
        t = time.perf_counter()
        db.update({"current_step": "medications"}, where("record_id") == record_id)
        saves.append(time.perf_counter() - t)
        needle = text.casefold()
        t = time.perf_counter()
        doc = Query()
        found = db.search(
            doc.medical_history.demographics.test(lambda d, n=needle: n in d["full_name"].casefold() or d["date_of_birth"].startswith(n))
            | doc.record_id.test(lambda r, n=needle: r.startswith(n))
        )
        searches.append(time.perf_counter() - t)
        assert found, text
        t = time.perf_counter()
        every = db.all()
        every.sort(key=lambda d: d.get("updated_at") or "", reverse=True)
        every[:50]
        lists.append(time.perf_counter() - t)
    return {"open": opened, "count": count, "save": percentiles(saves), "search": percentiles(searches),
            "list": percentiles(lists), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


STARTUP = """
import json, sys, time
t0 = time.perf_counter()
from ketatui.settings import Settings
from ketatui.storage import open_repository
import ketatui.storage.tinydb.store  # imported by the first open; timed with the imports
t1 = time.perf_counter()
open_repository(Settings(data_dir=sys.argv[1], key_file=sys.argv[2]))
t2 = time.perf_counter()
print(json.dumps({"open": t2 - t1, "import_and_open": t2 - t0}))
"""


def startup(store: Path, key: Path) -> dict:
    """A fresh process that opens the store: wall time, and the open call alone."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", STARTUP, str(store), str(key)], capture_output=True, text=True, check=True, cwd=ROOT)
    wall = time.perf_counter() - t
    return {"wall": wall, **json.loads(out.stdout)}


def run_measure(kind: str, path: Path, key: Path, sample: Path, ops: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, "--path", str(path), "--key", str(key),
                          "--sample", str(sample), "--ops", str(ops)], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"measuring {kind} at {path} failed:\n{out.stderr}")
    return json.loads(out.stdout)


# ----- report -----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--ops", type=int, default=200, help="operations per measurement for ketatui")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "benchmarks" / "results" / "work")  # git-ignored, kept
    parser.add_argument("--stock-up-to", type=int, default=10_000,
                        help="measure stock TinyDB only at sizes up to this (default 10,000; at 100k it needs GBs and minutes)")
    parser.add_argument("--measure", choices=("ketatui", "full-list", "stock"), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--key", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sample", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        measured = {"ketatui": lambda: measure_ketatui(args.path, args.key, args.sample, args.ops),
                    "full-list": lambda: measure_full_list(args.path, args.key),
                    "stock": lambda: measure_stock(args.path, args.sample, args.ops)}[args.measure]()
        print(json.dumps(measured))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    key = work / "bench.key"
    from ketatui.storage import open_repository

    open_repository(store_settings(work / "empty" / "ketatui", key))
    results = {}
    for size in sizes:
        build(work, size, key)
        folder = work / str(size)
        sample = write_sample(folder, size)
        print(f"  measuring {size:,}", file=sys.stderr, flush=True)
        mine = run_measure("ketatui", folder / "ketatui", key, sample, args.ops)
        mine["full"] = run_measure("full-list", folder / "ketatui", key, sample, 0)
        stock = None
        if size <= args.stock_up_to:
            stock_ops = max(3, min(args.ops, 30_000 // size))
            stock = run_measure("stock", build_stock(work, size), key, sample, stock_ops)
        starts_full, starts_empty = [], []
        for _ in range(STARTUP_RUNS):  # alternate, so drift in the machine affects both alike
            starts_empty.append(startup(work / "empty" / "ketatui", key))
            starts_full.append(startup(folder / "ketatui", key))
        results[size] = (mine, stock, starts_full, starts_empty)

    report(results)
    return 0 if all(ok for _, ok in verdicts(results)) else 1


def verdicts(results: dict) -> list[tuple[str, bool]]:
    found = []
    for size, (mine, _, full, empty) in results.items():
        budget = BUDGETS.get(size)
        if not budget:
            continue
        wall = statistics.median(s["wall"] for s in full) / statistics.median(s["wall"] for s in empty)
        found += [
            (f"{size:,}: save p95 {ms(mine['save']['p95'])} ms ≤ {budget['save'] * 1000:.0f}", mine["save"]["p95"] <= budget["save"]),
            (f"{size:,}: search p95 {ms(mine['search']['p95'])} ms ≤ {budget['search'] * 1000:.0f}", mine["search"]["p95"] <= budget["search"]),
            (f"{size:,}: start-up {wall:.2f}× ≤ {STARTUP_BUDGET}× empty", wall <= STARTUP_BUDGET),
            (f"{size:,}: peak RSS {mine['rss_mb']:.0f} MB (app-like process) ≤ {RSS_BUDGET_MB} MB", mine["rss_mb"] <= RSS_BUDGET_MB),
            (f"{size:,}: peak RSS {mine['full']['rss_mb']:.0f} MB (every row listed) ≤ {RSS_BUDGET_MB} MB", mine["full"]["rss_mb"] <= RSS_BUDGET_MB),
        ]
    return found


def report(results: dict) -> None:
    print()
    print(f"Storage benchmark — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; times in ms (p50 / p95)")
    print()
    head = (f"{'intakes':>8}  {'store':<8} {'ops':>4}  {'save':>17}  {'search':>17}  {'list 50':>17}  {'cold list':>9}  "
            f"{'open':>8}  {'peak RSS':>8}")
    print(head)
    print("-" * len(head))
    for size, (mine, stock, _, _) in results.items():
        for name, r in (("ketatui", mine), ("stock", stock)):
            if r is None:
                print(f"{size:>8,}  {name:<8} not measured (above --stock-up-to)")
                continue
            cold = ms(r["cold_list"]) if "cold_list" in r else "—"
            print(f"{size:>8,}  {name:<8} {r['save']['n']:>4}  {ms(r['save']['p50']):>8} / {ms(r['save']['p95']):<6}  "
                  f"{ms(r['search']['p50']):>8} / {ms(r['search']['p95']):<6}  {ms(r['list']['p50']):>8} / {ms(r['list']['p95']):<6}  "
                  f"{cold:>9}  {ms(r['open']):>8}  {r['rss_mb']:>5.0f} MB")
    print()
    print("Every row as RecordSummary objects (ketatui, a process of its own)")
    for size, (mine, _, _, _) in results.items():
        f = mine["full"]
        print(f"{size:>8,}  {f['count']:,} rows: cold {ms(f['cold'])} ms, warm {ms(f['warm'])} ms, peak RSS {f['rss_mb']:.0f} MB")
    print()
    print("Stock TinyDB ÷ ketatui (p50; higher means ketatui is faster)")
    for size, (mine, stock, _, _) in results.items():
        if stock is None:
            continue
        ratios = "  ".join(f"{op} {stock[op]['p50'] / mine[op]['p50']:,.0f}×" for op in ("save", "search", "list"))
        print(f"{size:>8,}  {ratios}")
    print()
    print(f"Start-up: a fresh process importing storage and opening the store, median of {STARTUP_RUNS}, against an empty store")
    for size, (_, _, full, empty) in results.items():
        wall_full, wall_empty = (statistics.median(s["wall"] for s in runs) for runs in (full, empty))
        open_full, open_empty = (statistics.median(s["open"] for s in runs) for runs in (full, empty))
        print(f"{size:>8,}  process {wall_full * 1000:.0f} ms vs {wall_empty * 1000:.0f} ms = {wall_full / wall_empty:.2f}×;  "
              f"open call {open_full * 1000:.1f} ms vs {open_empty * 1000:.1f} ms = {open_full / open_empty:.2f}×")
    found = verdicts(results)
    if found:
        print()
        print("Budgets (DESIGN.md)")
        for text, ok in found:
            print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    print()
    print("Notes: ketatui search is measured with the list already loaded in the process (as in the app, where the")
    print("first page loads it); 'cold list' is that first page in a fresh process. Stock TinyDB is measured on the")
    print("'ops' count shown (each of its operations reads, and a save rewrites, the whole file).")


if __name__ == "__main__":
    raise SystemExit(main())
