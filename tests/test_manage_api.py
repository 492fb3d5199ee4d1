"""The manager console's API: roles, validation (nothing saved on error), audit log, CSRF."""
from __future__ import annotations

import re

import pytest
import requests

from support import ServerProcess, signage_cli


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("manage") / "manage.db").start()
    server.manager = server.token("manager")
    server.add_user("sari", "rahasia-sari", "staff", counters=[1])
    signage_cli("user", "add", "budi", "--role", "supervisor", "--service", "E",
                "--password", "rahasia-budi", db=server.db)
    yield server
    server.stop()


def as_manager(srv, method, path, **kwargs):
    return requests.request(method, srv.url + path, timeout=10,
                            headers={"Authorization": f"Bearer {srv.manager}"}, **kwargs)


def settings(srv):
    return as_manager(srv, "GET", "/api/manage/settings").json()


def test_running_text_is_saved_as_typed_and_reaches_the_snapshot(srv):
    lines = ["<script>alert(1)</script>", "Layanan BPJS istirahat 12.00–13.00"]
    response = as_manager(srv, "PUT", "/api/running-text", json={"lines": lines, "speed": 90})
    assert response.status_code == 200
    state = requests.get(srv.url + "/api/state", timeout=5).json()
    assert state["running_text"] == {"lines": lines, "speed": 90}


@pytest.mark.parametrize("body", [
    {"lines": "just text"}, {"lines": [1, 2]}, {"lines": ["x" * 201]}, {"lines": ["ok"] * 11},
    {"lines": ["ok"], "speed": 5}, {"lines": ["ok"], "speed": "fast"}, {},
])
def test_bad_running_text_changes_nothing(srv, body):
    before = settings(srv)["running_text"]
    response = as_manager(srv, "PUT", "/api/running-text", json=body)
    assert response.status_code == 400 and response.json()["error"]
    assert settings(srv)["running_text"] == before


def test_running_text_needs_a_manager(srv):
    assert requests.put(srv.url + "/api/running-text", json={"lines": ["x"]}, timeout=5).status_code == 401
    counter = srv.token("counter", 1)
    response = requests.put(srv.url + "/api/running-text", json={"lines": ["x"]}, timeout=5,
                            headers={"Authorization": f"Bearer {counter}"})
    assert response.status_code == 403


@pytest.mark.parametrize("body, fragment", [
    ({"code": "AA", "name": "X"}, "Prefiks"), ({"code": "A", "name": "Dup"}, "sudah dipakai"),
    ({"code": "Q"}, "wajib"), ({"code": "Q", "name": "X", "color": "red"}, "Warna"),
    ({"code": "Q", "name": "X", "daily_limit": 0}, "Kuota"),
    ({"code": "Q", "name": "X", "hours": {"mon": ["15:00", "08:00"]}}, "tutup"),
])
def test_bad_service_edits_are_refused(srv, body, fragment):
    before = requests.get(srv.url + "/api/services", timeout=5).json()
    response = as_manager(srv, "POST", "/api/manage/services", json=body)
    assert response.status_code == 400 and fragment in response.json()["error"]
    assert requests.get(srv.url + "/api/services", timeout=5).json() == before


def test_add_service_and_counter_then_issue(srv):
    assert as_manager(srv, "POST", "/api/manage/services",
                      json={"code": "M", "name": "Imigrasi", "color": "#123456", "daily_limit": 1}).status_code == 201
    counter = as_manager(srv, "POST", "/api/manage/counters", json={"name": "Loket 14", "services": ["M"]})
    assert counter.status_code == 201
    assert requests.post(srv.url + "/api/tickets", headers=srv.headers(srv.kiosk_token), json={"service": "M"}, timeout=5).status_code == 201
    refused = requests.post(srv.url + "/api/tickets", headers=srv.headers(srv.kiosk_token), json={"service": "M"}, timeout=5)
    assert refused.status_code == 409 and "Kuota" in refused.json()["error"]
    bad = as_manager(srv, "POST", "/api/manage/counters", json={"name": "Loket 15", "services": ["Z"]})
    assert bad.status_code == 400


