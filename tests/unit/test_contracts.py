"""The layering as import-linter contracts (``[tool.importlinter]`` in pyproject.toml), run on the
package as it is installed: the screens live in ``screens/`` but are ``ketatui.screens``, so the
check runs on a copy of ``ketatui/`` with ``screens/`` and ``styles/`` put in their installed places.

A deliberate violation written into such a copy must break exactly the contract it goes against,
so a pass means the contracts can fail.
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import ketatui

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
CONTRACTS = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
ENTRY_OR_UI = {"cli", "__main__", "screens", "styles", "data"}


def installed_copy(where: Path) -> Path:
    """``ketatui`` laid out as pip installs it, under ``where``; the folder to put on the path."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.tcss", "*.json", "*.toml", "*.md")
    shutil.copytree(ROOT / "ketatui", where / "ketatui", ignore=skip)
    for folder in ("screens", "styles"):
        shutil.copytree(ROOT / folder, where / "ketatui" / folder, ignore=skip)
    return where


def lint(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    chosen = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run([sys.executable, "-c", code, str(PYPROJECT), "--no-cache", "--no-logo", *chosen],
                          cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return installed_copy(tmp_path)


def test_every_contract_is_kept(tree: Path) -> None:
    done = lint(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout


def test_the_core_contract_covers_every_room() -> None:
    """A new module or room at the top of ``ketatui`` is checked too, once it is listed."""
    core = next(c for c in CONTRACTS if c["id"] == "core-no-ui")
    rooms = {f"ketatui.{m.name}" for m in pkgutil.iter_modules(ketatui.__path__) if m.name not in ENTRY_OR_UI}
    assert rooms <= set(core["source_modules"]), sorted(rooms - set(core["source_modules"]))


VIOLATIONS = [
    ("core-no-ui", "clinical/_violation.py", "import textual\n"),
    ("core-no-ui", "storage/_violation.py", "from ketatui.screens import widgets\n"),
    ("storage-ground-floor", "storage/tinydb/_violation.py", "def urgent(doc):\n    from ketatui.clinical import rules\n"),
    ("storage-ground-floor", "storage/_violation.py", "import ketatui.session\n"),
    ("storage-interface-no-backend", "storage/repository.py", "from ketatui.storage.tinydb import backend\n"),
    ("screens-no-storage-internals", "screens/_violation.py", "from ketatui.storage.atomic import write_atomic\n"),
    ("screens-no-storage-internals", "screens/_violation.py", "from ketatui.storage.tinydb.store import TinyDBRepository\n"),
    ("intake-stands-alone", "intake/_violation.py", "from ketatui.clinical.protocol import default_protocol\n"),
    ("clinical-no-storage", "clinical/_violation.py", "from ketatui.storage import open_repository\n"),
]


@pytest.mark.parametrize(("contract", "module", "source"), VIOLATIONS)
def test_a_deliberate_violation_breaks_its_contract(tree: Path, contract: str, module: str, source: str) -> None:
    path = tree / "ketatui" / module  # a new module, or a line added to one that exists
    path.write_text((path.read_text() if path.exists() else "") + source)
    done = lint(tree, contract)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "0 kept, 1 broken" in done.stdout, done.stdout
