"""Floods from one client: what one hostile device on the hall Wi-Fi does to the hall.

    .venv/bin/python benchmarks/flood_bench.py [--scenarios baseline snapshot login] [--runs 2] \
        [--screens 20] [--server-dir DIR] [--json FILE]

Every (run, scenario) starts a fresh `signage run` (the test suite's ServerProcess, async mode
eventlet by default, `--ticket-rate-limit` high) on a fresh SQLite file, creates through the CLI a
counter token for counter 1, a kiosk token (`--role kiosk`; if the CLI refuses that role, as the
code before issue 8 does, tickets are posted without a credential) and a staff account for
counter 1, issues 40 tickets for service A, connects N hall screens (python-socketio clients on
/display) and warms up with one call. Then, during the attack and the 5 s after it:

  (a) call:   one `POST /api/counters/1/call-next` per second (counter token), timed until the
              `called` event for that ticket has reached ALL N screens;
  (b) ticket: one kiosk `POST /api/tickets {"service": "A"}` per second, round trip;
  (c) state:  one `GET /api/state` per second, round trip;
  (d) RSS:    the server's resident memory (psutil) before, peak during, and 10 s after the attack;
  (e) login:  a legitimate log-in of the staff account (GET /login + POST the form) at 1, 4 and
              7 s into the attack (those before its end);
  (f) the screens still connected 10 s after the attack (and how many never dropped), and how
      long after the attack's planned end GET /api/state answers again (--recovery-timeout).
Each sample runs in its own thread at its second, so a stalled server still gets one request a
second. A call times out when its HTTP answer takes over --request-timeout or its last screen
gets it over --request-timeout after the answer.

Scenarios:
  baseline  no attack, a 10 s window (+5 s);
  snapshot  one Socket.IO client on /display emits `snapshot` in a tight loop for 5 s (a bare
            Engine.IO websocket speaking the Socket.IO protocol, in its own process, reading what
            it gets back), then stays connected for the 5 s after;
  login     24 threads (one process) each GET /login for a session cookie and its csrf_token,
            then POST wrong passwords for the `manager` account for 10 s; responses are counted
            by status code.

The attacker runs in its own process (a separate device: its CPU use does not hold this process's
GIL) and connects from 127.0.0.2 (--attacker-ip), so a limit per client address applies to the
attacker and not to the screens, kiosk and counter on 127.0.0.1. All traffic is loopback.

Bounds: every request has a 15 s timeout (--request-timeout); a call waits at most that long
again for the last screen; each periodic loop has a fixed count and stops scheduling 30 s after
its window; the attacker sends at most --max-emits / stops at its deadline and is killed if it
outlives it; a watchdog SIGKILLs the server after --run-timeout; the server is stopped (SIGTERM,
then SIGKILL) at the end of every run, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import engineio
import psutil
import requests
import socketio
from requests.adapters import HTTPAdapter

HERE = Path(__file__).resolve()
DEFAULT_SERVER_DIR = HERE.parents[1]
NAMESPACE = "/display"
FLOOD_TARGET_USER = "manager"          # created by `signage run` on a new database
STAFF_USER, STAFF_PASSWORD = "petugas_bench", "benar-sekali-123"
TICKETS_BEFORE = 40
TAIL_S = 5.0                           # measured after the attack ends
AFTER_S = 10.0                         # RSS "after" sample, this long after the attack ends
LOGIN_OFFSETS = (1.0, 4.0, 7.0)        # legitimate log-ins, seconds into the attack
WINDOWS = {"baseline": 10.0}           # attack-less window; the others come from the options


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class SourceAdapter(HTTPAdapter):
    """requests from one loopback source address (the attacker is a different device)."""

    def __init__(self, ip: str, **kwargs):
        self.ip = ip
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.ip, 0)
        return super().init_poolmanager(*args, **kwargs)


def session_from(ip: str | None, pool: int = 10) -> requests.Session:
    s = requests.Session()
    if ip:
        adapter = SourceAdapter(ip, pool_connections=pool, pool_maxsize=pool)
        s.mount("http://", adapter)
    return s


def csrf_from(page: str) -> str | None:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else None


# =========================================================================== attacker process

def worker_snapshot(url: str, seconds: float, hold: float, ip: str, timeout: float,
                    max_emits: int) -> dict:
    import websocket   # websocket-client
    host, port = url.split("//")[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout, source_address=(ip, 0))
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
        timeout=timeout, socket=sock, enable_multithread=True)
    opened = ws.recv()
    if not opened.startswith("0"):
        raise RuntimeError(f"no Engine.IO open packet: {opened[:80]!r}")
    ws.send("40" + NAMESPACE + ",")
    res = {"sent": 0, "states": 0, "other": 0, "kicked": None, "send_error": None}
    stop = threading.Event()
    t_go: list[float] = []

    def reader():
        prefix_state = "42" + NAMESPACE + ',["state"'
        while not stop.is_set():
            try:
                msg = ws.recv()
            except Exception as exc:  # closed by us (stop) or by the server
                if not stop.is_set():
                    res["kicked"] = f"{time.monotonic() - (t_go[0] if t_go else 0):.1f}s: {exc!r}"[:200]
                return
            if not isinstance(msg, str) or not msg:
                res["other"] += 1
            elif msg.startswith(prefix_state):
                res["states"] += 1
            elif msg == "2":
                try:
                    ws.send("3")
                except Exception:
                    pass
            elif msg.startswith("41" + NAMESPACE) or msg == "1":
                res["kicked"] = f"{time.monotonic() - (t_go[0] if t_go else 0):.1f}s: {msg[:60]}"
                res["other"] += 1
            else:
                res["other"] += 1

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    print("READY", flush=True)
    sys.stdin.readline()
    t_go.append(time.monotonic())
    deadline = t_go[0] + seconds
    msg = "42" + NAMESPACE + ',["snapshot"]'
    sent = 0
    try:
        while sent < max_emits and time.monotonic() < deadline:
            ws.send(msg)
            sent += 1
    except Exception as exc:
        res["send_error"] = repr(exc)[:200]
    t_end = time.monotonic()
    res["sent"] = sent
    # Stay connected (and reading) for the tail, as a browser tab would.
    left = t_end + hold - time.monotonic()
    if left > 0:
        stop.wait(left)
    stop.set()
    try:
        ws.close(timeout=2)
    except Exception:
        pass
    th.join(3)
    res.update(t_start=t_go[0], t_end=t_end)
    return res


def worker_login(url: str, seconds: float, threads: int, ip: str, timeout: float,
                 max_posts: int) -> dict:
    counts: Counter = Counter()
    lock = threading.Lock()
    ready = threading.Barrier(threads + 1)
    go = threading.Event()
    t_go: list[float] = []
    setup_errors: list[str] = []

    def one(i: int):
        s = session_from(ip, pool=2)
        try:
            token = csrf_from(s.get(url + "/login", timeout=timeout).text)
        except requests.RequestException as exc:
            token = None
            setup_errors.append(repr(exc)[:120])
        try:
            ready.wait(timeout + 5)
        except threading.BrokenBarrierError:
            pass
        if not go.wait(timeout + 30):
            return
        deadline = t_go[0] + seconds
        n = 0
        while n < max_posts and time.monotonic() < deadline:
            n += 1
            try:
                r = s.post(url + "/login", timeout=timeout, allow_redirects=False, data={
                    "username": FLOOD_TARGET_USER, "password": f"salah-{i}-{n}",
                    "csrf_token": token or ""})
                key = str(r.status_code)
            except requests.Timeout:
                key = "timeout"
            except requests.RequestException:
                key = "conn_error"
                time.sleep(0.05)   # a refused connection must not spin
            with lock:
                counts[key] += 1

    pool = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(threads)]
    for th in pool:
        th.start()
    try:
        ready.wait(timeout + 10)
    except threading.BrokenBarrierError:
        pass
    print("READY", flush=True)
    sys.stdin.readline()
    t_go.append(time.monotonic())
    go.set()
    hard = t_go[0] + seconds + timeout + 5
    for th in pool:
        th.join(max(0.0, hard - time.monotonic()))
    with lock:
        snapshot = dict(counts)
    return {"t_start": t_go[0], "t_end": time.monotonic(), "status": snapshot,
            "posts": sum(snapshot.values()), "threads": threads, "threads_stuck": sum(th.is_alive() for th in pool),
            "setup_errors": setup_errors[:3]}


def worker_main(args) -> int:
    if args.worker == "snapshot":
        res = worker_snapshot(args.url, args.seconds, args.hold, args.attacker_ip,
                              args.request_timeout, args.max_emits)
    else:
        res = worker_login(args.url, args.seconds, args.login_threads, args.attacker_ip,
                           args.request_timeout, args.max_posts)
    print("RESULT " + json.dumps(res), flush=True)
    sys.stdout.flush()
    os._exit(0)   # daemon threads may still sit in a blocking call


class Attacker:
    """The attack as a child process: start, wait until it is set up, go, collect."""

    def __init__(self, kind: str, url: str, args, seconds: float, hold: float):
        cmd = [sys.executable, str(HERE), "--worker", kind, "--url", url, "--seconds", str(seconds),
               "--hold", str(hold), "--attacker-ip", args.attacker_ip,
               "--request-timeout", str(args.request_timeout), "--max-emits", str(args.max_emits),
               "--max-posts", str(args.max_posts), "--login-threads", str(args.login_threads)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     bufsize=1)
        self.limit = seconds + hold + 2 * args.request_timeout + 15

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline()
                if line.strip() == "READY":
                    return
                if not line:
                    break
        raise RuntimeError(f"attacker not ready (exit code {self.proc.poll()})")

    def go(self) -> None:
        self.proc.stdin.write("GO\n")
        self.proc.stdin.flush()

    def result(self) -> dict:
        try:
            out, _ = self.proc.communicate(timeout=self.limit)
        except subprocess.TimeoutExpired:
            self.kill()
            return {"error": "attacker killed after its time limit"}
        for line in out.splitlines():
            if line.startswith("RESULT "):
                return json.loads(line[7:])
        return {"error": f"attacker gave no result (exit code {self.proc.returncode})"}

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass


# =========================================================================== hall screens

class _InOrderEngineIO(engineio.Client):
    # As tests/support.py: handle a screen's messages one by one, in arrival order (no thread
    # per message).
    def _trigger_event(self, event, *args, run_async=False, **kwargs):
        return super()._trigger_event(event, *args, **kwargs)


class _InOrderClient(socketio.Client):
    def _engineio_client_class(self):
        return _InOrderEngineIO


class Screens:
    """N hall screens on /display (python-socketio clients, reconnecting like the real page)."""

    def __init__(self, n: int):
        self.n = n
        self.cond = threading.Condition()
        self.arrivals: dict[str, list] = {}    # ticket -> [screens that got it, last arrival]
        self.drops = [0] * n
        self.drop_reasons: Counter = Counter()
        self.states = [0] * n
        self.closing = False
        self.clients: list[socketio.Client] = []

    def connect(self, url: str, timeout: float) -> "Screens":
        n = self.n
        for i in range(n):
            c = _InOrderClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
            c.on("events", lambda events, i=i: [self._called(i, e) for e in events
                                                if e.get("type") == "called"], namespace=NAMESPACE)
            c.on("state", lambda data, i=i: self._state(i), namespace=NAMESPACE)
            c.on("disconnect", lambda *a, i=i: self._dropped(i, *a), namespace=NAMESPACE)
            c.connect(url, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=timeout)
            self.clients.append(c)
        deadline = time.monotonic() + timeout
        with self.cond:
            while min(self.states) == 0 and time.monotonic() < deadline:
                self.cond.wait(0.2)
        if min(self.states) == 0:
            raise RuntimeError(f"only {sum(1 for s in self.states if s)} of {n} screens got `state`")
        return self

    def _called(self, i: int, data) -> None:
        now = time.monotonic()
        ticket = data.get("ticket") if isinstance(data, dict) else None
        with self.cond:
            rec = self.arrivals.setdefault(ticket, [set(), now])
            rec[0].add(i)
            rec[1] = now
            self.cond.notify_all()

    def _state(self, i: int) -> None:
        with self.cond:
            self.states[i] += 1
            self.cond.notify_all()

    def _dropped(self, i: int, reason=None) -> None:
        if not self.closing:
            self.drops[i] += 1
            self.drop_reasons[str(reason)] += 1

    def wait_all(self, ticket: str, deadline: float) -> float | None:
        """The time the last screen got `called` for the ticket, or None at the deadline."""
        with self.cond:
            while True:
                rec = self.arrivals.get(ticket)
                if rec and len(rec[0]) >= self.n:
                    return rec[1]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))

    def connected(self) -> int:
        return sum(1 for c in self.clients if c.connected and NAMESPACE in c.namespaces)

    def never_dropped(self) -> int:
        return sum(1 for i, c in enumerate(self.clients)
                   if self.drops[i] == 0 and c.connected and NAMESPACE in c.namespaces)

    def close(self, timeout: float = 10) -> None:
        self.closing = True

        def close_all():
            for c in self.clients:
                try:
                    c.disconnect()
                except Exception:
                    pass
        th = threading.Thread(target=close_all, daemon=True)
        th.start()
        th.join(timeout)


# =========================================================================== measurements

class Periodic(threading.Thread):
    """`count` samples, one per `every` s from t0, each in its own thread (a kiosk or counter does
    not wait for the previous one's answer), so a stalled server still gets one request a second.
    None is started after `hard_deadline`; every sample is bounded by its own timeouts."""

    def __init__(self, name: str, t0: float, count: int, fn, hard_deadline: float, every=1.0,
                 offsets=None):
        super().__init__(name=name, daemon=True)
        self.t0, self.fn, self.hard = t0, fn, hard_deadline
        self.offsets = list(offsets) if offsets is not None else [i * every for i in range(count)]
        self.samples: list[dict] = []
        self.skipped = 0
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def run(self) -> None:
        for k, off in enumerate(self.offsets):
            now = time.monotonic()
            if now > self.hard:
                self.skipped = len(self.offsets) - k
                break
            if self.t0 + off > now:
                time.sleep(self.t0 + off - now)
            th = threading.Thread(target=self._one, name=f"{self.name}-{k}", daemon=True)
            th.start()
            self.threads.append(th)

    def _one(self) -> None:
        start = time.monotonic()
        try:
            sample = self.fn()
        except Exception as exc:   # a measurement bug must not hang the run
            sample = {"ok": False, "timeout": False, "error": repr(exc)[:200]}
        sample["at"] = round(start - self.t0, 2)
        with self.lock:
            self.samples.append(sample)

    def finish(self, deadline: float) -> None:
        self.join(max(0.0, deadline - time.monotonic()))
        for th in list(self.threads):
            th.join(max(0.0, deadline - time.monotonic()))

    def unfinished(self) -> int:
        return sum(th.is_alive() for th in self.threads)


def timed(fn, timeout_exc=requests.Timeout):
    t = time.monotonic()
    try:
        r = fn()
    except timeout_exc:
        return None, (time.monotonic() - t) * 1000, "timeout"
    except requests.RequestException as exc:
        return None, (time.monotonic() - t) * 1000, repr(exc)[:120]
    return r, (time.monotonic() - t) * 1000, None


class Probe:
    """The hall's own traffic during the attack, from 127.0.0.1."""

    def __init__(self, url: str, screens: Screens, counter_token: str, kiosk_token: str | None,
                 timeout: float):
        self.url, self.screens, self.timeout = url, screens, timeout
        self.counter_headers = {"Authorization": f"Bearer {counter_token}"}
        self.kiosk_headers = {"Authorization": f"Bearer {kiosk_token}"} if kiosk_token else {}

    def call(self) -> dict:
        t0 = time.monotonic()
        r, ms, err = timed(lambda: requests.post(
            f"{self.url}/api/counters/1/call-next", json={}, headers=self.counter_headers,
            timeout=self.timeout))
        if err:
            return {"ok": False, "timeout": err == "timeout", "error": err, "http_ms": ms}
        if r.status_code != 200:
            return {"ok": False, "timeout": False, "error": f"HTTP {r.status_code} {r.text[:100]}",
                    "http_ms": ms}
        ticket = ((r.json() or {}).get("ticket") or {}).get("number")
        last = self.screens.wait_all(ticket, time.monotonic() + self.timeout)
        if last is None:
            got = len(self.screens.arrivals.get(ticket, [()])[0])
            return {"ok": False, "timeout": True, "error": f"{ticket} on {got}/{self.screens.n} screens",
                    "http_ms": ms}
        return {"ok": True, "ms": (last - t0) * 1000, "http_ms": ms, "ticket": ticket}

    def ticket(self) -> dict:
        r, ms, err = timed(lambda: requests.post(
            f"{self.url}/api/tickets", json={"service": "A"}, headers=self.kiosk_headers,
            timeout=self.timeout))
        if err:
            return {"ok": False, "timeout": err == "timeout", "error": err}
        if r.status_code != 201:
            return {"ok": False, "timeout": False, "error": f"HTTP {r.status_code}", "ms": ms}
        return {"ok": True, "ms": ms}

    def state(self) -> dict:
        r, ms, err = timed(lambda: requests.get(f"{self.url}/api/state", timeout=self.timeout))
        if err:
            return {"ok": False, "timeout": err == "timeout", "error": err}
        if r.status_code != 200:
            return {"ok": False, "timeout": False, "error": f"HTTP {r.status_code}", "ms": ms}
        return {"ok": True, "ms": ms}

    def login(self) -> dict:
        s = requests.Session()
        t0 = time.monotonic()
        page, _, err = timed(lambda: s.get(self.url + "/login", timeout=self.timeout))
        if err:
            return {"ok": False, "timeout": err == "timeout", "error": "GET " + err}
        token = csrf_from(page.text)
        r, post_ms, err = timed(lambda: s.post(self.url + "/login", timeout=self.timeout,
                                               allow_redirects=False, data={
            "username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": token or ""}))
        if err:
            return {"ok": False, "timeout": err == "timeout", "error": "POST " + err}
        ms = (time.monotonic() - t0) * 1000
        if r.status_code not in (302, 303):
            return {"ok": False, "timeout": False, "error": f"HTTP {r.status_code}", "ms": ms}
        return {"ok": True, "ms": ms, "post_ms": post_ms}


def recovery(url: str, since: float, limit: float, out: dict) -> None:
    """Seconds from `since` (the attack's end) until GET /api/state answers again (5 s tries)."""
    wait = since - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    while time.monotonic() < since + limit:
        try:
            if requests.get(url + "/api/state", timeout=5).status_code == 200:
                out["s"] = time.monotonic() - since
                return
        except requests.RequestException:
            time.sleep(0.5)
    out["s"] = None


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.ps = psutil.Process(pid)
        self.every = every
        self.peak = 0.0
        self.stop = threading.Event()

    def rss(self) -> float | None:
        try:
            return self.ps.memory_info().rss / 2**20
        except psutil.Error:
            return None

    def run(self) -> None:
        while not self.stop.is_set():
            value = self.rss()
            if value is not None:
                self.peak = max(self.peak, value)
            self.stop.wait(self.every)


# =========================================================================== one run

class Run:
    def __init__(self, kind: str, run_no: int, args, support):
        self.kind, self.run_no, self.args, self.support = kind, run_no, args, support
        self.workdir = Path(tempfile.mkdtemp(prefix=f"flood-{kind}-"))
        self.server = support.ServerProcess(
            self.workdir / "hall.db", args.async_mode, support.ALWAYS_OPEN_HALL,
            extra_args=("--audio-dir", str(self.workdir / "audio")))
        self.notes: list[str] = []
        self.watchdog_fired = False

    def cli(self, *cli_args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "signage", *cli_args, "--db", str(self.server.db),
             "--hall", str(self.support.ALWAYS_OPEN_HALL)],
            capture_output=True, text=True, timeout=60, cwd=self.args.server_dir,
            env=dict(os.environ, PYTHONPATH=str(self.args.server_dir)))

    def _watchdog(self) -> None:
        self.watchdog_fired = True
        log(f"watchdog: run over {self.args.run_timeout}s, killing the server")
        if self.server.proc and self.server.proc.poll() is None:
            self.server.proc.send_signal(signal.SIGKILL)

    def execute(self) -> dict:
        args = self.args
        watchdog = threading.Timer(args.run_timeout, self._watchdog)
        watchdog.daemon = True
        try:
            self.server.start(60)
            watchdog.start()
            url = self.server.url
            return self._measure(url)
        finally:
            watchdog.cancel()
            if self._attacker is not None:
                self._attacker.kill()
            if self._screens is not None:
                self._screens.close()
            if self._sampler is not None:
                self._sampler.stop.set()
            self.server.stop()
            log_text = self.server.log_path.read_text(errors="replace") \
                if self.server.log_path.exists() else ""
            self.tracebacks = log_text.count("Traceback")
            if args.keep_logs:
                Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
                shutil.copy(self.server.log_path,
                            Path(args.keep_logs) / f"{self.kind}-{self.run_no}.log")
            shutil.rmtree(self.workdir, ignore_errors=True)

    _attacker = _screens = _sampler = None

    def _measure(self, url: str) -> dict:
        args, kind = self.args, self.kind
        # Credentials, through the CLI like ServerProcess.token / add_user.
        out = self.cli("token", "create", "--role", "counter", "--counter", "1")
        if out.returncode != 0:
            raise RuntimeError(f"counter token: {out.stderr[-500:]}")
        counter_token = out.stdout.strip().splitlines()[-1]
        out = self.cli("token", "create", "--role", "kiosk")
        if out.returncode == 0:
            kiosk_token = out.stdout.strip().splitlines()[-1]
        else:
            kiosk_token = None
            self.notes.append("CLI refused --role kiosk: tickets sent without a credential")
        out = self.cli("user", "add", STAFF_USER, "--role", "staff", "--counter", "1",
                       "--password", STAFF_PASSWORD)
        if out.returncode != 0:
            raise RuntimeError(f"user add: {out.stderr[-500:]}")

        screens = self._screens = Screens(args.screens)
        screens.connect(url, args.request_timeout)
        probe = Probe(url, screens, counter_token, kiosk_token, args.request_timeout)
        for _ in range(TICKETS_BEFORE):
            r = probe.ticket()
            if not r["ok"]:
                raise RuntimeError(f"issuing the queue's tickets failed: {r}")
        warm = probe.call()      # first call: audio engine, caches
        if not warm["ok"]:
            raise RuntimeError(f"warm-up call failed: {warm}")
        probe.state()
        login = probe.login()
        if not login["ok"]:
            raise RuntimeError(f"warm-up log-in failed: {login}")
        time.sleep(1.0)

        sampler = self._sampler = RssSampler(self.server.proc.pid)
        rss_before = sampler.rss()
        seconds = {"baseline": WINDOWS["baseline"], "snapshot": args.snapshot_seconds,
                   "login": args.login_seconds}[kind]
        window = seconds + TAIL_S
        attacker = None
        if kind != "baseline":
            attacker = self._attacker = Attacker(kind, url, args, seconds, TAIL_S)
            attacker.wait_ready(args.request_timeout + 20)
        sampler.start()
        t0 = time.monotonic()
        if attacker:
            attacker.go()
        hard = t0 + window + 30
        n = int(window)
        loops = [Periodic("call", t0, n, probe.call, hard),
                 Periodic("ticket", t0, n, probe.ticket, hard),
                 Periodic("state", t0, n, probe.state, hard),
                 Periodic("login", t0, 0, probe.login, hard,
                          offsets=[o for o in LOGIN_OFFSETS if o < seconds])]
        for loop in loops:
            loop.start()
        recovered: dict = {}
        rec_thread = threading.Thread(target=recovery, daemon=True,
                                      args=(url, t0 + seconds, args.recovery_timeout, recovered))
        rec_thread.start()
        flood = attacker.result() if attacker else {"t_start": t0, "t_end": t0 + seconds}
        flood_end = max(flood.get("t_end") or 0, t0 + seconds)
        wait = flood_end + AFTER_S - time.monotonic()   # "after": 10 s after the attack
        if wait > 0:
            time.sleep(wait)
        rss_after = sampler.rss()
        sampler.stop.set()      # the peak: from the attack's start to the "after" sample
        connected, never_dropped = screens.connected(), screens.never_dropped()
        for loop in loops:
            loop.finish(hard + 2 * args.request_timeout + 5)
        stuck = {loop.name: loop.unfinished() for loop in loops if loop.unfinished()}
        if stuck:
            self.notes.append(f"samples still unanswered at the end (not counted): {stuck}")
        rec_thread.join(max(0.0, t0 + seconds + args.recovery_timeout + 6 - time.monotonic()))
        result = {
            "scenario": kind, "run": self.run_no, "seconds": seconds,
            "kiosk_token": kiosk_token is not None,
            "call": summarize(loops[0]), "ticket": summarize(loops[1]),
            "state": summarize(loops[2]), "login": summarize(loops[3]),
            "screens": args.screens, "screens_connected": connected,
            "screens_never_dropped": never_dropped, "screen_drops": sum(screens.drops),
            "screen_drop_reasons": dict(screens.drop_reasons),
            "answers_again_s": recovered.get("s"), "recovery_limit": args.recovery_timeout,
            "rss_before": rss_before, "rss_peak": max(sampler.peak, rss_before or 0),
            "rss_after": rss_after, "server_alive": self.server.proc.poll() is None,
            "flood": {k: v for k, v in flood.items() if k not in ("t_start", "t_end")},
            "flood_took_s": round((flood.get("t_end") or t0) - (flood.get("t_start") or t0), 1),
        }
        return result


