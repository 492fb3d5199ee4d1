"""kill -9 the real server in the middle of a burst of calls: nothing lost or doubled."""
from __future__ import annotations

import sqlite3
import threading
import time

import requests

from support import ServerProcess


def test_sigkill_during_a_burst_loses_and_doubles_nothing(tmp_path):
    server = ServerProcess(tmp_path / "crash.db").start()
    try:
        tokens = {cid: server.token("counter", cid) for cid in (5, 6)}
        issued = [requests.post(server.url + "/api/tickets", json={"service": "E"}, timeout=5).json()["number"]
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
        with sqlite3.connect(server.db) as db:
            rows = dict(db.execute("SELECT number, status FROM tickets"))
            called_events = [n for (n,) in db.execute(
                "SELECT json_extract(payload, '$.ticket') FROM events WHERE type = 'called'")]
        assert sorted(rows) == sorted(issued), "a ticket was lost or invented"
        assert len(called_events) == len(set(called_events)), "a ticket was called twice"
        for number in confirmed:
            assert rows[number] in ("called", "served"), number
        done = {n for n, status in rows.items() if status != "waiting"}
        assert done == set(called_events)

        # After restart the screens get the same state, the queue goes on, numbering continues.
        snapshot = requests.get(server.url + "/api/state", timeout=5).json()
        current = {c["id"]: (c["ticket"] or {}).get("number") for c in snapshot["counters"]}
        with sqlite3.connect(server.db) as db:
            last_called = dict(db.execute(
                "SELECT counter_id, json_extract(payload, '$.ticket') FROM events "
                "WHERE type = 'called' ORDER BY seq"))
        assert current[5] == last_called.get(5) and current[6] == last_called.get(6)
        nxt = requests.post(server.url + "/api/tickets", json={"service": "E"}, timeout=5).json()
        assert nxt["number"] == "E121"
        remaining = len(issued) - len(done)
        called_after = 0
        while requests.post(f"{server.url}/api/counters/5/call-next",
                            headers=server.headers(tokens[5]), timeout=5).status_code == 200:
            called_after += 1
        assert called_after == remaining + 1
    finally:
        server.stop()
