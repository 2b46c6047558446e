"""The record-store commands as a user runs them: the real ``ketatui`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ketatui.intake.schema import SCHEMA_VERSION

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
V1 = ROOT / "tests" / "fixtures" / "v1"


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), KETATUI_DATA_DIR=str(tmp_path / "data"), KETATUI_KEY_FILE=str(tmp_path / "ketatui.key"), KETATUI_USER="dr.lee")
    return env


@pytest.fixture
def ketatui(env, tmp_path):
    def run(*args: str, expect: int = 0, **extra_env: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "ketatui", *args], cwd=tmp_path, env={**env, **extra_env},
                                capture_output=True, text=True, timeout=120)
        assert "Traceback" not in result.stderr
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    return run


def listed(ketatui, *args: str) -> list[dict]:
    return json.loads(ketatui("records", "list", "--format", "json", *args).stdout)


def test_records_commands_from_import_to_show(ketatui, tmp_path):
    out = ketatui("records", "list", expect=1)
    assert "There is no ketatui store" in out.stderr

    files = [str(p) for p in sorted(EXAMPLES.glob("0[1-4]*.json"))]
    out = ketatui("records", "import", *files)
    assert out.stdout.count("imported 1 intake(s)") == 4
    out = ketatui("records", "import", files[0])
    assert "imported 0 intake(s); 1 already stored" in out.stdout

    rows = listed(ketatui)
    assert len(rows) == 4 and rows[0]["urgent"]  # the positive suicide screen comes first
    table = ketatui("records", "list").stdout
    assert table.splitlines()[0].split()[:4] == ["RECORD", "NAME", "BORN", "STATUS"] and "URGENT" in table

    name = json.loads(Path(files[0]).read_text())["medical_history"]["demographics"]["full_name"]
    found = listed(ketatui, "--search", name.split()[-1].lower())
    assert [r["full_name"] for r in found] == [name]
    assert listed(ketatui, "--status", "draft") == []

    record_id = found[0]["record_id"]
    ambiguous = ketatui("records", "show", record_id[:8], expect=2)  # the examples share a prefix
    assert "matches 4 intakes" in ambiguous.stderr and "give more of the record id" in ambiguous.stderr
    shown = json.loads(ketatui("records", "show", record_id).stdout)
    assert shown["record_id"] == record_id and shown["medical_history"]["demographics"]["full_name"] == name
    markdown = ketatui("records", "show", record_id, "--format", "markdown").stdout
    assert markdown.startswith(f"# Intake {record_id}") and name in markdown

    bad = ketatui("records", "show", "zzzz", expect=2)
    assert "No intake has a record id starting with 'zzzz'" in bad.stderr
    assert "view" in (tmp_path / "data" / "audit.log").read_text()


def test_import_refuses_invalid_files_and_migrates_v1(ketatui, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    out = ketatui("records", "import", str(broken), expect=2)
    assert "broken.json is not an intake file" in out.stderr and "Nothing was imported" in out.stderr

    invalid = tmp_path / "invalid.json"
    data = json.loads((EXAMPLES / "01-treatment-resistant-uncomplicated.json").read_text())
    data["medical_history"]["demographics"]["weight_kg"] = 900
    invalid.write_text(json.dumps(data))
    out = ketatui("records", "import", str(invalid), expect=2)
    assert "Weight (kg)" in out.stderr and "medical_history.demographics.weight_kg" in out.stderr

    ketatui("records", "import", *map(str, sorted(V1.glob("*.json"))))
    rows = {r["record_id"]: r for r in listed(ketatui)}
    signed = json.loads((V1 / "signed.json").read_text())
    assert rows[signed["record_id"]]["full_name"] == "Rowan Adeyemi" and rows[signed["record_id"]]["status"] == "signed"
    shown = json.loads(ketatui("records", "show", signed["record_id"][:8]).stdout)  # a unique prefix is enough
    assert shown["schema_version"] == SCHEMA_VERSION and shown["rev"] == 5 and shown["signed_by"] == "dr.okafor"


def test_demo_data_is_synthetic_marked_and_repeatable(ketatui, tmp_path):
    out = ketatui("demo-data", "--count", "40", "--seed", "7")
    assert "Created 40 synthetic training intakes" in out.stdout
    rows = listed(ketatui)
    assert len(rows) == 40 and all(r["training"] and r["full_name"].endswith("(synthetic)") for r in rows)
    assert listed(ketatui, "--training", "exclude") == []
    other = tmp_path / "other"
    ketatui("demo-data", "--count", "40", "--seed", "7", "--data-dir", str(other))
    names = sorted(r["full_name"] for r in rows)
    assert sorted(r["full_name"] for r in listed(ketatui, "--data-dir", str(other))) == names
    # --data-dir also works before the command
    assert len(json.loads(ketatui("--data-dir", str(other), "records", "list", "--format", "json").stdout)) == 40
    assert ketatui("demo-data", "--count", "0", expect=2).stderr.startswith("ketatui: --count")


def test_backup_restore_and_audit_verify(ketatui, tmp_path):
    ketatui("demo-data", "--count", "12")
    before = listed(ketatui)
    assert "Audit log intact: 12 entries" in ketatui("audit", "verify").stdout

    out = ketatui("backup", str(tmp_path / "backups"))
    backup = next((tmp_path / "backups").glob("ketatui-backup-*.tar"))
    assert str(backup) in out.stdout and "Backed up 12 intake(s)" in out.stdout

    data = tmp_path / "data"
    record = next(data.glob("records/*/*.json.enc"))
    record.write_bytes(b"\x00" * 40)  # a damaged record
    out = ketatui("records", "show", record.name.removesuffix(".json.enc"), expect=1)
    assert str(record) in out.stderr and "ketatui restore" in out.stderr
    assert record.read_bytes() == b"\x00" * 40  # never overwritten

    out = ketatui("restore", str(backup))
    assert "Restored 12 intake(s)" in out.stdout and "is kept at" in out.stdout
    assert listed(ketatui) == before
    assert ketatui("audit", "verify").returncode == 0

    audit = data / "audit.log"
    lines = audit.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace('"dr.lee"', '"dr.who"')
    audit.write_text("".join(lines))
    out = ketatui("audit", "verify", expect=1)
    assert "line 4 (entry 4) was changed" in out.stderr and "The audit log has been altered" in out.stderr


def test_key_and_permission_problems_are_plain_messages(ketatui, tmp_path):
    ketatui("demo-data", "--count", "3")
    out = ketatui("records", "list", expect=1, KETATUI_KEY_FILE=str(tmp_path / "nowhere.key"))
    assert "nowhere.key does not exist" in out.stderr and not (tmp_path / "nowhere.key").exists()

    other = tmp_path / "other.key"
    ketatui("demo-data", "--count", "1", "--data-dir", str(tmp_path / "elsewhere"), KETATUI_KEY_FILE=str(other))
    out = ketatui("records", "list", "--key-file", str(other), expect=1)
    assert "different key" in out.stderr

    (tmp_path / "data").chmod(0o755)
    out = ketatui("records", "list", expect=1)
    assert "can be opened by other users" in out.stderr and "chmod 750" in out.stderr


def test_the_store_comes_from_the_settings_file_and_a_passphrase_from_the_environment(ketatui, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text(f'data_dir = "{tmp_path / "clinic"}"\nbackend = "tinydb"\n', encoding="utf-8")
    ketatui("demo-data", "--count", "2", KETATUI_CONFIG=str(settings), KETATUI_DATA_DIR="", KETATUI_PASSPHRASE="correct horse")
    assert (tmp_path / "clinic" / "store.json").exists() and not (tmp_path / "ketatui.key").exists()
    rows = json.loads(ketatui("records", "list", "--format", "json", KETATUI_CONFIG=str(settings), KETATUI_DATA_DIR="",
                              KETATUI_PASSPHRASE="correct horse").stdout)
    assert len(rows) == 2
    out = ketatui("--config", str(settings), "records", "list", expect=1, KETATUI_DATA_DIR="", KETATUI_PASSPHRASE="wrong horse")
    assert "passphrase" in out.stderr and "Nothing was read or changed" in out.stderr


def test_an_unknown_backend_lists_the_known_ones(ketatui):
    out = ketatui("records", "list", expect=2, KETATUI_BACKEND="oracle")
    assert "There is no storage backend named 'oracle'. Known backends: postgres, tinydb." in out.stderr


def test_the_postgres_backend_without_a_database_url_says_which_setting_to_set(ketatui):
    out = ketatui("records", "list", expect=1, KETATUI_BACKEND="postgres")
    assert "Database URL: not set, but the postgres backend needs one" in out.stderr and "KETATUI_DATABASE_URL" in out.stderr
