"""Everything a kiosk needs before the first person can start, built once after the first paint:
the settings, the clinic's protocol, the narrow store, the staff PIN and the kiosk's log.

A kiosk with no staff PIN is not started: nobody could close it without killing it. Each reason
it cannot start is said in words for the staff, with the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ketatui.kiosk.identity import kiosk_user
from ketatui.kiosk.log import KioskLog
from ketatui.kiosk.staff_pin import StaffPin
from ketatui.kiosk.store import KioskStore

if TYPE_CHECKING:
    from ketatui.clinical.protocol import Protocol
    from ketatui.settings import Settings
    from ketatui.settings_request import SettingsRequest

class KioskNotReady(Exception):
    """What stops the kiosk from starting, in words for the staff, with the fix."""


@dataclass
class KioskParts:
    settings: Settings
    protocol: Protocol
    store: KioskStore
    pin: StaffPin
    log: KioskLog

    @property
    def user(self) -> str:
        return kiosk_user(self.settings.user)


def kiosk_folder(settings: Settings) -> Path:
    """Where the kiosk keeps its log and its count of wrong PINs: beside the store, never in it."""
    return settings.data_dir.with_name(settings.data_dir.name + "-kiosk")


def set_up(request: SettingsRequest | None, settings: Settings | None = None, repository: Any = None,
           protocol: Protocol | None = None) -> KioskParts:
    """The kiosk's parts; raises ``KioskNotReady`` saying what is wrong and how to fix it."""
    from ketatui.clinical.clinic import for_clinic
    from ketatui.clinical.protocol import ProtocolInvalid, load_protocol
    from ketatui.settings import SettingsInvalid, SettingsRequest

    try:
        settings = settings or (request or SettingsRequest()).build()
    except SettingsInvalid as exc:
        raise KioskNotReady(f"the settings cannot be used: {exc}") from None
    if not settings.kiosk_staff_pin:
        raise KioskNotReady("no staff PIN is set. Make one with `ketatui kiosk --hash-pin` and put the line "
                            "it prints in the settings file.")
    folder = kiosk_folder(settings)
    try:
        pin = StaffPin(settings.kiosk_staff_pin, folder / "pin-tries.json")
    except ValueError as exc:
        raise KioskNotReady(f"the staff PIN setting {exc}") from None
    try:
        protocol = for_clinic(protocol or load_protocol(settings.protocol_file), settings)
    except ProtocolInvalid as exc:
        raise KioskNotReady(f"the clinic's protocol cannot be used: {exc}") from None
    try:
        if repository is None:
            from ketatui.storage import open_repository

            repository = open_repository(settings)
    except Exception as exc:  # StorageError and the OS's: said in words, never a traceback
        raise KioskNotReady(f"the store cannot be opened: {exc}") from None
    if getattr(repository, "read_only", False):
        raise KioskNotReady(f"the store is read-only, so answers could not be kept: {getattr(repository, 'notice', '')}")
    return KioskParts(settings, protocol, KioskStore(repository), pin, KioskLog(folder / "kiosk.log", kiosk_user(settings.user)))
