"""Storage: one ``Repository`` interface for intakes, with TinyDB in encrypted files as the default backend.

See ``repository.py`` for the interface, ``tinydb_store.py`` for the file layout and the write
protocol, ``errors.py`` for what can go wrong and what each message tells the user.
"""

from ketatui.storage.errors import (
    InsecurePermissions,
    InvalidRequest,
    MissingKey,
    NewerSchema,
    RecordNotFound,
    SignedRecordLocked,
    StaleRevision,
    StorageError,
    StoreCorrupt,
    StoreLocked,
    StoreMissing,
    StoreUnreadable,
    WrongKey,
)
from ketatui.storage.repository import STATUSES, RecordSummary, Repository, open_repository

__all__ = [
    "STATUSES",
    "InsecurePermissions",
    "InvalidRequest",
    "MissingKey",
    "NewerSchema",
    "RecordNotFound",
    "RecordSummary",
    "Repository",
    "SignedRecordLocked",
    "StaleRevision",
    "StorageError",
    "StoreCorrupt",
    "StoreLocked",
    "StoreMissing",
    "StoreUnreadable",
    "WrongKey",
    "open_repository",
]
