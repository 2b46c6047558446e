"""Writing an export to a file the way a store file is written: whole or not at all, and readable
by this account only, because a plan or a take-home sheet is health data."""

from __future__ import annotations

from pathlib import Path

from ketatui.storage.atomic import write_atomic

EXPORT_MODE = 0o600


def write_export(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (replacing any file there); the full path written."""
    target = path.resolve()
    write_atomic(target, text.encode("utf-8"), target.parent, mode=EXPORT_MODE)
    return target
