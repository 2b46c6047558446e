"""Who is working (``ketatui.identity``): the names ``--as`` accepts, how an SSH session is
recognised from the process tree, and when ``--as`` is refused. The whole path through a real
sshd is in tests/system/test_ssh_delivery.py; here the process tree is a folder laid out like
/proc, so every way it can be wrong is tried."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketatui.identity import (
    IdentityRefused,
    check_name,
    forced_command_refusal,
    login_identity,
    os_login,
    started_by_sshd,
)

SSH = {"SSH_CONNECTION": "127.0.0.1 50000 127.0.0.1 22"}


def fake_proc(tmp_path: Path, chain: list[tuple[int, str, int, int]]) -> Path:
    """(pid, name, uid, parent pid) for each process, laid out as /proc/PID/stat and status."""
    proc = tmp_path / "proc"
    for pid, name, uid, ppid in chain:
        folder = proc / str(pid)
        folder.mkdir(parents=True)
        (folder / "stat").write_text(f"{pid} ({name}) S {ppid} {pid} {pid} 0 -1\n")
        (folder / "status").write_text(f"Name:\t{name}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n")
    return proc


@pytest.mark.parametrize("name", ["dr.lee", "dr.okafor", "a.ng@clinic", "Dr Lee", "nurse_2", "x-y"])
def test_names_a_key_line_may_carry(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", " ", "dr lee'", 'dr"lee', "$(id)", "a;b", "-rf", "two  spaces", "x" * 121, "tab\there"])
def test_names_that_are_refused(name: str) -> None:
    with pytest.raises(IdentityRefused, match="--as"):
        check_name(name)


@given(st.text(max_size=40))
def test_an_accepted_name_never_holds_quotes_or_shell_words(text: str) -> None:
    try:
        name = check_name(text)
    except IdentityRefused:
        return
    assert not set(name) & set("'\"`$;&|<>\\\t\n(){}*?!#~")


def test_sshd_as_root_two_steps_up_is_an_ssh_session(tmp_path: Path) -> None:
    # ketatui(300) <- sshd: user@pts/0 (200, runs as the user) <- sshd [priv] (100, root)
    proc = fake_proc(tmp_path, [(200, "sshd", 1000, 100), (100, "sshd", 0, 1)])
    assert started_by_sshd(SSH, pid=200, proc=proc)
    proc = fake_proc(tmp_path / "new", [(200, "sshd-session", 1000, 100), (100, "sshd-session", 0, 1)])
    assert started_by_sshd(SSH, pid=200, proc=proc)


def test_without_ssh_connection_or_a_root_sshd_it_is_not(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, [(200, "sshd", 1000, 100), (100, "sshd", 0, 1)])
    assert not started_by_sshd({}, pid=200, proc=proc), "no SSH_CONNECTION"
    fake = fake_proc(tmp_path / "fake", [(200, "sshd", 1000, 150), (150, "bash", 1000, 100), (100, "sshd", 1000, 1)])
    assert not started_by_sshd(SSH, pid=200, proc=fake), "a program named sshd run by the user is not sshd"
    far = fake_proc(tmp_path / "far", [(5, "sh", 1000, 4), (4, "sh", 1000, 3), (3, "sh", 1000, 2), (2, "sh", 1000, 1),
                                       (1, "sshd", 0, 0)])
    assert not started_by_sshd(SSH, pid=5, proc=far), "sshd must be among the nearest parents"


def test_as_is_refused_without_a_root_owned_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text('ssh_service_account = "someone"\n')
    if os.geteuid() == 0:
        os.chown(config, 1234, 1234)  # a file root does not own names no service account
    why = forced_command_refusal(config, SSH)
    assert why is not None and "no service account" in why
    with pytest.raises(IdentityRefused, match="only accepted from a forced command"):
        login_identity("dr.lee", config, {})


@pytest.mark.skipif(os.geteuid() != 0, reason="a root-owned settings file is made by root")
def test_as_is_refused_for_another_account_or_outside_ssh(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir(mode=0o755)
    config = folder / "settings.toml"
    config.write_text('ssh_service_account = "ketatui-ssh"\n')
    config.chmod(0o644)
    assert "not as the service account ketatui-ssh" in forced_command_refusal(config, SSH)
    config.write_text(f'ssh_service_account = "{os_login()}"\n')
    assert "not started by sshd" in forced_command_refusal(config, {})  # the service account, but not through sshd
    config.chmod(0o664)
    assert "no service account" in forced_command_refusal(config, SSH), "a file the group may write is not believed"


def test_outside_ssh_the_setting_decides_and_a_forced_command_refuses_the_clients_own(tmp_path: Path) -> None:
    assert login_identity(None, tmp_path / "none.toml", {}) is None
    assert login_identity(None, tmp_path / "none.toml", {"SSH_ORIGINAL_COMMAND": "sh"}) is None, "not under sshd: no forced command"


@pytest.mark.parametrize("given, environ", [(None, {}), (None, {"KETATUI_CONFIG": "~/clinic.toml"}),
                                            (Path("/etc/ketatui/settings.toml"), {"KETATUI_CONFIG": "/elsewhere.toml"})])
def test_the_settings_file_for_as_is_the_one_the_settings_read(given, environ) -> None:
    from ketatui.identity import settings_file
    from ketatui.settings import config_path
    from ketatui.settings_request import SettingsRequest

    assert settings_file(given, environ) == config_path(SettingsRequest(config_file=given, environ=environ))
