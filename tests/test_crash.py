"""kill -9 the real server in the middle of a burst of calls: nothing lost or doubled."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import delete, select

from signage.admin import HallAdmin
from signage.accounts import Accounts, Principal
from signage.hall import load_hall
from signage.realtime import Broadcaster
from signage.service import HallService
from signage.speech.hall_speaker import HallSpeaker
from signage.speech.voice import Voice
from signage.store import Database
from signage.store import tables as t
from support import ALWAYS_OPEN_HALL, ROOT, DisplayClient

pytestmark = pytest.mark.both_databases


def _tickets_and_calls(server) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Read from the database as the crash left it: each ticket's status, and the `called`
    events in seq order as (counter id, ticket number)."""
    db = Database(server.db_url)
    try:
        with db.read() as s:
            rows = dict(s.execute(select(t.Ticket.number, t.Ticket.status)).all())
            calls = [(e.counter_id, e.payload["ticket"]) for e in s.scalars(
                select(t.Event).where(t.Event.type == "called").order_by(t.Event.seq))]
    finally:
        db.dispose()
    return rows, calls


def test_sigkill_during_a_burst_loses_and_doubles_nothing(make_server):
    server = make_server()
    try:
        tokens = {cid: server.token("counter", cid) for cid in (5, 6)}
        issued = [requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": "E"}, timeout=5).json()["number"]
                  for _ in range(120)]
        confirmed: list[str] = []  # calls the server answered 200 to: these must survive
        stop = threading.Event()

        def press(cid):
            while not stop.is_set():
                try:
                    r = requests.post(f"{server.url}/api/counters/{cid}/call-next",
                                      headers=server.headers(tokens[cid]), timeout=2)
                except requests.RequestException:
                    return  # the server died under us
                if r.status_code == 200:
                    confirmed.append(r.json()["ticket"]["number"])

        threads = [threading.Thread(target=press, args=(cid,)) for cid in tokens]
        for th in threads:
            th.start()
        while len(confirmed) < 30:
            time.sleep(0.005)
        server.kill()
        stop.set()
        for th in threads:
            th.join()
        assert 30 <= len(confirmed) < len(issued), "the kill must land mid-burst"

        server.start()
        rows, calls = _tickets_and_calls(server)
        called_events = [number for _, number in calls]
        assert sorted(rows) == sorted(issued), "a ticket was lost or invented"
        assert len(called_events) == len(set(called_events)), "a ticket was called twice"
        for number in confirmed:
            assert rows[number] in ("called", "served"), number
        done = {n for n, status in rows.items() if status != "waiting"}
        assert done == set(called_events)

        # After restart the screens get the same state, the queue goes on, numbering continues.
        snapshot = requests.get(server.url + "/api/state", timeout=5).json()
        current = {c["id"]: (c["ticket"] or {}).get("number") for c in snapshot["counters"]}
        last_called = dict(calls)
        assert current[5] == last_called.get(5) and current[6] == last_called.get(6)
        nxt = requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": "E"}, timeout=5).json()
        assert nxt["number"] == "E121"
        remaining = len(issued) - len(done)
        called_after = 0
        while requests.post(f"{server.url}/api/counters/5/call-next",
                            headers=server.headers(tokens[5]), timeout=5).status_code == 200:
            called_after += 1
        assert called_after == remaining + 1
    finally:
        server.stop()


def test_a_call_answered_just_before_kill_9_is_announced_after_restart(make_server):
    """call-next -> 200 -> kill -9 at once -> restart: a speaker connecting now hears the call."""
    server = make_server()
    try:
        token = server.token("counter", 1)
        for trial in range(5):
            number = server.issue("A")
            answer = requests.post(f"{server.url}/api/counters/1/call-next",
                                   headers=server.headers(token), timeout=5)
            assert answer.status_code == 200 and answer.json()["ticket"]["number"] == number
            server.kill()
            server.start()
            speaker = DisplayClient(server.url)
            speaker.listen("announce")
            try:
                speaker.client.emit("hello", {"page": "display", "name": "TV-lobi", "speaker": True},
                                    namespace="/display")

                def heard(d):
                    queued = [a["audio_url"] for s in d.states for a in s["announcements"]
                              if a["ticket"] == number]
                    sent = [e["audio"] for e in d.events if e["type"] == "called" and e["ticket"] == number]
                    return [url for url in queued + sent if url]
                speaker.wait_for(lambda d: heard(d), timeout=10)
                audio = requests.get(server.url + heard(speaker)[0], timeout=5)
                assert audio.status_code == 200 and audio.content[:4] == b"RIFF", trial
            finally:
                speaker.close()
    finally:
        server.stop()