def test_close_for_the_rest_of_today_with_reason(srv):
    response = as_manager(srv, "POST", "/api/manage/services/D/close",
                          json={"reason": "Gangguan sistem", "rest_of_today": True})
    assert response.status_code == 200
    services = {s["code"]: s for s in requests.get(srv.url + "/api/services", timeout=5).json()["services"]}
    assert services["D"]["open"] is False and services["D"]["closed_reason"] == "Gangguan sistem"
    refused = requests.post(srv.url + "/api/tickets", headers=srv.headers(srv.kiosk_token), json={"service": "D"}, timeout=5)
    assert refused.status_code == 409 and "Gangguan sistem" in refused.json()["error"]
    assert as_manager(srv, "POST", "/api/manage/services/D/close", json={}).status_code == 400
    overview = {sv["code"]: sv for sv in as_manager(srv, "GET", "/api/manage/overview").json()["services"]}
    assert overview["D"]["open"] is False and overview["D"]["closed_reason"] == "Gangguan sistem"
    assert overview["D"]["manual_reason"] == "Gangguan sistem" and overview["A"]["manual_reason"] is None
    assert services["D"]["closed_until"] is not None
    assert as_manager(srv, "POST", "/api/manage/services/D/open").status_code == 200
    assert requests.post(srv.url + "/api/tickets", headers=srv.headers(srv.kiosk_token), json={"service": "D"}, timeout=5).status_code == 201


def test_holidays_and_hours_validation(srv):
    assert as_manager(srv, "PUT", "/api/manage/holidays", json={"holidays": {"2026-13-01": "x"}}).status_code == 400
    assert as_manager(srv, "PUT", "/api/manage/hours", json={"hours": {"funday": ["08:00", "15:00"]}}).status_code == 400
    ok = as_manager(srv, "PUT", "/api/manage/holidays", json={"holidays": {"2026-12-25": "Hari Raya Natal"}})
    assert ok.status_code == 200
    assert settings(srv)["holidays"] == {"2026-12-25": "Hari Raya Natal"}


def test_staff_cannot_open_manager_pages_or_api(srv):
    staff = srv.log_in("sari", "rahasia-sari")
    assert staff.get(srv.url + "/manager", timeout=5).status_code == 403
    assert staff.get(srv.url + "/api/manage/overview", timeout=5).status_code == 403
    assert staff.get(srv.url + "/api/stats", timeout=5).status_code == 403


def test_supervisor_sees_and_changes_only_their_agency(srv):
    sup = srv.log_in("budi", "rahasia-budi")
    stats = sup.get(srv.url + "/api/stats", timeout=5).json()
    assert [row["code"] for row in stats["services"]] == ["E"]
    assert sup.patch(srv.url + "/api/manage/services/A", json={"daily_limit": 5}, timeout=5).status_code == 403
    assert sup.patch(srv.url + "/api/manage/services/E", json={"daily_limit": 50}, timeout=5).status_code == 200
    assert sup.patch(srv.url + "/api/manage/services/E", json={"name": "X"}, timeout=5).status_code == 403
    assert sup.post(srv.url + "/api/manage/staff", timeout=5,
                    json={"username": "eka", "password": "rahasia-eka", "counters": [1]}).status_code == 403
    assert sup.post(srv.url + "/api/manage/staff", timeout=5,
                    json={"username": "eka", "password": "rahasia-eka", "counters": [5]}).status_code == 201
    assert sup.put(srv.url + "/api/running-text", json={"lines": ["x"]}, timeout=5).status_code == 403
    usernames = {u["username"] for u in sup.get(srv.url + "/api/manage/staff", timeout=5).json()["staff"]}
    assert "eka" in usernames and "manager" not in usernames and "sari" not in usernames
    overview = sup.get(srv.url + "/api/manage/overview", timeout=5).json()
    assert [sv["code"] for sv in overview["services"]] == ["E"]
    assert sorted(c["id"] for c in overview["counters"]) == [5, 6]


def test_a_supervisor_needs_an_agency(srv):
    response = as_manager(srv, "POST", "/api/manage/staff",
                          json={"username": "tanpa", "password": "rahasia-tanpa", "role": "supervisor"})
    assert response.status_code == 400 and "instansi" in response.json()["error"]
    staff = as_manager(srv, "GET", "/api/manage/staff").json()["staff"]
    assert "tanpa" not in {u["username"] for u in staff}


