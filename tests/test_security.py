"""The attacks of a hostile client on the open hall Wi-Fi, each tried against a real server.

Timings are asserted loosely (CI machines are noisy); benchmarks/flood_bench.py measures them.
The server runs behind a pretend proxy (`--proxy-hops 1`) so each test can speak from several
network addresses through X-Forwarded-For, as phones on the hall Wi-Fi would.
"""
from __future__ import annotations

import re
import threading
import time

import psutil
import pytest
import requests
import socketio

from support import DisplayClient, ServerProcess

PROXIED = ("--proxy-hops", "1")


def from_address(address: str, **headers) -> dict:
    return {"X-Forwarded-For": address, **headers}


def login_form(server: ServerProcess, address: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    session.headers.update(from_address(address))
    page = session.get(server.url + "/login", timeout=5).text
    return session, re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def try_login(server, username, password, address="10.0.0.9", session_and_token=None):
    session, token = session_and_token or login_form(server, address)
    return session.post(server.url + "/login", timeout=15, allow_redirects=False, data={
        "username": username, "password": password, "csrf_token": token})


def call_reaches_screen(server: ServerProcess, display: DisplayClient, token: str, counter: int) -> float:
    """Seconds from pressing call-next to the `called` event on the screen."""
    before = sum(e["type"] == "called" for e in display.events)
    started = time.monotonic()
    response = requests.post(f"{server.url}/api/counters/{counter}/call-next", timeout=15,
                             headers=server.headers(token))
    assert response.status_code == 200, response.text
    display.wait_for(lambda d: sum(e["type"] == "called" for e in d.events) > before, timeout=15)
    return time.monotonic() - started


def ticket_seconds(server: ServerProcess, code: str) -> float:
    started = time.monotonic()
    response = requests.post(server.url + "/api/tickets", json={"service": code}, timeout=15,
                             headers=server.headers(server.kiosk_token))
    assert response.status_code == 201, response.text
    return time.monotonic() - started


# ---- no single client can stall the hall ----------------------------------------------------------
def test_a_snapshot_flood_neither_stalls_the_hall_nor_grows_memory(make_server):
    server = make_server()
    counter = server.token("counter", 1)
    for _ in range(3):
        server.issue("A")
    display = DisplayClient(server.url)
    display.wait_for(lambda d: d.states)
    rss_before = psutil.Process(server.proc.pid).memory_info().rss

    flooder = socketio.Client(reconnection=False)
    flooder.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=10)
    stop = time.monotonic() + 5
    sent = 0

    def flood():
        nonlocal sent
        while time.monotonic() < stop and flooder.connected:
            try:
                flooder.emit("snapshot", namespace="/display")
            except Exception:   # cut off by the server: that is the point
                return
            sent += 1

    worker = threading.Thread(target=flood)
    worker.start()
    try:
        time.sleep(0.5)
        call = call_reaches_screen(server, display, counter, 1)
        ticket = ticket_seconds(server, "B")
        state = time.monotonic()
        assert requests.get(server.url + "/api/state", timeout=15).status_code == 200
        state = time.monotonic() - state
    finally:
        worker.join(10)
        display.close()
    rss_after = psutil.Process(server.proc.pid).memory_info().rss
    assert sent > 1000, "the flood did not happen"
    assert call < 3 and ticket < 3 and state < 3, (call, ticket, state)
    assert rss_after - rss_before < 80 * 2 ** 20, (rss_before, rss_after)
    assert not flooder.connected, "a client that keeps flooding is cut off"


