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
from psycopg_pool import PoolTimeout

from ketatui.storage.errors import DatabaseNotReady, DatabaseUnavailable, InvalidRequest, NewerSchema
from ketatui.storage.postgres import keys as store_keys
from ketatui.storage.postgres import migrations
from ketatui.storage.postgres.connection import described, pool_for, url_of
from ketatui.storage.postgres.store import PostgresRepository

if TYPE_CHECKING:
    from typing import Any

    from ketatui.settings import Settings


def _url(settings: Settings) -> str:
    return url_of(settings)


def upgrade(settings: Settings) -> tuple[int, list[migrations.Migration]]:
    url = _url(settings)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            before = migrations.current_version(conn)
            if before > migrations.LATEST:
                raise NewerSchema(f"The database {described(url)}", before, migrations.LATEST)
            return before, migrations.upgrade(conn)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(described(url), str(exc).strip().splitlines()[0]) from None


def open_store(settings: Settings, *, read_only: bool, create: bool, description: dict[str, Any] | None = None) -> PostgresRepository:
    """The repository; ``description`` makes a new store under an existing store's key (``store copy``)."""
    url = _url(settings)
    where = described(url)
    pool = pool_for(url)
    try:
        with pool.connection(timeout=10) as conn:
            version = migrations.current_version(conn)
            if version == 0 and create and not read_only:
                migrations.upgrade(conn)
                version = migrations.LATEST
            if version < migrations.LATEST:
                raise DatabaseNotReady(where, version, migrations.LATEST)
            stored = conn.execute("SELECT description FROM ketatui_store").fetchone()
            if stored is None:
                if not create or read_only:
                    raise InvalidRequest(f"The database {where} has no ketatui store yet. Nothing was read or changed: "
                                         "one is made the first time ketatui saves an intake there, or by `ketatui store copy`.")
                made, keys = (description, None) if description else store_keys.describe_new(settings.key_file, settings.passphrase_text())
                conn.execute("INSERT INTO ketatui_store (description) VALUES (%s) ON CONFLICT DO NOTHING", (Jsonb(made),))
                stored = conn.execute("SELECT description FROM ketatui_store").fetchone()
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(where, str(exc).strip().splitlines()[0]) from None
    except PoolTimeout:
        raise DatabaseUnavailable(where, "no connection could be made within 10 s") from None
    keys = store_keys.unlock(stored[0], where=where, key_file=settings.key_file, passphrase=settings.passphrase_text())
    notice = None
    if version > migrations.LATEST:
        notice = str(NewerSchema(f"The database {where}", version, migrations.LATEST))
    return PostgresRepository(pool, keys, where, read_only=read_only or notice is not None, notice=notice)


