"""Several processes behind nginx (issue 9): 1, 2, 4 `signage run` processes, hundreds to thousands of screens.

    .venv/bin/python benchmarks/cluster_bench.py --processes 1 2 4 --screens 500 2000 \
        [--calls 60] [--tickets 200] [--counters 6] [--kiosks 4] [--pattern sequential|concurrent] \
        [--json FILE] [--keep-logs DIR]

One throwaway PostgreSQL (tests/pg.py) and one throwaway Redis (tests/redis_server.py) serve the
whole benchmark. For every (process count N, screen count S):

1. a new, empty PostgreSQL database and a flushed Redis,
2. N `signage run` processes (eventlet, the default; `--message-queue redis://...`,
   `--proxy-hops 1`, one shared --audio-dir), the first started alone (it makes the schema),
   the others together; the reference nginx site in front of them (tests/nginx.py: the site as
   shipped, `hash $remote_addr consistent`), with nginx's own limits raised for S screens
   (worker_connections, see `BenchNginx`) and an access log that names the upstream of each
   request,
3. S screens connect to /display through nginx (realtime_bench.Displays: bare Engine.IO
   websockets in this one asyncio process), each sending its own fake address in
   X-Test-Device, which nginx's realip takes as the client address: so the hash spreads the
   screens over the processes as it would spread a hall's TVs. How many landed on each process
   is read from Redis (each process's count of screens, `signage:anonymous`, beaten every 5 s)
   and from the sockets each process holds (psutil),
4. --tickets tickets from --kiosks kiosks (each with its own fake address, so they too are
   spread), one request at a time per kiosk, all through nginx: tickets per second; then the
   wait until all S x tickets `issued` events have reached the screens,
5. --calls calls from --counters counters, through nginx, each counter with its own fake
   address, timed exactly as realtime_bench.run_calls does (from sending call-next until the
   `called` event is on the LAST of the S screens; sequential by default: one call at a time,
   counters taking turns; --pattern concurrent: every counter back to back),
6. every screen's events checked against the database's event log: after its first `state`,
   every event (seq) exactly once, in rising seq order, nothing missing (duplicates, gaps and
   out-of-order counted per screen),
7. each process's RSS (psutil) after the screens connected and at the end; CPU seconds of each
   part (processes, nginx, PostgreSQL, Redis, this client) per phase; errors in every process
   log and in nginx's error log.

Everything is bounded: connect, every request, every wait and each whole run have time-outs.
This client runs on the same machine: on a 2-core box it decodes S copies of every event on the
same cores as the servers, PostgreSQL, Redis and nginx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import realtime_bench as rb  # noqa: E402  (also puts tests/ on the path)
from nginx import DEVICE_HEADER, Nginx  # noqa: E402
from pg import PostgresServer  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from support import ALWAYS_OPEN_HALL as HALL, ServerProcess  # noqa: E402

ROOT = HERE.parent
log = rb.log
pct = rb.pct
BEAT_S = 5.0          # signage.cluster.BEAT_S: a process's screen count reaches Redis this often


def screen_address(i: int) -> str:
    n = i + 1
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def kiosk_address(k: int) -> str:
    return f"10.250.1.{k + 1}"


def counter_address(cid: int) -> str:
    return f"10.250.2.{cid}"


# --------------------------------------------------------------------------- processes

class ClusterServer(rb.Server):
    """One `signage run` of the cluster: realtime_bench.Server (RSS, CPU, log) on a database URL."""

    def __init__(self, index: int, db_url: str, redis_url: str, workdir: Path, mode: str):
        ServerProcess.__init__(self, db_url, mode, HALL, log_path=workdir / f"process-{index}.log",
                               extra_args=("--message-queue", redis_url, "--proxy-hops", "1",
                                           "--audio-dir", str(workdir / "audio"),
                                           "--max-connections-per-address", "100000"))
        self.index = index
        self.ps = None

    @property
    def name(self) -> str:
        """The process's name in Redis (signage.cluster.process_name)."""
        return f"{socket.gethostname()}:{self.proc.pid}"

    def sockets(self) -> int | None:
        """Established TCP connections on its port (screens' websockets + nginx's keep-alives)."""
        try:
            return sum(1 for c in self.ps.net_connections("tcp")
                       if c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == self.port)
        except (psutil.Error, AttributeError):
            return None


