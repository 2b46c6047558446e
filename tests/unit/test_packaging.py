"""The package list in pyproject.toml covers every package folder, so a built wheel has them all."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAPPED = {"ketatui": "ketatui", "screens": "ketatui.screens", "styles": "ketatui.styles"}


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for folder, name in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *parts)))
    assert found == listed


def test_stylesheets_ship_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "*.tcss" in config["package-data"]["ketatui.styles"]
    assert list((ROOT / "styles").glob("*.tcss")), "the styles folder holds the stylesheets"
