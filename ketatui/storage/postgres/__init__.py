"""The PostgreSQL backend: one record for several sites, on a server the clinic's IT already runs.

``backend`` is what the ``ketatui.backends`` entry point named ``postgres`` loads. Documents are
sealed on the client with the store key (as in the embedded store), search goes through a blind
index, the audit trail is an append-only MAC-chained table, urgent intakes are announced with
LISTEN/NOTIFY and the schema is versioned (``ketatui db upgrade``). See ``docs/postgres.md``.

Modules: ``store.py`` (the repository), ``migrations.py`` (the schema), ``keys.py``,
``blind.py`` (search), ``audit.py``, ``live.py`` (urgent news), ``connection.py`` (pools),
``copy.py`` (moving a folder's store to a database).

May import what the embedded backend may, and its key and audit-line formats (the same key opens
both, so a copied store keeps its audit chain). Never rules, plan, session or screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ketatui.settings import Settings
    from ketatui.storage.postgres.live import UrgentWatch
    from ketatui.storage.postgres.migrations import Migration
    from ketatui.storage.postgres.store import PostgresRepository


class PostgresBackend:
    """Stores in the database ``database_url`` names, unlocked with a key file or a passphrase."""

    def open(self, settings: Settings, *, read_only: bool, create: bool) -> PostgresRepository:
        from ketatui.storage.postgres.opening import open_store

        return open_store(settings, read_only=read_only, create=create)

    def upgrade(self, settings: Settings) -> tuple[int, list[Migration]]:
        """Bring the database's schema up to date: the version it was at and the migrations run."""
        from ketatui.storage.postgres.opening import upgrade

        return upgrade(settings)

    def watch_urgent(self, settings: Settings) -> UrgentWatch:
        """A listener for intakes saved urgent anywhere (see ``live.py``)."""
        from ketatui.storage.postgres.connection import url_of
        from ketatui.storage.postgres.live import UrgentWatch

        return UrgentWatch(url_of(settings))


backend = PostgresBackend()
