"""Opening a store on a server: connect, check the schema version, unlock with the store key.

A database ketatui has never used is set up on first use when the caller may create a store
(as a new folder is); one at an older schema version is refused until ``ketatui db upgrade``
has run, so two ketatui versions never write two shapes of data; one at a newer version is
opened read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg
from psycopg.types.json import Jsonb

from ketatui.storage.errors import DatabaseNotReady, DatabaseUnavailable, InvalidRequest, NewerSchema, NoStoreInDatabase
from ketatui.storage.postgres import keys as store_keys
from ketatui.storage.postgres import migrations
from ketatui.storage.postgres.connection import described, first_line, pool_for, url_of
from ketatui.storage.postgres.store import PostgresRepository

#: Seconds to wait for the server when opening a store.
CONNECT_TIMEOUT = 5

if TYPE_CHECKING:
    from typing import Any

    from ketatui.settings import Settings


def _url(settings: Settings) -> str:
    return url_of(settings)


def upgrade(settings: Settings) -> tuple[int, list[migrations.Migration]]:
    url = _url(settings)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
            before = migrations.current_version(conn)
            if before > migrations.LATEST:
                raise NewerSchema(f"The database {described(url)}", before, migrations.LATEST)
            return before, migrations.upgrade(conn)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(described(url), first_line(exc), opening=True) from None


def open_store(settings: Settings, *, read_only: bool, create: bool, description: dict[str, Any] | None = None) -> PostgresRepository:
    """The repository; ``description`` makes a new store under an existing store's key (``store copy``)."""
    url = _url(settings)
    where = described(url)
    try:  # a connection of its own first: a server that is not there is said at once, in libpq's words
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
            version = migrations.current_version(conn)
            if version == 0 and create and not read_only:
                migrations.upgrade(conn)
                version = migrations.LATEST
            if version < migrations.LATEST:
                raise DatabaseNotReady(where, version, migrations.LATEST)
            stored = conn.execute("SELECT description FROM ketatui_store").fetchone()
            if stored is None:
                if not create or read_only:
                    raise NoStoreInDatabase(f"The database {where} has no ketatui store yet. Nothing was read or changed: "
                                         "one is made the first time ketatui saves an intake there, or by `ketatui store copy`.")
                made = description or store_keys.describe_new(settings.key_file, settings.passphrase_text())[0]
                conn.execute("INSERT INTO ketatui_store (description) VALUES (%s) ON CONFLICT DO NOTHING", (Jsonb(made),))
                stored = conn.execute("SELECT description FROM ketatui_store").fetchone()
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(where, first_line(exc), opening=True) from None
    pool = pool_for(url)
    keys = store_keys.unlock(stored[0], where=where, key_file=settings.key_file, passphrase=settings.passphrase_text())
    notice = None
    if version > migrations.LATEST:
        notice = str(NewerSchema(f"The database {where}", version, migrations.LATEST))
    return PostgresRepository(pool, keys, where, read_only=read_only or notice is not None, notice=notice)


