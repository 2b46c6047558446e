"""The layering rule (DESIGN.md, Layers): the core never imports Textual or Rich.

Each check runs in a fresh interpreter, because this test process may already have imported
Textual for the UI tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from builders import EXAMPLES, ROOT

UI_OR_ENTRY = ("ketatui.screens", "ketatui.styles", "ketatui.cli", "ketatui.__main__")

IMPORT_THE_CORE = f"""
import importlib, json, pkgutil, sys
import ketatui
skip = {UI_OR_ENTRY!r}
imported, failed = [], {{}}
for info in pkgutil.walk_packages(ketatui.__path__, "ketatui.", onerror=lambda name: failed.setdefault(name, "walk failed")):
    if info.name in skip or info.name.startswith(tuple(name + "." for name in skip)):
        continue
    try:
        importlib.import_module(info.name)
        imported.append(info.name)
    except Exception as exc:
        failed[info.name] = f"{{type(exc).__name__}}: {{exc}}"
ui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich") or m.startswith(("ketatui.screens", "ketatui.styles")))
print(json.dumps({{"imported": imported, "failed": failed, "ui": ui}}))
"""


def run_python(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_core_imports_neither_textual_nor_rich() -> None:
    result = run_python(IMPORT_THE_CORE)
    assert result["failed"] == {}
    assert result["ui"] == [], f"the core pulled in the UI: {result['ui'][:10]}"
    must_have = {"ketatui.intake.fields", "ketatui.intake.history", "ketatui.intake.instruments", "ketatui.intake.medications", "ketatui.intake.side_effects",
                 "ketatui.intake.goals", "ketatui.intake.document", "ketatui.clinical.protocol", "ketatui.clinical.flags", "ketatui.clinical.trd", "ketatui.clinical.rules",
                 "ketatui.clinical.schedule", "ketatui.clinical.plan", "ketatui.exchange.markdown", "ketatui.exchange.files", "ketatui.intake.synthetic",
                 "ketatui.clinical.catalogue", "ketatui.settings", "ketatui.settings_request", "ketatui.commands.records", "ketatui.commands.plans",
                 "ketatui.commands.config", "ketatui.storage.repository", "ketatui.storage.backends", "ketatui.storage.tinydb.store",
                 "ketatui.storage.tinydb.backup"}
    assert must_have <= set(result["imported"]), sorted(must_have - set(result["imported"]))


def test_the_check_would_catch_a_ui_import() -> None:
    """The same probe sees Textual once something imports it, so a pass above means something."""
    pytest.importorskip("textual")
    result = run_python("import textual.app\n" + IMPORT_THE_CORE)
    assert "textual" in result["ui"]


def test_making_a_plan_from_the_command_line_loads_no_ui() -> None:
    """``ketatui plan`` goes through the CLI module yet must stay as light as the core."""
    code = f"""
import contextlib, io, json, sys
from ketatui.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["plan", {str(EXAMPLES / "01-treatment-resistant-uncomplicated.json")!r}, "--format", "markdown"])
ui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich") or m.startswith("ketatui.screens"))
print(json.dumps({{"code": code, "ui": ui}}))
"""
    result = run_python(code)
    assert result == {"code": 0, "ui": []}


def test_opening_the_app_loads_neither_the_store_nor_pydantic_before_the_parser_is_done() -> None:
    """``ketatui`` alone must reach the App's first paint without the storage, settings and model
    imports: the App gets the settings request and builds the settings after its first paint."""
    code = (
        "import sys; from ketatui.cli import build_parser, settings_request\n"
        "argv = ['--data-dir', '/tmp/x', '--config', '/tmp/settings.toml']\n"
        "request = settings_request(build_parser(argv).parse_args(argv))\n"
        "assert request.overrides == {'data_dir': __import__('pathlib').Path('/tmp/x')}, request\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'ketatui.storage', 'ketatui.settings.'))"
        " or m == 'ketatui.settings'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_store_command_still_parses() -> None:
    from ketatui.cli import build_parser

    args = build_parser(["records", "list", "--search", "ash"]).parse_args(["records", "list", "--search", "ash"])
    assert args.search == "ash"
