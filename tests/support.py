"""Test helpers shared by the test modules: a real server process and a real display client."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import engineio
import requests
import socketio

from signage.cli import DEFAULT_ASYNC_MODE

ROOT = Path(__file__).resolve().parents[1]
ALWAYS_OPEN_HALL = ROOT / "tests" / "halls" / "always_open.json"
ASYNC_MODES = ("gevent", "eventlet")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signage_cli(*args: str, db: Path | str) -> str:
    """Run the real CLI and return its stdout."""
    result = subprocess.run([sys.executable, "-m", "signage", *args, "--db", str(db),
                             "--hall", str(ALWAYS_OPEN_HALL)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def is_url(db: Path | str) -> bool:
    return "://" in str(db)


class ServerProcess:
    """`signage run` as a child process: start, kill -9, start again on the same database."""

    def __init__(self, db: Path | str, async_mode: str = DEFAULT_ASYNC_MODE,
                 hall: Path = ALWAYS_OPEN_HALL, extra_args: tuple[str, ...] = (),
                 log_path: Path | None = None):
        """`db`: a SQLite file's path, or a database URL (postgresql+psycopg://...). With a URL,
        give `log_path`: the log, and the uploaded media beside it, go into its folder."""
        self.db = db
        self.async_mode = async_mode
        self.hall = hall
        self.extra_args = extra_args
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.manager_password: str | None = None
        self._kiosk_token: str | None = None
        self._manager_token: str | None = None
        if log_path is None:
            assert not is_url(db), "a server on a database URL needs a log_path"
            log_path = Path(db).with_suffix(".log")
        self.log_path = log_path
        # SQLite keeps the uploaded media beside the database file; a URL has no folder.
        self.media_args = ("--media-dir", str(log_path.with_suffix(".media"))) if is_url(db) else ()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_url(self) -> str:
        """The database as SQLAlchemy names it, for a test that reads it (signage.store.Database)."""
        return str(self.db) if is_url(self.db) else f"sqlite:///{Path(self.db).resolve()}"

    def start(self, timeout: float = 30) -> "ServerProcess":
        self.log = open(self.log_path, "a")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "signage", "run", "--host", "127.0.0.1", "--port", str(self.port),
             "--db", str(self.db), "--hall", str(self.hall), "--async-mode", self.async_mode,
             "--ticket-rate-limit", "100000 per minute", "--request-rate-limit", "100000 per minute",
             *self.media_args, *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/api/services", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"server did not start: {self.log_path.read_text()[-3000:]}")
        found = re.findall(r"(?:password|kata sandi): (\S+)", self.log_path.read_text())
        if found:
            self.manager_password = found[0]
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flush; what is committed must survive."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> "ServerProcess":
        self.kill()
        return self.start()

    def token(self, role: str, counter: int | None = None) -> str:
        args = ["token", "create", "--role", role]
        if counter is not None:
            args += ["--counter", str(counter)]
        return signage_cli(*args, db=self.db).strip().splitlines()[-1]

    def add_user(self, username: str, password: str, role: str, counters=()) -> None:
        args = ["user", "add", username, "--role", role, "--password", password]
        for c in counters:
            args += ["--counter", str(c)]
        signage_cli(*args, db=self.db)

    def pair_device(self, kind: str = "display", name: str = "TV-lobi") -> str:
        """Pair a device the way a hall does: it asks for a code, a manager confirms it.
        Returns the device's cookie secret (send it as the `signage_device` cookie)."""
        asked = requests.post(self.url + "/api/devices/pairing", json={"kind": kind}, timeout=5)
        assert asked.status_code == 200, asked.text
        if self._manager_token is None:
            self._manager_token = self.token("manager")
        confirmed = requests.post(self.url + "/api/manage/devices/pair", timeout=5,
                                  json={"code": asked.json()["code"], "name": name},
                                  headers=self.headers(self._manager_token))
        assert confirmed.status_code == 201, confirmed.text
        return asked.cookies["signage_device"]

    def headers(self, token: str, **extra) -> dict:
        return {"Authorization": f"Bearer {token}", **extra}

    @property
    def kiosk_token(self) -> str:
        """A machine kiosk's token (`signage token create --role kiosk`), made on first use."""
        if self._kiosk_token is None:
            self._kiosk_token = self.token("kiosk")
        return self._kiosk_token

    def issue(self, code: str, priority: bool = False) -> str:
        """A kiosk ticket; returns its number."""
        response = requests.post(self.url + "/api/tickets", json={"service": code, "priority": priority},
                                 headers=self.headers(self.kiosk_token), timeout=5)
        assert response.status_code == 201, response.text
        return response.json()["number"]

    def log_in(self, username: str, password: str) -> requests.Session:
        """A browser-like session: logged in through the form, sending the CSRF token on writes."""
        session = requests.Session()
        page = session.get(self.url + "/login", timeout=5).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = session.post(self.url + "/login", timeout=5, data={
            "username": username, "password": password, "csrf_token": token})
        assert response.status_code == 200, response.status_code
        session.headers["X-CSRFToken"] = re.search(
            r'<meta name="csrf-token" content="([^"]+)"', response.text).group(1)
        return session


class _InOrderEngineIO(engineio.Client):
    # engineio.Client hands every message to a new thread, so two events can be recorded in
    # the opposite order to the one they arrived in. A screen handles them one by one.
    def _trigger_event(self, event, *args, run_async=False, **kwargs):
        return super()._trigger_event(event, *args, **kwargs)


class _InOrderClient(socketio.Client):
    def _engineio_client_class(self):
        return _InOrderEngineIO


class DisplayClient:
    """A real Socket.IO client recording what a hall screen would receive, in arrival order."""

    def __init__(self, url: str, device: str | None = None):
        """`device`: a paired device's secret (ServerProcess.pair_device), sent as its cookie."""
        self.client = _InOrderClient(reconnection=True, reconnection_delay=0.2,
                                     reconnection_delay_max=0.5)
        self.states: list[dict] = []
        self.events: list[dict] = []
        self.frames: list[list[str]] = []   # the types in each `events` frame, as they came
        self.types = {"issued", "called", "finished", "skipped", "transferred", "paused", "resumed"}
        self.cond = threading.Condition()
        self.client.on("events", self._batch, namespace="/display")
        self.client.on("state", self._state, namespace="/display")
        self.client.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=10,
                            headers={"Cookie": f"signage_device={device}"} if device else {})

    def listen(self, *types: str) -> None:
        """Record these event types too (by default: the queue's)."""
        self.types.update(types)

    def _batch(self, events):
        """One `events` frame: what the server committed since its last one, in seq order."""
        with self.cond:
            self.frames.append([e["type"] for e in events])
            self.events.extend(e for e in events if e["type"] in self.types)
            self.cond.notify_all()

    def _state(self, data):
        with self.cond:
            self.states.append(data)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate(self):
                left = deadline - time.monotonic()
                assert left > 0, f"timed out; events={self.events[-5:]} states={len(self.states)}"
                self.cond.wait(left)

    def close(self):
        self.client.disconnect()


class HallDayClock:
    """A hall clock for in-process tests: Monday 30 November 2026 in Kupang (WITA), set by at("HH:MM")."""

    zone = timezone(timedelta(hours=8))

    def __init__(self):
        self.now = datetime(2026, 11, 30, 8, 0, tzinfo=self.zone)

    def __call__(self):
        return self.now.astimezone(timezone.utc)

    def at(self, hhmm: str):
        h, m = map(int, hhmm.split(":"))
        self.now = datetime(2026, 11, 30, h, m, tzinfo=self.zone)
