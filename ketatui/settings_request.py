"""What the command line asked of the settings, kept apart from the settings model so that the
App can be handed it before its first paint: this module imports only the standard library,
while ``ketatui.settings`` (pydantic-settings) costs about as much to import as Textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketatui.settings import Settings


@dataclass(frozen=True)
class SettingsRequest:
    """The flags that override (by setting name), the settings file to read, and the environment
    to read from (the process environment unless a test passes its own)."""

    overrides: Mapping[str, Any] = field(default_factory=dict)
    config_file: Path | None = None
    environ: Mapping[str, str] | None = None

    def build(self) -> Settings:
        """The effective settings; raises ``SettingsInvalid`` naming each bad one, its source and the fix."""
        from ketatui.settings import load_settings

        return load_settings(self.overrides, config_file=self.config_file, environ=self.environ)
