"""Where each file of a store folder lives (the layout is described in ``store.py``)."""

from __future__ import annotations

from pathlib import Path


class Layout:
    """The paths of one store folder."""

    def __init__(self, root: Path):
        self.root = root
        self.meta = root / "store.json"
        self.lock = root / ".lock"
        self.journal = root / "journal.json"
        self.audit = root / "audit.log"
        self.signers = root / "signers.json.enc"
        self.records = root / "records"
        self.index = root / "index"
        self.tmp = root / "tmp"

    def record(self, record_id: str) -> Path:
        return self.records / record_id[:2] / f"{record_id}.json.enc"

    def shard(self, shard: str) -> Path:
        return self.index / f"{shard}.json.enc"

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def holds_store_files(self) -> bool:
        return any(p.exists() for p in (self.records, self.index, self.audit))
