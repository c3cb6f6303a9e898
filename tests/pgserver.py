"""A throw-away PostgreSQL server for the tests and the benchmarks.

The server runs from the PostgreSQL binaries found on the machine (``initdb``,
``pg_ctl``), in a fresh directory under ``/tmp``, trusting local connections,
on a free TCP port of 127.0.0.1 and with its Unix socket inside that
directory. ``initdb`` refuses to run as root, so as root every command runs as
the ``postgres`` user (``runuser -u postgres``) in a directory it owns.

Where the binaries are: ``$RELEASEKIT_PG_BIN`` if set, else the newest
``/usr/lib/postgresql/*/bin`` (Debian, Ubuntu), else ``pg_config --bindir``,
else the ``PATH``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["External", "PgServer", "find_bindir", "running", "schema_dsn"]

#: Set to a directory holding initdb and pg_ctl to use those binaries.
BIN_ENV = "RELEASEKIT_PG_BIN"


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name))


def find_bindir() -> Path | None:
    """Return the directory holding ``initdb`` and ``pg_ctl``, or ``None`` if there is none."""
    override = os.environ.get(BIN_ENV)
    if override:
        return Path(override) if (Path(override) / "initdb").exists() else None
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version)
    if found:
        return found[-1].parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(  # noqa: S603  # a fixed command found on PATH
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").exists():
            return bindir
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def schema_dsn(dsn: str, schema: str | None = None) -> str:
    """Create a fresh schema on the server of *dsn*; return a DSN whose ``search_path`` is it.

    Every test gets a schema of its own, so tests share one server without
    seeing each other's tables.
    """
    import psycopg  # noqa: PLC0415  # only needed when a server runs

    name = schema or f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
    return psycopg.conninfo.make_conninfo(dsn, options=f"-c search_path={name}")


def url(dsn: str) -> str:
    """Return the libpq keyword DSN of a test schema as the postgresql:// URL the command takes."""
    from urllib.parse import quote  # noqa: PLC0415  # only for command-line tests

    import psycopg  # noqa: PLC0415  # only needed when a server runs

    part = psycopg.conninfo.conninfo_to_dict(dsn)
    password = f":{quote(str(part['password']))}" if part.get("password") else ""
    query = f"?options={quote(str(part['options']))}" if part.get("options") else ""
    return (
        f"postgresql://{quote(str(part.get('user', '')))}{password}@{part.get('host', '')}:"
        f"{part.get('port', 5432)}/{part.get('dbname', '')}{query}"
    )


@attrs.frozen
class External:
    """A server someone else runs, given by a DSN (``$RELEASEKIT_TEST_POSTGRES_DSN``)."""

    dsn: str

    def schema_dsn(self, schema: str | None = None) -> str:
        """Create a fresh schema and return a connection string whose ``search_path`` is it."""
        return schema_dsn(self.dsn, schema)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@attrs.define
class PgServer:
    """A running throw-away server; :meth:`stop` removes every trace of it.

    Attributes:
        bindir: Where the binaries are.
        root: The directory holding the data, the socket and the log.
        port: The TCP port on 127.0.0.1.
        durable: Whether commits are flushed to disk (``fsync``); the tests turn
            it off for speed, the benchmarks keep it on.
    """

    bindir: Path
    root: Path
    port: int
    durable: bool

    @classmethod
    def start(cls, bindir: Path, *, durable: bool = False) -> PgServer:
        """Create a cluster in a new directory under /tmp and start it.

        Raises:
            RuntimeError: The server could not be created or started; the
                message holds its log.
        """
        root = Path(tempfile.mkdtemp(prefix="releasekit-pg-", dir="/tmp"))
        server = cls(bindir=bindir, root=root, port=0, durable=durable)
        try:
            (root / "socket").mkdir()
            if os.geteuid() == 0:
                account = pwd.getpwnam("postgres")
                for path in (root, root / "socket"):
                    os.chown(path, account.pw_uid, account.pw_gid)
            server._run(
                "initdb",
                "--pgdata",
                str(root / "data"),
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            for _ in range(5):  # another process may take the free port first
                server.port = _free_port()
                if server._start():
                    return server
        except BaseException:
            server.stop()
            raise
        log = (root / "server.log").read_text(errors="replace")
        server.stop()
        msg = f"PostgreSQL did not start; its log says:\n{log}"
        raise RuntimeError(msg)

    @property
    def dsn(self) -> str:
        """A connection string for the ``postgres`` database as the ``postgres`` user."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def schema_dsn(self, schema: str | None = None) -> str:
        """Create a fresh schema and return a connection string whose ``search_path`` is it."""
        return schema_dsn(self.dsn, schema)

    def stop(self) -> None:
        """Stop the server (if it runs) and remove its directory."""
        if (self.root / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run("pg_ctl", "stop", "--pgdata", str(self.root / "data"), "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _start(self) -> bool:
        settings = [
            f"-p {self.port}",
            f"-k {self.root / 'socket'}",
            "-c listen_addresses=127.0.0.1",
            "-c max_connections=50",
            "-c shared_buffers=16MB",
        ]
        if not self.durable:
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        try:
            self._run(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.root / "data"),
                "--log",
                str(self.root / "server.log"),
                "--wait",
                "--timeout=60",
                "-o",
                " ".join(settings),
            )
        except subprocess.CalledProcessError:
            return False
        return True

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(  # noqa: S603  # our own fixed commands
            command, capture_output=True, text=True, check=False, cwd=self.root
        )
        if result.returncode != 0:
            raise subprocess.CalledProcessError(
                result.returncode, command, output=result.stdout, stderr=result.stderr
            )


@contextlib.contextmanager
def running(*, durable: bool = False) -> Iterator[PgServer]:
    """Start a server for the duration of a ``with`` block.

    Raises:
        FileNotFoundError: No PostgreSQL binaries were found.
    """
    bindir = find_bindir()
    if bindir is None:
        msg = (
            "no PostgreSQL server binaries (initdb, pg_ctl) found; install PostgreSQL "
            f"(apt-get install postgresql) or set {BIN_ENV}"
        )
        raise FileNotFoundError(msg)
    server = PgServer.start(bindir, durable=durable)
    try:
        yield server
    finally:
        server.stop()
