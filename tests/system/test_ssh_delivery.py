"""Clinicians over a real OpenSSH: docs/deploy-ssh.md followed literally, then logins through the
real ``ssh`` client on a pseudo-terminal.

One sshd (Debian's openssh-server) per test session, on 127.0.0.1 at a free port, not a daemon
(``-D``), with a temporary host key and a main configuration that includes the drop-in the doc
installs. Accounts and groups are made by the doc's own steps under unique names and removed
afterwards. Needs root (to add accounts and run sshd), as CI has.

Run: ``.venv/bin/pytest -q tests/system/test_ssh_delivery.py``
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from terminal import CTRL_N, CTRL_Q, ENTER, F2, F3, TAB, Terminal

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deploy-ssh.md"
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"

pytestmark = [
    pytest.mark.system,
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0,
                       reason="adds OS accounts and runs sshd: needs root on Linux (CI runs as root)"),
]


def doc_blocks() -> dict[str, list[str]]:
    """The ``sh`` blocks of the deployment doc by section: every one is run below."""
    sections: dict[str, list[str]] = {}
    section = ""
    for match in re.finditer(r"^## ([^\n]+)$|^```sh\n(.*?)^```$", DOC.read_text(), re.M | re.S):
        if match.group(1):
            section = match.group(1).strip()
        else:
            sections.setdefault(section, []).append(match.group(2))
    return sections


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base: Path
    port: int
    env: dict[str, str]
    service: str
    login: str  # pattern 1: a clinician's own OS account
    keys: dict[str, Path] = field(default_factory=dict)  # clinician -> private key
    log: Path | None = None

    @property
    def store(self) -> Path:
        return Path(self.env["KETATUI_DATA"]) / "store"

    @property
    def key_file(self) -> Path:
        return Path(self.env["KETATUI_ETC"]) / "store.key"

    def ssh(self, user: str, clinician: str, *extra: str, tty: bool = True) -> list[str]:
        return ["ssh", "-F", "/dev/null", "-p", str(self.port), "-i", str(self.keys[clinician]),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
                *(["-tt"] if tty else ["-T"]), *extra, f"{user}@127.0.0.1"]

    def scp(self, user: str, clinician: str, source: Path, target: str, *extra: str) -> list[str]:
        return ["scp", "-F", "/dev/null", "-P", str(self.port), "-i", str(self.keys[clinician]), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
                *extra, str(source), f"{user}@127.0.0.1:{target}"]


def run_doc(blocks: list[str], env: dict[str, str]) -> None:
    script = "set -eu\n" + "\n".join(blocks)
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"a step of docs/deploy-ssh.md failed:\n{done.stdout}\n{done.stderr}"


def keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)], check=True)


def processes_of(user: str) -> list[int]:
    uid = pwd.getpwnam(user).pw_uid
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    if not Path(SSHD).exists():
        pytest.fail("sshd is not installed: `apt-get install -y openssh-server` (.ci/run does it)")
    # Not under /tmp: sshd refuses keys files below a folder that everyone may write to.
    base = Path(tempfile.mkdtemp(prefix="ketatui-ssh-test-", dir="/var/lib"))
    base.chmod(0o755)
    tag = secrets.token_hex(3)
    env = dict(os.environ)
    for name in [n for n in env if n.startswith("KETATUI_")]:
        env.pop(name)
    sites = {
        "KETATUI_VENV": base / "venv", "KETATUI_BIN": base / "bin" / "ketatui", "KETATUI_ETC": base / "etc",
        "KETATUI_DATA": base / "data", "KEYS_DIR": base / "keys", "SSHD_CONFIG": base / "sshd_config",
        "SSHD_CONFIG_D": base / "sshd_config.d", "SERVICE_HOME": base / "service-home",
    }
    env.update({k: str(v) for k, v in sites.items()})
    env.update(KETATUI_GROUP=f"ktg{tag}", CLINICIANS_GROUP=f"ktc{tag}", SERVICE_ACCOUNT=f"kts{tag}",
               DEBIAN_FRONTEND="noninteractive")
    srv = Server(base, free_port(), env, service=f"kts{tag}", login=f"ktl{tag}")
    clients = base / "client"
    clients.mkdir(mode=0o700)
    for clinician in ("dr.okafor", "dr.ng", srv.login):
        keygen(clients / clinician)
        srv.keys[clinician] = clients / clinician
    keygen(base / "host_key")
    port = srv.port
    (base / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {base / 'host_key'}\nPidFile none\nUsePAM no\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "AuthorizedKeysFile none\nSubsystem sftp internal-sftp\nLogLevel VERBOSE\n"
        f"Include {base / 'sshd_config.d'}/*.conf\n")
    started: subprocess.Popen | None = None
    try:
        blocks = doc_blocks()
        assert set(blocks) == {"Setting up a server", "Adding a clinician"}, "every sh block of the doc is run below"
        site, *setup = blocks["Setting up a server"]
        pattern_1, pattern_2 = blocks["Adding a clinician"]
        run_doc([site, *setup], env)
        run_doc([site, pattern_1], {**env, "CLINICIAN_LOGIN": srv.login, "CLINICIAN_KEY": f"{srv.keys[srv.login]}.pub"})
        for name in ("dr.okafor", "dr.ng"):
            run_doc([site, pattern_2], {**env, "CLINICIAN_NAME": name, "CLINICIAN_KEY": f"{srv.keys[name]}.pub"})
        srv.log = base / "sshd.log"
        started = subprocess.Popen([SSHD, "-D", "-e", "-f", str(base / "sshd_config")],
                                   stdout=subprocess.DEVNULL, stderr=srv.log.open("w"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert started.poll() is None, f"sshd stopped: {srv.log.read_text()}"
                time.sleep(0.1)
        yield srv
    finally:
        if started is not None:
            started.terminate()
            try:
                started.wait(10)
            except subprocess.TimeoutExpired:
                started.kill()
        for user in (srv.service, srv.login):
            try:
                for pid in processes_of(user):  # sessions left by a failed test: these accounts are the test's own
                    os.kill(pid, signal.SIGKILL)
            except KeyError:
                continue
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        for group in (env["CLINICIANS_GROUP"], env["KETATUI_GROUP"]):
            subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def login(server: Server, user: str, clinician: str) -> Terminal:
    term = Terminal(["timeout", "-s", "KILL", "300", *server.ssh(user, clinician)],
                    {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"})
    try:
        term.wait_for(lambda screen: "Clinician: " in screen and ("Ctrl+N starts a new intake" in screen
                                                                   or re.search(r"\d+–\d+ of \d+", screen)), timeout=60)
    except AssertionError:
        term.close()
        raise AssertionError(f"no records list over ssh; the screen shows:\n{term.text()}\n"
                             f"sshd says:\n{server.log.read_text()[-3000:]}") from None
    return term


def repository(server: Server):
    from ketatui.storage import open_repository

    return open_repository(server.store, key_file=server.key_file)


def stored_values(server: Server, record_id: str) -> dict:
    return repository(server).get(record_id, user="test")["form_state"]["medical_history"]["values"]


def wait_for_value(server: Server, name: str, key: str, value: str, timeout: float = 20.0) -> str:
    """The record of ``name`` once ``key`` holds ``value`` in the store; its id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for row in repository(server).drafts():
            if row.full_name == name and stored_values(server, row.record_id).get(key) == value:
                return row.record_id
        time.sleep(0.2)
    raise AssertionError(f"the store never had {key} = {value!r} for {name}")


