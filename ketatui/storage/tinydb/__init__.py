"""The embedded backend: TinyDB documents in encrypted files, one file per record and 256 index
shards, written under a lock with a journal, temp file, fsync and rename (see ``docs/storage.md``).

May import: ``ketatui.storage`` (the interface, errors, atomic writes, paths) and
``ketatui.intake.migrations``/``schema`` to read older documents. Never rules, plan, session or screens.
"""
