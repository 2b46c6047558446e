"""The embedded backend: TinyDB documents in encrypted files, one file per record and 256 index
shards, written under a lock with a journal, temp file, fsync and rename (see ``docs/storage.md``).

``backend`` is what the ``ketatui.backends`` entry point named ``tinydb`` loads; the store
modules are imported when a store is first opened.

May import: ``ketatui.storage`` (the interface, errors, atomic writes, paths) and
``ketatui.intake.migrations``/``schema`` to read older documents. Never rules, plan, session or screens.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ketatui.storage.backends import RestoreResult

if TYPE_CHECKING:
    from ketatui.settings import Settings
    from ketatui.storage.tinydb.store import TinyDBRepository


class TinyDBBackend:
    """Stores in a folder (``data_dir``), unlocked with a key file or a passphrase."""

    def open(self, settings: Settings, *, read_only: bool, create: bool) -> TinyDBRepository:
        from ketatui.storage.tinydb.store import TinyDBRepository

        return TinyDBRepository.open(settings.data_dir, key_file=settings.key_file, passphrase=settings.passphrase_text(),
                                     read_only=read_only, create=create)

    def restore(self, settings: Settings, source: Path, *, user: str) -> RestoreResult:
        from ketatui.storage.tinydb.backup import restore

        records, kept = restore(source, settings.data_dir, key_file=settings.key_file,
                                passphrase=settings.passphrase_text(), user=user)
        return RestoreResult(records, kept)


backend = TinyDBBackend()
