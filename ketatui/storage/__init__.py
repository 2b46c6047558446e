"""Storage, the ground floor: one ``Repository`` interface for intakes, whatever keeps them.

``repository.py`` is the interface (and ``Maintainable`` for backups and the audit check),
``errors.py`` says what can go wrong and what each message tells the user, ``backends.py``
finds a backend by name (TinyDB in encrypted files, ``tinydb/``, is the default); ``atomic.py``
and ``paths.py`` are the file-safety helpers the embedded backend builds on. See ``docs/storage.md``.

May import: pydantic, ``ketatui.intake.migrations``/``schema`` (backends, to read older documents)
and ``ketatui.settings``. Never the clinical rules, the plan, the session, the course or the screens:
what is derived (urgency, the plan) is decided above and stored with the record.
"""

from ketatui.storage.backends import known_backends, open_repository, restore_store
from ketatui.storage.errors import (
    InsecurePermissions,
    InvalidRequest,
    MissingKey,
    NewerSchema,
    NoSigningPassphrase,
    NotSupported,
    RecordNotFound,
    SignedRecordLocked,
    SigningLocked,
    StaleRevision,
    StorageError,
    StoreCorrupt,
    StoreLocked,
    StoreMissing,
    StoreUnreadable,
    StoreUnwritable,
    UnknownBackend,
    WrongKey,
    WrongPassphrase,
)
from ketatui.storage.repository import (
    NEXT_STATUS,
    STATUSES,
    AuditAnchored,
    AuditReport,
    BackupResult,
    Maintainable,
    RecordPage,
    RecordSummary,
    Repository,
)

__all__ = [
    "NEXT_STATUS",
    "STATUSES",
    "AuditAnchored",
    "AuditReport",
    "BackupResult",
    "InsecurePermissions",
    "InvalidRequest",
    "Maintainable",
    "MissingKey",
    "NewerSchema",
    "NoSigningPassphrase",
    "NotSupported",
    "RecordNotFound",
    "RecordPage",
    "RecordSummary",
    "Repository",
    "SignedRecordLocked",
    "SigningLocked",
    "StaleRevision",
    "StorageError",
    "StoreCorrupt",
    "StoreLocked",
    "StoreMissing",
    "StoreUnreadable",
    "StoreUnwritable",
    "UnknownBackend",
    "WrongKey",
    "WrongPassphrase",
    "known_backends",
    "open_repository",
    "restore_store",
]
