"""Storage health: /healthz, a read-only database refused at start, a full disk said plainly.

The read-only and full-disk cases use the real thing, not a mock:
- read-only file: tests run as root, and root ignores permission bits, so the server runs as
  `nobody` (setpriv) on a root-owned 0444 database in a directory nobody may write;
- read-only filesystem: a read-only bind mount, made in a private mount namespace (unshare -m),
  so nothing outside the server process sees it;
- full disk: the database on a small tmpfs, then filled with a file until ENOSPC.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from flask import Flask, jsonify
from sqlalchemy import exc as sa_exc

from signage.store.health import LOW_DISK_BYTES, LOW_DISK_FRACTION
from signage.web import storage_errors
from support import ALWAYS_OPEN_HALL, ROOT, ServerProcess, free_port

FULL_MESSAGE = "Penyimpanan server penuh. Hubungi teknisi."
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
START_MESSAGE = re.compile(r"^error: database .+ is read-only / cannot be written: .+$")


# ---- helpers ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def tmpfs(directory: Path, size: str):
    """A real small filesystem. Tests run as root (./bin/test), which may mount; if this sandbox
    did not allow it the test fails here, saying so, rather than pretending."""
    directory.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(directory)],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"cannot mount a tmpfs for the full-disk test: {done.stderr}"
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def fill(directory: Path) -> Path:
    """Write zeros until the filesystem says ENOSPC; returns the filler file."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as f:
        chunk = b"\0" * 65536
        try:
            while True:
                f.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
        try:  # the last partial block
            while True:
                f.write(b"\0" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


def start_refused(command: list[str], timeout: float = 40) -> subprocess.CompletedProcess:
    """Run `signage run`; it must exit by itself. Still running means it started anyway."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the server started on a database it cannot write:\n{out[-2000:]}\n{err[-2000:]}")
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def run_args(db: Path) -> list[str]:
    return [sys.executable, "-m", "signage", "run", "--host", "127.0.0.1", "--port", str(free_port()),
            "--db", str(db), "--hall", str(ALWAYS_OPEN_HALL)]


@pytest.fixture
def shared_dir():
    """A directory `nobody` can reach (pytest's tmp_path is root-only, 0700)."""
    path = Path(tempfile.mkdtemp(prefix="signage-health-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


# ---- /healthz ----------------------------------------------------------------------------------------
def test_healthz_reports_database_disk_voice_and_time(make_server):
    server = make_server()
    response = requests.get(server.url + "/healthz", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "database", "disk", "voice", "printers", "time"}

    assert body["database"]["ok"] is True
    assert isinstance(body["database"]["latency_ms"], (int, float)) and body["database"]["latency_ms"] >= 0

    # the disk figures are the real ones: compare with what this machine says
    usage = shutil.disk_usage(server.db.parent)
    low = usage.free < LOW_DISK_BYTES or usage.free < usage.total * LOW_DISK_FRACTION
    db_disk = body["disk"]["locations"]["database"]
    assert abs(db_disk["free_bytes"] - usage.free) < 64 * 1024 * 1024
    assert db_disk["ok"] is (not low)
    assert set(body["disk"]["locations"]) == {"database", "audio", "media"}
    assert body["disk"]["free_bytes"] == min(v["free_bytes"] for v in body["disk"]["locations"].values())
    assert body["disk"]["ok"] is all(v["ok"] for v in body["disk"]["locations"].values())

    assert {"ok", "active", "requested"} <= set(body["voice"])
    assert body["printers"] == []
    moment = datetime.fromisoformat(body["time"].replace("Z", "+00:00"))
    assert moment.tzinfo is not None and abs(datetime.now(timezone.utc) - moment) < timedelta(minutes=1)

    expected = "ok" if body["disk"]["ok"] and body["voice"]["ok"] else "degraded"
    assert body["status"] == expected

    # public, so nothing to learn from it: no paths, no versions, no error texts
    text = response.text
    assert str(server.db.parent) not in text and str(ROOT) not in text
    assert "version" not in text.lower() and "last_error" not in text


def test_healthz_is_cached_so_a_flood_costs_one_probe(make_server):
    server = make_server()
    started = time.monotonic()
    bodies = [requests.get(server.url + "/healthz", timeout=10).text for _ in range(30)]
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"30 probes took {elapsed:.1f} s"
    # 30 answers within 2 s come from at most two probes (the cache lasts 2 s)
    assert len(set(bodies)) <= 2, len(set(bodies))


# ---- a read-only database at start ---------------------------------------------------------------
def hall_database(directory: Path) -> Path:
    """A database a real server made and used (as root), then stopped."""
    server = ServerProcess(directory / "hall.db")
    try:
        server.start()
        server.issue("A")
    finally:
        server.stop()
    return server.db


def test_read_only_database_file_refuses_to_start(shared_dir):
    db = hall_database(shared_dir)
    db.chmod(0o444)
    # the honest part: as nobody the file really is not writable
    assert subprocess.run([*NOBODY, "test", "-w", str(db)]).returncode != 0
    assert subprocess.run([*NOBODY, "test", "-r", str(db)]).returncode == 0

    result = start_refused([*NOBODY, *run_args(db)])
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert START_MESSAGE.match(lines[0]), lines[0]
    assert str(db) in lines[0] and "readonly" in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_read_only_filesystem_refuses_to_start(shared_dir):
    db = hall_database(shared_dir)
    # a read-only bind mount over the database's directory, seen only by this one process
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && touch "$1/probe" 2>/dev/null '
              '&& exit 99; shift; exec "$@"')
    result = start_refused(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                            str(shared_dir), *run_args(db)])
    assert result.returncode != 99, "the bind mount was not read-only"
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert START_MESSAGE.match(lines[0]), lines[0]
    assert not (shared_dir / "probe").exists()


# ---- a full disk while running -------------------------------------------------------------------
def test_full_disk_is_a_clear_507_and_recovers(tmp_path):
    with tmpfs(tmp_path / "disk", "4m") as disk:
        server = ServerProcess(disk / "hall.db")
        server.log_path = tmp_path / "server.log"   # the log must not share the full disk
        try:
            server.start()
            assert server.issue("A")
            session_page = requests.Session()
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                             session_page.get(server.url + "/login", timeout=5).text).group(1)
            filler = fill(disk)

            # the kiosk's API: JSON with the message, not "Internal error"
            response = requests.post(server.url + "/api/tickets", json={"service": "A"}, timeout=10,
                                     headers=server.headers(server.kiosk_token))
            assert response.status_code == 507, (response.status_code, response.text)
            assert response.json() == {"error": FULL_MESSAGE}

            # a page (logging in writes a session row): a readable page saying the same
            page = session_page.post(server.url + "/login", timeout=10, allow_redirects=False, data={
                "username": "manager", "password": server.manager_password, "csrf_token": csrf})
            assert page.status_code == 507, (page.status_code, page.text[:500])
            assert page.headers["Content-Type"].startswith("text/html")
            assert FULL_MESSAGE in page.text and "Internal error" not in page.text

            # the probe sees it too (after its 2 s cache)
            deadline = time.monotonic() + 10
            while True:
                health = requests.get(server.url + "/healthz", timeout=10)
                if health.json()["status"] == "fail" or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert health.status_code == 503, health.text
            body = health.json()
            assert body["database"] == {"ok": False, "latency_ms": body["database"]["latency_ms"],
                                        "problem": "full"}
            assert body["disk"]["locations"]["database"]["ok"] is False

            # room again: the same server writes again, nothing was left broken
            filler.unlink()
            response = requests.post(server.url + "/api/tickets", json={"service": "A"}, timeout=10,
                                     headers=server.headers(server.kiosk_token))
            assert response.status_code == 201, response.text
        finally:
            server.stop()


# ---- which handler answers (in-process: the MRO, and errors that are not about storage) ----------------
def _app() -> Flask:
    app = Flask(__name__)

    @app.errorhandler(Exception)   # as create_app's catch-all
    def unexpected(exc):
        return jsonify(error="Kesalahan server. / Internal error."), 500

    storage_errors.register(app)

    def wrapped(message: str, name: str) -> sa_exc.OperationalError:
        orig = sqlite3.OperationalError(message)
        orig.sqlite_errorname = name
        return sa_exc.OperationalError("INSERT ...", {}, orig)

    errors = {
        "enospc": OSError(errno.ENOSPC, "No space left on device"),
        "erofs": OSError(errno.EROFS, "Read-only file system"),
        "reset": ConnectionResetError(errno.ECONNRESET, "reset"),
        "sqlite-full": wrapped("database or disk is full", "SQLITE_FULL"),
        "sqlite-readonly": wrapped("attempt to write a readonly database", "SQLITE_READONLY"),
        "sqlite-syntax": wrapped("near \"SELEC\": syntax error", "SQLITE_ERROR"),
    }

    @app.get("/api/<name>")
    @app.get("/page/<name>")
    def fail(name):
        raise errors[name]

    return app


@pytest.mark.parametrize("name, status", [
    ("enospc", 507), ("sqlite-full", 507),
    ("erofs", 503), ("sqlite-readonly", 503),
    ("reset", 500), ("sqlite-syntax", 500),
])
def test_storage_errors_win_over_the_catch_all(name, status):
    client = _app().test_client()
    response = client.get(f"/api/{name}")
    assert response.status_code == status
    if status == 507:
        assert response.get_json() == {"error": FULL_MESSAGE}
    elif status == 503:
        assert "tidak dapat ditulis" in response.get_json()["error"]
    else:
        assert response.get_json() == {"error": "Kesalahan server. / Internal error."}
    page = client.get(f"/page/{name}")
    assert page.status_code == status
    if status == 507:
        assert page.mimetype == "text/html" and FULL_MESSAGE in page.get_data(as_text=True)