class BenchNginx(Nginx):
    """The reference site as tests/nginx.py runs it, then reloaded with two changes outside the site:

    - `worker_connections` (4096 in tests/nginx.py; Debian's own nginx.conf has 768 with
      `worker_processes auto`) raised so one worker can hold 2 connections per screen (the screen's
      and the upstream's) plus the kiosks and counters, and `worker_rlimit_nofile` to match;
    - an access log naming the upstream of each request, to count where requests went.
    """

    LOG_FORMAT = "'$remote_addr|$upstream_addr|$request_method|$uri|$status|$request_time'"

    def __init__(self, folder: Path, upstream_ports: list[int], worker_connections: int):
        super().__init__(folder, upstream_ports, client_header=DEVICE_HEADER)
        binary = self._binary()
        conf = self.conf.read_text()
        conf, n = re.subn(r"worker_connections \d+;", f"worker_connections {worker_connections};", conf)
        assert n == 1, "tests/nginx.py's events block changed; update BenchNginx"
        conf = conf.replace("worker_processes 1;",
                            f"worker_processes 1;\nworker_rlimit_nofile {2 * worker_connections + 64};", 1)
        conf, n = re.subn(r"access_log (\S+);", rf"log_format bench {self.LOG_FORMAT};\n    access_log \1 bench;", conf)
        assert n == 1, "tests/nginx.py's access_log changed; update BenchNginx"
        self.conf.write_text(conf)
        check = subprocess.run([binary, "-t", "-c", str(self.conf), "-p", str(folder)],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        master = psutil.Process(self.proc.pid)
        old = {p.pid for p in master.children()}
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            now = {p.pid for p in master.children()}
            if now and not (now & old):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("nginx did not reload: " + (folder / "error.log").read_text()[-2000:])
        self.worker_connections = worker_connections

    @staticmethod
    def _binary() -> str:
        return shutil.which("nginx") or "/usr/sbin/nginx"

    def rss_mb(self) -> float | None:
        try:
            master = psutil.Process(self.proc.pid)
            return sum(p.memory_info().rss for p in [master, *master.children()]) / 2**20
        except psutil.Error:
            return None

    def error_lines(self) -> list[str]:
        try:
            text = (self.folder / "error.log").read_text(errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines()
                if re.search(r"\[(error|crit|alert|emerg)\]", line)]

    def upstream_counts(self, ports: dict[int, int]) -> dict[str, dict[str, int]]:
        """Per kind of request (screen websocket, ticket, call-next): how many went to each process."""
        out: dict[str, Counter] = {"screens": Counter(), "tickets": Counter(), "calls": Counter(),
                                   "retried_on_another_process": Counter()}
        try:
            lines = (self.folder / "access.log").read_text(errors="replace").splitlines()
        except OSError:
            return {}
        for line in lines:
            parts = line.split("|")
            if len(parts) < 6:
                continue
            upstream, method, uri = parts[1], parts[2], parts[3]
            # "a, b": nginx tried a (timed out or refused), then b answered
            m = re.search(r":(\d+)$", upstream.split(",")[-1].strip())
            where = f"p{ports[int(m.group(1))]}" if m and int(m.group(1)) in ports else upstream
            if "," in upstream:
                out["retried_on_another_process"][uri.split("?")[0]] += 1
            if uri.startswith("/socket.io/"):
                out["screens"][where] += 1
            elif method == "POST" and uri == "/api/tickets":
                out["tickets"][where] += 1
            elif method == "POST" and uri.endswith("/call-next"):
                out["calls"][where] += 1
        return {k: dict(sorted(v.items())) for k, v in out.items()}


class CpuMeter:
    """CPU seconds (user + system, children included) of each part of the set-up, per phase."""

    def __init__(self, parts: dict[str, int]):
        self.procs: dict[str, psutil.Process] = {}
        for name, pid in parts.items():
            try:
                self.procs[name] = psutil.Process(pid)
            except psutil.Error:
                pass
        self.me = psutil.Process()

    @staticmethod
    def _tree_seconds(p: psutil.Process) -> float:
        try:
            t = p.cpu_times()
            total = t.user + t.system + t.children_user + t.children_system
            for child in p.children(recursive=True):
                try:
                    c = child.cpu_times()
                    total += c.user + c.system
                except psutil.Error:
                    pass
            return total
        except psutil.Error:
            return 0.0

    def snapshot(self) -> dict[str, float]:
        out = {name: self._tree_seconds(p) for name, p in self.procs.items()}
        t = self.me.cpu_times()
        out["client"] = t.user + t.system
        out["_wall"] = time.perf_counter()
        return out

    @staticmethod
    def delta(a: dict[str, float], b: dict[str, float]) -> dict:
        wall = b["_wall"] - a["_wall"]
        cpu = {k: round(b[k] - a[k], 2) for k in b if k != "_wall" and k in a}
        return {"wall_s": round(wall, 2), "cpu_s": cpu,
                "cores_busy": round(sum(cpu.values()) / wall, 2) if wall > 0 else None}


# --------------------------------------------------------------------------- screens

class SpreadDisplays(rb.Displays):
    """realtime_bench's screens, each with its own fake address (X-Test-Device) so nginx's hash
    spreads them, and each keeping the seq of every numbered event it got, in arrival order."""

    def __init__(self, n: int, url: str):
        super().__init__(n, url)
        self.state_seq: list[int | None] = [None] * n     # seq of the first `state`
        self.state_count = [0] * n
        self.seqs: list[list[int]] = [[] for _ in range(n)]
        self.types: list[Counter] = [Counter() for _ in range(n)]

    def _on_event(self, i: int, event: str, data) -> None:
        super()._on_event(i, event, data)
        seq = data.get("seq") if isinstance(data, dict) else None
        if not isinstance(seq, int):
            return
        if event == "state":
            self.state_count[i] += 1
            if self.state_seq[i] is None:
                self.state_seq[i] = seq
        else:
            self.seqs[i].append(seq)
            self.types[i][event] += 1

    async def _open(self, i: int, timeout: float) -> None:
        # As realtime_bench.Displays._open, with the screen's own address in DEVICE_HEADER.
        ws_timeout = aiohttp.ClientWSTimeout(ws_close=timeout) if hasattr(aiohttp, "ClientWSTimeout") else timeout
        ws = await self.http.ws_connect(self.ws_url, timeout=ws_timeout, autoping=False, max_msg_size=0,
                                        headers={DEVICE_HEADER: screen_address(i)})
        opened = await asyncio.wait_for(ws.receive_str(), timeout)
        if not opened.startswith("0"):
            raise RuntimeError(f"no Engine.IO open packet: {opened[:80]!r}")
        await ws.send_str("40" + rb.NAMESPACE + ",")
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self._read(i, ws)))

    async def connect_paced(self, batch: int, timeout: float) -> float:
        """Like Displays.connect, but each batch must have its `state` before the next one opens:
        screens coming on a batch at a time, not all at once (see --connect)."""
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        t0 = time.perf_counter()
        for start in range(0, self.n, batch):
            end = min(start + batch, self.n)
            results = await asyncio.gather(*(self._open(i, timeout) for i in range(start, end)),
                                           return_exceptions=True)
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors:
                kinds = Counter(f"{type(e).__name__} {getattr(e, 'status', '')}".strip() for e in errors)
                raise RuntimeError(f"{len(errors)} screens in batch at {start} failed to connect "
                                   f"(after {self.states} got `state`): {dict(kinds)}")
            deadline = time.perf_counter() + timeout
            while self.states < end:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"only {self.states} of the first {end} screens got `state` within "
                                       f"{timeout}s of their batch; {self.disconnects} disconnected")
                await asyncio.sleep(0.02)
        return time.perf_counter() - t0

    async def wait_all_at(self, seq: int, timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if all(s is not None and s >= seq for s in self.last_seq):
                return True
            await asyncio.sleep(0.1)
        return False

    def check(self, log_events: list[tuple[int, str]]) -> dict:
        """Every screen against the database's event log: after its first state, each seq once,
        in order, none missing."""
        db_type = dict(log_events)
        all_seqs = [s for s, _ in log_events]
        per_screen_bad = 0
        dup_total = gap_total = ooo_total = unexpected_total = 0
        screens_dup = screens_gap = screens_ooo = 0
        missing_by_type: Counter = Counter()
        dup_by_type: Counter = Counter()
        worst: list[dict] = []
        for i in range(self.n):
            first = self.state_seq[i]
            got = self.seqs[i]
            seen = set(got)
            if first is None:
                per_screen_bad += 1
                continue
            dup = len(got) - len(seen)
            ooo = sum(1 for a, b in zip(got, got[1:]) if b <= a)
            expected = [s for s in all_seqs if s > first]
            missing = [s for s in expected if s not in seen]
            unexpected = [s for s in seen if s <= first or s not in db_type]
            if dup:
                counts = Counter(got)
                for s, c in counts.items():
                    if c > 1:
                        dup_by_type[db_type.get(s, "?")] += c - 1
            for s in missing:
                missing_by_type[db_type[s]] += 1
            dup_total += dup
            gap_total += len(missing)
            ooo_total += ooo
            unexpected_total += len(unexpected)
            screens_dup += bool(dup)
            screens_gap += bool(missing)
            screens_ooo += bool(ooo)
            if dup or missing or ooo or unexpected or self.state_count[i] != 1:
                per_screen_bad += 1
                if len(worst) < 5:
                    worst.append({"screen": i, "address": screen_address(i), "state_seq": first,
                                  "states": self.state_count[i], "received": len(got), "duplicates": dup,
                                  "missing": missing[:10], "out_of_order": ooo, "unexpected": unexpected[:10]})
        return {"screens": self.n, "screens_complete": self.n - per_screen_bad,
                "duplicates": dup_total, "gaps": gap_total, "out_of_order": ooo_total,
                "unexpected": unexpected_total, "screens_with_duplicates": screens_dup,
                "screens_with_gaps": screens_gap, "screens_out_of_order": screens_ooo,
                "screens_with_more_than_one_state": sum(1 for c in self.state_count if c > 1),
                "missing_by_type": dict(missing_by_type), "duplicates_by_type": dict(dup_by_type),
                "examples": worst}


# --------------------------------------------------------------------------- load phases

async def issue_tickets_spread(url: str, codes: list[str], kiosks: int, timeout: float, token: str) -> dict:
    """As realtime_bench.issue_tickets (same figures), but each worker is a kiosk with its own
    address, so nginx's hash spreads the kiosks over the processes as it would a hall's."""
    statuses: Counter = Counter()
    latencies: list[float] = []
    next_index = 0
    cto = aiohttp.ClientTimeout(total=timeout)

    async def kiosk(k: int) -> None:
        nonlocal next_index
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1),
                                         headers={DEVICE_HEADER: kiosk_address(k),
                                                  "Authorization": f"Bearer {token}"}) as session:
            while next_index < len(codes):
                code = codes[next_index]
                next_index += 1
                t0 = time.perf_counter()
                try:
                    async with session.post(url + "/api/tickets", json={"service": code}, timeout=cto) as r:
                        await r.read()
                        statuses[r.status] += 1
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    statuses[type(exc).__name__] += 1
                    continue
                latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(kiosk(k) for k in range(kiosks)))
    elapsed = time.perf_counter() - t0
    ok = statuses.get(201, 0)
    return {"elapsed_s": elapsed, "ok": ok, "statuses": {str(k): v for k, v in statuses.items()},
            "per_s": ok / elapsed if elapsed else None,
            "http_p50_ms": (pct(latencies, 50) or 0) * 1000,
            "http_p99_ms": (pct(latencies, 99) or 0) * 1000}


