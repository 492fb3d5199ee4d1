"""Realtime load: many hall screens on /display, tickets issued, counters calling.

    .venv/bin/python benchmarks/realtime_bench.py --mode gevent eventlet --clients 100 500 \
        --calls 200 --counters 6 [--tickets 500] [--pattern sequential|concurrent] [--json out.json]

For every (async mode, client count) the script:

1. starts a fresh `signage run` process on a fresh SQLite file in a temp dir (its stdout and
   stderr go to a log file, scanned for tracebacks at the end; kept with --keep-logs),
2. connects N screens to /display (bare Engine.IO websockets speaking the Socket.IO protocol,
   all in this one asyncio process, in batches of --batch) and checks every one got `state`,
3. issues --tickets tickets with POST /api/tickets from --workers concurrent aiohttp workers
   and reports tickets/s (the server also fans every `issued` event out to the N screens while
   this runs; the script then waits until all N x tickets `issued` events have arrived),
4. presses call-next from --counters counters and, per call, measures the time from sending the
   request until the `called` event for that ticket has arrived at ALL N screens (the last one):
     sequential (default): one call at a time, counters taking turns (1, 2, 3, ... 1, 2, ...);
                           the next call is only sent once the previous one reached every screen.
     concurrent:           one worker per counter, all pressing back to back at the same time
                           (a burst; latency then includes waiting behind the other calls).
5. reads the server's RSS (psutil, server pid) after connecting the clients and at the end,
6. stops the server and prints one row per (mode, clients).

Everything is bounded: connect, every request, every wait and each whole run have time-outs.
The clients run on the same machine as the server and use CPU too: on a 2-core box the
"last screen" time includes this process decoding N copies of each event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support import ALWAYS_OPEN_HALL as HALL, ServerProcess  # noqa: E402  (after the path)
# Distinct services first, then the second counters of E (6) and K (12).
COUNTER_ORDER = (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 13, 6, 12)
COUNTER_SERVICE = {1: "A", 2: "B", 3: "C", 4: "D", 5: "E", 6: "E", 7: "F", 8: "G", 9: "H",
                   10: "J", 11: "K", 12: "K", 13: "L"}
NAMESPACE = "/display"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile; None when there is nothing to rank."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


# --------------------------------------------------------------------------- server process

class Server(ServerProcess):
    """The hall server under load (the test suite's server process), with its memory and CPU."""

    def __init__(self, mode: str, workdir: Path):
        # --audio-dir keeps the speech cache out of the project's audio/ directory.
        super().__init__(workdir / "hall.db", mode, HALL,
                         extra_args=("--audio-dir", str(workdir / "audio"),
                                     # all N screens come from 127.0.0.1 here, not from N TVs
                                     "--max-connections-per-address", "100000"))
        self.ps: psutil.Process | None = None

    def start(self, timeout: float = 60) -> "Server":
        super().start(timeout)
        self.ps = psutil.Process(self.proc.pid)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_mb(self) -> float | None:
        try:
            return self.ps.memory_info().rss / 2**20 if self.ps else None
        except psutil.Error:
            return None

    def cpu_s(self) -> float | None:
        try:
            t = self.ps.cpu_times()
            return t.user + t.system
        except (psutil.Error, AttributeError):
            return None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_text()[-chars:]


# --------------------------------------------------------------------------- display clients

class Displays:
    """N hall screens on /display, each a bare Engine.IO v4 websocket.

    A full python-socketio client per screen costs so much CPU per message that one process
    cannot keep 500 of them fed on a 2-core box: the screens fell behind, missed pings and were
    dropped, which measured the benchmark, not the server. A screen here speaks just what a
    display needs from the wire protocol: open, join the namespace, answer pings, read events.
    """

    def __init__(self, n: int, url: str):
        self.n = n
        self.ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.readers: list[asyncio.Task] = []
        self.last_seq: list[int | None] = [None] * n
        self.states = 0
        self.all_states = asyncio.Event()
        self.issued = 0
        self.issued_target = 0
        self.issued_done = asyncio.Event()
        self.arrivals: dict[str, list] = {}    # ticket -> [count, first_t, last_t, counter ids]
        self.waiters: dict[str, asyncio.Event] = {}
        self.seq_gaps = 0                      # events a screen never saw (seq jumped)
        self.disconnects = 0
        self.disconnect_reasons: dict[str, int] = {}
        self.first_disconnect_at: float | None = None
        self.event_counts: dict[str, int] = {}
        self.http: aiohttp.ClientSession | None = None
        self.closing = False

    def _on_event(self, i: int, event: str, data) -> None:
        now = time.perf_counter()
        self.event_counts[event] = self.event_counts.get(event, 0) + 1
        if event == "state":
            if self.last_seq[i] is None:
                self.states += 1
                if self.states >= self.n:
                    self.all_states.set()
            if isinstance(data, dict) and isinstance(data.get("seq"), int):
                self.last_seq[i] = max(self.last_seq[i] or 0, data["seq"])
            return
        seq = data.get("seq") if isinstance(data, dict) else None
        if isinstance(seq, int) and self.last_seq[i] is not None:
            if seq > self.last_seq[i] + 1:
                self.seq_gaps += seq - self.last_seq[i] - 1
            self.last_seq[i] = max(self.last_seq[i], seq)
        if event == "issued":
            self.issued += 1
            if self.issued_target and self.issued >= self.issued_target:
                self.issued_done.set()
        elif event == "called" and isinstance(data, dict):
            ticket = data.get("ticket")
            rec = self.arrivals.get(ticket)
            if rec is None:
                rec = self.arrivals[ticket] = [0, now, now, set()]
            rec[0] += 1
            rec[2] = now
            rec[3].add((data.get("counter") or {}).get("id"))
            if rec[0] >= self.n and ticket in self.waiters:
                self.waiters[ticket].set()

    def _on_disconnect(self, reason: str) -> None:
        if self.closing:
            return
        self.disconnects += 1
        self.disconnect_reasons[reason] = self.disconnect_reasons.get(reason, 0) + 1
        if self.first_disconnect_at is None:
            self.first_disconnect_at = time.perf_counter()

    async def _open(self, i: int, timeout: float) -> None:
        ws = await self.http.ws_connect(self.ws_url, timeout=timeout, autoping=False,
                                        max_msg_size=0)
        opened = await asyncio.wait_for(ws.receive_str(), timeout)
        if not opened.startswith("0"):
            raise RuntimeError(f"no Engine.IO open packet: {opened[:80]!r}")
        await ws.send_str("40" + NAMESPACE + ",")
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self._read(i, ws)))

    async def _read(self, i: int, ws: aiohttp.ClientWebSocketResponse) -> None:
        prefix = "42" + NAMESPACE + ","
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                text = msg.data
                if text == "2":                       # Engine.IO ping: answer or be dropped
                    await ws.send_str("3")
                elif text.startswith(prefix):
                    event, *args = json.loads(text[len(prefix):])
                    if event == "events":             # one frame, several events (issue 10)
                        for one in args[0]:
                            self._on_event(i, one.get("type"), one)
                    else:                             # one event per frame (the server before it)
                        self._on_event(i, event, args[0] if args else None)
                elif text.startswith("44"):           # namespace refused
                    self._on_disconnect("connect_error")
                    return
            self._on_disconnect(f"closed {ws.close_code}")
        except (aiohttp.ClientError, ConnectionError) as exc:
            self._on_disconnect(type(exc).__name__)

    async def connect(self, batch: int, timeout: float) -> float:
        # One shared HTTP session without a connection cap (aiohttp's default is 100).
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        t0 = time.perf_counter()
        for start in range(0, self.n, batch):
            results = await asyncio.gather(*(self._open(i, timeout)
                                             for i in range(start, min(start + batch, self.n))),
                                           return_exceptions=True)
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors:
                raise RuntimeError(f"{len(errors)} clients in batch at {start} failed to connect: "
                                   f"{errors[0]!r}")
        try:
            await asyncio.wait_for(self.all_states.wait(), timeout)
        except asyncio.TimeoutError:
            raise RuntimeError(f"only {self.states} of {self.n} clients got `state` within {timeout}s")
        return time.perf_counter() - t0

    async def wait_called(self, ticket: str, timeout: float) -> bool:
        rec = self.arrivals.get(ticket)
        if rec is not None and rec[0] >= self.n:
            return True
        ev = self.waiters.setdefault(ticket, asyncio.Event())
        try:
            await asyncio.wait_for(ev.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(*(asyncio.wait_for(ws.close(), 10) for ws in self.sockets),
                             return_exceptions=True)
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        if self.http:
            await self.http.close()


# --------------------------------------------------------------------------- load phases

async def issue_tickets(url: str, codes: list[str], workers: int, timeout: float,
                        kiosk_token: str) -> dict:
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    next_index = 0
    cto = aiohttp.ClientTimeout(total=timeout)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal next_index
        while next_index < len(codes):
            code = codes[next_index]
            next_index += 1
            t0 = time.perf_counter()
            try:
                async with session.post(url + "/api/tickets", json={"service": code}, timeout=cto,
                                        headers={"Authorization": f"Bearer {kiosk_token}"}) as r:
                    await r.read()
                    statuses[r.status] = statuses.get(r.status, 0) + 1
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                key = f"{type(exc).__name__}"
                statuses[key] = statuses.get(key, 0) + 1
                continue
            latencies.append(time.perf_counter() - t0)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers)) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(workers)))
        elapsed = time.perf_counter() - t0
    ok = statuses.get(201, 0)
    return {"elapsed_s": elapsed, "ok": ok, "statuses": {str(k): v for k, v in statuses.items()},
            "per_s": ok / elapsed if elapsed else None,
            "http_p50_ms": (pct(latencies, 50) or 0) * 1000,
            "http_p99_ms": (pct(latencies, 99) or 0) * 1000}


