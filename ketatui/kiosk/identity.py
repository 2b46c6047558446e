"""How an intake made at a kiosk is told apart: the kiosk saves under ``kiosk:<account>``
(a colon is never in a login name), so the records list can mark it without a new field.
Standard library only: the clinician's records list imports this before its first paint."""

from __future__ import annotations

KIOSK_USER_PREFIX = "kiosk:"


def kiosk_user(account: str) -> str:
    """The name a kiosk saves under."""
    return account if account.startswith(KIOSK_USER_PREFIX) else KIOSK_USER_PREFIX + account


def from_kiosk(user: str | None) -> bool:
    """Whether an intake was last saved by a kiosk."""
    return bool(user) and str(user).startswith(KIOSK_USER_PREFIX)


def kiosk_state(status: str, user: str | None) -> str | None:
    """What the records list says of an intake last saved at a kiosk, else None."""
    if not from_kiosk(user):
        return None
    return "submitted from kiosk" if status == "submitted" else "left at kiosk (unfinished)" if status == "draft" else None
