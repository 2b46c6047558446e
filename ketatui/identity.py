"""Who is working: the name written on every save, signature and audit line, and shown in the
header.

A clinician reaches ketatui in one of three ways (``docs/deploy-ssh.md``), each naming them:

- at the clinic's own machine: the ``user`` setting, by default the OS login;
- over SSH with an OS account of their own: the OS login, whatever a settings file says;
- over SSH through the clinic's shared service account, where each clinician's key in the
  account's ``authorized_keys`` carries ``restrict,pty,command="ketatui --as NAME"``: NAME.

``--as`` is believed only where it can have come from nowhere but such a line, that is when all of
these hold (``forced_command_refusal`` says which one does not):

1. ketatui runs as the account named by ``ssh_service_account`` in a settings file that root owns
   and nobody else can write (a person cannot name their own account the service account);
2. the connection is an SSH one (``SSH_CONNECTION``), and a root-owned ``sshd`` is among the
   process's nearest ancestors (only sshd runs as root and starts a session; nobody without root
   can make one);
3. the client did not ask for a command of its own (``SSH_ORIGINAL_COMMAND`` unset).

Why that is enough: the service account has no password and no shell login; the only way to run
anything as it is through sshd, and its keys file is owned by root and every line in it has a
``command=`` (written by ``deploy/ssh/add-key``), so sshd itself runs ``ketatui --as NAME`` for the
key that logged in. A person can neither edit that line nor run ketatui as that account any other
way. A command asked for by the client (a shell, ``scp``, ``sftp``) is refused before anything.

May import: the standard library and platformdirs (never pydantic: this runs before the first paint).
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from collections.abc import Mapping
from pathlib import Path

#: What a name given with ``--as`` may look like: letters, digits, dot, dash, underscore and @,
#: words separated by single spaces; nothing a shell or an authorized_keys line would misread.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*( [A-Za-z0-9._@-]+)*$")
NAME_MAX = 120
#: The names an OpenSSH server process goes by (``sshd-session`` from OpenSSH 9.8 on).
SSHD_NAMES = frozenset({"sshd", "sshd-session"})
#: How far up to look for sshd: ketatui, then the login shell running the command, then sshd's
#: session process and its privileged monitor.
ANCESTORS = 4


class IdentityRefused(Exception):
    """A name that cannot be used, or ``--as`` where it cannot be believed; says why and what to do."""


def os_login() -> str:
    """The account this process runs as, from the OS itself (not ``$USER``, which anyone can set)."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid{os.getuid()}"


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX or not NAME.match(name):
        raise IdentityRefused(f"--as {name!r}: a name is letters, digits and . _ - @ (words separated by one space), "
                              f"at most {NAME_MAX} characters; fix the command= of this key")
    return name


def _process(pid: int, proc: Path) -> tuple[str, int, int] | None:
    """(name, real uid, parent pid) of a process, from /proc; None when it cannot be read."""
    try:
        stat_line = (proc / str(pid) / "stat").read_text()
        status = (proc / str(pid) / "status").read_text()
    except OSError:
        return None
    name = stat_line[stat_line.index("(") + 1:stat_line.rindex(")")]
    ppid = int(stat_line[stat_line.rindex(")") + 2:].split()[1])
    uid = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("Uid:")), -1)
    return name, uid, ppid


def started_by_sshd(environ: Mapping[str, str] | None = None, *, pid: int | None = None, proc: Path = Path("/proc")) -> bool:
    """Whether this process belongs to an SSH session: ``SSH_CONNECTION`` is set and a root-owned
    sshd is among its nearest ancestors."""
    environ = os.environ if environ is None else environ
    if not environ.get("SSH_CONNECTION"):
        return False
    current = os.getppid() if pid is None else pid
    for _ in range(ANCESTORS):
        seen = _process(current, proc)
        if seen is None:
            return False
        name, uid, parent = seen
        if name in SSHD_NAMES and uid == 0:
            return True
        if current <= 1:
            return False
        current = parent
    return False


def _owned_by_root_alone(path: Path) -> bool:
    """Root owns the file and its folder, and neither group nor others may write to them."""
    try:
        for item in (path, path.parent):
            mode = item.stat()
            if mode.st_uid != 0 or mode.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return False
    except OSError:
        return False
    return True


def settings_file(config_file: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """The settings file this run reads, found as ``ketatui.settings.config_path`` finds it (a test
    holds the two to the same answer) but without importing pydantic before the first paint."""
    environ = os.environ if environ is None else environ
    if config_file is not None:
        return Path(config_file).expanduser()
    if environ.get("KETATUI_CONFIG"):
        return Path(environ["KETATUI_CONFIG"]).expanduser()
    import platformdirs

    return platformdirs.user_config_path("ketatui") / "settings.toml"


def service_account(config_file: Path) -> str | None:
    """``ssh_service_account`` from the settings file, if root alone can have written it (a file
    that cannot be read or parsed names none; the settings say what is wrong with it later)."""
    import tomllib

    if not _owned_by_root_alone(config_file):
        return None
    try:
        value = tomllib.loads(config_file.read_text(encoding="utf-8")).get("ssh_service_account")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, str) and value else None


def forced_command_refusal(config_file: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """Why ``--as`` cannot be believed here, or None when it came from a forced command."""
    environ = os.environ if environ is None else environ
    account = service_account(config_file)
    if account is None:
        return (f"no service account is named by ssh_service_account in a settings file only root can write "
                f"(read: {config_file})")
    if os_login() != account:
        return f"ketatui runs as {os_login()}, not as the service account {account}"
    if not started_by_sshd(environ):
        return "it was not started by sshd for an SSH login"
    if environ.get("SSH_ORIGINAL_COMMAND"):
        return "the SSH client asked for a command of its own"
    return None


def refused_command(environ: Mapping[str, str] | None = None) -> str | None:
    """The command an SSH client asked for when sshd ran ketatui in its place (a forced command):
    a shell, ``scp`` or ``sftp`` get nothing but this refusal."""
    environ = os.environ if environ is None else environ
    return environ.get("SSH_ORIGINAL_COMMAND") or None


def login_identity(as_name: str | None, config_file: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """The name this run works under when the login decides it, or None to keep the ``user``
    setting (not an SSH login, no ``--as``). Raises ``IdentityRefused`` when a client's own
    command reached a forced ketatui, or ``--as`` cannot be believed."""
    environ = os.environ if environ is None else environ
    over_ssh = started_by_sshd(environ)
    asked = refused_command(environ) if over_ssh else None
    if asked is not None:
        raise IdentityRefused(f"this login opens ketatui and nothing else; the command {asked!r} was not run. "
                              "Connect with plain `ssh -t` to open ketatui")
    if as_name is not None:
        name = check_name(as_name)
        why = forced_command_refusal(config_file, environ)
        if why is not None:
            raise IdentityRefused(f"--as is only accepted from a forced command of the clinic's SSH service account, "
                                  f"and here {why}. Nothing was opened. See docs/deploy-ssh.md")
        return name
    return os_login() if over_ssh else None
