"""Shared pieces for the App's Pilot and snapshot tests: a real store in a temporary folder, a
driver that types like a clinician and reads the screen as text, and steady screenshots.

Every App test uses the real repository (``ketatui.storage``) in ``tmp_path``; nothing is faked
except the clock shown on screen in snapshots (``Saved 14:02:00``), so pictures do not change
from minute to minute.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ketatui.screens import autosave
from ketatui.screens.clinician_app import ClinicianApp
from ketatui.screens.widgets import LabelledField, field_id

USER = "dr.lee"


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh store for this test, chosen the way a clinic chooses it (environment)."""
    data = tmp_path / "data"
    monkeypatch.setenv("KETATUI_DATA_DIR", str(data))
    monkeypatch.setenv("KETATUI_KEY_FILE", str(tmp_path / "store.key"))
    monkeypatch.setenv("KETATUI_USER", USER)
    monkeypatch.delenv("KETATUI_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return data


@pytest.fixture
def settings(store_dir: Path, tmp_path: Path):
    """The settings the App is given: this test's store, its key, its export folder and the clinician."""
    from ketatui.settings import Settings

    return Settings(data_dir=store_dir, key_file=tmp_path / "store.key", export_dir=tmp_path / "exports", user=USER)


@pytest.fixture
def repository(settings):
    """The same store the App uses, opened by the test to look at what was saved."""
    from ketatui.storage import open_repository

    return open_repository(settings)


@pytest.fixture
def make_app(settings) -> Callable[..., ClinicianApp]:
    """The clinician App given built settings; ``protocol`` or ``repository`` are handed to the
    App as they are, other keyword arguments change settings."""

    def make(*, protocol: Any = None, repository: Any = None, **changes: Any) -> ClinicianApp:
        unknown = set(changes) - set(type(settings).model_fields)
        assert not unknown, f"not settings: {unknown}"
        return ClinicianApp(settings=settings.model_copy(update=changes), protocol=protocol, repository=repository)

    return make


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots only: the times on screen read the same on every run."""
    monkeypatch.setattr(autosave, "_clock", lambda moment: "14:02:00")


class Driver:
    """Keyboard only, as a clinician would; reads the screen as plain text."""

    def __init__(self, pilot: Pilot) -> None:
        self.pilot = pilot
        self.app: ClinicianApp = pilot.app  # type: ignore[assignment]

    async def until(self, check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            await self.pilot.pause(0.02)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{self.text()}")

    async def keys(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.pilot.pause()

    async def type(self, text: str) -> None:
        """Type text into the focused field (spaces included)."""
        await self.pilot.press(*("space" if c == " " else c for c in text))

    async def answer(self, text: str) -> None:
        """Type an answer and leave the field with Tab."""
        await self.type(text)
        await self.keys("tab")

    async def saved(self) -> None:
        """Wait until the latest answers are in the store."""
        await self.pilot.pause()
        await self.until(lambda: not self.app.busy_saving, "the save to finish")

    async def new_intake(self) -> None:
        await self.until(lambda: self.app.ready, "the store to open")
        await self.keys("ctrl+n")
        await self.until(lambda: self.app.step is not None and self.app.focused is not None, "the first step")

    async def records(self, count: int = 1) -> list:
        """The records browser once it lists at least ``count`` records; their rows."""
        from ketatui.screens.records_browser import RecordsBrowser

        await self.until(lambda: isinstance(self.app.screen, RecordsBrowser) and self.app.ready
                         and len(self.app.screen.rows) >= count, f"{count} record(s) listed")
        return list(self.app.screen.rows)

    async def open_record(self, number: int = 1) -> None:
        """Open the ``number``-th record listed (Down to it, then Enter), at the step where it stopped."""
        await self.records(number)
        await self.keys(*["down"] * (number - 1), "enter")
        await self.until(lambda: self.app.step is not None and self.app.focused is not None, "the record to open")

    def status(self) -> str:
        """The records browser's status line (what it says about the list or the store)."""
        return str(self.app.screen_stack[0].query_one("#records-status").content)

    async def next(self) -> None:
        await self.keys("f3")
        await self.pilot.pause(0.05)

    def field(self, path: str) -> LabelledField:
        return self.app.screen.query_one(f"#{field_id(path)}", LabelledField)

    def text(self) -> str:
        """What the terminal shows now, line by line."""
        return "\n".join(strip.text.rstrip() for strip in self.app.screen._compositor.render_strips())

    @property
    def focused_path(self) -> str | None:
        focused = self.app.focused
        field = next((a for a in (focused.ancestors if focused else []) if isinstance(a, LabelledField)), None)
        return field.path if field else None

    async def focus(self, path: str) -> None:
        self.field(path).control.focus()
        await self.pilot.pause()


@pytest.fixture
def driver_for() -> Callable[[Pilot], Driver]:
    return Driver


async def steady(pilot: Pilot) -> None:
    """For snapshots: let the screen settle and stop every cursor blinking."""
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()
    await asyncio.sleep(0)


@pytest.fixture
def settle() -> Callable[[Pilot], Any]:
    return steady
