"""Several server processes on one PostgreSQL and one Redis behave as one hall (cluster.py).

Three real `signage run` processes share a throwaway PostgreSQL (tests/pg.py) and a throwaway
Redis (tests/redis_server.py); kiosks, counters and screens are spread over them. Each screen
must get each event exactly once, in `seq` order, whichever process committed it; each ticket
is called once; presence and rate limits are the same from every process; the hall's duties
run once; and `kill -9` of one process in the middle of a burst, behind the reference nginx
site, loses and doubles nothing while its screens come back with a fresh snapshot.
"""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import func, select

from nginx import DEVICE_HEADER, Nginx
from signage.store import Database
from signage.store import tables as t
from support import ServerProcess, _InOrderClient

PROCESSES = 3
SERVICES = ("A", "B", "C")          # counters 1, 2, 3 of tests/halls/always_open.json serve these


class Screen:
    """A real Socket.IO client that records every state and every numbered event, in order."""

    def __init__(self, url: str, headers: dict | None = None):
        self.client = _InOrderClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
        self.log: list[tuple] = []           # ("state", seq) | ("event", seq, name)
        self.gaps = 0                        # events that came after a missed one
        self.cond = threading.Condition()
        self.client.on("state", lambda data: self._any("state", data), namespace="/display")
        self.client.on("events", self._batch, namespace="/display")
        self.client.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=10,
                            headers=headers or {})

    def _batch(self, events):
        for event in events:
            self._any(event["type"], event)

    def _any(self, event, data=None):
        if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
            return
        with self.cond:
            gap = event != "state" and self.log and data["seq"] > max(e[1] for e in self.log) + 1
            self.log.append(("state" if event == "state" else "event", data["seq"], event))
            self.cond.notify_all()
        if gap:   # what live.js does: a missed event is made up by a fresh snapshot
            self.gaps += 1
            self.client.emit("snapshot", namespace="/display")

    def states(self) -> int:
        return sum(1 for entry in self.log if entry[0] == "state")

    def newest(self) -> int:
        with self.cond:
            return max((entry[1] for entry in self.log), default=0)

    def wait_until(self, seq: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while max((e[1] for e in self.log), default=0) < seq:
                left = deadline - time.monotonic()
                assert left > 0, f"screen stuck at {self.newest()} of {seq}: {self.log[-5:]}"
                self.cond.wait(left)

    def assert_once_in_order(self, final: int) -> None:
        """Between two states, events come in strictly rising `seq` (never one twice); every
        seq after the first state up to `final` arrives as an event or inside a later state."""
        first = next(entry[1] for entry in self.log if entry[0] == "state")
        covered: set[int] = set()
        last_event = None
        for kind, seq, name in self.log:
            if kind == "state":
                covered.update(range(first + 1, seq + 1))
                last_event = None      # a new connection (or a requested snapshot)
                continue
            assert last_event is None or seq > last_event, f"{name} seq {seq} after {last_event}"
            last_event = seq
            covered.add(seq)
        events = [seq for kind, seq, _ in self.log if kind == "event"]
        assert len(events) == len(set(events)), "an event arrived twice"
        missing = set(range(first + 1, final + 1)) - covered
        assert not missing, f"never received: {sorted(missing)[:10]}"

    def close(self) -> None:
        self.client.disconnect()


class Cluster:
    def __init__(self, databases, redis_server, tmp_path, extra_args=()):
        redis_server.flush()
        self.db = databases.new("postgresql", tmp_path, "cluster")
        self.databases = databases
        args = ("--message-queue", redis_server.url, *extra_args)
        self.servers = [ServerProcess(self.db, log_path=tmp_path / f"process-{i}.log", extra_args=args)
                        for i in range(PROCESSES)]
        for server in self.servers:
            server.start()
        self.manager = self.servers[0].token("manager")
        self.kiosk = self.servers[0].token("kiosk")
        self.counters = {n: self.servers[0].token("counter", n) for n in (1, 2, 3)}
        self.store = Database(self.servers[0].db_url)

    def headers(self, token: str, **extra) -> dict:
        return {"Authorization": f"Bearer {token}", **extra}

    def newest_seq(self) -> int:
        with self.store.read() as s:
            return s.scalar(select(func.max(t.Event.seq))) or 0

    def calls(self) -> list[int]:
        """The ticket id of every `called` event, in seq order."""
        with self.store.read() as s:
            return [e.ticket_id for e in s.scalars(
                select(t.Event).where(t.Event.type == "called").order_by(t.Event.seq))]

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        self.store.dispose()
        self.databases.drop(self.db)


@pytest.fixture
def cluster(postgres, databases, redis_server, tmp_path):
    made = Cluster(databases, redis_server, tmp_path)
    yield made
    made.stop()


def process_of(server: ServerProcess) -> str:
    return f"{__import__('socket').gethostname()}:{server.proc.pid}"


def test_each_screen_gets_each_event_once_in_order_from_every_process(cluster):
    screens = [Screen(server.url) for server in cluster.servers for _ in range(4)]
    speakers = []
    for index in (0, 2):   # speaker TVs on two different processes: one hall-wide order of calls
        secret = cluster.servers[index].pair_device("display", f"Speaker {index}")
        speakers.append(Screen(cluster.servers[index].url, {"Cookie": f"signage_device={secret}"}))
    issued: list[str] = []
    lock = threading.Lock()

    def kiosk(server: ServerProcess, n: int) -> None:
        for i in range(n):
            r = requests.post(server.url + "/api/tickets", json={"service": SERVICES[i % 3]}, timeout=10,
                              headers=cluster.headers(cluster.kiosk, **{"Idempotency-Key": uuid.uuid4().hex}))
            assert r.status_code == 201, r.text
            with lock:
                issued.append(r.json()["number"])

    def counter(server: ServerProcess, number: int, presses: int) -> None:
        headers = cluster.headers(cluster.counters[number])
        for _ in range(presses):
            r = requests.post(f"{server.url}/api/counters/{number}/call-next", headers=headers, timeout=10)
            assert r.status_code < 500, r.text

    threads = [threading.Thread(target=kiosk, args=(server, 20)) for server in cluster.servers]
    threads += [threading.Thread(target=counter, args=(cluster.servers[n - 1], n, 12)) for n in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    final = cluster.newest_seq()
    for screen in screens + speakers:
        screen.wait_until(final)
    for screen in screens + speakers:
        screen.assert_once_in_order(final)
        assert screen.gaps == 0, "a screen that stayed connected missed an event"

    assert len(issued) == 60 and len(set(issued)) == 60
    calls = cluster.calls()
    assert len(calls) == len(set(calls)) > 0, "a ticket was called twice"
    spoken = [[seq for kind, seq, name in s.log if kind == "event" and name == "called"] for s in speakers]
    assert spoken[0] == spoken[1] == sorted(spoken[0]) and len(spoken[0]) == len(calls)
    for screen in screens + speakers:
        screen.close()


def test_presence_rate_limits_and_duties_are_the_hall_s_not_one_process_s(cluster):
    first, second, third = cluster.servers
    secret = first.pair_device("display", "TV Lobi")
    tv = Screen(first.url, {"Cookie": f"signage_device={secret}"})
    tv.client.emit("hello", {"page": "display", "speaker": True}, namespace="/display")
    tv.client.emit("sound", {"state": "blocked"}, namespace="/display")
    anonymous = [Screen(third.url) for _ in range(3)]
    manager = cluster.headers(cluster.manager)

    def overview(server):
        r = requests.get(server.url + "/api/manage/overview", headers=manager, timeout=5)
        assert r.status_code == 200, r.text
        return r.json()

    deadline = time.monotonic() + 12      # the anonymous counts travel with each process's beat
    while True:
        views = [overview(server) for server in cluster.servers]
        listed = [[d for d in view["displays"] if d["name"] == "TV Lobi"] for view in views]
        if all(len(found) == 1 and found[0]["sound"] == "blocked" for found in listed) and \
                all(view["anonymous_screens"] == 3 for view in views):
            break
        assert time.monotonic() < deadline, (listed, [v["anonymous_screens"] for v in views])
        time.sleep(0.3)
    assert {found[0]["process"] for found in listed} == {process_of(first)}

    tv.close()
    deadline = time.monotonic() + 5
    while any(d["name"] == "TV Lobi" for d in overview(second)["displays"]):
        assert time.monotonic() < deadline, "a screen that left is still listed on another process"
        time.sleep(0.2)

    # The limit on tickets without a kiosk (3 per 10 minutes per address) counts across processes.
    r = requests.put(first.url + "/api/manage/hall", json={"public_tickets": True}, headers=manager, timeout=5)
    assert r.status_code == 200, r.text
    answers = [requests.post(server.url + "/api/tickets", json={"service": "A"}, timeout=5).status_code
               for server in (first, second, third, second)]
    assert answers == [201, 201, 201, 429]

    # A scheduled announcement is spoken once by the hall, not once per process.
    tz = ZoneInfo("Asia/Makassar")
    r = requests.post(second.url + "/api/manage/schedule", headers=manager, timeout=5,
                      json={"text": "Mohon antre dengan tertib", "at": datetime.now(tz).strftime("%H:%M")})
    assert r.status_code == 201, r.text

    def announced() -> int:
        with cluster.store.read() as s:
            return s.scalar(select(func.count()).select_from(t.Event).where(t.Event.type == "announce"))

    deadline = time.monotonic() + 30      # the hall clock looks every 5 s (HALL_CLOCK_S); the lease may move
    while announced() == 0:
        assert time.monotonic() < deadline, "the scheduled announcement was never made"
        time.sleep(0.5)
    time.sleep(6)                         # every process's clock has looked at least once more
    assert announced() == 1
    for screen in anonymous:
        screen.close()


def test_kill_9_of_one_process_in_a_burst_loses_and_doubles_nothing(postgres, databases, redis_server, tmp_path):
    hall = Cluster(databases, redis_server, tmp_path, extra_args=("--proxy-hops", "1"))
    nginx = Nginx(tmp_path / "nginx", [server.port for server in hall.servers], client_header=DEVICE_HEADER)
    try:
        _kill_during_burst(hall, nginx)
    finally:
        nginx.stop()
        hall.stop()


def _kill_during_burst(hall: Cluster, nginx: Nginx) -> None:
    # Twelve TVs of the hall, each its own address, attached through nginx (hash of the address).
    tvs = {}
    for n in range(12):
        device = {DEVICE_HEADER: f"10.0.0.{n + 1}"}
        asked = requests.post(nginx.url + "/api/devices/pairing", json={"kind": "display"}, headers=device, timeout=5)
        assert asked.status_code == 200, asked.text
        paired = requests.post(nginx.url + "/api/manage/devices/pair", headers=hall.headers(hall.manager),
                               json={"code": asked.json()["code"], "name": f"TV {n + 1}"}, timeout=5)
        assert paired.status_code == 201, paired.text
        screen = Screen(nginx.url, device | {"Cookie": f"signage_device={asked.cookies['signage_device']}"})
        screen.client.emit("hello", {"page": "display"}, namespace="/display")
        tvs[f"TV {n + 1}"] = screen
    time.sleep(0.5)
    view = requests.get(hall.servers[0].url + "/api/manage/overview", headers=hall.headers(hall.manager),
                        timeout=5).json()
    where = {d["name"]: d["process"] for d in view["displays"]}
    assert set(where) == set(tvs)
    by_process = {process_of(s): s for s in hall.servers}
    victim_name = max(by_process, key=lambda p: sum(1 for q in where.values() if q == p))
    victim = by_process[victim_name]
    moved = [tvs[name] for name, process in where.items() if process == victim_name]
    assert moved and len(set(where.values())) > 1, f"the hash put every TV on one process: {where}"

    keys = [uuid.uuid4().hex for _ in range(90)]
    tickets: dict[str, str] = {}
    lock = threading.Lock()
    stop = threading.Event()
    halfway = threading.Event()

    def kiosk(device: str, my_keys: list[str]) -> None:
        for i, key in enumerate(my_keys):
            for _attempt in range(40):   # a kiosk retries the same ticket (same key) until it is answered
                try:
                    r = requests.post(nginx.url + "/api/tickets", json={"service": SERVICES[i % 3]}, timeout=10,
                                      headers=hall.headers(hall.kiosk, **{"Idempotency-Key": key, DEVICE_HEADER: device}))
                except requests.RequestException:
                    time.sleep(0.2)
                    continue
                if r.status_code == 201:
                    with lock:
                        tickets[key] = r.json()["number"]
                        if len(tickets) == 30:
                            halfway.set()
                    break
                assert r.status_code in (502, 503, 504), r.text
                time.sleep(0.2)

    def counter(number: int) -> None:
        headers = hall.headers(hall.counters[number], **{DEVICE_HEADER: f"10.0.1.{number}"})
        while not stop.is_set():
            key = uuid.uuid4().hex   # a press the tablet repeats, with its key, until it is answered
            for _attempt in range(40):
                try:
                    r = requests.post(f"{nginx.url}/api/counters/{number}/call-next", timeout=10,
                                      headers=headers | {"Idempotency-Key": key})
                except requests.RequestException:
                    time.sleep(0.2)
                    continue
                if r.status_code < 500:
                    break
                assert r.status_code in (502, 503, 504), r.text
                time.sleep(0.2)
            time.sleep(0.05)

    kiosks = [threading.Thread(target=kiosk, args=(f"10.0.2.{k}", keys[k::3])) for k in range(3)]
    counters = [threading.Thread(target=counter, args=(n,)) for n in (1, 2, 3)]
    for thread in kiosks + counters:
        thread.start()
    assert halfway.wait(30)
    victim.kill()
    for thread in kiosks:
        thread.join(90)

    assert len(tickets) == len(keys), "a kiosk's ticket was lost"
    with hall.store.read() as s:
        numbers = list(s.scalars(select(t.Ticket.number)))
    assert sorted(numbers) == sorted(tickets.values()), "a ticket was doubled or lost"
    assert len(set(numbers)) == len(numbers)

    deadline = time.monotonic() + 60      # the counters go on until every ticket is called
    while len(set(hall.calls())) < len(keys):
        assert time.monotonic() < deadline, f"{len(set(hall.calls()))} of {len(keys)} tickets called"
        time.sleep(0.5)
    stop.set()
    for thread in counters:
        thread.join(20)
    calls = hall.calls()
    assert len(calls) == len(set(calls)) == len(keys), "a ticket was called twice"

    final = hall.newest_seq()
    for screen in tvs.values():
        screen.wait_until(final, timeout=30)
        screen.assert_once_in_order(final)
        if screen not in moved:
            assert screen.gaps == 0, "a screen whose process lived on missed an event"
    for screen in moved:
        assert screen.states() >= 2, "a screen of the killed process never came back with a snapshot"
    # The console forgets what the dead process held once it has missed its beats (15 s).
    alive = next(s for s in hall.servers if s is not victim)
    deadline = time.monotonic() + 25
    while True:
        listed = requests.get(alive.url + "/api/manage/overview", headers=hall.headers(hall.manager),
                              timeout=5).json()["displays"]
        if not any(d["process"] == victim_name for d in listed):
            break
        assert time.monotonic() < deadline, "the killed process's screens are still listed"
        time.sleep(1)
    for screen in tvs.values():
        screen.close()


@pytest.mark.parametrize("queue, said", [("amqp://127.0.0.1/", "only Redis"),
                                         ("redis://127.0.0.1:1/0", "cannot be reached")])
def test_a_process_that_cannot_reach_its_hall_refuses_to_start(queue, said, tmp_path):
    """A process without its Redis would be a hall of its own: it stops with a clear line, exit 2."""
    import subprocess
    import sys
    from support import ROOT, free_port
    result = subprocess.run([sys.executable, "-m", "signage", "run", "--host", "127.0.0.1",
                             "--port", str(free_port()), "--db", str(tmp_path / "hall.db"),
                             "--message-queue", queue], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr
