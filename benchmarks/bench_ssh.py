"""Over SSH, as clinicians use it: first paint and keystroke-to-repaint through a real sshd on
127.0.0.1 and the real ``ssh`` client on an 80x24 PTY.

- **first paint**: from starting ``ssh -tt`` to the first output holding the home screen's title,
  for ``python -m ketatui`` and for a minimal Textual App run the same way over the same sshd,
  interleaved run by run. Budget: the ratio of the medians <= 1.3. The connection alone (ssh
  running ``printf``) is shown too, for what the link itself costs.
- **a keystroke** on the medications screen over ssh: from writing the key to the end of the
  first burst of output after it (``bench_ui.py`` explains the burst). Budget: p95 <= 16 ms, as
  on a local terminal.

Needs root (it starts its own sshd on a free port with a temporary host key, a key of its own,
``-D``, and stops it at the end; nothing else on the machine is changed) and Debian's
openssh-server. Run: ``python benchmarks/bench_ssh.py [--runs 20] [--samples 40] [--json]``;
exits 1 if a budget is missed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ui import (  # noqa: E402  (the local benchmark's terminal and figures, shared)
    KEY_BUDGET_MS,
    MINIMAL_APP,
    ROOT,
    START_BUDGET,
    START_MARKER,
    Line,
    Terminal,
    environment,
    seed_draft,
    table,
    taken,
    timed,
)

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
PASSED_ON = ("KETATUI_DATA_DIR", "KETATUI_KEY_FILE", "KETATUI_USER", "XDG_CONFIG_HOME")


@contextmanager
def sshd() -> object:
    """A throwaway sshd on 127.0.0.1 that lets this benchmark's key in as the current user."""
    base = Path(tempfile.mkdtemp(prefix="ketatui-bench-ssh-"))
    try:
        for name in ("host", "client"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / name)], check=True)
        (base / "authorized_keys").write_text((base / "client.pub").read_text())
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        (base / "sshd_config").write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {base / 'host'}\nPidFile none\nUsePAM no\nStrictModes no\n"
            f"PermitRootLogin prohibit-password\nPasswordAuthentication no\nAuthorizedKeysFile {base / 'authorized_keys'}\n")
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(base / "sshd_config")], stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("sshd did not start") from None
                    time.sleep(0.1)
            user = os.environ.get("USER") or "root"
            yield lambda remote: ["ssh", "-F", "/dev/null", "-tt", "-p", str(port), "-i", str(base / "client"),
                                  "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                                  "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", f"{user}@127.0.0.1", remote]
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def remote(argv: list[str], env: dict[str, str]) -> str:
    """The command line sshd runs: this checkout, the store's settings, then the program."""
    settings = " ".join(f"{name}={shlex.quote(env[name])}" for name in PASSED_ON if name in env)
    return f"cd {shlex.quote(str(ROOT))} && exec env TERM=xterm-256color {settings} {shlex.join(argv)}"


def first_paint(ssh, runs: int) -> tuple[list[float], list[float], list[float]]:
    connect, minimal, ketatui = [], [], []
    for _ in range(runs):
        for argv, marker, into in (
            (["printf", "connected"], b"connected", connect),
            ([sys.executable, "-c", MINIMAL_APP], b"minimal app ready", minimal),
            ([sys.executable, "-m", "ketatui"], START_MARKER, ketatui),
        ):
            with tempfile.TemporaryDirectory() as folder:
                env = environment(Path(folder))
                term = Terminal(ssh(remote(argv, env)), env)
                try:
                    into.append(term.wait_for(marker) * 1000)
                finally:
                    term.stop()
    return connect, minimal, ketatui


def keystrokes(ssh, samples: int) -> list[float | None]:
    """Typing medicine names on the medications screen of an opened draft, over ssh."""
    names = itertools.cycle([b"sertraline", b"Xanax", b"lamotrigine", b"zolpidem"])
    times: list[float | None] = []
    with tempfile.TemporaryDirectory() as folder:
        env = environment(Path(folder))
        seed_draft(env, "medications")
        term = Terminal(ssh(remote([sys.executable, "-m", "ketatui"], env)), env)
        try:
            term.wait_for(b"Jordan Ellis", timeout=60)
            term.quiet(0.5)
            os.write(term.fd, b"\r")
            term.wait_for(b"Current medications")
            term.quiet(0.5)
            while taken(times) < samples:
                for char in next(names):
                    times.append(term.key_to_frame(bytes([char])))
                    term.quiet()
                term.press(b"\x15")
        finally:
            term.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="logins of each program (default 20)")
    parser.add_argument("--samples", type=int, default=40, help="keystrokes timed (default 40)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if os.geteuid() != 0 or not Path(SSHD).exists():
        print("bench_ssh: needs root and Debian's openssh-server (apt-get install -y openssh-server)", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    with sshd() as ssh:
        connect, minimal, ketatui = first_paint(ssh, args.runs)
        keys = keystrokes(ssh, args.samples)
    load_after = os.getloadavg()
    ratio = statistics.median(ketatui) / statistics.median(minimal)
    lines = [
        timed("ssh connection alone (printf)", connect, None),
        timed("first paint over ssh: minimal App", minimal, None),
        timed("first paint over ssh: ketatui", ketatui, None),
        Line("first paint ratio over ssh", len(ketatui), ratio, ratio, ratio, "x", f"<= {START_BUDGET:g}x", ratio <= START_BUDGET),
        timed("keystroke to repaint over ssh", keys, KEY_BUDGET_MS),
    ]
    ok = all(line.passed is not False for line in lines)
    if args.json:
        print(json.dumps({"link": "ssh to 127.0.0.1, 80x24 PTY", "cpus": os.cpu_count(), "load_before": load_before,
                          "load_after": load_after, "within_budget": ok, "lines": [asdict(line) for line in lines]}, indent=2))
    else:
        print(f"ssh to 127.0.0.1, 80x24 PTY, {os.cpu_count()} CPUs, load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
        print(table(lines))
        print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
