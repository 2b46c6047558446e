"""Every way storage can fail, each with a plain message that says what happened and what to do.

The CLI prints ``str(error)`` as it is and the screens show it in a dialog, so a message names
the file or record involved, says whether anything was changed, and gives the way out.
"""

from __future__ import annotations

import errno
from pathlib import Path

RESTORE_HINT = "Restore it with `ketatui restore BACKUP` (see `ketatui backup`)."


class StorageError(Exception):
    """Base of every storage error; the message is meant for the person at the keyboard."""


class RecordNotFound(StorageError):
    def __init__(self, record_id: str):
        self.record_id = record_id
        super().__init__(f"No intake with record id {record_id} is stored. Check the id with `ketatui records list`.")


class StaleRevision(StorageError):
    """Someone saved the record after this copy was read: saving would overwrite their work."""

    def __init__(self, record_id: str, expected_rev: int, stored_rev: int, by: str | None, at: str | None):
        self.record_id, self.expected_rev, self.stored_rev = record_id, expected_rev, stored_rev
        who = f" by {by}" if by else ""
        when = f" at {at}" if at else ""
        super().__init__(
            f"Intake {record_id} was changed in another session{who}{when} (now revision {stored_rev}; "
            f"this copy is revision {expected_rev}). Nothing was saved. Reopen the intake to see the "
            "latest version, then make your change again."
        )


class StaleCourseRecord(StaleRevision):
    """A session or visit corrected elsewhere after this copy was read."""

    def __init__(self, course_id: str, expected_rev: int, stored_rev: int, by: str | None, at: str | None):
        self.record_id, self.expected_rev, self.stored_rev = course_id, expected_rev, stored_rev
        who = f" by {by}" if by else ""
        StorageError.__init__(
            self,
            f"Session or visit {course_id} was corrected in another session{who} (now revision {stored_rev}; "
            f"this copy is revision {expected_rev}). Nothing was saved. Read the course again, then make your correction again.",
        )


class SignedRecordLocked(StorageError):
    def __init__(self, record_id: str, rev: int, what: str = "changed"):
        self.record_id, self.rev = record_id, rev
        super().__init__(
            f"Intake {record_id} is signed (revision {rev}) and cannot be {what}. Nothing was changed. "
            "Start an amendment instead: it makes a new revision and keeps the signed one."
        )


class InvalidRequest(StorageError):
    """The call itself cannot be carried out (a document without a name, signing twice, ...)."""


class NoStoreInDatabase(InvalidRequest):
    """The database is set up but holds no ketatui store: nothing was ever saved or copied there."""


class StoreMissing(StorageError):
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        super().__init__(
            f"There is no ketatui store in {data_dir}. Check --data-dir or KETATUI_DATA_DIR; "
            "a new store is created the first time ketatui saves an intake there."
        )


class StoreCorrupt(StorageError):
    def __init__(self, path: Path, problem: str, hint: str = RESTORE_HINT):
        self.path = path
        super().__init__(f"The store file {path} {problem}. Nothing was changed. {hint}")


class StoreUnwritable(StorageError):
    """A store file could not be written (a full disk, a file-size limit, permissions); the write was undone."""

    def __init__(self, path: Path, error: OSError, changed: str = "Nothing was changed"):
        self.path, self.error = path, error
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            fix = "Free some space on the disk that holds it (or raise the file-size limit), then try again."
        elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            fix = f"Check that this account may write to {path} (its owner, permissions and the file system), then try again."
        else:
            fix = "Check the disk that holds it, then try again."
        super().__init__(f"The store file {path} could not be written ({error.strerror or error}). {changed}. {fix}")


class StoreUnreadable(StorageError):
    def __init__(self, path: Path, error: OSError):
        self.path = path
        super().__init__(
            f"The store file {path} cannot be read ({error.strerror or error}). Nothing was changed. "
            f"Check its owner and permissions; if it is lost, {RESTORE_HINT[0].lower()}{RESTORE_HINT[1:]}"
        )


