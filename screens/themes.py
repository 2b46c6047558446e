"""The App's themes, kept as data in ``styles/themes.toml``, and the names a setting chooses them by."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

import ketatui.styles

#: The ``theme`` setting's values and the registered theme each one picks.
THEMES = {"default": "ketatui", "high-contrast": "ketatui-high-contrast"}


def load_themes() -> list[Theme]:
    """The themes kept as data in ``styles/themes.toml``."""
    text = Path(ketatui.styles.__file__).with_name("themes.toml").read_text(encoding="utf-8")
    return [Theme(name=name, **values) for name, values in tomllib.loads(text).items()]


def theme_for(setting: str | None) -> str:
    """The registered theme for a ``theme`` setting (the default one when not set)."""
    return THEMES.get(setting or "default", THEMES["default"])
