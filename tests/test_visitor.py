"""The visitor's phone against a real server: the link in the ticket's answer, the page, its own
Socket.IO room (that ticket and its agency's queue only), the call, the survey link, cancel,
unknown and rate-limited requests."""
from __future__ import annotations

import base64
import re
import threading
import time

import pytest
import requests
import socketio

from support import DisplayClient


class Phone:
    """A visitor's phone on /ticket, recording every event it gets (any name)."""

    def __init__(self, url: str, token: str):
        self.client = socketio.Client(reconnection=False)
        self.got: list[tuple[str, dict]] = []
        self.cond = threading.Condition()
        self.client.on("*", self._any, namespace="/ticket")
        self.client.connect(url, namespaces=["/ticket"], transports=["websocket"], wait_timeout=10,
                            auth={"token": token})

    def _any(self, event, data=None):
        with self.cond:
            self.got.append((event, data))
            self.cond.notify_all()

    def wait_for(self, predicate, timeout=10.0) -> dict:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for name, data in reversed(self.got):
                    if name == "ticket" and predicate(data):
                        return data
                left = deadline - time.monotonic()
                assert left > 0, f"timed out; got {self.got[-3:]}"
                self.cond.wait(left)

    def close(self):
        self.client.disconnect()


def issue(server, code="A") -> dict:
    response = requests.post(server.url + "/api/tickets", json={"service": code},
                             headers=server.headers(server.kiosk_token), timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def token_of(ticket: dict) -> str:
    return re.fullmatch(r"http://127\.0\.0\.1:\d+/t/([A-Za-z0-9_-]{32})", ticket["url"]).group(1)


def test_the_answer_carries_link_qr_and_estimate(make_server):
    server = make_server()
    ticket = issue(server)
    token = token_of(ticket)
    svg = base64.b64decode(ticket["qr"].split(",", 1)[1]).decode()
    assert ticket["qr"].startswith("data:image/svg+xml;base64,") and "<svg" in svg
    assert ticket["estimate"]["basis"] == "typical" and "menit" in ticket["estimate"]["text"]
    page = requests.get(server.url + f"/t/{token}", timeout=5)
    assert page.status_code == 200 and "A001" in page.text and "Batalkan antrian" in page.text
    assert "<script>" not in page.text and " style=" not in page.text        # CSP: nothing inline
    weight = len(page.content) + sum(len(requests.get(server.url + path, timeout=5).content) for path in
                                     re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text))
    assert weight < 150_000, weight
    as_json = requests.get(server.url + f"/api/visitor/{token}", timeout=5).json()
    assert (as_json["number"], as_json["status"], as_json["ahead"]) == ("A001", "waiting", 0)
    assert "id" not in as_json                   # nothing beyond what the visitor's slip says
    # a public address set in the console goes into new links
    manager = server.token("manager")
    saved = requests.put(server.url + "/api/manage/visitor", headers=server.headers(manager), timeout=5,
                         json={"public_url": "https://antrian.example.go.id/", "minutes": {"A": 60}})
    assert saved.status_code == 200 and saved.json()["minutes"] == {"A": 60.0}
    second = issue(server)
    assert second["url"].startswith("https://antrian.example.go.id/t/")
    assert second["estimate"]["max"] > ticket["estimate"]["max"] + 60     # 1 ahead at 60 minutes
    bad = requests.put(server.url + "/api/manage/visitor", headers=server.headers(manager), timeout=5,
                       json={"public_url": "javascript:alert(1)"})
    assert bad.status_code == 400 and "public_url" in bad.json()["error"]
    assert requests.put(server.url + "/api/manage/visitor", json={"minutes": {}}, timeout=5).status_code == 401


def test_unknown_link_gets_a_clear_page_and_json_and_is_rate_limited(make_server):
    server = make_server()
    page = requests.get(server.url + "/t/" + "A" * 32, timeout=5)
    assert page.status_code == 404 and "Tautan tiket tidak dikenal" in page.text
    answer = requests.get(server.url + "/api/visitor/nope", timeout=5)
    assert answer.status_code == 404 and "tidak dikenal" in answer.json()["error"]
    refused = requests.post(server.url + "/api/visitor/" + "A" * 32 + "/cancel", timeout=5)
    assert refused.status_code == 404
    codes = [requests.get(server.url + f"/t/guess{i:027d}", timeout=5).status_code for i in range(70)]
    assert codes.count(429) >= 9, codes       # 60 a minute per address (one was taken above)