async def call_next(session: aiohttp.ClientSession, url: str, counter: int, token: str,
                    timeout: float) -> tuple[float, float, int, str | None, str]:
    """Returns (t_sent, t_answered, status, ticket number or None, error text)."""
    t0 = time.perf_counter()
    try:
        async with session.post(f"{url}/api/counters/{counter}/call-next",
                                headers={"Authorization": f"Bearer {token}"}, json={},
                                timeout=aiohttp.ClientTimeout(total=timeout)) as r:
            body = await r.json(content_type=None)
            t1 = time.perf_counter()
            if r.status != 200:
                return t0, t1, r.status, None, str(body)[:200]
            return t0, t1, 200, ((body or {}).get("ticket") or {}).get("number"), ""
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        return t0, time.perf_counter(), 0, None, repr(exc)


async def run_calls(displays: Displays, url: str, tokens: dict[int, str], calls: int, pattern: str,
                    call_timeout: float) -> dict:
    counters = list(tokens)
    sent: list[tuple[float, float, int, str]] = []  # t_sent, t_answered, counter, ticket
    errors: list[str] = []
    undelivered: list[str] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=len(counters) + 2)) as s:
        t_start = time.perf_counter()
        if pattern == "sequential":
            for j in range(calls):
                cid = counters[j % len(counters)]
                t0, t1, status, ticket, err = await call_next(s, url, cid, tokens[cid], call_timeout)
                if ticket is None:
                    errors.append(f"counter {cid}: {status} {err}")
                    if len(errors) >= 10:
                        break
                    continue
                sent.append((t0, t1, cid, ticket))
                if not await displays.wait_called(ticket, call_timeout):
                    undelivered.append(ticket)
                    if len(undelivered) >= 3:
                        errors.append(f"stopped after {len(undelivered)} calls not delivered to all "
                                      f"screens within {call_timeout}s")
                        break
        else:
            share = [calls // len(counters) + (1 if k < calls % len(counters) else 0)
                     for k in range(len(counters))]

            async def worker(cid: int, count: int) -> None:
                for _ in range(count):
                    t0, t1, status, ticket, err = await call_next(s, url, cid, tokens[cid], call_timeout)
                    if ticket is None:
                        errors.append(f"counter {cid}: {status} {err}")
                        if len(errors) >= 10:
                            return
                        continue
                    sent.append((t0, t1, cid, ticket))
            await asyncio.gather(*(worker(cid, n) for cid, n in zip(counters, share)))
            deadline = time.perf_counter() + call_timeout
            for _, _, _, ticket in sent:
                if not await displays.wait_called(ticket, max(0.01, deadline - time.perf_counter())):
                    undelivered.append(ticket)
        elapsed = time.perf_counter() - t_start

    last, first, http, wrong_counter, series = [], [], [], 0, []
    for t0, t1, cid, ticket in sent:
        http.append(t1 - t0)
        rec = displays.arrivals.get(ticket)
        if rec and rec[3] != {cid}:
            wrong_counter += 1
        if rec and rec[0] >= displays.n:
            last.append(rec[2] - t0)
            first.append(rec[1] - t0)
        # per call, for looking at the tail: pressed (s after the first), HTTP, first and last screen (ms)
        series.append([round(t0 - t_start, 3), round((t1 - t0) * 1000, 1)]
                      + ([round((rec[1] - t0) * 1000, 1), round((rec[2] - t0) * 1000, 1)] if rec else [None, None]))
    ms = lambda v: None if v is None else v * 1000  # noqa: E731
    # Do the screens keep pace with the API? When the last answer came, and when the last call
    # was on every screen (s after the first press); answer -> last screen per call.
    answered = [t1 - t_start for _, t1, _, _ in sent]
    on_screens = [r[0] + r[3] / 1000 for r in series if r[3] is not None]
    lag = [r[3] - r[1] for r in series if r[3] is not None]
    return {"pattern": pattern, "requested": calls, "answered": len(sent), "delivered_all": len(last),
            "undelivered": len(undelivered),
            "undelivered_partial_counts": [(t, (displays.arrivals.get(t) or [0])[0]) for t in undelivered[:5]],
            "errors": errors[:10], "wrong_counter": wrong_counter, "elapsed_s": elapsed,
            "last_p50_ms": ms(pct(last, 50)), "last_p99_ms": ms(pct(last, 99)), "last_max_ms": ms(max(last, default=None)),
            "first_p50_ms": ms(pct(first, 50)), "http_p50_ms": ms(pct(http, 50)), "http_p99_ms": ms(pct(http, 99)),
            "api_done_s": max(answered, default=None), "screens_done_s": max(on_screens, default=None),
            "answer_to_last_p50_ms": pct(lag, 50), "answer_to_last_max_ms": max(lag, default=None),
            "series": series}