def test_staff_name_can_be_corrected(srv):
    staff = {u["username"]: u for u in as_manager(srv, "GET", "/api/manage/staff").json()["staff"]}
    sari = staff["sari"]["id"]
    assert as_manager(srv, "PATCH", f"/api/manage/staff/{sari}", json={"full_name": 7}).status_code == 400
    response = as_manager(srv, "PATCH", f"/api/manage/staff/{sari}", json={"full_name": "Sari Ndun"})
    assert response.status_code == 200 and response.json()["full_name"] == "Sari Ndun"


def test_display_profile_links_are_url_encoded(srv):
    response = as_manager(srv, "POST", "/api/manage/displays",
                          json={"name": "Lantai 2 & lobi", "services": ["A"], "sound": False})
    assert response.status_code == 201, response.text
    assert response.json()["url"] == "/display?profile=Lantai+2+%26+lobi"
    page = requests.get(srv.url + response.json()["url"], timeout=5)
    assert page.status_code == 200


def test_session_writes_need_the_csrf_token(srv):
    sup = srv.log_in("budi", "rahasia-budi")
    del sup.headers["X-CSRFToken"]
    response = sup.patch(srv.url + "/api/manage/services/E", json={"daily_limit": 40}, timeout=5)
    assert response.status_code == 400 and "CSRF" in response.json()["error"]


def test_staff_password_reset_and_disable(srv):
    staff = {u["username"]: u for u in as_manager(srv, "GET", "/api/manage/staff").json()["staff"]}
    sari = staff["sari"]["id"]
    assert as_manager(srv, "PATCH", f"/api/manage/staff/{sari}", json={"password": "short"}).status_code == 400
    assert as_manager(srv, "PATCH", f"/api/manage/staff/{sari}", json={"password": "baru-sekali"}).status_code == 200
    srv.log_in("sari", "baru-sekali")
    assert as_manager(srv, "PATCH", f"/api/manage/staff/{sari}", json={"active": False}).status_code == 200
    session = requests.Session()
    page = session.get(srv.url + "/login", timeout=5).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    refused = session.post(srv.url + "/login", data={"username": "sari", "password": "baru-sekali",
                                                     "csrf_token": token}, timeout=5)
    assert refused.status_code == 401


def test_every_change_is_in_the_audit_log(srv):
    entries = as_manager(srv, "GET", "/api/manage/audit").json()["entries"]
    actions = {e["action"] for e in entries}
    assert {"setting.running_text", "service.save", "counter.save", "service.close",
            "service.open", "user.add", "user.update"} <= actions
    assert all(e["actor"] and e["at"] for e in entries)


def test_stats_api_and_csv(srv):
    stats = as_manager(srv, "GET", "/api/stats").json()
    assert {"code", "issued", "served", "skipped", "waiting"} <= set(stats["services"][0])
    assert as_manager(srv, "GET", "/api/stats?from=2026-02-30").status_code == 400
    assert as_manager(srv, "GET", "/api/stats?from=2026-05-02&to=2026-05-01").status_code == 400
    csv_text = as_manager(srv, "GET", "/api/stats.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Layanan;Tiket diambil;Dilayani;")


# ---- roles hold: a supervisor's staff are those on their agency's own counters ------------------
@pytest.fixture(scope="module")
def agency_b(srv):
    """A supervisor of B (bayu), and staff on: A's and B's counters (dua), a counter A and B share
    (bersama), no counter (kosong), B's own counter (bidan)."""
    signage_cli("user", "add", "bayu", "--role", "supervisor", "--service", "B",
                "--password", "rahasia-bayu", db=srv.db)
    shared = as_manager(srv, "POST", "/api/manage/counters", json={"name": "Loket AB", "services": ["A", "B"]})
    assert shared.status_code == 201, shared.text
    shared_id = shared.json()["id"]
    ids = {}
    for username, counters in (("dua", [1, 2]), ("bersama", [shared_id]), ("kosong", []), ("bidan", [2])):
        response = as_manager(srv, "POST", "/api/manage/staff", json={
            "username": username, "password": f"rahasia-{username}", "counters": counters})
        assert response.status_code == 201, response.text
        ids[username] = response.json()["id"]
    return {"sup": srv.log_in("bayu", "rahasia-bayu"), "shared": shared_id, "ids": ids}