def test_phone_room_gets_its_ticket_and_queue_only_then_the_call_and_the_survey(make_server):
    server = make_server()
    first, mine, other = issue(server), issue(server), issue(server)
    phone = Phone(server.url, token_of(mine))
    watcher = Phone(server.url, token_of(other))
    try:
        view = phone.wait_for(lambda v: v["status"] == "waiting")
        assert (view["number"], view["ahead"], view["waiting"]) == ("A002", 1, 3)
        counter = server.token("counter", counter=1)
        call = lambda action: requests.post(server.url + f"/api/counters/1/{action}", json={},
                                            headers=server.headers(counter), timeout=5)
        assert call("call-next").status_code == 200                       # A001
        view = phone.wait_for(lambda v: v["ahead"] == 0)
        assert view["waiting"] == 2
        time.sleep(0.8)
        before = len(phone.got)
        issue(server, "B")                                                 # another agency: nothing
        time.sleep(1.0)
        assert len(phone.got) == before, phone.got[before:]
        assert call("call-next").status_code == 200                       # A002: mine
        view = phone.wait_for(lambda v: v["status"] == "called")
        assert (view["counter"], view["calls"]) == ("Loket 1", 1)
        assert call("recall").status_code == 200
        phone.wait_for(lambda v: v["calls"] == 2)
        assert call("finish").status_code == 200
        view = phone.wait_for(lambda v: v["status"] == "served")
        assert re.fullmatch(r"/survey/t/[\w-]+", view["survey"])
        assert requests.get(server.url + view["survey"], timeout=5).status_code == 200
        time.sleep(0.5)
        # never another visitor's data, never the hall's broadcast
        assert {name for name, _ in phone.got} == {"ticket"}
        assert {data["number"] for _, data in phone.got} == {"A002"}
        assert {data["number"] for _, data in watcher.got} == {"A003"}
    finally:
        phone.close()
        watcher.close()


def test_a_phone_with_a_wrong_token_is_refused(make_server):
    server = make_server()
    with pytest.raises(socketio.exceptions.ConnectionError):
        Phone(server.url, "x" * 32)


def test_cancel_leaves_the_queue_and_the_screens_update(make_server):
    server = make_server()
    mine, after = issue(server), issue(server)
    display = DisplayClient(server.url)
    waiting = lambda state: next(s["waiting"] for s in state["services"] if s["code"] == "A")
    try:
        display.listen("cancelled")
        display.wait_for(lambda d: d.states and waiting(d.states[-1]) == 2)
        cancelled = requests.post(server.url + f"/api/visitor/{token_of(mine)}/cancel", timeout=5)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        # the screens get the numbered event with the new queue lengths (live.js then asks for
        # a snapshot, as for every event that is not self-contained)
        display.wait_for(lambda d: any(e["type"] == "cancelled" and e["ticket"] == "A001"
                                       and e["waiting"]["A"] == 1 for e in d.events))
        states_before = len(display.states)
        display.client.emit("snapshot", namespace="/display")
        display.wait_for(lambda d: len(d.states) > states_before and waiting(d.states[-1]) == 1)
        assert requests.get(server.url + f"/api/visitor/{token_of(after)}", timeout=5).json()["ahead"] == 0
        again = requests.post(server.url + f"/api/visitor/{token_of(mine)}/cancel", timeout=5)
        assert again.status_code == 200
        bad_body = requests.post(server.url + f"/api/visitor/{token_of(after)}/cancel", json={"x": 1}, timeout=5)
        assert bad_body.status_code == 400 and bad_body.json()["error"]
        manager = server.token("manager")
        stats = requests.get(server.url + "/api/stats", headers=server.headers(manager), timeout=5).json()
        assert stats["totals"]["cancelled"] == 1
        csv_lines = requests.get(server.url + "/api/stats.csv", headers=server.headers(manager),
                                 timeout=5).content.decode("utf-8-sig").splitlines()
        head, first = csv_lines[0].split(";"), csv_lines[1].split(";")
        assert head[4] == "Dibatalkan pengunjung" and first[0].endswith("(A)") \
            and first[4] == "1"                              # A: one cancelled
        counter = server.token("counter", counter=1)
        requests.post(server.url + "/api/counters/1/call-next", json={}, headers=server.headers(counter), timeout=5)
        refused = requests.post(server.url + f"/api/visitor/{token_of(after)}/cancel", timeout=5)
        assert refused.status_code == 409 and "dibatalkan" in refused.json()["error"]
    finally:
        display.close()


def test_a_phone_may_only_refresh_and_only_now_and_then(make_server):
    server = make_server()
    ticket = issue(server)
    phone = Phone(server.url, token_of(ticket))
    try:
        phone.wait_for(lambda v: v["number"] == "A001")
        time.sleep(1.0)                   # the relay's push after the ticket's own `issued` event
        first = len(phone.got)
        for _ in range(10):
            phone.client.emit("refresh", namespace="/ticket")
            phone.client.emit("snapshot", namespace="/ticket")      # no such thing here: dropped
        time.sleep(1.5)
        answers = phone.got[first:]
        assert 1 <= len(answers) <= 2 and {name for name, _ in answers} == {"ticket"}
    finally:
        phone.close()
    # connecting again and again with guessed tokens runs out of its own bucket
    refused = 0
    for i in range(70):
        try:
            Phone(server.url, f"guess{i:027d}").close()
        except socketio.exceptions.ConnectionError:
            refused += 1
    assert refused == 70
    with pytest.raises(socketio.exceptions.ConnectionError):      # now even a good token waits
        Phone(server.url, token_of(ticket))
