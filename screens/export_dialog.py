"""A small dialog that asks where to write the plan and which version: the clinician's summary,
the patient's take-home sheet, or both in one file.

It only asks. The plan summary screen writes the file in a thread worker and says where it went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ketatui.screens.widgets import ChoiceRow

Version = Literal["clinician", "patient", "both"]
VERSIONS: tuple[tuple[str, Version], ...] = (
    ("Clinician plan", "clinician"),
    ("Patient take-home", "patient"),
    ("Both, one file", "both"),
)


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    version: Version


def default_export_name(full_name: str | None, on: date) -> str:
    """``plan-ruth-okafor-2027-01-11.md``: the person and the day, safe for any file system."""
    slug = re.sub(r"[^a-z0-9]+", "-", (full_name or "").lower()).strip("-")
    return f"plan-{slug + '-' if slug else ''}{on.isoformat()}.md"


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Where to write, and which version. Enter exports, Escape cancels."""

    CSS_PATH = "../styles/plan_summary.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, default_path: str, folder: Path) -> None:
        super().__init__()
        self.default_path, self.folder = default_path, folder
        self._confirm_replace: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box") as box:
            box.border_title = "Export the plan as a Markdown file"
            yield Label("File name, or a full path to write it elsewhere")
            yield Input(self.default_path, id="export-path", select_on_focus=False)
            yield Static(f"Folder: {self.folder}", id="export-folder", markup=False)
            yield Label("Which version")
            yield ChoiceRow(VERSIONS, value="clinician", id="export-version")
            yield Static(id="export-message")
            with Horizontal(id="export-buttons"):
                yield Button("Export", id="export-ok", variant="primary", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def _say(self, words: str) -> None:
        self.query_one("#export-message", Static).update(words)

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def _export(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self._say("! Type a file name, for example plan.md")
            return
        path = Path(text).expanduser()
        path = path if path.is_absolute() else self.folder / path
        if path.is_dir():
            self._say(f"! {path} is a folder; add a file name, for example {path / 'plan.md'}")
            return
        if path.exists() and self._confirm_replace != path:
            self._confirm_replace = path
            self._say(f"! {path.name} already exists. Export again to replace it, or change the name.")
            return
        version = self.query_one("#export-version", ChoiceRow).value or "clinician"
        self.dismiss(ExportRequest(path=path, version=version))

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        self._confirm_replace = None
        self._say("")

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
