"""A throw-away PostgreSQL cluster for the test session: initdb and pg_ctl in a temporary folder."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / name).exists():
            return str(base / name)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """Start with ``start()``, stop with ``stop()``; ``url(db)`` gives a SQLAlchemy URL."""

    def __init__(self):
        self.initdb = _find_bin("initdb")
        self.pg_ctl = _find_bin("pg_ctl")
        if not self.initdb or not self.pg_ctl:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql")
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        # PostgreSQL refuses to run as root: run it as the postgres system user then.
        self.run_as = None
        if os.geteuid() == 0:
            self.run_as = pwd.getpwnam("postgres")
            os.chown(self.folder, self.run_as.pw_uid, self.run_as.pw_gid)

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.run_as else []
        subprocess.run(prefix + list(args), check=True, capture_output=True, text=True, cwd=self.folder)

    def start(self) -> None:
        """initdb and start the server on a free loopback port."""
        self._run(self.initdb, "-D", str(self.data), "-U", "tracker", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8" if Path("/usr/lib/locale/C.utf8").exists() else "--locale=C", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start: " + (self.folder / "log").read_text(errors="replace"))

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database of this cluster."""
        return f"postgresql://tracker@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