def summarize(loop: Periodic) -> dict:
    with loop.lock:
        samples = sorted(loop.samples, key=lambda s: s["at"])
    ok = [s["ms"] for s in samples if s.get("ok")]
    errors = [s.get("error") for s in samples if not s.get("ok")]
    return {"n": len(loop.offsets), "done": len(samples), "skipped": loop.skipped,
            "ok": len(ok), "unfinished": loop.unfinished(),
            # a sample still waiting at the end has been waiting longer than any timeout
            "timeouts": sum(1 for s in samples if s.get("timeout")) + loop.unfinished(),
            "errors": len(errors), "first_errors": list(dict.fromkeys(errors))[:3],
            "p50": statistics.median(ok) if ok else None, "max": max(ok) if ok else None,
            "samples": [{k: (round(v, 1) if isinstance(v, float) else v) for k, v in s.items()}
                        for s in samples]}


# =========================================================================== report

def fmt_ms(v) -> str:
    return "–" if v is None else (f"{v / 1000:.1f} s" if v >= 10000 else f"{v:.0f}")


def pair(m: dict) -> str:
    text = f"{fmt_ms(m['p50'])} / {fmt_ms(m['max'])}"
    if m["ok"] < m["n"]:
        text += f" ({m['ok']}/{m['n']} ok)"
    return text


