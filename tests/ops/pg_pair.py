"""A throw-away PostgreSQL primary and its streaming replica (pg_basebackup), each its own cluster under a temporary
directory on its own port, for the replica test. Never touches the shared cluster: its settings stay as they are.

initdb and postgres refuse to run as root: as root the clusters run as the `postgres` system user.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def pg_bin() -> Path:
    """The server binaries of the PostgreSQL whose client tools are on PATH (same major version as pg_dump)."""
    version = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    major = version.split()[-1].split(".")[0]
    path = Path(f"/usr/lib/postgresql/{major}/bin")
    return path if (path / "initdb").exists() else Path(shutil.which("initdb") or "initdb").parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrimaryReplica:
    """`with PrimaryReplica() as pair:` — pair.url("primary", db), pair.url("replica", db)."""

    def __init__(self, primary_port: int | None = None, replica_port: int | None = None):
        # Free ports unless told: another run on the same machine may hold 5434/5435.
        self.ports = {"primary": primary_port or _free_port(), "replica": replica_port or _free_port()}
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="minzheng-pgpair-"))
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else list(args)
        subprocess.run(command, check=True, capture_output=True, text=True, cwd=self.root)

    def data(self, which: str) -> Path:
        return self.root / which

    def url(self, which: str, db: str = "postgres") -> str:
        return f"postgres://root@127.0.0.1:{self.ports[which]}/{db}"

    def _start(self, which: str) -> None:
        options = (f"-p {self.ports[which]} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                   "-c fsync=off -c full_page_writes=off -c shared_buffers=32MB -c max_connections=30")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data(which)), "-l", str(self.root / f"{which}.log"),
                  "-o", options, "-w", "-t", "60", "start")

    def __enter__(self) -> "PrimaryReplica":
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        try:
            # trust on 127.0.0.1, replication included (initdb's default pg_hba for -A trust); wal_level replica
            # is PostgreSQL's default.
            self._run(str(self.bin / "initdb"), "-D", str(self.data("primary")), "-U", "root", "-A", "trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
            self._start("primary")
            # -R writes standby.signal and primary_conninfo: the copy starts as a hot standby streaming from the
            # primary; -X stream copies the WAL written during the backup.
            self._run(str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.ports["primary"]),
                      "-U", "root", "-D", str(self.data("replica")), "-R", "-X", "stream", "-c", "fast")
            self._start("replica")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_replayed(self, timeout: float = 30) -> None:
        wait_replayed(self.url("primary"), self.url("replica"), timeout)

    def __exit__(self, *exc) -> None:
        for which in ("replica", "primary"):
            if (self.data(which) / "postmaster.pid").exists():
                subprocess.run((["runuser", "-u", "postgres", "--"] if self.as_postgres else []) + [
                    str(self.bin / "pg_ctl"), "-D", str(self.data(which)), "-m", "immediate", "-w", "stop"],
                    capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def wait_replayed(primary_url: str, replica_url: str, timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far (compared by WAL position)."""
    import psycopg

    with psycopg.connect(primary_url, autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(replica_url, autocommit=True) as replica:
        while time.monotonic() < deadline:
            if replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                return
            time.sleep(0.05)
    raise TimeoutError("只读副本在时限内未追上主库")
