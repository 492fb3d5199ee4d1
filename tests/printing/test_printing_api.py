"""Printing through the real server: a paired kiosk's tickets go to its network printer (the
fake one on 127.0.0.1); paper out loses no ticket, the slip prints when the paper is back, also
across a restart; the console sees each kiosk's printer; every route is guarded."""
from __future__ import annotations

import time

import pytest
import requests

from fake_printer import FakePrinter
from support import ASYNC_MODES


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


def kiosk_session(server, name="Kios Lobi") -> requests.Session:
    session = requests.Session()
    session.cookies.set("signage_device", server.pair_device("kiosk", name))
    return session


def kiosk_id(server, manager, name="Kios Lobi") -> int:
    rows = requests.get(server.url + "/api/manage/kiosks", headers=server.headers(manager), timeout=5).json()
    return next(k["id"] for k in rows["kiosks"] if k["name"] == name)


def set_printer(server, manager, device_id, **body):
    return requests.put(f"{server.url}/api/manage/kiosks/{device_id}/printer", json=body,
                        headers=server.headers(manager), timeout=5)


def take(session, server, code="B", key=None):
    headers = {"Idempotency-Key": key} if key else {}
    response = session.post(server.url + "/api/tickets", json={"service": code}, headers=headers, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def kiosk_row(server, manager, device_id) -> dict:
    rows = requests.get(server.url + "/api/manage/overview", headers=server.headers(manager), timeout=5).json()
    return next(k for k in rows["kiosks"] if k["id"] == device_id)


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_paired_kiosk_prints_on_its_network_printer(make_server, printer):
    server = make_server()
    manager = server.token("manager")
    kiosk = kiosk_session(server)
    device = kiosk_id(server, manager)
    assert set_printer(server, manager, device, kind="network", address=printer.address, paper=58).ok
    started = time.monotonic()
    ticket = take(kiosk, server)
    assert ticket["print"]["mode"] == "server" and ticket["print"]["paper"] == 58
    (slip,) = printer.wait_printed(1)
    took = time.monotonic() - started
    assert ticket["number"].encode() in slip and b"KPP Pratama Kupang" in slip
    assert slip.startswith(b"\x1b@") and slip.endswith(b"\x1dV\x00")
    assert took < 3, took
    row = wait_for(lambda: (r := kiosk_row(server, manager, device))["printer"]["last_printed_at"] and r)
    assert row["printer"]["state"] == "ok" and row["last_ticket"] == ticket["number"]
    assert row["printer"]["kind"] == "network" and row["printer"]["paper"] == 58

    # The same tap again (a retry after a time-out) is the same ticket, printed once.
    again = take(kiosk, server, key="tap-1")
    assert take(kiosk, server, key="tap-1")["number"] == again["number"]
    printer.wait_printed(2)
    time.sleep(1.5)
    assert len(printer.printed) == 2

    # "Cetak ulang": the kiosk's own slip once more, a few times at most.
    reprint = kiosk.post(server.url + "/api/kiosk/reprint", json={"job": again["print"]["job"]}, timeout=5)
    assert reprint.status_code == 201, reprint.text
    assert printer.wait_printed(3)[-1] == printer.printed[1]
    for _ in range(2):
        assert kiosk.post(server.url + "/api/kiosk/reprint", json={"job": again["print"]["job"]}, timeout=5).ok
    refused = kiosk.post(server.url + "/api/kiosk/reprint", json={"job": again["print"]["job"]}, timeout=5)
    assert refused.status_code == 400 and "cetak ulang" in refused.json()["error"]


def test_paper_out_loses_no_ticket_and_prints_when_paper_is_back_even_after_a_restart(make_server, printer):
    server = make_server()
    manager = server.token("manager")
    kiosk = kiosk_session(server)
    device = kiosk_id(server, manager)
    assert set_printer(server, manager, device, kind="network", address=printer.address).ok
    printer.set_mode("paper_out")
    first = take(kiosk, server, "A")                       # the ticket is issued all the same
    row = wait_for(lambda: (r := kiosk_row(server, manager, device))["printer"]["state"] == "paper_out" and r)
    assert row["printer"]["detail"] == "Kertas habis." and row["pending_prints"] == 1
    health = wait_for(lambda: (h := requests.get(server.url + "/healthz", timeout=5).json())["printers"] and h)
    assert health["status"] == "degraded"
    assert health["printers"] == [{"kiosk": device, "state": "paper_out", "pending": 1, "ok": False}]
    second = take(kiosk, server, "A")
    assert second["print"]["state"] == "waiting" and second["print"]["printer"] == "paper_out"
    assert second["print"]["detail"] == "Kertas habis."
    assert printer.printed == []

    server.kill()                                          # pending jobs live in the database
    server.start()
    printer.set_mode("ok")                                 # a new roll
    slips = printer.wait_printed(2, timeout=20)
    assert first["number"].encode() in slips[0] and second["number"].encode() in slips[1]
    row = wait_for(lambda: (r := kiosk_row(server, manager, device))["pending_prints"] == 0 and r)
    assert row["printer"]["state"] == "ok"


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_an_unreachable_or_stalled_printer_never_holds_up_a_ticket(make_server, printer, async_mode):
    server = make_server(async_mode)
    manager = server.token("manager")
    kiosk = kiosk_session(server)
    device = kiosk_id(server, manager)
    printer.set_mode("stall")
    assert set_printer(server, manager, device, kind="network", address=printer.address).ok
    for _ in range(5):
        started = time.monotonic()
        take(kiosk, server, "C")
        assert time.monotonic() - started < 1.0            # the printer's time-outs are not the kiosk's
    row = wait_for(lambda: (r := kiosk_row(server, manager, device))["printer"]["state"] == "offline" and r)
    assert row["printer"]["detail"] == "Printer tidak menjawab."
    # Meanwhile the hall goes on: the state answers at once.
    started = time.monotonic()
    assert requests.get(server.url + "/api/state", timeout=5).ok
    assert time.monotonic() - started < 0.5
    printer.set_mode("refuse")
    row = wait_for(lambda: (r := kiosk_row(server, manager, device))["printer"]["detail"].startswith(
        "Printer tidak terjangkau") and r, timeout=20)
    assert row["pending_prints"] == 5


def test_a_browser_kiosk_prints_itself_and_tokens_get_no_print_answer(make_server):
    server = make_server()
    kiosk = kiosk_session(server)
    ticket = take(kiosk, server)
    qr = ticket["print"].pop("qr")           # the ticket's own link (/t/<token>) as a QR for the screen
    assert ticket["print"] == {"mode": "browser", "paper": 80}
    assert qr.startswith("data:image/svg+xml;base64,") and ticket["url"].rsplit("/t/", 1)[1]
    assert "print" not in requests.post(server.url + "/api/tickets", json={"service": "A"}, timeout=5,
                                        headers=server.headers(server.kiosk_token)).json()


def test_the_console_sets_printers_up_and_prints_a_test_page(make_server, printer):
    server = make_server()
    manager = server.token("manager")
    kiosk_session(server, "Kios Lantai 2")
    device = kiosk_id(server, manager, "Kios Lantai 2")
    listed = requests.get(server.url + "/api/manage/kiosks", headers=server.headers(manager), timeout=5).json()
    assert listed["footer"] == "Terima kasih atas kunjungan Anda."
    (row,) = listed["kiosks"]
    assert row["printer"]["kind"] == "browser" and row["up"] is False and row["last_ticket"] is None

    saved = set_printer(server, manager, device, kind="network", address="127.0.0.1", paper=80)
    assert saved.json()["address"] == "127.0.0.1:9100"
    assert set_printer(server, manager, device, kind="network", address=printer.address, paper=80).ok
    footer = requests.put(server.url + "/api/manage/slip", json={"footer": "Pengaduan: 0812 <b>x</b>"},
                          headers=server.headers(manager), timeout=5)
    assert footer.json()["footer"] == "Pengaduan: 0812 <b>x</b>"
    test = requests.post(f"{server.url}/api/manage/kiosks/{device}/test-print", headers=server.headers(manager), timeout=5)
    assert test.status_code == 201, test.text
    (page,) = printer.wait_printed(1)
    assert b"UJI CETAK" in page and b"Kios: Kios Lantai 2" in page and b"Pengaduan: 0812 <b>x</b>" in page
    audit = requests.get(server.url + "/api/manage/audit", headers=server.headers(manager), timeout=5).json()
    actions = [e["action"] for e in audit["entries"]]
    assert {"kiosk.printer", "kiosk.test_print", "setting.slip_footer"} <= set(actions)


BAD_SETTINGS = [
    ({"kind": "laser"}, "Jenis printer"), ({"kind": "network", "address": "x y"}, "Alamat printer jaringan"),
    ({"kind": "network", "address": "10.0.0.9", "paper": 57}, "Lebar kertas"),
    ({"kind": "usb", "address": "/etc/shadow"}, "Printer USB"), ({"kind": "serial", "address": "/dev/ttyS0:1"}, "Baud"),
    ({"kind": "network", "address": 5}, "Alamat printer"), ({"kind": "none", "colour": "red"}, "Field tidak dikenal"),
    ({"kind": "network", "address": "10.0.0.9", "paper": True}, "Lebar kertas")]


def test_bad_printer_settings_are_refused_in_indonesian(make_server):
    server = make_server()
    manager = server.token("manager")
    kiosk_session(server)
    device = kiosk_id(server, manager)
    for body, words in BAD_SETTINGS:
        response = set_printer(server, manager, device, **body)
        assert response.status_code == 400 and words in response.json()["error"], (body, response.text)
    too_long = requests.put(server.url + "/api/manage/slip", json={"footer": "x" * 301},
                            headers=server.headers(manager), timeout=5)
    assert too_long.status_code == 400 and "Catatan kaki" in too_long.json()["error"]
    unchanged = requests.get(server.url + "/api/manage/kiosks", headers=server.headers(manager), timeout=5).json()
    assert unchanged["kiosks"][0]["printer"]["kind"] == "browser"


def test_every_printing_route_needs_its_caller(make_server):
    server = make_server()
    manager = server.token("manager")
    kiosk = kiosk_session(server)
    device = kiosk_id(server, manager)
    staff = server.token("counter", 1)
    anyone = requests.Session()
    assert anyone.get(server.url + "/api/kiosk/printer", timeout=5).status_code == 401
    assert anyone.post(server.url + "/api/kiosk/reprint", json={"job": 1}, timeout=5).status_code == 401
    # a kiosk token is not a paired kiosk: it has no printer of the server's
    assert requests.get(server.url + "/api/kiosk/printer", headers=server.headers(server.kiosk_token),
                        timeout=5).status_code == 401
    display = requests.Session()
    display.cookies.set("signage_device", server.pair_device("display", "TV"))
    assert display.get(server.url + "/api/kiosk/printer", timeout=5).status_code == 401
    for method, path, body in (("GET", "/api/manage/kiosks", None),
                               ("PUT", f"/api/manage/kiosks/{device}/printer", {"kind": "none"}),
                               ("POST", f"/api/manage/kiosks/{device}/test-print", None),
                               ("PUT", "/api/manage/slip", {"footer": "x"})):
        assert anyone.request(method, server.url + path, json=body, timeout=5).status_code == 401
        assert requests.request(method, server.url + path, json=body, headers=server.headers(staff),
                                timeout=5).status_code == 403
    assert kiosk.get(server.url + "/api/kiosk/printer", timeout=5).json()["kind"] == "browser"
    # a job of another kiosk, or none at all, is not this kiosk's to reprint
    assert kiosk.post(server.url + "/api/kiosk/reprint", json={"job": 999}, timeout=5).status_code == 404
    assert kiosk.post(server.url + "/api/kiosk/reprint", json={"job": "1"}, timeout=5).status_code == 400
    assert requests.put(f"{server.url}/api/manage/kiosks/99999/printer", json={"kind": "none"},
                        headers=server.headers(manager), timeout=5).status_code == 404
    assert requests.post(f"{server.url}/api/manage/kiosks/{device}/test-print",
                         headers=server.headers(manager), timeout=5).status_code == 400   # a browser kiosk