class CpuSampler:
    """Once a second: CPU% of the server process and of this (client) process; 100% = one core."""

    def __init__(self, server: Server):
        self.server = server
        self.me = psutil.Process()
        self.samples: list[tuple[float, str, float | None, float]] = []
        self.phase = "idle"
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        try:
            self.server.ps.cpu_percent(None)
        except (psutil.Error, AttributeError):
            pass
        self.me.cpu_percent(None)
        while True:
            await asyncio.sleep(1)
            try:
                srv = self.server.ps.cpu_percent(None)
            except (psutil.Error, AttributeError):
                srv = None
            self.samples.append((time.perf_counter(), self.phase, srv, self.me.cpu_percent(None)))

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def summary(self) -> dict:
        out: dict[str, dict] = {}
        for phase in dict.fromkeys(s[1] for s in self.samples):
            rows = [s for s in self.samples if s[1] == phase]
            srv = [s[2] for s in rows if s[2] is not None]
            cli = [s[3] for s in rows]
            out[phase] = {"seconds": len(rows),
                          "server_mean_pct": statistics.fmean(srv) if srv else None,
                          "server_max_pct": max(srv, default=None),
                          "client_mean_pct": statistics.fmean(cli) if cli else None,
                          "client_max_pct": max(cli, default=None)}
        return out


