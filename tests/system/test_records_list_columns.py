"""``ketatui records list`` as a clinician runs it over SSH: the real command in a subprocess,
80 columns by default with the record's flags, every column with ``--wide``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from rich.cells import cell_len

pytestmark = pytest.mark.system

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LONG_NAME = "Maria-Fernanda de los Santos Villanueva-Oyelaran"


def run(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), KETATUI_DATA_DIR=str(tmp_path / "data"),
               KETATUI_KEY_FILE=str(tmp_path / "ketatui.key"), KETATUI_USER="dr.lee")
    result = subprocess.run([sys.executable, "-m", "ketatui", *args], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, (result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The examples, and the one with every kind of flag again under a very long name."""
    tmp = tmp_path_factory.mktemp("records")
    every_flag = json.loads((EXAMPLES / "03-blood-pressure-out-of-range.json").read_text())
    every_flag["record_id"] = str(uuid.uuid4())
    every_flag["medical_history"]["demographics"]["full_name"] = LONG_NAME
    every_flag["asq"] |= {"wished_dead": True, "thoughts_right_now": False}  # and urgent too
    (tmp / "long.json").write_text(json.dumps(every_flag))
    run(tmp, "records", "import", *map(str, sorted(EXAMPLES.glob("0*.json"))), str(tmp / "long.json"))
    return tmp


def rows_by_name(table: str) -> dict[str, str]:
    lines = table.splitlines()
    return {name: line for line in lines[1:] for name in ("Ruth Okafor", "Marcus Webb", "Peter Lindqvist", "Maria")
            if name in line}


def test_the_default_table_fits_80_columns_and_shows_review_and_caution(store) -> None:
    table = run(store, "records", "list")
    too_wide = [(cell_len(line), line) for line in table.splitlines() if cell_len(line) > 80]
    assert not too_wide, too_wide
    assert table.splitlines()[0].split() == ["RECORD", "NAME", "BORN", "STATUS", "FLAGS"]
    rows = rows_by_name(table)
    assert rows["Marcus Webb"].rstrip().endswith("REVIEW")  # benzodiazepine and lamotrigine: review flags
    assert rows["Peter Lindqvist"].rstrip().endswith("CAUTION")  # esketamine at 60: a caution flag
    assert rows["Ruth Okafor"].rstrip().endswith("BLOCKED REVIEW CAUTION")
    # The long name is cut, never wrapped, and the flags it cannot spell out are counted.
    long_row = rows["Maria"]
    assert "…" in long_row and LONG_NAME not in long_row
    assert long_row.split()[-1].startswith("+") and "URGENT" in long_row


def test_wide_shows_every_column_and_every_name_whole(store) -> None:
    table = run(store, "records", "list", "--wide")
    assert table.splitlines()[0].split() == ["RECORD", "NAME", "BORN", "STATUS", "REV", "UPDATED", "BY", "FLAGS"]
    assert f"{LONG_NAME}  " in table
    assert rows_by_name(table)["Maria"].rstrip().endswith("URGENT BLOCKED REVIEW CAUTION")
    assert "dr.lee" in table
