"""Calls become spoken announcements on the server: text and audio ready when `called` is sent,
in the order pressed, none lost, through a real server, real Socket.IO and real espeak-ng."""
from __future__ import annotations

import io
import threading
import time
import wave
from datetime import datetime, timedelta, timezone

import pytest
import requests

from signage.accounts import Accounts, Principal
from signage.admin import HallAdmin
from signage.hall import load_hall
from signage.service import HallService
from signage.store import Database
from support import DisplayClient

pytestmark = pytest.mark.both_databases


def test_five_counters_within_a_second_are_spoken_in_order(server):
    counters = {1: "A", 2: "B", 3: "C", 4: "D", 5: "E"}
    tokens = {cid: server.token("counter", cid) for cid in counters}
    for code in counters.values():
        requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": code}, timeout=5)
    display = DisplayClient(server.url)
    try:
        display.wait_for(lambda d: d.states)
        barrier = threading.Barrier(len(counters))

        def press(cid):
            barrier.wait()
            requests.post(f"{server.url}/api/counters/{cid}/call-next",
                          headers=server.headers(tokens[cid]), timeout=10)
        started = time.monotonic()
        threads = [threading.Thread(target=press, args=(cid,)) for cid in counters]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert time.monotonic() - started < 1.0
        display.wait_for(lambda d: sum(e["type"] == "called" for e in d.events) == 5, timeout=20)
        calls = [e for e in display.events if e["type"] == "called"]
        assert [c["seq"] for c in calls] == sorted(c["seq"] for c in calls)
        assert {c["counter"]["id"] for c in calls} == set(counters)
        # The rush policy (speech/rush.py): the first call of the run in full, with the chime;
        # the ones queued behind it without, faster, and past two waiting in the short form.
        first, *rest = calls
        assert first["text"].startswith("Nomor antrian ") and first["chime"] and first["rate"] == 1.0
        assert all(not c["chime"] and c["rate"] == 1.15 for c in rest)
        assert [c["short"] for c in calls] == [False, False, True, True, True]
        for call in calls:
            number = call["ticket"]
            assert not any(ch.isdigit() for ch in call["text"])
            if call["short"]:
                assert not call["text"].startswith("Nomor antrian ") and ", loket " in call["text"]
            # The screens always show the full sentence.
            assert call["display_text"] == f"Nomor antrian {number}, silakan menuju {call['counter']['name']}."
            audio = requests.get(server.url + call["audio"], timeout=5)   # waits while it is made
            assert audio.status_code == 200
            with wave.open(io.BytesIO(audio.content)) as clip:
                seconds = clip.getnframes() / clip.getframerate()
            assert (1.0 if call["short"] else 2.0) < seconds < 12.0, seconds
        # A display that connects now gets the recent announcements to play, in order.
        late = DisplayClient(server.url)
        try:
            late.wait_for(lambda d: d.states)
            recent = late.states[0]["announcements"]
            assert [a["id"] for a in recent] == [c["seq"] for c in calls]
        finally:
            late.close()
    finally:
        display.close()


def test_recall_is_spoken_again_and_played_reports_are_recorded(server):
    token = server.token("counter", 7)
    requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": "F"}, timeout=5)
    display = DisplayClient(server.url, device=server.pair_device("display", "TV-lobi"))
    try:
        display.wait_for(lambda d: d.states)
        display.client.emit("hello", {"page": "display", "name": "TV-lobi", "speaker": True},
                            namespace="/display")
        requests.post(server.url + "/api/counters/7/call-next", headers=server.headers(token), timeout=5)
        requests.post(server.url + "/api/counters/7/recall", headers=server.headers(token), timeout=5)
        display.wait_for(lambda d: sum(e["type"] == "called" for e in d.events) == 2)
        first, again = [e for e in display.events if e["type"] == "called"]
        assert again["recall"] is True and again["text"] == first["text"] and again["seq"] > first["seq"]
        display.client.emit("played", {"seq": first["seq"]}, namespace="/display")
        display.client.emit("sound", {"state": "blocked"}, namespace="/display")
        manager = server.token("manager")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            overview = requests.get(server.url + "/api/manage/overview", timeout=5,
                                    headers=server.headers(manager)).json()
            tv = [d for d in overview["displays"] if d["name"] == "TV-lobi"]
            if tv and tv[0]["sound"] == "blocked" and tv[0].get("last_played") == first["seq"]:
                break
            time.sleep(0.1)
        assert tv and tv[0]["sound"] == "blocked" and tv[0]["last_played"] == first["seq"]
        assert overview["voice"]["active"] == "espeak"
    finally:
        display.close()


