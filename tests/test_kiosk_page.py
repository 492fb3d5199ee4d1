"""What the kiosk is told, over HTTP: when each closed agency opens next (a closure for today, a
used-up quota, a closure without an end), the hall's week for visitors, the paper its printer
takes, and that its language is never remembered."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember"]


def services(server) -> dict:
    return {s["code"]: s for s in requests.get(server.url + "/api/services", timeout=5).json()["services"]}


def test_closed_agencies_say_when_they_open_next(make_server):
    server = make_server()                                   # open around the clock, every day
    manager = server.headers(server.token("manager"))
    close = server.url + "/api/manage/services/{}/close"
    assert requests.post(close.format("D"), json={"reason": "Gangguan", "rest_of_today": True},
                         headers=manager, timeout=5).ok
    assert requests.post(close.format("C"), json={"reason": "Renovasi"}, headers=manager, timeout=5).ok
    assert requests.patch(server.url + "/api/manage/services/B", json={"daily_limit": 1},
                          headers=manager, timeout=5).ok
    server.issue("B")
    tomorrow = datetime.now(ZoneInfo("Asia/Makassar")).date() + timedelta(days=1)
    words = f"{DAYS[tomorrow.weekday()]}, {tomorrow.day} {MONTHS[tomorrow.month - 1]}, pukul 00.00 WITA"
    at = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=ZoneInfo("Asia/Makassar"))
    listed = services(server)
    for code in ("D", "B"):                                  # closed for today, and a used-up quota
        assert listed[code]["open"] is False
        assert listed[code]["opens"]["id"] == words, code
        assert datetime.fromisoformat(listed[code]["opens"]["at"]) == at
        assert listed[code]["opens"]["en"].endswith(f"{tomorrow.day} {at:%B}, 00:00 WITA")
    assert listed["C"]["open"] is False and listed["C"]["opens"] is None     # only a person opens it
    assert listed["A"]["open"] is True and listed["A"]["opens"] is None
    state = requests.get(server.url + "/api/state", timeout=5).json()
    assert [d["day"] for d in state["hall"]["hours"]] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert state["hall"]["hours"][0] == {"day": "mon", "opens": "00:00", "closes": "24:00"}
    assert state["hall"]["holidays"] == []


def test_the_kiosk_page_follows_its_printer_and_keeps_no_language(make_server):
    server = make_server()
    kiosk = requests.Session()
    kiosk.cookies.set("signage_device", server.pair_device("kiosk", "Kios 1"))
    page = kiosk.get(server.url + "/kiosk", timeout=5)
    assert 'data-print-mode="browser"' in page.text and "paper-80" in page.text
    manager = server.headers(server.token("manager"))
    device = requests.get(server.url + "/api/manage/kiosks", headers=manager, timeout=5).json()["kiosks"][0]["id"]
    assert requests.put(f"{server.url}/api/manage/kiosks/{device}/printer", json={"kind": "browser", "paper": 58},
                        headers=manager, timeout=5).ok
    page = kiosk.get(server.url + "/kiosk", timeout=5)
    assert "paper-58" in page.text
    assert "paper-80" in kiosk.get(server.url + "/kiosk?paper=80", timeout=5).text   # a one-off override
    assert requests.put(f"{server.url}/api/manage/kiosks/{device}/printer", json={"kind": "none"},
                        headers=manager, timeout=5).ok
    assert 'data-print-mode="none"' in kiosk.get(server.url + "/kiosk", timeout=5).text

    english = kiosk.get(server.url + "/kiosk?lang=en", timeout=5)
    assert '<html lang="en">' in english.text and "lang" not in english.cookies
    assert "lang=" not in english.headers.get("Set-Cookie", "")
    kiosk.cookies.set("lang", "en")                          # left by another page on this browser
    again = kiosk.get(server.url + "/kiosk", timeout=5)
    assert '<html lang="id">' in again.text
    assert 'lang=""' in again.headers["Set-Cookie"] or "lang=;" in again.headers["Set-Cookie"]
    # other pages still remember a chosen language
    assert "lang=en" in requests.get(server.url + "/display?lang=en", timeout=5).headers.get("Set-Cookie", "")