def audit_users(server: Server, record_id: str) -> set[str]:
    lines = [json.loads(line) for line in (server.store / "audit.log").read_text().splitlines() if line.strip()]
    return {line.get("user") for line in lines if line.get("record_id") == record_id}


MH = "medical_history"


def test_service_account_key_works_as_its_name_and_a_killed_link_resumes_on_the_same_page(server: Server) -> None:
    term = login(server, server.service, "dr.okafor")
    try:
        screen = term.text()
        assert "Clinician: dr.okafor" in screen
        term.write(CTRL_N)
        term.wait_for("About the person")
        term.write("Ada Okafor" + TAB + "1979-05-02" + TAB + "1" + TAB + "168" + TAB + "61" + F3)
        term.wait_for("page 2 of 10")
        term.write("1" + TAB + "9")
        screen = term.wait_for("Length of current episode (months)  ▌9 ")
        assert "dr.okafor" in screen.splitlines()[0], "the name is on the step's top line"
        time.sleep(0.5)
        term.kill()  # the client dies mid-intake: sshd hangs up ketatui, which saves what is on screen
        term.close()
    finally:
        term.close()
    record_id = wait_for_value(server, "Ada Okafor", f"{MH}.psychiatric.episode_months", "9")

    again = login(server, server.service, "dr.okafor")
    try:
        again.wait_for("Ada Okafor")
        again.write(ENTER)
        screen = again.wait_for(lambda shown: "page 2 of 10" in shown and "▌9 " in shown)
        assert "Depression and mental health history" in screen
        assert "●1 major depressive disorder" in screen
        assert "Length of current episode (months)  ▌9 " in screen
        again.write(F2)
        screen = again.wait_for("About the person")
        for shown in ("▌Ada Okafor ", "▌1979-05-02 ", "●1 female", "▌168 ", "▌61 "):
            assert shown in screen
        again.write(CTRL_Q)
        assert again.exit_status(20) == 0
    finally:
        again.close()
    stored = repository(server).get(record_id, user="test")
    assert stored["created_by"] == "dr.okafor" and stored["updated_by"] == "dr.okafor"
    assert audit_users(server, record_id) == {"dr.okafor", "test"}  # "test": this test's own reads


