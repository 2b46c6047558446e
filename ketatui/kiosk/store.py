"""The store as a kiosk is given it: it can create an intake, save it, submit it and discard it
while unfinished, and only the intakes this kiosk created since it started. It has no way to
list, search, open or read any record, so no screen, key or bug in the kiosk can show one.

The full repository is held only inside the closures below, never as an attribute, so nothing
the kiosk's screens hold leads back to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketatui.storage.repository import Repository


class NotThisKiosksRecord(PermissionError):
    """The kiosk asked to change a record it did not create."""

    def __init__(self, record_id: str) -> None:
        super().__init__(f"The kiosk can only change the intake it started; record {record_id[:8]} is not one of them.")


class KioskStore:
    """Create, save, submit and discard the kiosk's own intakes; nothing else."""

    __slots__ = ("create", "save", "submit", "discard", "owns", "read_only", "notice")

    create: Callable[..., dict[str, Any]]
    save: Callable[..., dict[str, Any]]
    submit: Callable[..., dict[str, Any]]
    discard: Callable[..., None]
    owns: Callable[[str], bool]

    def __init__(self, repository: Repository) -> None:
        own: set[str] = set()
        self.read_only = bool(getattr(repository, "read_only", False))
        self.notice = getattr(repository, "notice", None)

        def mine(record_id: str) -> None:
            if record_id not in own:
                raise NotThisKiosksRecord(record_id)

        def create(doc: dict[str, Any], *, user: str) -> dict[str, Any]:
            """A new intake (never one with the id of a stored record: the store refuses that)."""
            stored = repository.create(doc, user=user)
            own.add(stored["record_id"])
            return stored

        def save(doc: dict[str, Any], *, user: str, expected_rev: int) -> dict[str, Any]:
            mine(doc["record_id"])
            return repository.save(doc, user=user, expected_rev=expected_rev)

        def submit(record_id: str, *, user: str, expected_rev: int) -> dict[str, Any]:
            mine(record_id)
            return repository.submit(record_id, user=user, expected_rev=expected_rev)

        def discard(record_id: str, *, user: str, expected_rev: int) -> None:
            mine(record_id)
            repository.discard(record_id, user=user, expected_rev=expected_rev)
            own.discard(record_id)

        self.create, self.save, self.submit, self.discard = create, save, submit, discard
        self.owns = own.__contains__
