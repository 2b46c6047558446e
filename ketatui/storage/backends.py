"""Storage backends found by name: the ``ketatui.backends`` entry-point group, as Harlequin finds
its adapters, so a PostgreSQL backend can be installed later without touching the CLI or the screens.

A backend is an object with ``open(settings, *, read_only, create) -> Repository``; one that can
put a store back from a backup file also has ``restore`` (``Restorable``). It is declared in the
package's ``pyproject.toml``::

    [project.entry-points."ketatui.backends"]
    tinydb = "ketatui.storage.tinydb:backend"
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ketatui.storage.errors import NotSupported, UnknownBackend
from ketatui.storage.repository import Repository

if TYPE_CHECKING:
    from ketatui.settings import Settings

GROUP = "ketatui.backends"


@runtime_checkable
class Backend(Protocol):
    def open(self, settings: Settings, *, read_only: bool, create: bool) -> Repository: ...


@dataclass(frozen=True)
class RestoreResult:
    """How many intakes came back, and where the store that was replaced was kept (None if there was none)."""

    records: int
    kept: Path | None


@runtime_checkable
class Restorable(Protocol):
    def restore(self, settings: Settings, source: Path, *, user: str) -> RestoreResult: ...


@functools.cache
def _registered() -> dict[str, EntryPoint]:
    return {entry.name: entry for entry in entry_points(group=GROUP)}


def known_backends() -> list[str]:
    return sorted(_registered())


def backend_named(name: str) -> Backend:
    entry = _registered().get(name)
    if entry is None:
        raise UnknownBackend(name, known_backends())
    return entry.load()


def open_repository(
    settings: Settings | str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    create: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
    key_file: str | os.PathLike[str] | None = None,
    passphrase: str | None = None,
) -> Repository:
    """Open (or, with ``create``, make) the store ``settings`` describe, with the backend it names.

    ``create=False`` refuses to make a new store (``StoreMissing``), for commands that only read.
    Without settings, the effective settings are read (``ketatui.settings``); a folder given
    instead of settings, or ``data_dir``, ``key_file`` and ``passphrase``, replace those settings.
    """
    if isinstance(settings, (str, os.PathLike)):
        settings, data_dir = None, data_dir or settings
    if settings is None:
        from ketatui.settings import load_settings

        settings = load_settings()
    chosen = {name: Path(value).expanduser() for name, value in (("data_dir", data_dir), ("key_file", key_file)) if value}
    if passphrase:
        from pydantic import SecretStr

        chosen["passphrase"] = SecretStr(passphrase)
    if chosen:
        settings = settings.model_copy(update=chosen)
    return backend_named(settings.backend).open(settings, read_only=read_only, create=create)


def restore_store(settings: Settings, source: Path, *, user: str) -> RestoreResult:
    """Put the store ``settings`` describe back from ``source``, with the backend's own restore."""
    backend = backend_named(settings.backend)
    if not isinstance(backend, Restorable):
        raise NotSupported(settings.backend, "restore a backup file")
    return backend.restore(settings, source, user=user)
