"""WhatsApp messages through a real server and a local fake gateway: the console sets the
gateway, the kiosk gives a number, the messages arrive (issued with the link, "N lagi", called),
a stalled gateway never delays a call, and a restart in the middle still delivers."""
from __future__ import annotations

import time

import requests

from fake_gateway import FakeGateway


def issue(server, code="A") -> dict:
    response = requests.post(server.url + "/api/tickets", json={"service": code},
                             headers=server.headers(server.kiosk_token), timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def token_of(ticket):
    return ticket["url"].rsplit("/", 1)[1]


def set_gateway(server, gateway, **extra):
    manager = server.token("manager")
    answer = requests.put(server.url + "/api/manage/notify", headers=server.headers(manager), timeout=5,
                          json={"sender": "http", "url": gateway.url, "token": "Bearer rahasia", **extra})
    assert answer.status_code == 200, answer.text
    assert "rahasia" not in answer.text and answer.json()["token_set"] is True
    return manager


def test_the_journey_of_messages(make_server):
    gateway = FakeGateway(stall_s=4)
    server = make_server()
    try:
        manager = set_gateway(server, gateway, near=2)
        for _ in range(4):
            issue(server)
        mine = issue(server)
        bad = requests.post(server.url + f"/api/visitor/{token_of(mine)}/phone", json={"phone": "12345"}, timeout=5)
        assert bad.status_code == 400 and "Nomor WhatsApp tidak valid" in bad.json()["error"]
        added = requests.post(server.url + f"/api/visitor/{token_of(mine)}/phone",
                              json={"phone": "0812-3456-7890"}, timeout=5)
        assert added.status_code == 201 and added.json()["phone"] == "62812****7890"
        got = gateway.wait_for(lambda r: len(r) == 1)
        assert got[0]["headers"]["Authorization"] == "Bearer rahasia"
        assert got[0]["body"]["target"] == "6281234567890"
        assert mine["url"] in got[0]["body"]["message"] and "A005" in got[0]["body"]["message"]

        counter = server.token("counter", counter=1)
        call = lambda: requests.post(server.url + "/api/counters/1/call-next", json={},
                                     headers=server.headers(counter), timeout=5)
        call()                                           # 3 ahead
        call()                                           # 2 ahead: "2 lagi"
        gateway.wait_for(lambda r: len(r) == 2)
        assert "A005: 2 lagi sebelum giliran Anda" in gateway.messages()[1]
        call()
        call()
        gateway.mode = "stall"                           # the gateway hangs: the call must not
        started = time.monotonic()
        assert call().status_code == 200                 # A005
        assert time.monotonic() - started < 1.0
        gateway.mode = "ok"
        gateway.wait_for(lambda r: any("silakan menuju Loket 1" in m["body"]["message"] for m in r), timeout=30)
        # The gateway has the message; the outbox marks it sent once the gateway's answer is in.
        deadline = time.monotonic() + 10
        while True:
            report = requests.get(server.url + "/api/manage/notify", headers=server.headers(manager),
                                  timeout=5).json()
            if report["counts"]["sent"] >= 3 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert report["counts"]["sent"] >= 3 and report["contacts"] == 1
    finally:
        gateway.close()


def test_a_restart_in_the_middle_still_delivers(make_server):
    gateway = FakeGateway()
    server = make_server()
    try:
        manager = set_gateway(server, gateway)
        gateway.mode = "error"
        ticket = issue(server)
        assert requests.post(server.url + f"/api/visitor/{token_of(ticket)}/phone",
                             json={"phone": "+62 857 1234 5678"}, timeout=5).status_code == 201
        deadline = time.monotonic() + 10
        while gateway.attempts < 1:
            assert time.monotonic() < deadline, "no attempt"
            time.sleep(0.1)
        report = requests.get(server.url + "/api/manage/notify", headers=server.headers(manager), timeout=5).json()
        assert report["retrying"] and "503" in report["retrying"][0]["error"]
        server.restart()                                 # kill -9 and start on the same database
        gateway.mode = "ok"
        got = gateway.wait_for(lambda r: len(r) == 1, timeout=30)
        assert got[0]["body"]["target"] == "6285712345678"
    finally:
        gateway.close()
