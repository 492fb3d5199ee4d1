"""Shared fixtures: a real server process on 127.0.0.1 with a real database.

The database is a SQLite file, or for the modules marked `both_databases` a SQLite file and then
a PostgreSQL database (a throwaway server the tests start themselves, tests/pg.py): one
`backend` fixture, parametrised over the two, under `make_server`, `server` and `database_url`.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pg import Databases, PostgresServer
from support import ASYNC_MODES, DEFAULT_ASYNC_MODE, ServerProcess

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "both_databases: run the test (or the module: pytestmark) on SQLite and on "
        "PostgreSQL, through the `backend` fixture; unmarked tests use SQLite only")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def databases():
    made = Databases()
    yield made
    made.close()


@pytest.fixture(scope="session")
def postgres(databases) -> PostgresServer:
    """The session's throwaway PostgreSQL server (initdb in a temporary folder, a free port).
    Missing PostgreSQL or psycopg is a failure with the way to install them, never a skip."""
    return databases.postgres()


@pytest.fixture(scope="session")
def redis_server():
    """The session's throwaway Redis (tests/redis_server.py), for the multi-process tests."""
    from redis_server import RedisServer
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def backend(request) -> str:
    """"sqlite", or "postgresql" too where the test is marked `both_databases`. Unmarked tests
    run on $SIGNAGE_TEST_BACKEND (default sqlite): SIGNAGE_TEST_BACKEND=postgresql tries the
    rest of the suite (what goes through make_server, server, database_url) on PostgreSQL."""
    return getattr(request, "param", os.environ.get("SIGNAGE_TEST_BACKEND", "sqlite"))


@pytest.fixture
def new_database(databases, backend, tmp_path):
    """make(name) -> a fresh, empty database on `backend`: a SQLite file's path or a PostgreSQL
    URL, as `ServerProcess` and `signage --db` take it. Dropped after the test."""
    made: list[Path | str] = []

    def make(name: str = "hall") -> Path | str:
        made.append(databases.new(backend, tmp_path, f"{name}-{len(made)}"))
        return made[-1]

    yield make
    for db in made:
        databases.drop(db)


@pytest.fixture
def database_url(new_database) -> str:
    """A fresh, empty database's SQLAlchemy URL on `backend` (for signage.store.Database)."""
    db = new_database()
    return db if isinstance(db, str) else f"sqlite:///{db.resolve()}"


@pytest.fixture
def make_server(new_database, tmp_path):
    started: list[ServerProcess] = []

    def make(async_mode: str = DEFAULT_ASYNC_MODE, **kwargs) -> ServerProcess:
        db = new_database("hall")
        if isinstance(db, str):
            kwargs.setdefault("log_path", tmp_path / f"hall-{len(started)}.log")
        server = ServerProcess(db, async_mode, **kwargs)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()


@pytest.fixture(params=ASYNC_MODES)
def server(request, make_server) -> ServerProcess:
    """A fresh hall server, once per async mode."""
    return make_server(request.param)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium. The test command installs it; its absence is a failure, not a skip."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "chromium not found: run ./bin/test, which installs Debian's chromium package"
    return path
