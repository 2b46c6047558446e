"""A throwaway PostgreSQL server for the tests: one per test session, on a unix socket in a
temporary folder, started from the machine's own PostgreSQL binaries.

The binaries are found with ``pg_config --bindir``, else in ``/usr/lib/postgresql/*/bin`` (the
Debian layout), else on the PATH. PostgreSQL refuses to run as root, so under root (CI) the
server runs as the ``postgres`` system user the Debian package creates. Nothing here skips: a
machine without PostgreSQL fails the tests with a message saying what to install (``.ci/run``
installs it).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

USER = "ketatui"


def bindir() -> Path:
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if out:
            candidates.append(Path(out))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise RuntimeError("PostgreSQL's server binaries (initdb, pg_ctl) were not found: install the 'postgresql' "
                       "package (apt-get install -y postgresql), as .ci/run does.")


@dataclass
class Server:
    bindir: Path
    root: Path
    port: int
    run_as: str | None
    durable: bool = False  # fsync on: for benchmarks; the tests do not crash the machine

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{USER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        options = f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def new_database(self) -> str:
        """The URL of a new empty database."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def dump(self, url: str) -> str:
        """``pg_dump`` of a database as SQL text."""
        result = subprocess.run([str(self.bindir / "pg_dump"), "--dbname", url],
                                capture_output=True, text=True, check=True, timeout=120)
        return result.stdout


def start_server(*, durable: bool = False, parent: Path | None = None) -> Server:
    folder = bindir()
    run_as = None
    root = Path(tempfile.mkdtemp(prefix="ketatui-pg-", dir=parent))
    if os.geteuid() == 0:
        run_as = "postgres"
        try:
            entry = pwd.getpwnam(run_as)
        except KeyError:
            raise RuntimeError("PostgreSQL will not run as root and there is no 'postgres' user: install the 'postgresql' package.") from None
        os.chown(root, entry.pw_uid, entry.pw_gid)
    server = Server(folder, root, 5432 + os.getpid() % 1000, run_as, durable)
    for sub in (server.socket_dir,):
        sub.mkdir()
        if run_as:
            os.chown(sub, entry.pw_uid, entry.pw_gid)
    server._run("initdb", "-D", str(server.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C")
    server.start()
    return server


def stop_server(server: Server) -> None:
    server.stop("immediate")
    shutil.rmtree(server.root, ignore_errors=True)
