"""Putting a failed write back: every file a write replaces is first kept as a hard link in ``tmp/``.

A write that fails half-way (a full disk, a file-size limit, an audit log that cannot be
written) must change nothing: the record files and index shards it already replaced go back to
what they were, and the ones it created go away. Keeping a hard link costs no space and no
copy, and putting it back is one ``rename``, which works on a full disk too. A process killed
mid-write never gets here: the next writer finishes that write from the journal instead
(``TinyDBRepository._recover``), and the links are stray files in ``tmp/``, removed with the rest.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from ketatui.storage.atomic import fsync_dir


class Undo:
    """What one write replaced or created, to put back if it fails."""

    def __init__(self, tmp_dir: Path):
        self.tmp_dir = tmp_dir
        self._kept: dict[Path, Path | None] = {}  # target -> hard link of what it was (None: it did not exist)

    def keep(self, path: Path) -> None:
        """Remember ``path`` as it is now, before the write changes it (once per file)."""
        if path in self._kept:
            return
        link = self.tmp_dir / f"{os.getpid()}-{secrets.token_hex(6)}.undo"
        try:
            os.link(path, link)
        except FileNotFoundError:
            self._kept[path] = None
            return
        except OSError:  # a file system without hard links: keep a copy instead
            shutil.copyfile(path, link)
        self._kept[path] = link

    def roll_back(self) -> None:
        """Put every remembered file back as it was; raises ``OSError`` if one cannot be."""
        folders = set()
        for path, link in self._kept.items():
            if link is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(link, path)
            folders.add(path.parent)
        for folder in folders:
            if folder.exists():
                fsync_dir(folder)
        self._kept.clear()

    def forget(self) -> None:
        """The write is complete: drop the links."""
        for link in self._kept.values():
            if link is not None:
                link.unlink(missing_ok=True)
        self._kept.clear()
