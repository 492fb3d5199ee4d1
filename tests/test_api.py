"""The JSON API over HTTP against a real server process, with good and bad input."""
from __future__ import annotations

import pytest
import requests

from support import ASYNC_MODES, ServerProcess

pytestmark = pytest.mark.both_databases


@pytest.fixture(scope="module", params=ASYNC_MODES)
def srv(request, tmp_path_factory, databases, backend):
    folder = tmp_path_factory.mktemp(request.param)
    db = databases.new(backend, folder, "api")
    server = ServerProcess(db, request.param, log_path=folder / "api.log").start()
    server.counter1 = server.token("counter", 1)
    server.counter2 = server.token("counter", 2)
    server.manager = server.token("manager")
    yield server
    server.stop()
    databases.drop(db)


def state(srv):
    return requests.get(srv.url + "/api/state", timeout=5).json()


def post(srv, path, json=None, token=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(srv.url + path, json=json, headers=headers, timeout=10, **kwargs)


def test_services_list_the_hall(srv):
    services = requests.get(srv.url + "/api/services", timeout=5).json()["services"]
    assert len(services) == 11
    assert {"code", "name", "prefix", "open", "waiting"} <= set(services[0])


def test_issue_and_call_a_ticket(srv):
    ticket = post(srv, "/api/tickets", token=srv.kiosk_token, json={"service": "C", "priority": False})
    assert ticket.status_code == 201
    body = ticket.json()
    assert body["number"].startswith("C") and body["service"] == "C"
    assert {"number", "service", "position", "issued_at"} <= set(body)
    called = post(srv, "/api/counters/3/call-next", token=srv.token("counter", 3))
    assert called.status_code == 200 and called.json()["ticket"]["number"] == body["number"]
    counters = {c["id"]: c for c in state(srv)["counters"]}
    assert counters[3]["ticket"]["number"] == body["number"]
    assert {"id", "name", "services", "ticket"} <= set(counters[3])


@pytest.mark.parametrize("body, fragment", [
    ({"service": "Z"}, "tidak dikenal"),
    ({"service": 7}, "service"),
    ({}, "service"),
    ({"service": "A", "priority": "ya"}, "priority"),
    ({"service": "A", "extra": 1}, "tidak dikenal"),
    ([1, 2], "objek"),
])
def test_bad_ticket_requests_are_clear_4xx_and_change_nothing(srv, body, fragment):
    before = state(srv)
    response = post(srv, "/api/tickets", token=srv.kiosk_token, json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert state(srv)["seq"] == before["seq"]


def test_broken_json_and_huge_body(srv):
    before = state(srv)["seq"]
    kiosk = srv.headers(srv.kiosk_token, **{"Content-Type": "application/json"})
    broken = requests.post(srv.url + "/api/tickets", data="{nope", headers=kiosk, timeout=5)
    assert broken.status_code == 400 and "JSON" in broken.json()["error"]
    huge = requests.post(srv.url + "/api/tickets", data="x" * (1024 * 1024), headers=kiosk, timeout=10)
    assert huge.status_code == 413 and "error" in huge.json()
    assert state(srv)["seq"] == before


def test_counter_actions_need_the_counters_own_token(srv):
    post(srv, "/api/tickets", token=srv.kiosk_token, json={"service": "A"})
    before = state(srv)["seq"]
    assert post(srv, "/api/counters/1/call-next").status_code == 401
    assert post(srv, "/api/counters/1/call-next", token="not-a-token").status_code == 401
    assert post(srv, "/api/counters/1/call-next", token=srv.counter2).status_code == 403
    assert post(srv, "/api/counters/1/call-next", token=srv.manager).status_code == 403
    assert "error" in post(srv, "/api/counters/1/call-next", token=srv.counter2).json()
    assert state(srv)["seq"] == before


def test_unknown_counter_and_action(srv):
    assert post(srv, "/api/counters/999/call-next", token=srv.counter1).status_code == 403
    response = post(srv, "/api/counters/1/explode", token=srv.counter1)
    assert response.status_code == 404 and "error" in response.json()


def test_call_next_with_nobody_waiting_is_409(srv):
    token = srv.token("counter", 8)
    response = post(srv, "/api/counters/8/call-next", token=token)
    assert response.status_code == 409 and response.json()["error"]


def test_transfer_bad_input(srv):
    token = srv.token("counter", 4)
    post(srv, "/api/tickets", token=srv.kiosk_token, json={"service": "D"})
    post(srv, "/api/counters/4/call-next", token=token)
    before = state(srv)["seq"]
    for body in ({}, {"service": 3}, {"service": "Z"}, {"service": "D"}):
        response = post(srv, "/api/counters/4/transfer", body, token=token)
        assert response.status_code == 400, (body, response.text)
    assert state(srv)["seq"] == before
    assert post(srv, "/api/counters/4/transfer", {"service": "B"}, token=token).status_code == 200


def test_double_tap_with_idempotency_key_calls_one_ticket(srv):
    token = srv.token("counter", 9)
    first_ticket = post(srv, "/api/tickets", token=srv.kiosk_token, json={"service": "H"}).json()["number"]
    post(srv, "/api/tickets", token=srv.kiosk_token, json={"service": "H"})
    headers = {"Idempotency-Key": "tap-7f3a"}
    a = post(srv, "/api/counters/9/call-next", token=token, headers=dict(headers))
    b = post(srv, "/api/counters/9/call-next", token=token, headers=dict(headers))
    assert a.json() == b.json() and a.json()["ticket"]["number"] == first_ticket
    by_body = post(srv, "/api/counters/9/call-next", {"request_id": "r-1"}, token=token)
    again = post(srv, "/api/counters/9/call-next", {"request_id": "r-1"}, token=token)
    assert by_body.json()["ticket"] == again.json()["ticket"] != a.json()["ticket"]
    waiting = {s["code"]: s["waiting"] for s in state(srv)["services"]}
    assert waiting["H"] == 0


def test_the_longest_idempotency_key_gets_the_same_ticket_again(srv):
    """100 characters, the most allowed: with the kiosk's name it once passed the column's 120,
    which SQLite never checks and PostgreSQL refuses (500)."""
    headers = {"Idempotency-Key": "k" * 100}
    first = post(srv, "/api/tickets", {"service": "G"}, token=srv.kiosk_token, headers=dict(headers))
    again = post(srv, "/api/tickets", {"service": "G"}, token=srv.kiosk_token, headers=dict(headers))
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json()["number"] == first.json()["number"]
    called = post(srv, "/api/counters/8/call-next", token=srv.token("counter", 8), headers=dict(headers))
    assert called.status_code == 200 and called.json()["ticket"]["number"] == first.json()["number"]


def test_openapi_documents_the_endpoints(srv):
    doc = requests.get(srv.url + "/api/openapi.json", timeout=5).json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/services", "/api/tickets", "/api/state", "/api/counters/{id}/call-next",
                 "/api/counters/{id}/transfer"):
        assert path in doc["paths"]


def test_pages_render(srv):
    for path in ("/", "/kiosk", "/display", "/display?services=A,B", "/login", "/kiosk?lang=en"):
        assert requests.get(srv.url + path, timeout=5).status_code == 200, path
    assert requests.get(srv.url + "/counter", timeout=5, allow_redirects=False).status_code == 302


def test_kiosk_tickets_are_rate_limited_per_client(make_server):
    server = make_server()
    server.stop()
    server.extra_args = ("--ticket-rate-limit", "3 per minute")  # appended after the test default
    server.start()
    codes = [post(server, "/api/tickets", {"service": "A"}, token=server.kiosk_token).status_code
             for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = post(server, "/api/tickets", {"service": "A"}, token=server.kiosk_token)
    assert int(refused.headers["Retry-After"]) > 0
    assert "error" in refused.json()
    assert {s["code"]: s["waiting"] for s in state(server)["services"]}["A"] == 3