def test_a_supervisor_manages_only_staff_whose_every_counter_is_theirs(srv, agency_b):
    sup, ids = agency_b["sup"], agency_b["ids"]
    listed = {u["username"] for u in sup.get(srv.url + "/api/manage/staff", timeout=5).json()["staff"]}
    assert "bidan" in listed and not listed & {"dua", "bersama", "kosong", "sari", "eka"}
    for name in ("dua", "bersama", "kosong"):
        url = f"{srv.url}/api/manage/staff/{ids[name]}"
        assert sup.patch(url, json={"password": "diambil-alih"}, timeout=5).status_code == 403, name
        assert sup.patch(url, json={"active": False}, timeout=5).status_code == 403, name
        assert sup.patch(url, json={"counters": [2]}, timeout=5).status_code == 403, name
        srv.log_in(name, f"rahasia-{name}")          # still their own password, still active
    assert sup.patch(f"{srv.url}/api/manage/staff/{ids['bidan']}", json={"full_name": "Bidan B"},
                     timeout=5).status_code == 200


def test_a_supervisor_hands_out_only_their_own_counters_and_at_least_one(srv, agency_b):
    sup, shared = agency_b["sup"], agency_b["shared"]
    new = {"username": "baru", "password": "rahasia-baru"}
    assert sup.post(srv.url + "/api/manage/staff", json=new | {"counters": []}, timeout=5).status_code == 400
    assert sup.post(srv.url + "/api/manage/staff", json=new, timeout=5).status_code == 400
    assert sup.post(srv.url + "/api/manage/staff", json=new | {"counters": [shared]}, timeout=5).status_code == 403
    assert sup.post(srv.url + "/api/manage/staff", json=new | {"counters": [1, 2]}, timeout=5).status_code == 403
    listed = {u["username"] for u in as_manager(srv, "GET", "/api/manage/staff").json()["staff"]}
    assert "baru" not in listed
    bidan = f"{srv.url}/api/manage/staff/{agency_b['ids']['bidan']}"
    assert sup.patch(bidan, json={"counters": []}, timeout=5).status_code == 400
    assert sup.patch(bidan, json={"counters": [shared]}, timeout=5).status_code == 403
    assert sup.post(srv.url + "/api/manage/staff", json=new | {"counters": [2]}, timeout=5).status_code == 201


def test_only_a_manager_makes_free_announcements(srv, agency_b):
    text = {"text": "Layanan KPP istirahat sampai pukul 13.00"}
    before = requests.get(srv.url + "/api/state", timeout=5).json()["seq"]
    assert agency_b["sup"].post(srv.url + "/api/manage/announce", json=text, timeout=5).status_code == 403
    assert srv.log_in("budi", "rahasia-budi").post(srv.url + "/api/manage/announce", json=text,
                                                   timeout=5).status_code == 403
    assert requests.get(srv.url + "/api/state", timeout=5).json()["seq"] == before, "nothing was announced"
    response = as_manager(srv, "POST", "/api/manage/announce", json=text)
    assert response.status_code == 201 and response.json()["message"] == text["text"]


def test_password_reset_and_disable_end_the_users_sessions(srv, agency_b):
    bidan = agency_b["ids"]["bidan"]
    tablet = srv.log_in("bidan", "rahasia-bidan")
    assert tablet.get(srv.url + "/api/counters/2", timeout=5).status_code == 200
    reset = agency_b["sup"].patch(f"{srv.url}/api/manage/staff/{bidan}", json={"password": "sandi-baru-b"},
                                  timeout=5)
    assert reset.status_code == 200
    assert tablet.get(srv.url + "/api/counters/2", timeout=5).status_code == 401
    tablet = srv.log_in("bidan", "sandi-baru-b")
    assert tablet.get(srv.url + "/api/counters/2", timeout=5).status_code == 200
    assert as_manager(srv, "PATCH", f"/api/manage/staff/{bidan}", json={"active": False}).status_code == 200
    assert tablet.get(srv.url + "/api/counters/2", timeout=5).status_code == 401
