"""Every export of a stored intake goes in the audit log, as a kind of file.

``ExportAudit`` is the part of the intake App that writes that line: in a thread worker (the
log is on disk), with a warning on screen when it could not be written; the export itself stands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from ketatui.screens import background
from ketatui.screens.background import ExportNotLogged

if TYPE_CHECKING:
    from ketatui.session import IntakeSession


class ExportAudit:
    """Mixed into the intake App (which provides ``session``); handlers are named ``on_<message>``
    so Textual finds them here."""

    def on_plan_summary_exported(self, message: Any) -> None:
        """The plan summary wrote a Markdown file."""
        if self.session is not None:
            self.audit_export(self.session, "markdown file")

    @work(thread=True, group="audit", exit_on_error=False)
    def audit_export(self, session: IntakeSession, kind: str) -> None:
        failed = background.log_export(session, kind)
        if failed is not None:
            self.post_message(failed)

    def on_export_not_logged(self, message: ExportNotLogged) -> None:
        self.notify(message.message, severity="warning")