def test_sshd_ran_the_forced_commands(server: Server) -> None:
    """What sshd itself says it ran for each login: the key's command= with the name, and the
    Match block's ForceCommand for an account of one's own."""
    for user, key in ((server.service, "dr.okafor"), (server.login, server.login)):
        term = login(server, user, key)
        try:
            term.write(CTRL_Q)
            assert term.exit_status(20) == 0
        finally:
            term.close()
    log = server.log.read_text()
    ketatui = server.env["KETATUI_BIN"]
    assert f"Starting session: forced-command (key-option) '{ketatui} --as 'dr.okafor''" in log
    assert f"Starting session: forced-command (config) '{ketatui}'" in log


def test_two_keys_on_one_account_are_two_people(server: Server) -> None:
    term = login(server, server.service, "dr.ng")
    try:
        assert "Clinician: dr.ng" in term.text()
        term.write(CTRL_Q)
        assert term.exit_status(20) == 0
    finally:
        term.close()


def test_an_account_of_their_own_works_as_the_login(server: Server) -> None:
    term = login(server, server.login, server.login)
    try:
        assert f"Clinician: {server.login}" in term.text()
        term.write(CTRL_N)
        term.wait_for("About the person")
        term.write("Lin Login" + TAB)
        record_id = wait_for_value(server, "Lin Login", f"{MH}.demographics.full_name", "Lin Login")
        term.write(CTRL_Q)
        assert term.exit_status(20) == 0
    finally:
        term.close()
    stored = repository(server).get(record_id, user="test")
    assert stored["created_by"] == server.login


def refused(command: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert done.returncode != 0, f"{command} was not refused: {done.stdout} {done.stderr}"
    return done


@pytest.mark.parametrize("who", ["service account", "own account"])
def test_a_shell_or_a_command_is_refused(server: Server, who: str) -> None:
    user, key = (server.service, "dr.okafor") if who == "service account" else (server.login, server.login)
    for command in (["sh", "-c", "echo SHELL-RAN"], ["ketatui", "--as", "someone-else"]):
        done = refused([*server.ssh(user, key, tty=False), *command])
        assert "SHELL-RAN" not in done.stdout
        assert "opens ketatui and nothing else" in done.stderr
    done = refused(server.ssh(user, key, tty=False))  # a login without a terminal
    assert "needs a terminal" in done.stderr


def test_port_forwarding_of_any_kind_is_refused(server: Server) -> None:
    done = refused([*server.ssh(server.service, "dr.okafor", "-W", f"127.0.0.1:{server.port}", tty=False)])
    assert "forwarding failed" in done.stderr or "administratively prohibited" in done.stderr
    done = refused([*server.ssh(server.login, server.login, "-N", "-o", "ExitOnForwardFailure=yes",
                                "-R", "0:127.0.0.1:22", tty=False)])
    assert "forwarding failed" in done.stderr
    done = refused([*server.ssh(server.service, "dr.okafor", "-N", "-o", "ExitOnForwardFailure=yes",
                                "-R", "0:127.0.0.1:22", tty=False)])
    assert "forwarding failed" in done.stderr


@pytest.mark.parametrize("protocol", [[], ["-O"]], ids=["sftp", "scp"])
def test_scp_is_refused(server: Server, protocol: list[str]) -> None:
    source = server.base / "client" / "note.txt"
    source.write_text("not for the server\n")
    target = server.base / "copied.txt"
    for user, key in ((server.service, "dr.okafor"), (server.login, server.login)):
        refused(server.scp(user, key, source, str(target), *protocol))
        assert not target.exists()


def test_as_is_refused_anywhere_but_a_forced_command(server: Server) -> None:
    ketatui = server.env["KETATUI_BIN"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
    as_root = subprocess.run([ketatui, "--as", "dr.okafor", "records", "list"], capture_output=True, text=True, env=env)
    assert as_root.returncode == 2
    assert f"ketatui runs as root, not as the service account {server.service}" in as_root.stderr
    as_service = subprocess.run(["runuser", "-u", server.service, "--", ketatui, "--as", "dr.okafor", "records", "list"],
                                capture_output=True, text=True, env={**env, "SSH_CONNECTION": "127.0.0.1 1 127.0.0.1 22"})
    assert as_service.returncode == 2
    assert "not started by sshd" in as_service.stderr
