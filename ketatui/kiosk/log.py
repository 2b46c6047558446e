"""The kiosk's own log: every staff exit, PIN try, lockout, crisis hold and reset, one JSON line
each, appended and flushed to disk. It names the kiosk and what happened, never a patient's
answers or the PIN; a crisis hold names the record id so staff can find it.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path


class KioskLog:
    def __init__(self, path: Path, kiosk: str) -> None:
        self.path = path
        self.kiosk = kiosk

    def write(self, action: str, **details: str | int | None) -> None:
        """Append one line; a log that cannot be written must not stop the kiosk, so it raises
        nothing (the caller has already acted)."""
        line = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "kiosk": self.kiosk, "action": action}
        line.update({k: v for k, v in details.items() if v is not None})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (json.dumps(line) + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass

    def entries(self) -> list[dict]:
        try:
            return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, ValueError):
            return []
