"""Where the store, its key and the user name come from, and the permission rule for them.

Order of precedence: an explicit argument, then the environment (``KETATUI_DATA_DIR``,
``KETATUI_KEY_FILE``, ``KETATUI_USER``), then the platform default from ``platformdirs``.
The key lives outside the data folder by default so a copy of the data (or a backup) is
useless without it.

Permissions: nothing in the store may be open to "others" (the last octal digit), so a shared
server can give the clinic's group access (``chmod 770``/``660`` with ``umask 007``) while
everybody else is kept out. The key file may at most be readable by the group.
"""

from __future__ import annotations

import getpass
import os
import stat
from pathlib import Path

from ketatui.storage.errors import InsecurePermissions, StoreUnreadable

DATA_DIR_ENV = "KETATUI_DATA_DIR"
KEY_FILE_ENV = "KETATUI_KEY_FILE"
PASSPHRASE_ENV = "KETATUI_PASSPHRASE"
USER_ENV = "KETATUI_USER"

#: Permission bits that must be clear on the data folder and every file in it.
OTHERS = 0o007
#: Permission bits that must be clear on the key file (group may read it, nothing more).
KEY_FORBIDDEN = 0o037


def default_data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path("ketatui")


def data_dir_from(arg: str | os.PathLike[str] | None = None) -> Path:
    if arg:
        return Path(arg).expanduser()
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    return default_data_dir()


def key_file_from(arg: str | os.PathLike[str] | None = None) -> Path:
    if arg:
        return Path(arg).expanduser()
    if os.environ.get(KEY_FILE_ENV):
        return Path(os.environ[KEY_FILE_ENV]).expanduser()
    import platformdirs

    return platformdirs.user_config_path("ketatui") / "store.key"


def current_user(arg: str | None = None) -> str:
    """The name written to the audit log: ``KETATUI_USER`` (set per SSH account) or the login name."""
    if arg:
        return arg
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"


def check_mode(path: Path, mode: int, forbidden: int = OTHERS) -> None:
    """Refuse a file or folder whose mode grants any of ``forbidden``."""
    if mode & forbidden:
        allowed = stat.S_IMODE(mode) & ~forbidden
        raise InsecurePermissions(path, stat.S_IMODE(mode), f"chmod {allowed:o} {path}")


def check_path(path: Path, forbidden: int = OTHERS) -> None:
    check_mode(path, path.stat().st_mode, forbidden)


def open_file(path: Path) -> int | None:
    """A read-only descriptor for ``path``, or None if there is no such file."""
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreUnreadable(path, exc) from None


def read_fd(fd: int, path: Path, *, offset: int = 0, size: int | None = None) -> bytes:
    """Bytes of the file behind ``fd`` (all of it by default), after checking nobody else may read it."""
    try:
        check_mode(path, os.fstat(fd).st_mode)
        if size is not None:
            return os.pread(fd, size, offset)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise StoreUnreadable(path, exc) from None


def read_private(path: Path) -> bytes | None:
    """The whole of ``path``, or None if it does not exist; refuses a file open to others."""
    fd = open_file(path)
    if fd is None:
        return None
    try:
        return read_fd(fd, path)
    finally:
        os.close(fd)