# --------------------------------------------------------------------------- one (mode, clients) run

async def run_one(mode: str, n: int, args, result: dict) -> None:
    with tempfile.TemporaryDirectory(prefix=f"rtbench-{mode}-{n}-") as tmp:
        server = Server(mode, Path(tmp))
        displays: Displays | None = None
        sampler = CpuSampler(server)
        try:
            log(f"{mode}/{n}: starting server on port {server.port}")
            server.start()
            counters = list(COUNTER_ORDER[:args.counters])
            tokens = {cid: server.token("counter", cid) for cid in counters}
            result["rss_start_mb"] = server.rss_mb()

            displays = Displays(n, server.url)
            sampler.start()
            sampler.phase = "connect"
            log(f"{mode}/{n}: connecting {n} display clients in batches of {args.batch}")
            result["connect_s"] = await displays.connect(args.batch, args.connect_timeout)
            await asyncio.sleep(1)  # let the server settle after the connect storm
            result["rss_connected_mb"] = server.rss_mb()
            log(f"{mode}/{n}: all {n} connected and got state in {result['connect_s']:.1f}s, "
                f"server RSS {result['rss_connected_mb']:.1f} MB")

            codes = [COUNTER_SERVICE[counters[i % len(counters)]] for i in range(args.tickets)]
            displays.issued_target = n * len(codes)
            cpu0 = server.cpu_s()
            t0 = time.perf_counter()
            sampler.phase = "tickets"
            result["tickets"] = await issue_tickets(server.url, codes, args.workers, args.request_timeout,
                                                    server.kiosk_token)  # tickets need a kiosk (issue 8)
            log(f"{mode}/{n}: {result['tickets']['ok']} tickets in {result['tickets']['elapsed_s']:.1f}s "
                f"({result['tickets']['per_s']:.0f}/s); statuses {result['tickets']['statuses']}")
            sampler.phase = "issued-drain"
            try:
                await asyncio.wait_for(displays.issued_done.wait(), args.drain_timeout)
            except asyncio.TimeoutError:
                pass
            result["issued_fanout"] = {"expected": n * result["tickets"]["ok"], "received": displays.issued,
                                       "drained_s": time.perf_counter() - t0}
            result["server_cpu_tickets_s"] = (server.cpu_s() or 0) - (cpu0 or 0)
            log(f"{mode}/{n}: issued fan-out {displays.issued}/{n * result['tickets']['ok']} "
                f"after {result['issued_fanout']['drained_s']:.1f}s")

            log(f"{mode}/{n}: {args.calls} calls from counters {counters} ({args.pattern})")
            cpu0 = server.cpu_s()
            sampler.phase = "calls"
            result["calls"] = await run_calls(displays, server.url, tokens, args.calls, args.pattern,
                                              args.call_timeout)
            result["server_cpu_calls_s"] = (server.cpu_s() or 0) - (cpu0 or 0)
            c = result["calls"]
            if c["last_p50_ms"] is not None:
                log(f"{mode}/{n}: {c['delivered_all']}/{c['requested']} calls reached all screens; "
                    f"last-screen p50 {c['last_p50_ms']:.0f} ms p99 {c['last_p99_ms']:.0f} ms "
                    f"max {c['last_max_ms']:.0f} ms")
            if c["errors"]:
                log(f"{mode}/{n}: call errors: {c['errors'][:3]}")
            result["rss_end_mb"] = server.rss_mb()
            result["seq_gaps"] = displays.seq_gaps
            result["client_disconnects"] = displays.disconnects
            if displays.first_disconnect_at is not None:
                result["first_disconnect_after_ticket_start_s"] = displays.first_disconnect_at - t0
            result["events_received"] = dict(displays.event_counts)
            result["ok"] = (c["delivered_all"] == c["requested"] and displays.disconnects == 0
                            and result["tickets"]["ok"] == args.tickets)
        finally:
            await sampler.stop()
            result["cpu"] = sampler.summary()
            if displays is not None:
                result["client_disconnects"] = displays.disconnects
                result["disconnect_reasons"] = displays.disconnect_reasons
                await asyncio.wait_for(displays.close(), 60)
            result["server_alive_at_end"] = server.alive()
            server.stop()
            text = server.log_text()
            result["log_tracebacks"] = text.count("Traceback (most recent call last)")
            result["log_error_lines"] = len(re.findall(r"(?im)^.*\b(error|exception)\b.*$", text))
            if result["log_tracebacks"] or result["log_error_lines"]:
                result["log_tail"] = text[-4000:]
            if args.keep_logs:
                dest = Path(args.keep_logs) / f"server-{mode}-{n}.log"
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(text)
                result["log_file"] = str(dest)


