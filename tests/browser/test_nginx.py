"""The reference nginx site (deploy/nginx/signage.conf) in front of a real server, with a real
Chromium display attached through it: websockets upgrade, calls arrive live, and the server
sees each device's own address (X-Forwarded-For from nginx, trusted with --proxy-hops 1)."""
from __future__ import annotations

import socket
import time

import pytest
import requests
from playwright.sync_api import expect

from nginx import Nginx


@pytest.fixture
def proxied(make_server, tmp_path):
    server = make_server(extra_args=("--proxy-hops", "1"))
    nginx = Nginx(tmp_path / "nginx", [server.port])
    yield server, nginx
    nginx.stop()


def test_a_display_through_nginx_gets_calls_live_over_a_websocket(proxied, pages):
    server, nginx = proxied
    server.issue("A")
    token = server.token("counter", 1)
    display = pages.open(nginx.url + "/display")
    expect(display.locator(".counter-card").first).to_be_visible()
    display.wait_for_function("() => window.Display && Display.live && Display.live.isOnline()")
    transport = display.evaluate("() => Display.live.socket.io.engine.transport.name")
    assert transport == "websocket"

    requests.post(f"{server.url}/api/counters/1/call-next", headers=server.headers(token), timeout=5)
    expect(display.get_by_test_id("hero-number")).to_have_text("A001")

    # nginx tells the server who is asking, and a client cannot choose its own address: the
    # X-Forwarded-For it sends is replaced by nginx with the address nginx saw.
    asked = requests.post(nginx.url + "/api/devices/pairing", json={"kind": "display"},
                          headers={"X-Forwarded-For": "6.6.6.6"}, timeout=5)
    manager = server.headers(server.token("manager"))
    paired = requests.post(server.url + "/api/manage/devices/pair", headers=manager, timeout=5,
                           json={"code": asked.json()["code"], "name": "TV via nginx"})
    assert paired.status_code == 201
    assert paired.json()["address"] == "127.0.0.1"


def test_a_call_on_one_process_reaches_a_tv_attached_to_the_other(postgres, databases, redis_server,
                                                                   tmp_path, pages):
    """Two processes on one PostgreSQL and one Redis behind the reference site (cluster.py)."""
    from support import ServerProcess
    redis_server.flush()
    db = databases.new("postgresql", tmp_path, "two")
    args = ("--proxy-hops", "1", "--message-queue", redis_server.url)
    servers = [ServerProcess(db, log_path=tmp_path / f"process-{i}.log", extra_args=args) for i in range(2)]
    nginx = None
    try:
        for server in servers:
            server.start()
        nginx = Nginx(tmp_path / "nginx", [server.port for server in servers])
        servers[0].issue("A")
        pages.context.add_cookies([{"name": "signage_device", "url": nginx.url,
                                    "value": servers[0].pair_device("display", "TV lewat nginx")}])
        display = pages.open(nginx.url + "/display")
        display.wait_for_function("() => window.Display && Display.live && Display.live.isOnline()")
        manager = servers[0].headers(servers[0].token("manager"))
        deadline = time.monotonic() + 10
        while True:
            listed = [d for d in requests.get(servers[1].url + "/api/manage/overview", headers=manager,
                                              timeout=5).json()["displays"] if d["name"] == "TV lewat nginx"]
            if listed:
                break
            assert time.monotonic() < deadline, "the TV never appeared in the hall's presence"
            time.sleep(0.2)
        attached = {f"{socket.gethostname()}:{s.proc.pid}": s for s in servers}[listed[0]["process"]]
        other = next(s for s in servers if s is not attached)

        answer = requests.post(f"{other.url}/api/counters/1/call-next", timeout=5,
                               headers=other.headers(other.token("counter", 1)))
        assert answer.status_code == 200, answer.text
        expect(display.get_by_test_id("hero-number")).to_have_text("A001")
    finally:
        if nginx is not None:
            nginx.stop()
        for server in servers:
            server.stop()
        databases.drop(db)
