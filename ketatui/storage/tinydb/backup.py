"""Backups and restore: one tar file of the store's encrypted files, checked before anything is replaced.

A backup holds ``store.json``, ``audit.log``, the signing passphrases and every record file exactly as they are on disk
(still encrypted, so the backup is as safe as the store), plus ``backup.json`` with a SHA-256
of each file; the index is not copied because restore rebuilds it from the records. The key is
never in a backup: keep it safe separately.

It is one consistent snapshot: under the store lock (held for a moment, no write in between),
every record file is hard-linked into a snapshot folder and the audit log copied up to its
end; the tar is then written from the snapshot while other sessions go on saving. Every
record in a backup therefore has its audit line, and the head in its ``store.json`` matches
its audit log. (Where links cannot be made, the lock is held while the tar is written.)

Restore unpacks into a folder next to the store, checks every checksum, unlocks it with the
current key and decrypts every record (building the index) before it touches the store, and
fsyncs every file and folder it unpacked. Only then, under the old store's lock, is the
current store folder renamed aside (never deleted) and the restored one put in its place; a
writer that was waiting on the old lock notices the lock file is not the store's any more
and waits on the new one (``locking.StoreLock``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ketatui.storage.atomic import fsync_dir
from ketatui.storage.tinydb.audit import AuditLog, Entry, now_iso
from ketatui.storage.errors import StorageError, StoreCorrupt
from ketatui.storage.tinydb.layout import Layout
from ketatui.storage.tinydb.locking import StoreLock
from ketatui.storage.tinydb.meta import AuditAnchor, StoreMeta
from ketatui.storage.repository import BackupResult

MANIFEST = "backup.json"
KIND = "ketatui-backup"


class BackupInvalid(StorageError):
    def __init__(self, path: Path, problem: str):
        self.path = path
        super().__init__(f"{path} {problem}. Nothing was changed. Choose another backup file.")


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _audit_snapshot(path: Path) -> bytes:
    """The audit log up to its last complete line (a line being appended is left for next time)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return b""
    return data[: data.rfind(b"\n") + 1]


def default_backup_path(directory: Path) -> Path:
    return directory / f"ketatui-backup-{_stamp()}.tar"


@contextmanager
def _snapshot(layout: Layout) -> Iterator[tuple[Path, bytes]]:
    """A folder holding hard links to the store's files as of one moment, and the audit log then.

    Taken under the store lock, so no write is half-done in it. Where hard links cannot be made
    (another file system, no right to write the store folder) the lock is held until the caller
    is done with the store's own folder instead."""
    for stale in layout.root.glob(".backup-*"):
        pid = stale.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    with ExitStack() as stack:
        stack.enter_context(StoreLock(layout.lock).hold())
        audit = _audit_snapshot(layout.audit)
        folder = layout.root / f".backup-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            folder.mkdir(mode=0o700)
            for path in _store_files(layout):
                target = folder / layout.rel(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, target)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            yield layout.root, audit  # keep the lock until the caller is done
            return
        stack.close()  # links taken: writers may go on
        try:
            yield folder, audit
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _store_files(layout: Layout) -> Iterator[Path]:
    """The files a backup holds, besides the audit log: the description, signers and every record file."""
    yield layout.meta
    if layout.signers.exists():
        yield layout.signers
    for folder in sorted(layout.records.iterdir()) if layout.records.exists() else []:
        yield from sorted(folder.glob("*.json.enc"))


