"""Socket.IO /display against a real server: snapshot on connect, numbered events, resync."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from signage.web.build import page_build
from support import DisplayClient

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.both_databases


def test_snapshot_on_connect_then_called_events_in_sequence(server):
    display = DisplayClient(server.url)
    try:
        display.wait_for(lambda d: d.states)
        first = display.states[0]
        assert {"seq", "counters", "services", "last_calls", "running_text"} <= set(first)
        assert first["build"] == page_build(ROOT), "screens compare it to reload after an upgrade"
        token = server.token("counter", 2)
        number = requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": "B"}, timeout=5).json()["number"]
        requests.post(server.url + "/api/counters/2/call-next", headers=server.headers(token), timeout=5)
        display.wait_for(lambda d: any(e["type"] == "called" for e in d.events))
        called = next(e for e in display.events if e["type"] == "called")
        assert called["ticket"] == number and called["service"] == "B"
        assert called["counter"]["id"] == 2 and called["counter"]["name"] == "Loket 2"
        assert [e["seq"] for e in display.events] == list(range(first["seq"] + 1, first["seq"] + 3))

        # The next press finishes B001 and calls B002: one frame per screen, not one per event.
        requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token),
                      json={"service": "B"}, timeout=5)
        requests.post(server.url + "/api/counters/2/call-next", headers=server.headers(token), timeout=5)
        display.wait_for(lambda d: d.frames and d.frames[-1][-1] == "called")
        assert display.frames[-1] == ["finished", "called"], display.frames
    finally:
        display.close()


def test_events_from_racing_counters_arrive_in_order_without_gaps(server):
    tokens = {cid: server.token("counter", cid) for cid in (5, 6, 11, 12)}
    display = DisplayClient(server.url)
    try:
        display.wait_for(lambda d: d.states)
        start = display.states[0]["seq"]
        for _ in range(10):
            for code in ("E", "K"):
                requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": code}, timeout=5)

        def press(cid):
            for _ in range(5):
                requests.post(f"{server.url}/api/counters/{cid}/call-next",
                              headers=server.headers(tokens[cid]), timeout=10)
        threads = [threading.Thread(target=press, args=(cid,)) for cid in tokens]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        display.wait_for(lambda d: sum(e["type"] == "called" for e in d.events) == 20)
        seqs = [e["seq"] for e in display.events]
        assert seqs == list(range(start + 1, start + 1 + len(seqs)))
        called = [e["ticket"] for e in display.events if e["type"] == "called"]
        assert len(set(called)) == 20
    finally:
        display.close()


def test_snapshot_request_and_recovery_after_restart(server):
    display = DisplayClient(server.url)
    try:
        display.wait_for(lambda d: d.states)
        display.client.emit("snapshot", namespace="/display")
        display.wait_for(lambda d: len(d.states) >= 2)
        token = server.token("counter", 1)
        requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": "A"}, timeout=5)
        requests.post(server.url + "/api/counters/1/call-next", headers=server.headers(token), timeout=5)
        display.wait_for(lambda d: any(e["type"] == "called" for e in d.events))
        states_before = len(display.states)
        server.restart()
        display.wait_for(lambda d: len(d.states) > states_before, timeout=15)
        recovered = display.states[-1]
        counter1 = next(c for c in recovered["counters"] if c["id"] == 1)
        assert counter1["ticket"]["number"] == "A001"
        assert recovered["seq"] == display.events[-1]["seq"]
    finally:
        display.close()
