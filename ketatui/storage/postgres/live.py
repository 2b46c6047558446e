"""Live news of urgent intakes: PostgreSQL LISTEN/NOTIFY.

Migration 2 makes the database announce every intake saved urgent (``pg_notify`` on channel
``ketatui_urgent``, payload the record id) when the saving transaction commits. A clinician's
screen keeps one connection listening and hears it within milliseconds, from any site, with no
polling load on a table of a million rows. Why not polling: 30 open browsers asking every
second is 30 queries a second for news that comes a few times a day, and still up to a second
late. A notification sent while a listener was disconnected is lost, so ``wait`` answers
``RESYNC`` after reconnecting: the screen should then read its list again.
"""

from __future__ import annotations

import time

import psycopg

CHANNEL = "ketatui_urgent"
#: Returned by ``wait`` after the connection was lost and made again: re-read the list.
RESYNC = "*"


class UrgentWatch:
    """``wait(timeout)`` returns the record ids of intakes saved urgent since the last call."""

    RESYNC = RESYNC

    def __init__(self, url: str):
        self.url = url
        self._conn: psycopg.Connection | None = None
        self._connect()  # the first connection's failure is the caller's to hear

    def _connect(self) -> None:
        self._conn = psycopg.connect(self.url, autocommit=True)
        self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> list[str]:
        try:
            if self._conn is None or self._conn.closed:
                self._connect()
                return [RESYNC]
            heard = [n.payload for n in self._conn.notifies(timeout=timeout, stop_after=1)]
            if heard:  # and whatever else already arrived, without waiting again
                heard += [n.payload for n in self._conn.notifies(timeout=0.0)]
            return heard
        except psycopg.OperationalError:  # the server is away: try again at the next call, not at once
            self.close()
            time.sleep(timeout)
            return []

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> UrgentWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
