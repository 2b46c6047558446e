"""Hosting one intake step for a test: alone with the App's stylesheet and theme, or inside the
real App shell (progress line, footer, theme) for snapshots."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

import ketatui.styles
from ketatui.intake.document import Intake
from ketatui.clinical.protocol import default_protocol
from ketatui.settings import Settings
from ketatui.screens.intake_app import IntakeApp
from ketatui.screens.themes import THEMES, load_themes
from ketatui.screens.step import IntakeStep

class Host(App):
    """Hosts one step with the App's stylesheet and theme, and records what the step tells the App."""

    CSS_PATH = Path(ketatui.styles.__file__).with_name("base.tcss")

    def __init__(self, step: IntakeStep) -> None:
        super().__init__()
        for theme in load_themes():
            self.register_theme(theme)
        self.theme = THEMES["default"]
        self.step = step
        self.fields_left = 0

    def on_mount(self) -> None:
        self.push_screen(self.step)

    def on_intake_step_field_left(self) -> None:
        self.fields_left += 1


class Shell(IntakeApp):
    """The real App shell (progress line, footer, theme) opened on one intake, for snapshots."""

    CSS_PATH = Host.CSS_PATH

    def __init__(self, intake: Intake, theme: str) -> None:
        super().__init__(settings=Settings(user="snapshot", theme=theme), protocol=default_protocol())
        self.opening = intake

    def show_start(self) -> None:
        self.call_later(self.open_intake, self.new_session(self.opening))


async def steady(pilot) -> None:
    """Wait for the step, then stop cursors blinking so every screenshot is the same."""
    await pilot.pause()
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False

