"""A ketatui client process for the PostgreSQL system tests (``test_postgres_system.py``).

    python pg_worker.py write URL KEY WHO COUNT GO_FILE     create COUNT intakes, print each id once acknowledged
    python pg_worker.py forever URL KEY WHO                 create intakes 50 to a transaction until killed, printing each acknowledged id
    python pg_worker.py resilient URL KEY WHO COUNT         like write, but wait and retry while the server is away
    python pg_worker.py urgent URL KEY WHO                  listen for urgent intakes, create one, print what it hears
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ketatui.settings import Settings
from ketatui.storage import DatabaseUnavailable, open_repository
from ketatui.storage.backends import backend_named

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-treatment-resistant-uncomplicated.json"


def intake(name: str, urgent: bool = False) -> dict:
    doc = json.loads(EXAMPLE.read_text())
    doc.pop("record_id")
    doc["medical_history"]["demographics"]["full_name"] = name
    doc["triage"] = {"urgent": urgent, "blocked": False, "reasons": ["ASQ: thoughts right now"] if urgent else []}
    return doc


def main() -> None:
    action, url, key, who = sys.argv[1:5]
    settings = Settings(backend="postgres", database_url=url, key_file=Path(key), data_dir=Path(key).parent / "unused", user=who)
    repo = open_repository(settings)
    if action == "write":
        count, go = int(sys.argv[5]), Path(sys.argv[6])
        while not go.exists():
            time.sleep(0.005)
        for i in range(count):
            print(repo.create(intake(f"{who} patient {i}"), user=who)["record_id"], flush=True)
    elif action == "forever":
        i = 0
        while True:  # most of the time is spent inside a transaction of 50 intakes
            ids = repo.create_many([intake(f"{who} patient {i + n}") for n in range(50)], user=who)
            print("\n".join(ids), flush=True)
            i += 50
    elif action == "resilient":
        for i in range(int(sys.argv[5])):
            while True:
                try:
                    print(repo.create(intake(f"{who} patient {i}"), user=who)["record_id"], flush=True)
                    break
                except DatabaseUnavailable as exc:
                    print(f"WAITING {exc}", flush=True)
                    time.sleep(0.2)
    elif action == "urgent":
        with backend_named("postgres").watch_urgent(settings) as watch:
            print("LISTENING", flush=True)
            sys.stdin.readline()  # the test says when both listen
            mine = repo.create(intake(f"{who} in crisis", urgent=True), user=who)["record_id"]
            print(f"SAVED {mine} {time.time()}", flush=True)
            deadline = time.time() + 10
            while time.time() < deadline:
                for record_id in watch.wait(timeout=0.5):
                    if record_id != mine:
                        row = repo.list(urgent=True, search=record_id[:8])
                        print(f"HEARD {record_id} {time.time()} {row[0].full_name if row else '?'}", flush=True)
                        return


if __name__ == "__main__":
    main()