def fmt_mb(v) -> str:
    return "–" if v is None else f"{v:.0f}"


def print_tables(results: list[dict]) -> None:
    for kind in dict.fromkeys(r["scenario"] for r in results):
        rows = [r for r in results if r["scenario"] == kind]
        secs = rows[0]["seconds"]
        title = {"baseline": f"baseline: no attack ({secs:g} s window + {TAIL_S:g} s)",
                 "snapshot": f"snapshot flood: one client, {secs:g} s (+{TAIL_S:g} s after)",
                 "login": f"log-in flood: {rows[0]['flood'].get('threads', '?')} threads posting wrong passwords, "
                          f"{secs:g} s (+{TAIL_S:g} s after)"}[kind]
        print(f"\n### {title}\n")
        head = ["run", "call→last screen p50 / max ms", "ticket p50 / max ms", "state p50 / max ms",
                "timeouts call/ticket/state", "legit log-in ms", "screens connected (never dropped)",
                "RSS before / peak / after MB", "answers again after attack"]
        if kind == "snapshot":
            head += ["snapshots sent / states back"]
        if kind == "login":
            head += ["log-in POSTs by status"]
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join(" --- " for _ in head) + "|")
        for r in rows:
            logins = [s for s in r["login"]["samples"]]
            login_txt = ", ".join(fmt_ms(s["ms"]) if s.get("ok") else
                                  ("timeout" if s.get("timeout") else "failed") for s in logins) or "–"
            cells = [str(r["run"]), pair(r["call"]), pair(r["ticket"]), pair(r["state"]),
                     f"{r['call']['timeouts']}/{r['ticket']['timeouts']}/{r['state']['timeouts']}",
                     login_txt,
                     f"{r['screens_connected']}/{r['screens']} ({r['screens_never_dropped']})",
                     f"{fmt_mb(r['rss_before'])} / {fmt_mb(r['rss_peak'])} / {fmt_mb(r['rss_after'])}",
                     "–" if kind == "baseline" else
                     (f"{r['answers_again_s']:.1f} s" if r["answers_again_s"] is not None
                      else f"not within {r['recovery_limit']:g} s")]
            f = r["flood"]
            if kind == "snapshot":
                cells.append(f"{f.get('sent', '?')} / {f.get('states', '?')}"
                             + (f"; kicked {f['kicked']}" if f.get("kicked") else ""))
            if kind == "login":
                status = f.get("status") or {}
                cells.append(", ".join(f"{k}: {v}" for k, v in sorted(status.items())) or
                             f.get("error", "–"))
            print("| " + " | ".join(cells) + " |")
        for r in rows:
            notes = list(r.get("notes", []))
            for name in ("call", "ticket", "state", "login"):
                if r[name]["first_errors"]:
                    notes.append(f"{name} errors: {r[name]['first_errors']}")
            if r["screen_drops"]:
                notes.append(f"{r['screen_drops']} screen disconnects {r['screen_drop_reasons']}")
            if not r["server_alive"]:
                notes.append("server process was dead at the end")
            if r.get("tracebacks"):
                notes.append(f"{r['tracebacks']} traceback(s) in the server log")
            if r["flood"].get("error") or r["flood"].get("send_error"):
                notes.append(f"attacker: {r['flood'].get('error') or r['flood'].get('send_error')}")
            if kind != "baseline":
                notes.append(f"attack took {r['flood_took_s']} s")
            if notes:
                print(f"- run {r['run']}: " + "; ".join(notes))
    sys.stdout.flush()