def test_a_login_flood_is_throttled_and_the_hall_keeps_calling(make_server):
    server = make_server(extra_args=PROXIED)
    server.add_user("siti", "rahasia-siti", "staff", counters=[1])
    counter = server.token("counter", 2)
    for _ in range(3):
        server.issue("B")
    display = DisplayClient(server.url)
    display.wait_for(lambda d: d.states)
    statuses: list[int] = []
    stop = time.monotonic() + 6

    def attacker(n: int):
        form = None
        while form is None and time.monotonic() < stop:   # 24 at once: FairShare refuses some (429)
            try:
                form = login_form(server, "10.66.0.1")
            except AttributeError:
                time.sleep(0.1)
        while form is not None and time.monotonic() < stop:
            statuses.append(try_login(server, f"guess{n}", "wrong-password", session_and_token=form).status_code)

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        call = call_reaches_screen(server, display, counter, 2)
        ticket = ticket_seconds(server, "C")
        # a real member of staff on another tablet still logs in
        legit = time.monotonic()
        ok = try_login(server, "siti", "rahasia-siti", address="10.0.0.5")
        legit = time.monotonic() - legit
    finally:
        for thread in threads:
            thread.join(15)
        display.close()
    assert ok.status_code == 302, ok.status_code
    assert call < 3 and ticket < 3 and legit < 5, (call, ticket, legit)
    # the address is locked after 20 failures: the rest are refused without hashing a password
    assert statuses.count(401) <= 20 + 24, statuses.count(401)
    assert statuses.count(429) > statuses.count(401)


def test_an_account_locks_after_five_wrong_passwords_and_a_manager_lifts_it(make_server):
    server = make_server(extra_args=PROXIED)
    server.add_user("budi", "rahasia-budi", "staff", counters=[3])
    for n in range(5):
        assert try_login(server, "budi", f"salah-{n}", address=f"10.1.0.{n}").status_code == 401
    locked = try_login(server, "budi", "rahasia-budi", address="10.1.0.99")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 60
    assert "Terlalu banyak percobaan" in locked.text

    # An unknown name is locked the same way: the answers do not tell which names exist.
    for n in range(5):
        assert try_login(server, "tidakada", f"salah-{n}", address=f"10.2.0.{n}").status_code == 401
    assert try_login(server, "tidakada", "apa-saja", address="10.2.0.99").status_code == 429

    manager = server.headers(server.token("manager"))
    locks = requests.get(server.url + "/api/manage/lockouts", headers=manager, timeout=5).json()["lockouts"]
    assert {lock["value"] for lock in locks if lock["kind"] == "account"} == {"budi", "tidakada"}
    lifted = requests.post(server.url + "/api/manage/lockouts/lift", json={"key": "user:budi"},
                           headers=manager, timeout=5)
    assert lifted.status_code == 200
    assert try_login(server, "budi", "rahasia-budi", address="10.1.0.99").status_code == 302
    audit = requests.get(server.url + "/api/manage/audit", headers=manager, timeout=5).json()["entries"]
    assert any(e["action"] == "login.unlock" for e in audit)


def test_an_unknown_user_name_costs_as_much_time_as_a_real_one(make_server):
    server = make_server(extra_args=PROXIED)
    server.add_user("rina", "rahasia-rina", "staff", counters=[4])

    def seconds(username: str, address: str) -> float:
        form = login_form(server, address)
        started = time.monotonic()
        assert try_login(server, username, "salah-sekali", session_and_token=form).status_code == 401
        return time.monotonic() - started

    real = sorted(seconds("rina", f"10.3.0.{n}") for n in range(3))[1]
    unknown = sorted(seconds(f"nobody{n}", f"10.4.0.{n}") for n in range(3))[1]
    assert unknown > real * 0.5 and unknown > 0.02, (real, unknown)


def test_one_address_cannot_flood_the_pages(make_server):
    server = make_server(extra_args=PROXIED + ("--request-rate-limit", "20 per minute"))
    codes = [requests.get(server.url + "/display", headers=from_address("10.8.0.1"), timeout=5).status_code
             for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    other = requests.get(server.url + "/display", headers=from_address("10.8.0.2"), timeout=5)
    assert other.status_code == 200


# ---- only the hall's own pages attach; what clients say counts only from known clients ----------
def test_a_page_from_another_origin_cannot_attach(server):
    handshake = server.url + "/socket.io/?EIO=4&transport=polling"
    refused = requests.get(handshake, headers={"Origin": "http://evil.example"}, timeout=5)
    assert refused.status_code == 400
    assert requests.get(handshake, headers={"Origin": server.url}, timeout=5).status_code == 200
    hostile = socketio.Client(reconnection=False)
    with pytest.raises((socketio.exceptions.ConnectionError, ValueError)):
        hostile.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5,
                        headers={"Origin": "http://evil.example"})
    assert not hostile.connected
    own = socketio.Client(reconnection=False)
    # websocket-client sends its own Origin (this server's) with the handshake
    own.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
    assert own.connected
    own.disconnect()