def fmt(v, spec=".0f") -> str:
    return "—" if v is None else format(v, spec)


def print_table(results: list[dict], pattern: str) -> None:
    print()
    print(f"call pattern: {pattern}")
    print("| mode | clients | connect s | tickets/s | call→last screen p50 ms | p99 ms | max ms "
          "| call→first screen p50 ms | call-next HTTP p50 ms | calls delivered | RSS after connect MB | RSS end MB | note |")
    print("| --- |" + " ---: |" * 11 + " --- |")
    for r in results:
        c = r.get("calls") or {}
        t = r.get("tickets") or {}
        note = []
        if r.get("error"):
            note.append(f"FAILED: {r['error'][:160]}")
        if r.get("client_disconnects"):
            note.append(f"{r['client_disconnects']} client disconnects")
        if r.get("seq_gaps"):
            note.append(f"{r['seq_gaps']} seq gaps")
        if c.get("wrong_counter"):
            note.append(f"{c['wrong_counter']} wrong counter")
        if r.get("log_tracebacks"):
            note.append(f"{r['log_tracebacks']} tracebacks in server log")
        fan = r.get("issued_fanout")
        if fan and fan["received"] < fan["expected"]:
            note.append(f"issued fan-out {fan['received']}/{fan['expected']}")
        delivered = f"{c['delivered_all']}/{c['requested']}" if c else "—"
        print(f"| {r['mode']} | {r['clients']} | {fmt(r.get('connect_s'), '.1f')} | {fmt(t.get('per_s'))} "
              f"| {fmt(c.get('last_p50_ms'))} | {fmt(c.get('last_p99_ms'))} | {fmt(c.get('last_max_ms'))} "
              f"| {fmt(c.get('first_p50_ms'))} | {fmt(c.get('http_p50_ms'))} | {delivered} | {fmt(r.get('rss_connected_mb'), '.1f')} "
              f"| {fmt(r.get('rss_end_mb'), '.1f')} | {'; '.join(note) or 'ok'} |")
    print()
    print("keeping pace: | mode | clients | API answered the last call at s | last call on every screen at s "
          "| answer→last screen p50 ms | max ms |")
    for r in results:
        c = r.get("calls") or {}
        print(f"| {r['mode']} | {r['clients']} | {fmt(c.get('api_done_s'), '.2f')} | {fmt(c.get('screens_done_s'), '.2f')} "
              f"| {fmt(c.get('answer_to_last_p50_ms'))} | {fmt(c.get('answer_to_last_max_ms'))} |")