def test_speech_settings_are_validated_and_sample_speaks(make_server):
    server = make_server()
    manager = server.headers(server.token("manager"))
    for bad in ({"template": "Nomor {nomer}"}, {"template": "x" * 300}, {"style": "roman"},
                {"repeat": 3}, {"volume": 101}, {"engine": "siri"}, {"colour": "red"}):
        response = requests.put(server.url + "/api/manage/speech", json=bad, headers=manager, timeout=5)
        assert response.status_code == 400 and response.json()["error"], bad
    ok = requests.put(server.url + "/api/manage/speech", headers=manager, timeout=5,
                      json={"template": "Nomor {nomor}, ke {loket}.", "style": "digits", "repeat": 2})
    assert ok.status_code == 200
    sample = requests.post(server.url + "/api/manage/speech/sample", json={}, headers=manager, timeout=10).json()
    assert sample["text"] == "Nomor a nol satu dua, ke loket tiga."
    assert requests.get(server.url + sample["audio"], timeout=5).status_code == 200
    bad_sample = requests.post(server.url + "/api/manage/speech/sample", json={"template": "{x}"},
                               headers=manager, timeout=5)
    assert bad_sample.status_code == 400


def test_free_announcement_is_spoken_now(make_server):
    server = make_server("eventlet")
    manager = server.headers(server.token("manager"))
    display = DisplayClient(server.url)
    display.listen("announce")
    try:
        display.wait_for(lambda d: d.states)
        for bad in ({"text": ""}, {"text": "x" * 301}, {"text": 12}, {}):
            assert requests.post(server.url + "/api/manage/announce", json=bad, headers=manager,
                                 timeout=5).status_code == 400
        response = requests.post(server.url + "/api/manage/announce", headers=manager, timeout=5,
                                 json={"text": "Layanan BPJS istirahat sampai pukul 13.00"})
        assert response.status_code == 201
        display.wait_for(lambda d: any(e["type"] == "announce" for e in d.events))
        event = next(e for e in display.events if e["type"] == "announce")
        assert event["display_text"] == "Layanan BPJS istirahat sampai pukul 13.00"
        assert "tiga belas" in event["text"] and event["audio"].startswith("/audio/cache/")
    finally:
        display.close()


def test_scheduled_announcements_run_once_a_day_when_due(database_url):
    class Clock:
        now = datetime(2026, 11, 30, 3, 59, tzinfo=timezone.utc)  # 11:59 WITA, Monday

        def __call__(self):
            return self.now
    clock = Clock()
    db = Database(database_url)
    db.create_all()
    hall = HallService(db, clock=clock)
    hall.seed(load_hall())
    admin = HallAdmin(hall, Accounts(db))
    boss = Principal(kind="token", role="manager", name="test")
    admin.add_schedule(boss, {"text": "Istirahat siang 12.00-13.00", "at": "12:00", "days": ["mon"]})
    assert admin.run_due_announcements() == 0                 # 11:59: not yet
    clock.now += timedelta(minutes=1)
    assert admin.run_due_announcements() == 1                 # 12:00: spoken
    assert admin.run_due_announcements() == 0                 # only once that day
    assert hall.events_after(0)[-1]["message"] == "Istirahat siang 12.00-13.00"
    clock.now += timedelta(days=1)                            # Tuesday: not on the list
    assert admin.run_due_announcements() == 0


def test_a_scheduled_announcement_is_spoken_in_its_zone_only(database_url):
    class Clock:
        now = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)  # 12:00 WITA, Monday

        def __call__(self):
            return self.now
    db = Database(database_url)
    db.create_all()
    hall = HallService(db, clock=Clock())
    hall.seed(load_hall())
    admin = HallAdmin(hall, Accounts(db))
    boss = Principal(kind="token", role="manager", name="test")
    admin.add_schedule(boss, {"text": "Lantai 2 tutup untuk istirahat", "at": "12:00", "zone": " Lantai  2 "})
    admin.add_schedule(boss, {"text": "Istirahat siang", "at": "12:00"})
    with pytest.raises(Exception, match="zona"):
        admin.add_schedule(boss, {"text": "Halo", "at": "12:00", "zone": "<b>"})
    assert [a["zone"] for a in admin.list_schedule()] == ["Lantai 2", None]
    assert admin.run_due_announcements() == 2
    spoken = {e["message"]: e for e in hall.events_after(0) if e["type"] == "announce"}
    assert spoken["Lantai 2 tutup untuk istirahat"]["zone"] == "Lantai 2"
    assert "zone" not in spoken["Istirahat siang"]               # every zone
