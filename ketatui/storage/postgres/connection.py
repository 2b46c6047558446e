"""Connections to the server: one pool per database URL per process, and a message-safe name.

A pool keeps a few connections open (``min_size`` 1, ``max_size`` 4), checks each before
handing it out (so a server restart costs one failed check, not a failed save), and reconnects
in the background. Several repositories opened in one process on one URL share its pool.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from ketatui.storage.errors import InvalidRequest

# The pool logs each failed reconnection; the user hears of a lost server once, in words, from
# the action that needed it (``DatabaseUnavailable``), not as lines on the terminal.
logging.getLogger("psycopg.pool").addHandler(logging.NullHandler())
logging.getLogger("psycopg.pool").propagate = False

_pools: dict[str, ConnectionPool] = {}
_guard = threading.Lock()


def described(url: str) -> str:
    """The database and server a URL names, without its password (for messages)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(the database_url setting, which cannot be read)"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"'{parts.get('dbname') or parts.get('user') or '?'}' on {host}{port}"


def check_url(url: str | None) -> str:
    if not url:
        raise InvalidRequest("Database URL: not set, but the postgres backend needs one. Set database_url in the settings file "
                             "(or KETATUI_DATABASE_URL), e.g. postgresql://ketatui@db.clinic.example/ketatui.")
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise InvalidRequest(f"Database URL: cannot be read ({str(exc).strip()}); write it as postgresql://USER@HOST:PORT/DATABASE.") from None
    return url


def url_of(settings: Any) -> str:
    """The checked ``database_url`` of ``settings`` (a secret; plain text when set by ``model_copy``)."""
    value = settings.database_url
    return check_url(value.get_secret_value() if hasattr(value, "get_secret_value") else value)


def first_line(exc: BaseException) -> str:
    """The first line of a driver error, which says what went wrong (the rest is hints)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def pool_for(url: str) -> ConnectionPool:
    with _guard:
        pool = _pools.get(url)
        if pool is None or pool.closed:
            pool = ConnectionPool(url, min_size=1, max_size=4, num_workers=1, open=True, name="ketatui",
                                  kwargs={"autocommit": True}, check=ConnectionPool.check_connection,
                                  reconnect_timeout=60 * 60 * 24)
            _pools[url] = pool
        return pool


def close_all() -> None:
    """Close every pool this process opened (tests, and a command that is done)."""
    with _guard:
        for pool in _pools.values():
            pool.close()
        _pools.clear()