async def run_calls_spread(displays: SpreadDisplays, url: str, tokens: dict[int, str], calls: int,
                           pattern: str, call_timeout: float) -> dict:
    """realtime_bench.run_calls itself, each counter's call-next sent from that counter's own
    session (its own address in DEVICE_HEADER) instead of the one shared session."""
    sessions = {cid: aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=2),
                                           headers={DEVICE_HEADER: counter_address(cid)})
                for cid in tokens}
    original = rb.call_next

    async def call_next(_shared, url_, counter, token, timeout):
        return await original(sessions[counter], url_, counter, token, timeout)

    rb.call_next = call_next
    try:
        return await rb.run_calls(displays, url, tokens, calls, pattern, call_timeout)
    finally:
        rb.call_next = original
        await asyncio.gather(*(s.close() for s in sessions.values()), return_exceptions=True)


def read_event_log(db_url: str) -> list[tuple[int, str]]:
    import psycopg
    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=10) as conn:
        return [(seq, kind) for seq, kind in conn.execute("SELECT seq, type FROM events ORDER BY seq")]


def spread_from_redis(redis_client, servers: list[ClusterServer]) -> dict[str, int] | None:
    try:
        counts = redis_client.hgetall("signage:anonymous")
    except Exception:
        return None
    by_name = {s.name: f"p{s.index}" for s in servers}
    return {by_name.get(k.decode() if isinstance(k, bytes) else k, str(k)): int(v) for k, v in counts.items()}