class _FakeSocketIO:
    """What Broadcaster needs of Flask-SocketIO, recording what it emits."""

    def __init__(self):
        self.sent: list[dict] = []
        self.server = SimpleNamespace(eio=SimpleNamespace(create_event=threading.Event))

    def emit(self, name, data, namespace=None, ignore_queue=False):
        assert name == "events" and data, (name, data)
        self.sent.extend(data)

    def start_background_task(self, target, *args):
        return None


def test_catching_up_after_a_restart_speaks_fresh_calls_only(tmp_path, database_url):
    """The stale rule (realtime.Broadcaster): a call committed but not sent before a crash is sent
    on restart; older than 3 minutes it is marked stale, gets no audio and is not spoken."""
    class Clock:
        now = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 WITA

        def __call__(self):
            return self.now
    clock = Clock()
    db = Database(database_url)
    db.create_all()
    hall = HallService(db, clock=clock)
    hall.seed(load_hall())
    voice_dir = tmp_path / "audio"

    def restart():
        socketio = _FakeSocketIO()
        speaker = HallSpeaker(Voice(voice_dir), hall.settings)
        broadcaster = Broadcaster(socketio, hall)
        broadcaster.enrichers.append(speaker.enrich_all)
        broadcaster.catch_up()
        return socketio.sent, speaker

    sent, _ = restart()                          # a brand-new hall: nothing to replay
    assert sent == [] and hall.broadcast_position() == 0

    # Committed while the server was going down: none of these left the process.
    for code in ("A", "B", "C"):
        hall.issue_ticket(code)
    old_call = hall.counter_action(1, "call-next")
    boss = Principal(kind="token", role="manager", name="test")
    old_announce = HallAdmin(hall, Accounts(db)).announce(boss, "Layanan BPJS istirahat")
    clock.now += timedelta(minutes=7, seconds=30)
    fresh_call = hall.counter_action(2, "call-next")     # 2.5 minutes before the restart
    clock.now += timedelta(minutes=2, seconds=30)
    just_now = hall.counter_action(3, "call-next")

    sent, speaker = restart()
    every = hall.events_after(0)
    assert [e["seq"] for e in sent] == [e["seq"] for e in every], "everything committed is sent, in order"
    calls = {e["ticket"]: e for e in sent if e["type"] == "called"}
    stale = calls[old_call["ticket"]["number"]]
    announce = next(e for e in sent if e["type"] == "announce")
    assert announce["seq"] == old_announce["seq"]
    for event in (stale, announce):
        assert event["stale"] is True and not event.get("audio"), event
    for number in (fresh_call["ticket"]["number"], just_now["ticket"]["number"]):
        assert "stale" not in calls[number] and calls[number]["audio"].startswith("/audio/cache/")
        assert (voice_dir / "cache" / calls[number]["audio"].rsplit("/", 1)[1]).is_file()
    assert not any("stale" in e for e in sent if e["type"] not in ("called", "announce"))
    spoken = [a["ticket"] for a in speaker.recent()]
    assert spoken == [fresh_call["ticket"]["number"], just_now["ticket"]["number"]]
    assert hall.broadcast_position() == every[-1]["seq"]

    # Started again: nothing is sent twice, yet the fresh calls are back in the voice's queue
    # for a speaker the crash cut off.
    sent, speaker = restart()
    assert sent == []
    assert [a["ticket"] for a in speaker.recent()] == spoken

    # A hall database from before the position was kept starts at its newest event: no replay.
    with db.write() as s:
        s.execute(delete(t.Setting).where(t.Setting.key == "broadcast_seq"))
    sent, _ = restart()
    assert sent == [] and hall.broadcast_position() == every[-1]["seq"]


def test_a_second_server_on_a_port_in_use_refuses_to_start(make_server, tmp_path):
    first = make_server()
    second = subprocess.run(
        [sys.executable, "-m", "signage", "run", "--host", "127.0.0.1", "--port", str(first.port),
         "--db", str(tmp_path / "other.db"), "--hall", str(ALWAYS_OPEN_HALL)],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert second.returncode == 2
    assert f"cannot listen on 127.0.0.1:{first.port}" in second.stderr
    assert requests.get(first.url + "/api/services", timeout=5).status_code == 200