# =========================================================================== main

def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenarios", nargs="+", default=["baseline", "snapshot", "login"],
                   choices=["baseline", "snapshot", "login"])
    p.add_argument("--runs", type=int, default=2, help="runs of each scenario (interleaved)")
    p.add_argument("--screens", type=int, default=20)
    p.add_argument("--server-dir", type=Path, default=DEFAULT_SERVER_DIR,
                   help="checkout whose `signage` (and tests/support.py) is run; default this one")
    p.add_argument("--async-mode", default="eventlet", choices=["eventlet", "gevent", "threading"])
    p.add_argument("--snapshot-seconds", type=float, default=5.0)
    p.add_argument("--login-seconds", type=float, default=10.0)
    p.add_argument("--login-threads", type=int, default=24)
    p.add_argument("--attacker-ip", default="127.0.0.2", help="loopback source address of the attack")
    p.add_argument("--request-timeout", type=float, default=15.0)
    p.add_argument("--max-emits", type=int, default=2_000_000, help="cap on snapshot emits")
    p.add_argument("--max-posts", type=int, default=100_000, help="cap on log-in POSTs per thread")
    p.add_argument("--recovery-timeout", type=float, default=60.0,
                   help="how long after the attack to wait for GET /api/state to answer again")
    p.add_argument("--run-timeout", type=float, default=300.0, help="watchdog per run")
    p.add_argument("--keep-logs", metavar="DIR", help="copy each server log here")
    p.add_argument("--json", metavar="FILE", help="write all figures (with every sample) as JSON")
    # the attacker process
    p.add_argument("--worker", choices=["snapshot", "login"], help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    p.add_argument("--hold", type=float, default=0.0, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    for name in ("engineio.client", "socketio.client"):   # a dropped screen's log lines
        logging.getLogger(name).setLevel(logging.CRITICAL)
    if args.worker:
        return worker_main(args)
    args.server_dir = args.server_dir.resolve()
    # The server, the CLI and tests/support.py all come from --server-dir.
    os.environ["PYTHONPATH"] = str(args.server_dir)
    sys.path.insert(0, str(args.server_dir / "tests"))
    sys.path.insert(0, str(args.server_dir))
    import support   # noqa: E402  (tests/support.py of --server-dir)
    import signage   # noqa: E402
    if Path(signage.__file__).resolve().parents[1] != args.server_dir:
        raise SystemExit(f"signage imports from {signage.__file__}, not {args.server_dir}")
    try:   # the attacker's source address must exist; fall back to the screens' one
        with socket.socket() as s:
            s.bind((args.attacker_ip, 0))
    except OSError:
        log(f"cannot bind {args.attacker_ip}; the attack comes from 127.0.0.1")
        args.attacker_ip = "127.0.0.1"

    def on_term(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_term)

    commit = subprocess.run(["git", "-C", str(args.server_dir), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(args.server_dir), "status", "--porcelain", "--",
                            "signage"], capture_output=True, text=True).stdout.strip()
    log(f"server code: {args.server_dir} at {commit}{' + uncommitted changes' if dirty else ''}")
    results = []
    try:
        for run_no in range(1, args.runs + 1):
            for kind in args.scenarios:
                log(f"run {run_no}: {kind}")
                run = Run(kind, run_no, args, support)
                try:
                    res = run.execute()
                except Exception as exc:
                    log(f"run {run_no} {kind} failed: {exc!r}")
                    res = None
                if res is None:
                    continue
                res["notes"] = run.notes + (["watchdog killed the server"] if run.watchdog_fired else [])
                res["tracebacks"] = getattr(run, "tracebacks", 0)
                results.append(res)
                c = res["call"]
                log(f"  call p50 {fmt_ms(c['p50'])} max {fmt_ms(c['max'])} timeouts {c['timeouts']}; "
                    f"screens {res['screens_connected']}/{res['screens']}; flood {res['flood']}"[:400])
    except KeyboardInterrupt:
        log("interrupted")
    print(f"\nserver code: {args.server_dir} at {commit}{' (+ uncommitted changes)' if dirty else ''}, "
          f"async mode {args.async_mode}, {args.screens} screens, request timeout "
          f"{args.request_timeout:g} s, attacker from {args.attacker_ip}")
    if results:
        print_tables(results)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"server_dir": str(args.server_dir), "commit": commit, "dirty": bool(dirty),
             "command": " ".join([sys.executable, *sys.argv]), "results": results}, indent=1))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if results else 1)   # no lingering client thread may keep the script alive


if __name__ == "__main__":
    sys.exit(main())