def scan_log(text: str) -> dict:
    lines = text.splitlines()
    exceptions = Counter(re.sub(r"\d+(\.\d+)?", "N", ln)[:160] for ln in lines
                         if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\b.*:", ln))
    return {"tracebacks": text.count("Traceback (most recent call last)"),
            "exceptions": dict(exceptions.most_common(5)),
            "error_lines": [ln for ln in lines if re.search(r"\b(ERROR|CRITICAL|Exception|Error)\b", ln)][:20],
            "warning_lines": [ln for ln in lines if re.search(r"\bWARNING\b", ln)][:20],
            "error_count": sum(1 for ln in lines if re.search(r"\b(ERROR|CRITICAL|Exception|Error)\b", ln)),
            "warning_count": sum(1 for ln in lines if re.search(r"\bWARNING\b", ln))}


# --------------------------------------------------------------------------- one (processes, screens) run

async def run_one(nproc: int, n: int, args, pg: PostgresServer, redis_server: RedisServer, result: dict) -> None:
    label = f"{nproc}p/{n}"
    result["load_start"] = [round(x, 2) for x in os.getloadavg()]
    db_url = pg.new_database(f"bench_{nproc}p_{n}")
    redis_server.flush()
    tmp = Path(tempfile.mkdtemp(prefix=f"clusterbench-{nproc}p-{n}-"))
    servers = [ClusterServer(i, db_url, redis_server.url, tmp, args.mode) for i in range(nproc)]
    nginx: BenchNginx | None = None
    displays: SpreadDisplays | None = None
    try:
        log(f"{label}: starting {nproc} process(es) on ports {[s.port for s in servers]}")
        await asyncio.to_thread(servers[0].start, 60)   # alone: it makes the schema
        await asyncio.gather(*(asyncio.to_thread(s.start, 60) for s in servers[1:]))
        for s in servers:
            s.ps = psutil.Process(s.proc.pid)
        counters = list(rb.COUNTER_ORDER[:args.counters])
        kiosk_token, *counter_tokens = await asyncio.gather(
            asyncio.to_thread(servers[0].token, "kiosk"),
            *(asyncio.to_thread(servers[0].token, "counter", cid) for cid in counters))
        tokens = dict(zip(counters, counter_tokens))
        wc = args.nginx_worker_connections or max(4096, 2 * n + 1024)
        nginx = await asyncio.to_thread(BenchNginx, tmp / "nginx", [s.port for s in servers], wc)
        result["nginx_worker_connections"] = wc
        result["rss_start_mb"] = [s.rss_mb() for s in servers]
        meter = CpuMeter({**{f"p{s.index}": s.proc.pid for s in servers}, "nginx": nginx.proc.pid,
                          "postgres": int((pg.data / "postmaster.pid").read_text().split()[0]),
                          "redis": redis_server.proc.pid})
        cpu = {}

        displays = SpreadDisplays(n, nginx.url)
        c0 = meter.snapshot()
        log(f"{label}: connecting {n} screens through nginx {nginx.url} in batches of {args.batch}")
        if args.connect == "paced":
            result["connect_s"] = await displays.connect_paced(args.batch, args.connect_timeout)
        else:
            result["connect_s"] = await displays.connect(args.batch, args.connect_timeout)
        cpu["connect"] = meter.delta(c0, meter.snapshot())
        log(f"{label}: all {n} connected and got state in {result['connect_s']:.1f}s")
        await asyncio.sleep(BEAT_S + 1.5)   # every process's screen count reaches Redis
        result["spread_redis"] = spread_from_redis(redis_server.client, servers)
        result["sockets_per_process"] = [s.sockets() for s in servers]
        result["rss_connected_mb"] = [s.rss_mb() for s in servers]
        result["nginx_rss_connected_mb"] = nginx.rss_mb()
        log(f"{label}: screens per process (Redis) {result['spread_redis']}, sockets {result['sockets_per_process']}, "
            f"RSS {[round(x or 0) for x in result['rss_connected_mb']]} MB")

        codes = [rb.COUNTER_SERVICE[counters[i % len(counters)]] for i in range(args.tickets)]
        c0 = meter.snapshot()
        t0 = time.perf_counter()
        result["tickets"] = await issue_tickets_spread(nginx.url, codes, args.kiosks, args.request_timeout, kiosk_token)
        cpu["tickets"] = meter.delta(c0, meter.snapshot())
        tk = result["tickets"]
        log(f"{label}: {tk['ok']} tickets in {tk['elapsed_s']:.1f}s ({tk['per_s']:.1f}/s); statuses {tk['statuses']}")
        displays.issued_target = n * tk["ok"]
        if displays.issued >= displays.issued_target:
            displays.issued_done.set()
        try:
            await asyncio.wait_for(displays.issued_done.wait(), args.drain_timeout)
        except asyncio.TimeoutError:
            pass
        result["issued_fanout"] = {"expected": n * tk["ok"], "received": displays.issued,
                                   "drained_s": time.perf_counter() - t0}
        cpu["tickets+fanout"] = meter.delta(c0, meter.snapshot())
        log(f"{label}: issued fan-out {displays.issued}/{n * tk['ok']} after {result['issued_fanout']['drained_s']:.1f}s")

        log(f"{label}: {args.calls} calls from counters {counters} ({args.pattern})")
        c0 = meter.snapshot()
        result["calls"] = await run_calls_spread(displays, nginx.url, tokens, args.calls, args.pattern,
                                                 args.call_timeout)
        cpu["calls"] = meter.delta(c0, meter.snapshot())
        c = result["calls"]
        if c["last_p50_ms"] is not None:
            log(f"{label}: {c['delivered_all']}/{c['requested']} calls reached all screens; last-screen p50 "
                f"{c['last_p50_ms']:.0f} ms p99 {c['last_p99_ms']:.0f} ms max {c['last_max_ms']:.0f} ms")
        if c["errors"]:
            log(f"{label}: call errors: {c['errors'][:3]}")

        events = await asyncio.to_thread(read_event_log, db_url)
        final = events[-1][0] if events else 0
        result["db_events"] = dict(Counter(kind for _, kind in events))
        result["db_final_seq"] = final
        t1 = time.perf_counter()
        caught_up = await displays.wait_all_at(final, args.drain_timeout)
        result["final_drain_s"] = time.perf_counter() - t1
        result["all_screens_at_final_seq"] = caught_up
        result["completeness"] = displays.check(events)
        comp = result["completeness"]
        log(f"{label}: events complete on {comp['screens_complete']}/{n} screens; duplicates {comp['duplicates']}, "
            f"gaps {comp['gaps']}, out of order {comp['out_of_order']}; db events {result['db_events']}")
        result["rss_end_mb"] = [s.rss_mb() for s in servers]
        result["nginx_rss_end_mb"] = nginx.rss_mb()
        result["client_rss_mb"] = psutil.Process().memory_info().rss / 2**20
        result["cpu"] = cpu
        result["client_disconnects"] = displays.disconnects
        result["ok"] = (c["delivered_all"] == c["requested"] and displays.disconnects == 0
                        and tk["ok"] == args.tickets and comp["screens_complete"] == n)
    finally:
        if displays is not None:
            result["client_disconnects"] = displays.disconnects
            result["disconnect_reasons"] = displays.disconnect_reasons
            try:
                await asyncio.wait_for(displays.close(), 60)
            except (asyncio.TimeoutError, Exception) as exc:  # noqa: BLE001  (teardown goes on)
                result["close_error"] = repr(exc)
        await asyncio.sleep(0.5)   # nginx logs each websocket when it closes
        result["servers_alive_at_end"] = [s.alive() for s in servers]
        if nginx is not None:
            ports = {s.port: s.index for s in servers}
            result["requests_per_process"] = nginx.upstream_counts(ports)
            errors = nginx.error_lines()
            result["nginx_errors"] = {"count": len(errors), "first": errors[:5]}
            nginx.stop()
        for s in servers:
            s.stop()
        result["logs"] = {}
        for s in servers:
            text = s.log_text()
            result["logs"][f"p{s.index}"] = scan_log(text)
            if args.keep_logs:
                dest = Path(args.keep_logs) / f"{nproc}p-{n}-process-{s.index}.log"
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(text)
        if args.keep_logs and nginx is not None:
            for name in ("error.log", "access.log"):
                src = nginx.folder / name
                if src.exists():
                    (Path(args.keep_logs) / f"{nproc}p-{n}-nginx-{name}").write_bytes(src.read_bytes())
        try:
            pg.drop_database(db_url)
        except Exception as exc:  # noqa: BLE001
            result["drop_error"] = repr(exc)
        shutil.rmtree(tmp, ignore_errors=True)
        result["load_end"] = [round(x, 2) for x in os.getloadavg()]


# --------------------------------------------------------------------------- report

def fmt(v, spec=".0f") -> str:
    return "—" if v is None else format(v, spec)


def mbs(values) -> str:
    return " / ".join(fmt(v) for v in values) if values else "—"


def print_table(results: list[dict], pattern: str) -> None:
    print()
    print(f"call pattern: {pattern}")
    print("| processes | screens | screens per process | connect s | tickets/s | call→last screen p50 ms | p99 ms "
          "| max ms | call→first p50 ms | call-next HTTP p50 ms | calls delivered | screens complete "
          "| dup / gaps / out of order | RSS per process after connect MB | RSS end MB | load (1 min) start→end | note |")
    print("| ---: | ---: | --- |" + " ---: |" * 9 + " --- | --- | --- | --- | --- |")
    for r in results:
        c = r.get("calls") or {}
        t = r.get("tickets") or {}
        comp = r.get("completeness") or {}
        spread = r.get("spread_redis") or {}
        note = []
        if r.get("error"):
            note.append(f"FAILED: {r['error'][:200]}")
        if r.get("client_disconnects"):
            note.append(f"{r['client_disconnects']} screen disconnects {r.get('disconnect_reasons')}")
        if c.get("wrong_counter"):
            note.append(f"{c['wrong_counter']} wrong counter")
        fan = r.get("issued_fanout")
        if fan and fan["received"] < fan["expected"]:
            note.append(f"issued fan-out {fan['received']}/{fan['expected']}")
        tb = sum(v["tracebacks"] for v in (r.get("logs") or {}).values())
        errs = sum(v["error_count"] for v in (r.get("logs") or {}).values())
        if tb or errs:
            exc = Counter()
            for v in (r.get("logs") or {}).values():
                exc.update(v.get("exceptions") or {})
            top = f" (most: {exc.most_common(1)[0][0][:110]} x{exc.most_common(1)[0][1]})" if exc else ""
            note.append(f"{tb} tracebacks, {errs} error lines in process logs{top}")
        if (r.get("nginx_errors") or {}).get("count"):
            note.append(f"{r['nginx_errors']['count']} nginx error lines")
        if t and t.get("ok") != sum(v for k, v in t.get("statuses", {}).items()):
            note.append(f"ticket statuses {t['statuses']}")
        delivered = f"{c['delivered_all']}/{c['requested']}" if c else "—"
        complete = f"{comp['screens_complete']}/{comp['screens']}" if comp else "—"
        dgo = f"{comp['duplicates']} / {comp['gaps']} / {comp['out_of_order']}" if comp else "—"
        spread_s = " / ".join(str(spread.get(f"p{i}", 0)) for i in range(r["processes"])) if spread else "—"
        ls, le = r.get("load_start") or [None], r.get("load_end") or [None]
        print(f"| {r['processes']} | {r['screens']} | {spread_s} | {fmt(r.get('connect_s'), '.1f')} "
              f"| {fmt(t.get('per_s'), '.1f')} | {fmt(c.get('last_p50_ms'))} | {fmt(c.get('last_p99_ms'))} "
              f"| {fmt(c.get('last_max_ms'))} | {fmt(c.get('first_p50_ms'))} | {fmt(c.get('http_p50_ms'))} "
              f"| {delivered} | {complete} | {dgo} | {mbs(r.get('rss_connected_mb'))} | {mbs(r.get('rss_end_mb'))} "
              f"| {fmt(ls[0], '.1f')}→{fmt(le[0], '.1f')} | {'; '.join(note) or 'ok'} |")
    print()
    print("CPU seconds per phase (cores busy = all listed CPU / wall time; the machine has "
          f"{os.cpu_count()} cores):")
    for r in results:
        for phase, d in (r.get("cpu") or {}).items():
            parts = ", ".join(f"{k} {v:.1f}" for k, v in d["cpu_s"].items())
            print(f"  {r['processes']}p/{r['screens']} {phase}: {d['wall_s']:.1f} s wall, "
                  f"{d['cores_busy']} cores busy: {parts}")


async def main_async(args) -> list[dict]:
    results = []
    pg = PostgresServer()
    redis_server = None
    try:
        log("starting PostgreSQL and Redis")
        await asyncio.to_thread(pg.start)
        redis_server = await asyncio.to_thread(RedisServer)
        for nproc in args.processes:
            for n in args.screens:
                result = {"processes": nproc, "screens": n, "ok": False}
                results.append(result)
                t0 = time.perf_counter()
                try:
                    await asyncio.wait_for(run_one(nproc, n, args, pg, redis_server, result), args.run_timeout)
                except asyncio.TimeoutError:
                    result["error"] = f"whole run exceeded {args.run_timeout}s"
                except Exception as exc:  # report and go on to the next row
                    result["error"] = f"{type(exc).__name__}: {exc}"
                result["wall_s"] = time.perf_counter() - t0
                if result.get("error"):
                    log(f"{nproc}p/{n}: FAILED: {result['error'][:2000]}")
                for name, scan in (result.get("logs") or {}).items():
                    if scan["tracebacks"] or scan["error_count"]:
                        log(f"{nproc}p/{n}: {name}: {scan['tracebacks']} tracebacks, {scan['error_count']} "
                            f"error lines; exceptions: {scan['exceptions'] or scan['error_lines'][:3]}")
                if args.json:   # after every row, so an interrupted run keeps what it measured
                    write_json(args, results)
                await asyncio.sleep(2)
    finally:
        if redis_server is not None:
            redis_server.stop()
        pg.stop()
    return results


MACHINE: dict = {}


def write_json(args, results) -> None:
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"machine": MACHINE, "args": vars(args), "results": results},
                                          indent=2, default=str))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", nargs="+", type=int, default=[1, 2, 4])
    p.add_argument("--screens", nargs="+", type=int, default=[500, 2000])
    p.add_argument("--mode", default="eventlet", choices=["gevent", "eventlet"])
    p.add_argument("--calls", type=int, default=60)
    p.add_argument("--tickets", type=int, default=200, help="tickets issued before calling (>= --calls)")
    p.add_argument("--counters", type=int, default=6, choices=range(1, 14), metavar="1..13")
    p.add_argument("--kiosks", type=int, default=4, help="kiosks issuing tickets, one request at a time each")
    p.add_argument("--pattern", choices=["sequential", "concurrent"], default="sequential")
    p.add_argument("--batch", type=int, default=50, help="screens connected at once")
    p.add_argument("--connect", choices=["paced", "storm"], default="paced",
                   help="paced: each batch gets its `state` before the next batch opens; storm: as "
                        "realtime_bench, batches open as fast as the websockets open (namespace "
                        "connects and their snapshots pile up in the server)")
    p.add_argument("--connect-timeout", type=float, default=60)
    p.add_argument("--request-timeout", type=float, default=30)
    p.add_argument("--call-timeout", type=float, default=30, help="per call, until every screen has it")
    p.add_argument("--drain-timeout", type=float, default=180, help="wait for the issued fan-out")
    p.add_argument("--run-timeout", type=float, default=1200, help="whole (processes, screens) run")
    p.add_argument("--nginx-worker-connections", type=int, help="default max(4096, 2 x screens + 1024)")
    p.add_argument("--keep-logs", metavar="DIR", help="copy each process's log and nginx's logs here")
    p.add_argument("--json", metavar="FILE", help="write all figures as JSON")
    args = p.parse_args()
    if args.tickets < args.calls:
        p.error("--tickets must be >= --calls")

    # S sockets here, S + S in nginx, up to S in one process (the children inherit the limit).
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 3 * max(args.screens) + 1024))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    MACHINE.update({"nproc": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "mem_gb": round(psutil.virtual_memory().total / 2**30, 1),
                    "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
                    "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "load_start": os.getloadavg(),
                    "command": " ".join([".venv/bin/python", "benchmarks/cluster_bench.py", *sys.argv[1:]])})
    t0 = time.perf_counter()
    results = asyncio.run(main_async(args))
    MACHINE["load_end"] = os.getloadavg()
    MACHINE["wall_s"] = round(time.perf_counter() - t0, 1)
    print(f"\n{MACHINE['date']}  nproc={MACHINE['nproc']}  {MACHINE['mem_gb']} GB  python {MACHINE['python']}  "
          f"{MACHINE['platform']}  wall {MACHINE['wall_s']} s  load {MACHINE['load_start']} → {MACHINE['load_end']}")
    print(f"tickets: {args.tickets} from {args.kiosks} kiosks; calls: {args.calls} from {args.counters} counters "
          f"{list(rb.COUNTER_ORDER[:args.counters])}; async mode {args.mode}; connect {args.connect}, "
          f"batches of {args.batch}")
    print_table(results, args.pattern)
    print()
    for r in results:
        print(f"  {r['processes']}p/{r['screens']}: requests per process (nginx): {r.get('requests_per_process')}; "
              f"sockets per process {r.get('sockets_per_process')}; db events {r.get('db_events')}")
    if args.json:
        write_json(args, results)
    return 0 if all(r.get("ok") for r in results) else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main())