async def main_async(args) -> list[dict]:
    results = []
    for mode in args.mode:
        for n in args.clients:
            result = {"mode": mode, "clients": n, "ok": False}
            results.append(result)
            t0 = time.perf_counter()
            try:
                await asyncio.wait_for(run_one(mode, n, args, result), args.run_timeout)
            except asyncio.TimeoutError:
                result["error"] = f"whole run exceeded {args.run_timeout}s"
            except Exception as exc:  # report and go on to the next row
                result["error"] = f"{type(exc).__name__}: {exc}"
            result["wall_s"] = time.perf_counter() - t0
            if result.get("error"):
                log(f"{mode}/{n}: FAILED: {result['error'][:2000]}")
            if result.get("log_tracebacks"):
                log(f"{mode}/{n}: {result['log_tracebacks']} traceback(s) in the server log; tail:\n"
                    f"{result['log_tail']}")
            await asyncio.sleep(1)
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mode", nargs="+", default=["gevent", "eventlet"], choices=["gevent", "eventlet", "threading"])
    p.add_argument("--clients", nargs="+", type=int, default=[100, 500])
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--counters", type=int, default=6, choices=range(1, 14), metavar="1..13")
    p.add_argument("--tickets", type=int, default=500, help="tickets issued before calling (>= --calls)")
    p.add_argument("--workers", type=int, default=4, help="concurrent ticket-issuing workers")
    p.add_argument("--pattern", choices=["sequential", "concurrent"], default="sequential")
    p.add_argument("--batch", type=int, default=50, help="clients connected at once")
    p.add_argument("--connect-timeout", type=float, default=30)
    p.add_argument("--request-timeout", type=float, default=30)
    p.add_argument("--call-timeout", type=float, default=30, help="per call, until every screen has it")
    p.add_argument("--drain-timeout", type=float, default=120, help="wait for the issued fan-out")
    p.add_argument("--run-timeout", type=float, default=900, help="whole (mode, clients) run")
    p.add_argument("--keep-logs", metavar="DIR", help="copy each server log here")
    p.add_argument("--json", metavar="FILE", help="write all figures as JSON")
    args = p.parse_args()
    if args.tickets < args.calls:
        p.error("--tickets must be >= --calls")

    # Many sockets in one process: raise the soft open-files limit as far as allowed.
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = min(hard, max(soft, 4 * max(args.clients) + 256))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ImportError, ValueError, OSError):
        pass

    started = datetime.now(timezone.utc)
    results = asyncio.run(main_async(args))
    machine = {"nproc": os.cpu_count(), "python": platform.python_version(),
               "platform": platform.platform(), "date": started.isoformat(timespec="seconds"),
               "command": " ".join([".venv/bin/python", "benchmarks/realtime_bench.py", *sys.argv[1:]])}
    print(f"\n{machine['date']}  nproc={machine['nproc']}  python {machine['python']}  {machine['platform']}")
    print(f"tickets: {args.tickets} from {args.workers} workers; calls: {args.calls} from "
          f"{args.counters} counters {list(COUNTER_ORDER[:args.counters])}")
    print_table(results, args.pattern)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"machine": machine, "args": vars(args), "results": results},
                                              indent=2, default=str))
    return 0 if all(r.get("ok") for r in results) else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main())