def test_anonymous_clients_cannot_join_consoles_pose_as_speakers_or_mark_calls_played(make_server):
    server = make_server()
    manager = server.headers(server.token("manager"))
    counter = server.token("counter", 1)
    server.issue("A")
    nudges = []
    fake = socketio.Client(reconnection=False)
    fake.on("presence", lambda data: nudges.append(data), namespace="/display")
    fake.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
    for n in range(20):
        fake.emit("hello", {"page": "manager", "name": f"Speaker {n}", "speaker": True}, namespace="/display")
    requests.post(f"{server.url}/api/counters/1/call-next", headers=server.headers(counter), timeout=5)
    speaker = DisplayClient(server.url, device=server.pair_device("display", "TV Lobi"))
    speaker.client.emit("hello", {"page": "display", "speaker": True}, namespace="/display")
    speaker.wait_for(lambda d: d.states)
    call = speaker.states[-1]["announcements"][-1]
    fake.emit("played", {"seq": call["id"]}, namespace="/display")
    fake.emit("sound", {"state": "blocked"}, namespace="/display")
    time.sleep(1.5)
    overview = requests.get(server.url + "/api/manage/overview", headers=manager, timeout=5).json()
    names = [d["name"] for d in overview["displays"]]
    assert names == ["TV Lobi"], names                      # no fake speakers listed
    assert overview["anonymous_screens"] == 1
    assert nudges == [], "an anonymous client got into the consoles' room"
    late = DisplayClient(server.url)
    late.wait_for(lambda d: d.states)
    assert late.states[-1]["announcements"][-1]["played_by"] == []   # the fake 'played' did not count
    speaker.client.emit("played", {"seq": call["id"]}, namespace="/display")
    time.sleep(0.5)
    late.client.emit("snapshot", namespace="/display")
    late.wait_for(lambda d: len(d.states) > 1)
    assert late.states[-1]["announcements"][-1]["played_by"] == ["TV Lobi"]
    for client in (fake, speaker.client, late.client):
        client.disconnect()


def test_one_address_cannot_hold_unlimited_connections(make_server):
    server = make_server(extra_args=("--max-connections-per-address", "5"))
    clients = []
    try:
        for _ in range(5):
            client = socketio.Client(reconnection=False)
            client.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
            clients.append(client)
        extra = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            extra.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
    finally:
        for client in clients:
            client.disconnect()


# ---- kiosks are devices, not the public -------------------------------------------------------------
def test_only_paired_kiosks_issue_tickets_and_nobody_can_empty_a_quota(make_server):
    server = make_server(extra_args=PROXIED)
    manager = server.headers(server.token("manager"))
    requests.patch(server.url + "/api/manage/services/G", json={"daily_limit": 50}, headers=manager,
                   timeout=5).raise_for_status()
    anonymous = requests.post(server.url + "/api/tickets", json={"service": "G"}, timeout=5)
    assert anonymous.status_code == 401 and "dipasangkan" in anonymous.json()["error"]

    kiosk = requests.Session()
    kiosk.cookies.set("signage_device", server.pair_device("kiosk", "Kios Pintu"))
    assert kiosk.post(server.url + "/api/tickets", json={"service": "G"}, timeout=5).status_code == 201

    # The manager lets unpaired devices take tickets: each address gets a few, all of them a few dozen.
    requests.put(server.url + "/api/manage/hall", json={"public_tickets": True}, headers=manager,
                 timeout=5).raise_for_status()
    codes = [requests.post(server.url + "/api/tickets", json={"service": "G"}, timeout=5,
                           headers=from_address(f"10.7.0.{n % 2}")).status_code for n in range(62)]
    assert codes.count(201) == 6, codes
    assert codes.count(429) == 56
    assert "Retry-After" in requests.post(server.url + "/api/tickets", json={"service": "G"}, timeout=5,
                                          headers=from_address("10.7.0.1")).headers
    assert kiosk.post(server.url + "/api/tickets", json={"service": "G"}, timeout=5).status_code == 201
    waiting = {s["code"]: s["waiting"] for s in requests.get(server.url + "/api/services", timeout=5).json()["services"]}
    assert waiting["G"] == 8