def backup(layout: Layout, destination: Path) -> BackupResult:
    """Write a backup of the store in ``layout`` to ``destination``: a ``.tar`` file, or a folder to put one in."""
    if destination.suffix != ".tar":
        destination = default_backup_path(destination)
    if destination.exists():
        raise StorageError(f"{destination} already exists; nothing was written. Choose a new file name.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.partial")
    manifest: dict[str, object] = {"kind": KIND, "format": 1, "created_at": now_iso(), "files": {}}
    files: dict[str, str] = manifest["files"]  # type: ignore[assignment]
    records = 0
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar, \
                _snapshot(layout) as (folder, audit):

            def add(name: str, data: bytes) -> None:
                files[name] = hashlib.sha256(data).hexdigest()
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
                tar.addfile(info, io.BytesIO(data))

            snap = Layout(folder)
            add("store.json", snap.meta.read_bytes())
            add("audit.log", audit)
            for path in _store_files(snap):
                if path == snap.meta:
                    continue
                add(snap.rel(path), path.read_bytes())
                records += path.parent.parent == snap.records
            add(MANIFEST, json.dumps(manifest, indent=1).encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, destination)
        fsync_dir(destination.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(destination, records, destination.stat().st_size)


def _unpack(source: Path, staging: Path) -> int:
    """Unpack ``source`` into ``staging`` and check every file against the manifest; the record count."""
    try:
        tar = tarfile.open(source, mode="r:")
    except (OSError, tarfile.TarError) as exc:
        raise BackupInvalid(source, f"cannot be read as a ketatui backup ({exc})") from None
    with tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
            expected: dict[str, str] = manifest["files"]
            if manifest.get("kind") != KIND:
                raise ValueError
        except (KeyError, ValueError, TypeError, tarfile.TarError):
            raise BackupInvalid(source, "is not a ketatui backup (it has no valid backup.json)") from None
        try:
            tar.extractall(staging, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise BackupInvalid(source, f"is damaged and could not be unpacked ({exc})") from None
    for name, digest in expected.items():
        path = staging / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise BackupInvalid(source, f"is damaged: {name} does not match its checksum")
        _fsync_file(path)
    (staging / MANIFEST).unlink()
    return sum(1 for n in expected if n.startswith("records/"))


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    """Make every folder under ``root`` (its entries) durable, deepest first."""
    for folder, _, _ in sorted(os.walk(root), key=lambda w: -w[0].count(os.sep)):
        fsync_dir(Path(folder))


def restore(source: Path, data_dir: Path, *, key_file: Path, passphrase: str | None, user: str) -> tuple[int, Path | None]:
    """Replace the store in ``data_dir`` with the backup ``source``.

    Returns the number of intakes restored and where the replaced store was kept (None if
    there was none). Nothing in ``data_dir`` changes unless the whole backup checks out.
    """
    from ketatui.storage.tinydb.store import TinyDBRepository

    if not source.is_file():
        raise BackupInvalid(source, "does not exist or is not a file")
    data_dir = data_dir.absolute()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = data_dir.with_name(f".{data_dir.name}.restoring-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700)
    try:
        count = _unpack(source, staging)
        layout = Layout(staging)
        for folder in (layout.tmp, layout.index, layout.records):
            folder.mkdir(mode=0o770, exist_ok=True)
        meta = StoreMeta.read(layout.meta)
        keys = meta.unlock(key_file, passphrase)
        try:
            TinyDBRepository(layout, keys, meta, read_only=False).rebuild_index()
        except StoreCorrupt as exc:
            raise BackupInvalid(source, f"is damaged: {exc.path.relative_to(staging)} cannot be read") from None
        AuditLog(layout.audit, keys.audit_mac, AuditAnchor(layout.meta, layout.tmp, keys)).append([Entry("restore", "*", 0, user)])
        _fsync_tree(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    kept: Path | None = None
    if data_dir.exists() and not any(data_dir.iterdir()):
        data_dir.rmdir()
    if data_dir.exists():
        kept = data_dir.with_name(f"{data_dir.name}.replaced-{_stamp()}")
        lock = data_dir / ".lock"
        if lock.exists():
            with StoreLock(lock).hold():  # let a write in progress finish first
                os.rename(data_dir, kept)
        else:
            os.rename(data_dir, kept)
    os.rename(staging, data_dir)
    fsync_dir(data_dir.parent)
    return count, kept
