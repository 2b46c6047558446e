"""The clinic's own crisis contacts and name: from the protocol or the settings (which win), and
a plain notice, with the exact way to change them, while the built-in US ones are in use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ketatui.clinical.clinic import (contacts_notice, contacts_notice_line, default_contacts_in_use, defaults_notice,
                                     for_clinic)
from ketatui.clinical.plan import make_plan
from ketatui.clinical.protocol import default_protocol, parse_protocol
from ketatui.exchange.markdown import plan_markdown
from ketatui.settings import SettingsInvalid, load_settings

from builders import TODAY, protocol_toml

ROOT = Path(__file__).resolve().parents[2]
SAMARITANS = [{"name": "Samaritans", "how": "Call 116 123, any time"}]


@pytest.fixture(autouse=True)
def own_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))


def test_the_built_in_protocol_is_the_us_defaults_and_says_so_with_the_way_to_change_them() -> None:
    protocol = default_protocol()
    assert default_contacts_in_use(protocol.crisis_contacts)
    notice = defaults_notice(protocol)
    assert "US defaults (988, 911, 741741)" in notice
    assert "crisis_contacts in the settings file" in notice and "KETATUI_CRISIS_CONTACTS" in notice
    assert "[[crisis_contacts]]" in notice and "ketatui config" in notice
    assert 'clinic name is the default "Ketamine clinic"' in notice and "KETATUI_CLINIC_NAME" in notice
    line = contacts_notice_line(protocol.crisis_contacts)
    assert "988, 911, 741741" in line and "crisis_contacts" in line and len(line) <= 78


def test_a_copied_protocol_left_as_it_was_still_counts_as_the_defaults() -> None:
    copied = parse_protocol(protocol_toml({"version": "riverside-1"}), "clinic.toml")
    assert default_contacts_in_use(copied.crisis_contacts)


def test_a_protocol_with_its_own_contacts_and_name_gets_no_notice() -> None:
    own = parse_protocol(protocol_toml({"crisis_contacts": SAMARITANS, "clinic_name": "Riverside"}), "clinic.toml")
    assert not default_contacts_in_use(own.crisis_contacts)
    assert defaults_notice(own) == "" and contacts_notice_line(own.crisis_contacts) == ""


def test_settings_from_the_file_beat_the_protocol(tmp_path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('clinic_name = "Riverside"\n\n[[crisis_contacts]]\nname = "Samaritans"\nhow = "Call 116 123, any time"\n')
    settings = load_settings(config_file=path, environ={})
    protocol = for_clinic(default_protocol(), settings)
    assert protocol.clinic_name == "Riverside"
    assert [(c.name, c.how) for c in protocol.crisis_contacts] == [("Samaritans", "Call 116 123, any time")]
    assert defaults_notice(protocol) == ""
    assert default_protocol().crisis_contacts[0].name.startswith("988"), "the built-in protocol itself is not changed"


def test_the_environment_gives_contacts_as_json_and_beats_the_file(tmp_path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[[crisis_contacts]]\nname = "File line"\nhow = "Call 1"\n')
    settings = load_settings(config_file=path, environ={"KETATUI_CRISIS_CONTACTS": json.dumps(SAMARITANS)})
    assert [line.name for line in settings.crisis_contacts] == ["Samaritans"]


def test_settings_not_set_leave_the_protocol_as_it_is(tmp_path) -> None:
    settings = load_settings(environ={})
    own = parse_protocol(protocol_toml({"crisis_contacts": SAMARITANS}), "clinic.toml")
    assert for_clinic(own, settings) is own


def test_bad_contacts_name_the_setting_the_line_and_the_fix() -> None:
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(environ={"KETATUI_CRISIS_CONTACTS": "Samaritans 116 123"})
    assert caught.value.problems == ['Crisis contacts (environment KETATUI_CRISIS_CONTACTS): is not JSON; write it as '
                                     '[{"name": "Samaritans", "how": "Call 116 123, any time"}]']
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(environ={"KETATUI_CRISIS_CONTACTS": '[{"name": "Samaritans"}]'})
    assert caught.value.problems[0].startswith("Crisis contacts #1, how (from environment KETATUI_CRISIS_CONTACTS): Field required")
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(environ={"KETATUI_CRISIS_CONTACTS": '[{"name": "Samaritans\\u001b[2J", "how": "Call 116 123"}]'})
    assert "Crisis contacts #1, name" in caught.value.problems[0] and "without control characters" in caught.value.problems[0]


def test_the_plan_says_the_us_defaults_are_in_use_until_the_clinic_sets_its_own(make_intake) -> None:
    intake = make_intake()
    text = plan_markdown(make_plan(intake, default_protocol(), today=TODAY), intake)
    assert "**Note:** These crisis contacts are the built-in US defaults (988, 911, 741741)" in text
    assert "set crisis_contacts in the settings file" in text
    own = for_clinic(default_protocol(), load_settings(environ={"KETATUI_CRISIS_CONTACTS": json.dumps(SAMARITANS)}))
    text = plan_markdown(make_plan(intake, own, today=TODAY), intake)
    assert "- Samaritans: Call 116 123, any time" in text
    contacts = text[text.index("## Crisis contacts"):]
    assert "988" not in contacts and "**Note:**" not in text and contacts_notice(own.crisis_contacts) == ""


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ketatui", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def test_the_commands_use_the_settings_contacts_and_say_when_the_defaults_are_in_use(tmp_path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    env |= {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "share")}
    example = "examples/01-treatment-resistant-uncomplicated.json"
    shown = run("protocol", env=env).stdout
    assert "# Note: These crisis contacts are the built-in US defaults (988, 911, 741741)" in shown
    plan = run("plan", example, "--format", "markdown", env=env | {"KETATUI_CRISIS_CONTACTS": json.dumps(SAMARITANS),
                                                                 "KETATUI_CLINIC_NAME": "Riverside"}).stdout
    assert "- Samaritans: Call 116 123, any time" in plan and "**Note:**" not in plan
    assert "988" not in plan[plan.index("## Crisis contacts"):]