def test_a_kiosk_retry_with_the_same_key_returns_the_same_ticket(server):
    headers = server.headers(server.kiosk_token, **{"Idempotency-Key": "tap-7f3a"})
    first = requests.post(server.url + "/api/tickets", json={"service": "H"}, headers=headers, timeout=5)
    again = requests.post(server.url + "/api/tickets", json={"service": "H"}, headers=headers, timeout=5)
    other = requests.post(server.url + "/api/tickets", json={"service": "H"}, timeout=5,
                          headers=server.headers(server.kiosk_token, **{"Idempotency-Key": "tap-7f3b"}))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert other.json()["number"] != first.json()["number"]
    waiting = {s["code"]: s["waiting"] for s in requests.get(server.url + "/api/services", timeout=5).json()["services"]}
    assert waiting["H"] == 2


def test_a_revoked_device_is_a_stranger_again(make_server):
    server = make_server()
    manager = server.headers(server.token("manager"))
    kiosk = requests.Session()
    kiosk.cookies.set("signage_device", server.pair_device("kiosk", "Kios Lama"))
    assert kiosk.post(server.url + "/api/tickets", json={"service": "A"}, timeout=5).status_code == 201
    devices = requests.get(server.url + "/api/manage/devices", headers=manager, timeout=5).json()["devices"]
    assert [(d["name"], d["kind"], d["state"]) for d in devices] == [("Kios Lama", "kiosk", "paired")]
    assert "code" not in devices[0] or devices[0]["code"] is None
    assert requests.delete(f"{server.url}/api/manage/devices/{devices[0]['id']}", headers=manager,
                           timeout=5).status_code == 200
    assert kiosk.post(server.url + "/api/tickets", json={"service": "A"}, timeout=5).status_code == 401
    wrong = requests.post(server.url + "/api/manage/devices/pair", json={"code": "000000", "name": "X"},
                          headers=manager, timeout=5)
    assert wrong.status_code == 404 and "error" in wrong.json()


# ---- sessions can be taken back -----------------------------------------------------------------------
def test_logout_reset_and_disable_end_sessions_on_the_server(make_server):
    server = make_server()
    server.add_user("dewi", "rahasia-dewi", "staff", counters=[5])
    mine = server.log_in("dewi", "rahasia-dewi")
    copied = requests.Session()
    copied.cookies.update(mine.cookies)
    assert copied.get(server.url + "/api/counters/5", timeout=5).status_code == 200
    mine.post(server.url + "/logout", timeout=5)
    assert copied.get(server.url + "/api/counters/5", timeout=5).status_code == 401

    manager = server.log_in("manager", server.manager_password)
    staff = {u["username"]: u["id"] for u in manager.get(server.url + "/api/manage/staff", timeout=5).json()["staff"]}
    again = server.log_in("dewi", "rahasia-dewi")
    reset = manager.patch(f"{server.url}/api/manage/staff/{staff['dewi']}", json={"password": "baru-sekali-1"}, timeout=10)
    assert reset.status_code == 200
    assert again.get(server.url + "/api/counters/5", timeout=5).status_code == 401
    third = server.log_in("dewi", "baru-sekali-1")
    manager.patch(f"{server.url}/api/manage/staff/{staff['dewi']}", json={"active": False}, timeout=5)
    assert third.get(server.url + "/api/counters/5", timeout=5).status_code == 401


# ---- basics -----------------------------------------------------------------------------------------
def test_every_answer_carries_the_security_headers(server):
    for path in ("/", "/kiosk", "/display", "/login", "/api/state", "/static/js/live.js", "/nope"):
        response = requests.get(server.url + path, timeout=5)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert "Strict-Transport-Security" not in response.headers
    session = requests.Session()
    session.get(server.url + "/login", timeout=5)
    assert not any(c.secure for c in session.cookies)


def test_behind_https_cookies_are_secure(make_server):
    server = make_server(extra_args=("--https", "--proxy-hops", "1"))
    response = requests.get(server.url + "/login", timeout=5, headers={"X-Forwarded-Proto": "https"})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
