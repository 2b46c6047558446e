"""Settings in one place: which source wins, what a bad value says, and what ``describe`` shows.

Every test passes its own environment and settings file, so the machine's own settings never
leak in (the default settings file is moved into ``tmp_path`` by ``own_config_folder``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ketatui.settings import Settings, SettingsInvalid, SettingsRequest, describe, load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def own_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "settings.toml"

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        return path

    return write


def sources(request: SettingsRequest) -> dict[str, tuple[str, str]]:
    return {name: (shown, source) for name, shown, source in describe(request.build(), request)}


def test_flags_beat_the_environment_which_beats_the_file_which_beats_the_defaults(config, tmp_path):
    path = config('data_dir = "/clinic/from-file"\nuser = "file.user"\ntheme = "high-contrast"\n')
    env = {"KETATUI_DATA_DIR": "/clinic/from-env", "KETATUI_USER": "env.user"}

    flagged = SettingsRequest({"data_dir": Path("/clinic/from-flag")}, config_file=path, environ=env)
    assert flagged.build().data_dir == Path("/clinic/from-flag")
    assert sources(flagged)["data_dir"] == ("/clinic/from-flag", "command line --data-dir")

    from_env = SettingsRequest({}, config_file=path, environ=env)
    settings = from_env.build()
    assert (settings.data_dir, settings.user, settings.theme) == (Path("/clinic/from-env"), "env.user", "high-contrast")
    shown = sources(from_env)
    assert shown["data_dir"] == ("/clinic/from-env", "environment KETATUI_DATA_DIR")
    assert shown["theme"] == ("high-contrast", f"settings file {path}")
    assert shown["backend"] == ("tinydb", "default")

    from_file = SettingsRequest({}, config_file=path, environ={})
    assert from_file.build().data_dir == Path("/clinic/from-file")

    defaults = SettingsRequest({}, environ={}).build()
    assert defaults.data_dir == tmp_path / "share" / "ketatui"
    assert defaults.key_file == tmp_path / "config" / "ketatui" / "store.key"  # outside the data folder
    assert defaults.backend == "tinydb" and defaults.passphrase is None and defaults.protocol_file is None


def test_the_settings_file_is_found_by_KETATUI_CONFIG_or_in_the_user_config_folder(config, tmp_path):
    path = config('user = "named.in.config"\n')
    assert load_settings(environ={"KETATUI_CONFIG": str(path)}).user == "named.in.config"
    default = tmp_path / "config" / "ketatui" / "settings.toml"
    default.parent.mkdir(parents=True)
    default.write_text('user = "in.the.user.folder"\n')
    assert load_settings(environ={}).user == "in.the.user.folder"


def test_a_missing_default_file_is_no_settings_but_a_named_file_must_exist(tmp_path):
    assert load_settings(environ={}).theme == "default"
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(config_file=tmp_path / "nowhere.toml", environ={})
    assert caught.value.problems == [f"settings file {tmp_path / 'nowhere.toml'}: not found; create it or leave it out"]
    with pytest.raises(SettingsInvalid, match="not found"):
        load_settings(environ={"KETATUI_CONFIG": str(tmp_path / "nowhere.toml")})


def test_a_bad_value_is_named_with_where_it_came_from_and_what_is_accepted(config):
    path = config('theme = "neon"\n')
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(config_file=path, environ={"KETATUI_CLINICIAN_IDLE_TIMEOUT": "5"})
    problems = caught.value.problems
    assert f"Theme (from settings file {path}): Input should be 'default' or 'high-contrast' (it is 'neon')" in problems
    assert ("Clinician idle lock (seconds) (from environment KETATUI_CLINICIAN_IDLE_TIMEOUT): "
            "Input should be greater than or equal to 30 (it is '5')") in problems
    with pytest.raises(SettingsInvalid) as flagged:
        load_settings({"user": ""}, environ={})
    assert flagged.value.problems == ["User (from command line --user): String should have at least 1 character (it is '')"]


def test_a_key_that_is_not_a_setting_is_refused_with_the_list_of_settings(config):
    path = config('data_dir = "/clinic"\ndatadir = "/typo"\n')
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(config_file=path, environ={})
    [problem] = caught.value.problems
    assert problem.startswith(f"settings file {path}: 'datadir' is not a setting; known settings: data_dir, key_file,")


def test_a_settings_file_that_is_not_toml_names_the_file(config):
    path = config('data_dir = /clinic\n')
    with pytest.raises(SettingsInvalid, match=re.escape(f"settings file {path}: is not valid TOML")):
        load_settings(config_file=path, environ={})


def test_secrets_are_masked_wherever_settings_are_shown(config):
    path = config('database_url = "postgresql://clinic:hunter2@db/ketatui"\n')
    request = SettingsRequest({}, config_file=path, environ={"KETATUI_PASSPHRASE": "correct horse battery"})
    settings = request.build()
    assert settings.passphrase_text() == "correct horse battery"
    shown = sources(request)
    assert shown["passphrase"] == ("(set, hidden)", "environment KETATUI_PASSPHRASE")
    assert shown["database_url"] == ("(set, hidden)", f"settings file {path}")
    everything = repr(describe(settings, request)) + repr(settings) + str(settings)
    assert "correct horse" not in everything and "hunter2" not in everything
    assert sources(SettingsRequest({}, environ={}))["passphrase"] == ("(not set)", "default")


def test_the_keymap_comes_from_the_environment_as_json_or_from_the_file_as_a_table(config):
    env = {"KETATUI_KEYMAP": '{"next": "f3,ctrl+n", "back": "f2"}'}
    request = SettingsRequest({}, environ=env)
    assert request.build().keymap == {"next": "f3,ctrl+n", "back": "f2"}
    assert sources(request)["keymap"] == ('{"next": "f3,ctrl+n", "back": "f2"}', "environment KETATUI_KEYMAP")
    path = config('[keymap]\nnext = "ctrl+n"\n')
    assert load_settings(config_file=path, environ={}).keymap == {"next": "ctrl+n"}
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(environ={"KETATUI_KEYMAP": "next=f3"})
    assert caught.value.problems == ['Keymap (environment KETATUI_KEYMAP): is not JSON; write it as {"next": "f3,ctrl+n"}']


def test_KETATUI_PROTOCOL_still_names_the_protocol_file():
    assert load_settings(environ={"KETATUI_PROTOCOL": "/clinic/protocol.toml"}).protocol_file == Path("/clinic/protocol.toml")
    both = {"KETATUI_PROTOCOL": "/old.toml", "KETATUI_PROTOCOL_FILE": "/new.toml"}
    request = SettingsRequest({}, environ=both)
    assert request.build().protocol_file == Path("/new.toml")
    assert sources(request)["protocol_file"] == ("/new.toml", "environment KETATUI_PROTOCOL_FILE")


def test_an_empty_variable_counts_as_not_set_and_paths_are_expanded():
    settings = load_settings(environ={"KETATUI_USER": "", "KETATUI_DATA_DIR": "~/clinic"})
    assert settings.user and settings.data_dir == Path("~/clinic").expanduser()


def test_only_the_settings_module_reads_the_environment(monkeypatch):
    """The model alone reads nothing: ``load_settings`` gathers the sources and hands them in."""
    monkeypatch.setenv("KETATUI_DATA_DIR", "/from/the/environment")
    assert Settings().data_dir != Path("/from/the/environment")
    assert load_settings().data_dir == Path("/from/the/environment")
    readers = [str(p.relative_to(ROOT)) for folder in ("ketatui", "screens") for p in (ROOT / folder).rglob("*.py")
               if re.search(r"os\.environ|getenv\(", p.read_text(encoding="utf-8"))]
    # ketatui/identity.py reads only what sshd says of the connection (SSH_CONNECTION,
    # SSH_ORIGINAL_COMMAND): facts of the login, never a setting.
    assert sorted(readers) == ["ketatui/identity.py", "ketatui/settings.py"]


def test_the_settings_reference_lists_every_setting_with_its_variable():
    reference = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `{name}` | `KETATUI_{name.upper()}`" in reference, name
