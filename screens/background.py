"""The App's blocking work (settings, protocol, store, saves, the audit log), each job run in a
Textual thread worker and answered by a message the App handles on its own thread.

Jobs here never touch a widget: they return the message to post. Everything imported inside a
job is heavy (pydantic, the store, the core), which keeps it out of the App's first paint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from textual.message import Message

from ketatui.screens.terminal_run import settled

if TYPE_CHECKING:
    from ketatui.session import IntakeSession
    from ketatui.settings import Settings, SettingsRequest


class Loaded(Message):
    """The settings, protocol and store are ready with the drafts to list, or ``error`` says why not."""

    def __init__(self, *, settings: Any = None, repository: Any = None, protocol: Any = None,
                 drafts: list | None = None, error: str | None = None) -> None:
        super().__init__()
        self.settings, self.repository, self.protocol, self.drafts, self.error = settings, repository, protocol, drafts, error


class DraftOpened(Message):
    """A stored draft read and ready to show (``session``), or ``error`` in words."""

    def __init__(self, *, session: IntakeSession | None = None, error: str | None = None) -> None:
        super().__init__()
        self.session, self.error = session, error


class Saved(Message):
    def __init__(self, stored: dict[str, Any]) -> None:
        super().__init__()
        self.stored = stored


class SaveFailed(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class ExportNotLogged(Message):
    """The file was written but its audit line was not."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


def plain(exc: BaseException) -> str:
    """An error in the words it carries, never a traceback."""
    return str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else str(exc) or type(exc).__name__


def start_up(request: SettingsRequest | None, settings: Settings | None, repository: Any, protocol: Any, *, drafts: bool = True) -> Loaded:
    """The settings (unless given), the clinic's protocol, the store and its drafts (unless the
    role lists its records itself: listing them all here would delay its own first page)."""
    from ketatui.clinical.clinic import for_clinic
    from ketatui.clinical.protocol import ProtocolInvalid, load_protocol
    from ketatui.settings import SettingsInvalid, SettingsRequest

    try:
        settings = settings or (request or SettingsRequest()).build()
    except SettingsInvalid as exc:
        return Loaded(error=f"The settings cannot be used, so no intake can be run: {exc}")
    try:
        protocol = for_clinic(protocol or load_protocol(settings.protocol_file), settings)
    except ProtocolInvalid as exc:
        return Loaded(error=f"The clinic's protocol cannot be used, so no intake can be run: {exc}")
    try:
        if repository is None:
            from ketatui.storage import open_repository

            repository = open_repository(settings)
        listed = repository.drafts() if drafts else None
    except Exception as exc:  # StorageError and anything the OS says: shown, never a traceback
        return Loaded(error=plain(exc))
    return Loaded(settings=settings, repository=repository, protocol=protocol, drafts=listed)


def warm_up(step_modules: tuple[str, ...]) -> None:
    """Import the core and the step screens now, so New and Resume open at once."""
    for module in ("ketatui.session", *step_modules):
        try:
            importlib.import_module(module)
        except ImportError:
            pass  # a step not in this build: the App says so when it is shown
    from ketatui.clinical.catalogue import Catalogue

    Catalogue.default()
    settled()  # what was just loaded lives as long as the App: frozen (ketatui.screens.terminal_run)


def open_draft(record_id: str, repository: Any, protocol: Any, user: str) -> DraftOpened:
    """A stored draft as a session; a draft that no longer validates says what is wrong with it."""
    from ketatui.intake.document import IntakeInvalid
    from ketatui.session import IntakeSession

    try:
        return DraftOpened(session=IntakeSession.resume(repository.get(record_id, user=user), protocol, repository, user))
    except IntakeInvalid as exc:
        return DraftOpened(error=f"This draft cannot be opened: {'; '.join(str(p) for p in exc.problems[:3])}")
    except Exception as exc:
        return DraftOpened(error=plain(exc))


def save(session: IntakeSession, doc: dict[str, Any]) -> Saved | SaveFailed:
    try:
        return Saved(session.save(doc))
    except Exception as exc:
        return SaveFailed(plain(exc))


def log_export(session: IntakeSession, kind: str) -> ExportNotLogged | None:
    try:
        session.log_export(kind)
    except Exception as exc:
        return ExportNotLogged(f"The file was written, but the audit log could not record it: {plain(exc)}")
    return None