class WrongKey(StorageError):
    def __init__(self, data_dir: Path, source: str):
        self.data_dir = data_dir
        super().__init__(
            f"The store in {data_dir} could not be unlocked with {source}: it was made with a different "
            "key. Nothing was read or changed. Use the key file (KETATUI_KEY_FILE or --key-file) or "
            "passphrase that this store was created with."
        )


class MissingKey(StorageError):
    def __init__(self, message: str):
        super().__init__(message)


class InsecurePermissions(StorageError):
    def __init__(self, path: Path, mode: int, fix: str):
        self.path = path
        super().__init__(
            f"{path} can be opened by other users of this computer (mode {mode:04o}). Nothing was read "
            f"or changed. Run `{fix}` and try again."
        )


class NewerSchema(StorageError):
    """Data written by a newer ketatui: readable, never overwritten by this older one."""

    def __init__(self, what: str, version: int, supported: int):
        self.version, self.supported = version, supported
        super().__init__(
            f"{what} was written by a newer ketatui (schema version {version}; this one knows up to "
            f"{supported}). It is open read-only and nothing will be changed. Update ketatui to edit it."
        )


class StoreLocked(StorageError):
    def __init__(self, lock_path: Path, waited: float):
        self.lock_path = lock_path
        super().__init__(
            f"Another ketatui session has been saving to this store for more than {waited:g} s "
            f"(lock {lock_path}). Nothing was saved. Wait a moment and try again."
        )


class UnknownBackend(StorageError):
    def __init__(self, name: str, known: list[str]):
        self.name = name
        listed = ", ".join(known) if known else "none (ketatui is not installed: run `pip install -e .` in its folder)"
        super().__init__(
            f"There is no storage backend named '{name}'. Known backends: {listed}. "
            "Set 'backend' in the settings file (or KETATUI_BACKEND) to one of them."
        )


class NotSupported(StorageError):
    """The backend leaves this to the database's own tools."""

    def __init__(self, backend: str, what: str):
        super().__init__(f"The {backend} store cannot {what} from ketatui; use the database's own tools. Nothing was changed.")


class NoSigningPassphrase(StorageError):
    """A clinician signs with a passphrase, which must be set (once) first."""

    def __init__(self, user: str):
        self.user = user
        super().__init__(f"{user} has no signing passphrase yet. Nothing was signed. Set one (it is asked twice), then sign.")


class WrongPassphrase(StorageError):
    """A wrong signing passphrase; the tries left before signing is locked for a while."""

    def __init__(self, user: str, left: int, locked_until: str | None):
        self.user, self.left, self.locked_until = user, left, locked_until
        then = (f"Signing is now locked for {user} until {locked_until} (UTC)." if locked_until
                else f"{left} {'try' if left == 1 else 'tries'} left before signing is locked for a while.")
        super().__init__(f"That is not the signing passphrase of {user}. Nothing was signed. {then}")


class SigningLocked(StorageError):
    """Too many wrong passphrases in a row: signing waits until the lock ends."""

    def __init__(self, user: str, locked_until: str):
        self.user, self.locked_until = user, locked_until
        super().__init__(f"Signing is locked for {user} after too many wrong passphrases, until {locked_until} (UTC). "
                         "Nothing was signed. Try again then.")


class DatabaseUnavailable(StorageError):
    """The database server cannot be reached, or went away during a change (restart, network)."""

    def __init__(self, where: str, problem: str, *, opening: bool = False):
        self.where = where
        then = ("Nothing was read or changed. Check the database_url setting and that the server is running, "
                "then try again." if opening else
                "If you were saving, the change was either kept whole or not at all: reopen the record to see "
                "which. Work resumes by itself when the server is back; try again in a moment.")
        super().__init__(f"The database {where} cannot be reached ({problem}). {then}")


class DatabaseNotReady(StorageError):
    """The database has no ketatui tables yet, or older ones: ``ketatui db upgrade`` sets it up."""

    def __init__(self, where: str, version: int, latest: int):
        self.version, self.latest = version, latest
        what = "has no ketatui store yet" if version == 0 else f"is at schema version {version}; this ketatui needs {latest}"
        super().__init__(f"The database {where} {what}. Nothing was read or changed. "
                         "Run `ketatui db upgrade` (with the same settings) to set it up, then try again.")
