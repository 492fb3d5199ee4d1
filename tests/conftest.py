"""Shared fixtures: a real server process on 127.0.0.1 with a real SQLite file."""
from __future__ import annotations

import os
import shutil

import pytest

from support import ASYNC_MODES, DEFAULT_ASYNC_MODE, ServerProcess

@pytest.fixture
def make_server(tmp_path):
    started: list[ServerProcess] = []

    def make(async_mode: str = DEFAULT_ASYNC_MODE, **kwargs) -> ServerProcess:
        server = ServerProcess(tmp_path / f"hall-{len(started)}.db", async_mode, **kwargs)
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
