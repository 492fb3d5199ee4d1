"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, a free port, gone after.

Debian's `postgresql` package (installed by ./bin/test) keeps initdb and pg_ctl in
/usr/lib/postgresql/<version>/bin, off PATH; the newest version found there is used. PostgreSQL
refuses to run as root, so under root the server runs as the `postgres` user (runuser) in a
folder it owns, with its unix socket inside that folder: nothing of the machine's own clusters
is touched, and no Docker. The tests reach it on 127.0.0.1 as the superuser `postgres` (trust
authentication, the address is the machine's own).

Each test gets a fresh database (CREATE DATABASE, a few tens of milliseconds) and drops it after.
The server runs without fsync: the tests kill the hall's server process, never PostgreSQL, so
what PostgreSQL acknowledged stays in its memory and files either way.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from support import free_port

MISSING = ("PostgreSQL not found ({what}): run ./bin/test, which installs Debian's postgresql "
           "package and the psycopg driver (pip install -e '.[test]'); the tests need a real "
           "PostgreSQL server and never skip it")


def postgres_bin() -> Path:
    """The folder with initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/*/bin."""
    if os.environ.get("PG_BIN"):
        if not (Path(os.environ["PG_BIN"]) / "initdb").is_file():
            raise AssertionError(MISSING.format(what=f"no initdb in PG_BIN={os.environ['PG_BIN']}"))
        return Path(os.environ["PG_BIN"])
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    on_path = shutil.which("initdb")
    if not found and on_path:
        return Path(on_path).parent
    if not found:
        raise AssertionError(MISSING.format(what="no /usr/lib/postgresql/*/bin/initdb"))
    newest = max(found, key=lambda p: [int(n) for n in re.findall(r"\d+", Path(p).parts[-3])])
    return Path(newest).parent


class PostgresServer:
    """One PostgreSQL server: start(), new_database(), drop_database(), stop()."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = 0
        self.dir: Path | None = None
        self._names = itertools.count(1)
        self._admin = None

    @property
    def data(self) -> Path:
        return self.dir / "data"

    def _as_owner(self) -> list[str]:
        """PostgreSQL will not run as root: run its programs as `postgres` when we are root."""
        if os.geteuid() != 0:
            return []
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise AssertionError(MISSING.format(what="no 'postgres' user to run it as")) from exc
        return ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run([*self._as_owner(), *args], capture_output=True, text=True,
                                timeout=timeout, cwd=self.dir)
        if result.returncode != 0:
            log = self.dir / "server.log"
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}\n"
                               f"{log.read_text()[-2000:] if log.exists() else ''}")

    def start(self) -> "PostgresServer":
        try:
            import psycopg  # noqa: F401  (the driver the hall uses on PostgreSQL)
        except ImportError as exc:
            raise AssertionError(MISSING.format(what="no psycopg module")) from exc
        # Not under pytest's own temporary folder: that one is 0700 root, closed to `postgres`.
        self.dir = Path(tempfile.mkdtemp(prefix="signage-pg-"))
        if self._as_owner():
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                       "max_connections = 300\nshared_buffers = 32MB\n")
        for attempt in range(3):  # the free port may be taken between asking and listening
            self.port = free_port()
            try:
                self._run(str(self.bin / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data),
                          "-l", str(self.dir / "server.log"), "-o", f"-p {self.port}")
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        self._admin = self._connect("postgres")
        return self

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _connect(self, database: str):
        import psycopg
        deadline = time.monotonic() + 30
        while True:
            try:
                return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                                       dbname=database, autocommit=True, connect_timeout=5)
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def new_database(self, label: str = "hall") -> str:
        """A new empty database; returns its SQLAlchemy URL (postgresql+psycopg://...)."""
        name = f"{re.sub(r'[^a-z0-9_]', '_', label.lower())[:40]}_{next(self._names)}"
        self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self.dir is None:
            return
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*self._as_owner(), str(self.bin / "pg_ctl"), "stop", "-m", "immediate",
                            "-w", "-D", str(self.data)], capture_output=True, timeout=60, cwd=self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


class Databases:
    """Fresh hall databases on either backend, for the fixtures in conftest.py.

    `new("sqlite", folder, name)` is a file path in `folder` (SQLite makes it on first use);
    `new("postgresql", ...)` a new database on the session's PostgreSQL server, started on the
    first such call. `drop` forgets a PostgreSQL database again (a file goes with its folder)."""

    def __init__(self):
        self._postgres: PostgresServer | None = None
        self._failed: BaseException | None = None

    def postgres(self) -> PostgresServer:
        if self._failed is not None:  # tried once this session: every test fails the same way
            raise self._failed
        if self._postgres is None:
            server = PostgresServer()
            try:
                self._postgres = server.start()
            except BaseException as exc:
                server.stop()
                self._failed = exc
                raise
        return self._postgres

    def new(self, backend: str, folder: Path, name: str = "hall") -> Path | str:
        if backend == "sqlite":
            return folder / f"{name}.db"
        assert backend == "postgresql", backend
        return self.postgres().new_database(name)

    def drop(self, db: Path | str) -> None:
        if "://" in str(db) and self._postgres is not None:
            self._postgres.drop_database(str(db))

    def close(self) -> None:
        if self._postgres is not None:
            self._postgres.stop()
            self._postgres = None
