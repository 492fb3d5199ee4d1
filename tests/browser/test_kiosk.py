"""The kiosk in a real Chromium as halls have it (issue 11): every agency reachable and whole at
every screen size halls buy, with 11 agencies and with 20; each visitor starts in Indonesian;
a closed hall says when it opens; a printer out of paper loses no ticket and the console sees it.
Screenshots of every size go to docs/screenshots/kiosk-<hall>-<w>x<h>.png."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from fake_printer import FakePrinter
from support import ALWAYS_OPEN_HALL, ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
TWENTY_HALL = ROOT / "tests" / "halls" / "twenty_agencies.json"
SIZES = [(1080, 1920), (768, 1366), (1024, 768), (1280, 800), (1366, 768), (1920, 1080)]
# Where the layout may fall back to scrolling: 20 agencies on the smallest landscape screen.
MAY_SCROLL = {(20, 1024, 768)}
MIN_NAME_PX = 15


@pytest.fixture(scope="module")
def halls(tmp_path_factory):
    """One server per hall size for the whole module, each with one paired kiosk."""
    tmp = tmp_path_factory.mktemp("kiosk-sizes")
    started = {}
    for count, hall in ((11, ALWAYS_OPEN_HALL), (20, TWENTY_HALL)):
        server = ServerProcess(tmp / f"hall-{count}.db", hall=hall).start()
        started[count] = (server, server.pair_device("kiosk", f"Kios {count}"))
    yield started
    for server, _ in started.values():
        server.stop()


TILE_FACTS = """() => {
  const wrap = document.getElementById('services-wrap');
  const tiles = [...document.querySelectorAll('.k-service')];
  return {
    scrolls: wrap.scrollHeight > wrap.clientHeight + 1,
    pageScrolls: document.documentElement.scrollHeight > innerHeight + 1 || document.documentElement.scrollWidth > innerWidth + 1,
    tiles: tiles.map(t => {
      const body = t.querySelector('.k-service-body'), name = t.querySelector('.k-service-name');
      const r = t.getBoundingClientRect();
      return {code: t.dataset.service, name: name.textContent,
              cut: body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1,
              nameCut: name.scrollWidth > name.clientWidth + 1,
              px: parseFloat(getComputedStyle(name).fontSize),
              inside: r.left >= 0 && r.right <= innerWidth + 0.5 && r.top >= 0 && r.bottom <= innerHeight + 0.5,
              width: r.width, height: r.height};
    })};
}"""


@pytest.mark.parametrize("width, height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_agency_is_whole_and_reachable_at_every_size(browser, halls, width, height):
    for count, (server, secret) in halls.items():
        context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True,
                                      reduced_motion="reduce")
        errors: list[str] = []
        try:
            context.add_cookies([{"name": "signage_device", "value": secret, "url": server.url}])
            kiosk = context.new_page()
            kiosk.on("pageerror", lambda exc: errors.append(str(exc)))
            kiosk.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            kiosk.goto(server.url + "/kiosk?print=0")
            expect(kiosk.locator(".k-service")).to_have_count(count)
            kiosk.wait_for_timeout(150)          # the layout settles (fonts, one resize pass)
            facts = kiosk.evaluate(TILE_FACTS)
            where = f"{count} agencies at {width}x{height}"
            assert not facts["pageScrolls"], f"{where}: the page itself scrolls"
            if (count, width, height) not in MAY_SCROLL:
                assert not facts["scrolls"], f"{where}: needs scrolling, the layout should fit"
                assert all(t["inside"] for t in facts["tiles"]), f"{where}: a tile is off the screen"
            for tile in facts["tiles"]:
                assert not tile["cut"] and not tile["nameCut"], f"{where}: {tile['name']!r} is cut"
                assert tile["px"] >= MIN_NAME_PX, f"{where}: {tile['name']!r} at {tile['px']}px"
                assert tile["width"] >= 200 and tile["height"] >= 64, f"{where}: {tile} is too small to tap"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            kiosk.screenshot(path=str(SCREENSHOTS / f"kiosk-{count}-{width}x{height}.png"))

            # Tap every agency, as a visitor would (scrolling to it first where the list scrolls).
            number = kiosk.get_by_test_id("ticket-number")
            for tile in facts["tiles"]:
                button = kiosk.get_by_test_id(f"service-{tile['code']}")
                if facts["scrolls"]:          # a swipe brings it whole onto the screen
                    top, bottom = button.evaluate(
                        "b => { b.scrollIntoView({block: 'nearest'}); const r = b.getBoundingClientRect(); return [r.top, r.bottom]; }")
                    assert top >= 0 and bottom <= height + 0.5, (tile["code"], top, bottom)
                button.tap()
                expect(number).to_have_text(re.compile(rf"^{tile['code']}\d{{3}}$"))
                kiosk.get_by_test_id("done").tap()
                expect(kiosk.locator("#overlay")).to_be_hidden()
            if facts["scrolls"]:   # and a swipe (wheel here) moves the list; the first screen is back at the top
                assert kiosk.evaluate("document.getElementById('services-wrap').scrollTop") == 0
                kiosk.mouse.move(width / 2, height / 2)
                kiosk.mouse.wheel(0, 400)
                kiosk.wait_for_timeout(200)
                assert kiosk.evaluate("document.getElementById('services-wrap').scrollTop") > 0
        finally:
            context.close()
        assert not errors, f"{count} agencies at {width}x{height}: {errors}"


def test_each_visitor_starts_in_indonesian(make_server, pages):
    server = make_server()
    pages.context.add_cookies([{"name": "lang", "value": "en", "url": server.url}])   # left by another page
    kiosk = pages.as_device(server).open(server.url + "/kiosk?print=0")
    title = kiosk.locator(".k-title")
    expect(title).to_have_text("Ambil Nomor Antrian")
    assert not [c for c in pages.context.cookies() if c["name"] == "lang"], "the kiosk keeps no language"

    # A visitor picks English, takes a ticket: the next one finds Indonesian again.
    kiosk.get_by_test_id("lang-switch").click()
    expect(title).to_have_text("Take a Queue Number")
    assert not [c for c in pages.context.cookies() if c["name"] == "lang"]
    kiosk.get_by_test_id("service-B").click()
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text(re.compile(r"^B\d{3}$"))
    expect(kiosk.locator("#result-title")).to_have_text("Your queue number")
    kiosk.get_by_test_id("done").click()
    expect(title).to_have_text("Ambil Nomor Antrian")
    assert "lang=" not in kiosk.url and "print=0" in kiosk.url

    # A reload, or the next visitor on the same browser, is Indonesian too.
    kiosk.reload()
    expect(title).to_have_text("Ambil Nomor Antrian")


def test_a_minute_without_a_touch_brings_the_first_screen_back(make_server, pages):
    server = make_server()
    pages.as_device(server)
    kiosk = pages.context.new_page()
    kiosk.on("pageerror", lambda exc: pages.errors.append(str(exc)))
    kiosk.clock.install()
    kiosk.goto(server.url + "/kiosk?print=0&lang=en")
    expect(kiosk.locator(".k-title")).to_have_text("Take a Queue Number")
    kiosk.get_by_test_id("priority").click()
    kiosk.clock.fast_forward("00:50")
    expect(kiosk.locator(".k-title")).to_have_text("Take a Queue Number")     # 50 s: still the visitor's
    kiosk.get_by_test_id("hours-open").click()                                # a touch starts the minute again
    kiosk.clock.fast_forward("00:50")
    expect(kiosk.locator(".k-title")).to_have_text("Take a Queue Number")
    kiosk.clock.fast_forward("00:11")
    expect(kiosk.locator(".k-title")).to_have_text("Ambil Nomor Antrian")
    expect(kiosk.get_by_test_id("priority")).to_have_attribute("aria-pressed", "false")
    expect(kiosk.get_by_test_id("hours")).to_be_hidden()

    # In Indonesian the minute resets the screen without a reload: priority off, list at the top.
    kiosk.evaluate("window.__same = true")
    kiosk.get_by_test_id("priority").click()
    kiosk.get_by_test_id("hours-open").click()
    kiosk.clock.fast_forward("01:01")
    expect(kiosk.get_by_test_id("priority")).to_have_attribute("aria-pressed", "false")
    expect(kiosk.get_by_test_id("hours")).to_be_hidden()
    assert kiosk.evaluate("window.__same") is True


DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember"]


def test_a_closed_hall_says_when_it_opens_and_shows_its_hours(make_server, pages, tmp_path):
    hall = json.loads(ALWAYS_OPEN_HALL.read_text("utf-8"))
    hall["hours"] = {d: ["08:00", "15:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    today = datetime.now(ZoneInfo(hall["timezone"])).date()
    hall["holidays"] = {today.isoformat(): "Hari Uji", (today + timedelta(days=1)).isoformat(): "Cuti bersama uji"}
    path = tmp_path / "closed_hall.json"
    path.write_text(json.dumps(hall), "utf-8")
    server = make_server(hall=path)
    opens = today + timedelta(days=2)
    while opens.weekday() >= 5:
        opens += timedelta(days=1)
    expected = f"Buka lagi {DAYS[opens.weekday()]}, {opens.day} {MONTHS[opens.month - 1]}, pukul 08.00 WITA"

    kiosk = pages.as_device(server).open(server.url + "/kiosk?print=0")
    expect(kiosk.get_by_test_id("hall-closed")).to_be_visible()
    expect(kiosk.get_by_test_id("hall-opens")).to_have_text(expected)
    tile = kiosk.get_by_test_id("service-K")
    expect(tile).to_be_disabled()
    expect(tile).to_contain_text("Libur: Hari Uji")
    expect(kiosk.get_by_test_id("opens-K")).to_have_text(expected)
    facts = kiosk.evaluate(TILE_FACTS)
    assert not facts["scrolls"] and not any(t["cut"] for t in facts["tiles"]), facts

    kiosk.get_by_test_id("hours-open").click()
    hours = kiosk.get_by_test_id("hours")
    expect(hours.locator('tr[data-day="mon"]')).to_contain_text("Senin")
    expect(hours.locator('tr[data-day="mon"]')).to_contain_text("08.00–15.00 WITA")
    expect(hours.locator('tr[data-day="sat"]')).to_contain_text("Tutup")
    expect(hours).to_contain_text("Cuti bersama uji")
    kiosk.screenshot(path=str(SCREENSHOTS / "kiosk-closed-hours.png"))
    kiosk.get_by_test_id("hours-close").click()
    expect(hours).to_be_hidden()

    english = pages.open(server.url + "/kiosk?print=0&lang=en")
    expect(english.get_by_test_id("opens-K")).to_have_text(re.compile(
        rf"^Opens again \w+day {opens.day} \w+, 08:00 WITA$"))


def test_paper_out_keeps_the_number_on_screen_and_prints_when_the_paper_is_back(make_server, pages, other_pages, log_in):
    server = make_server()
    printer = FakePrinter(mode="paper_out")
    try:
        manager = server.token("manager")
        kiosk = pages.as_device(server, name="Kios Lobi").open(server.url + "/kiosk")
        device = next(k["id"] for k in requests.get(server.url + "/api/manage/kiosks", timeout=5,
                                                    headers=server.headers(manager)).json()["kiosks"])
        response = requests.put(f"{server.url}/api/manage/kiosks/{device}/printer", headers=server.headers(manager),
                                json={"kind": "network", "address": printer.address, "paper": 80}, timeout=5)
        assert response.ok, response.text
        console = log_in(other_pages, server.url, "manager", server.manager_password, "/manager#live")
        live_row = console.locator(f'#live-kiosks tr[data-kiosk="{device}"]')
        expect(live_row).to_contain_text("Kios Lobi")
        expect(live_row).to_contain_text("Tersambung")
        expect(live_row).to_have_attribute("data-state", "paper_out", timeout=15_000)
        expect(live_row).to_contain_text("Kertas habis")
        kiosk.reload()                                       # the kiosk prints through the server now
        expect(kiosk.get_by_test_id("printer-notice")).to_be_visible(timeout=15_000)
        expect(kiosk.get_by_test_id("printer-notice")).to_contain_text("Kertas habis")

        dialogs = []
        kiosk.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        kiosk.get_by_test_id("service-E").click()
        number = kiosk.get_by_test_id("ticket-number")
        expect(number).to_have_text(re.compile(r"^E\d{3}$"))
        issued = number.inner_text()
        problem = kiosk.get_by_test_id("print-problem")
        expect(problem).to_be_visible()
        expect(problem).to_contain_text("Kertas habis")
        expect(problem).to_contain_text("catat atau foto layar ini")
        expect(kiosk.locator("#countdown")).to_have_text(re.compile(r"^(29|30)$"))   # longer, for a photo
        kiosk.screenshot(path=str(SCREENSHOTS / "kiosk-printer-problem.png"))
        expect(live_row).to_contain_text(issued)             # its last ticket, live

        printer.set_mode("ok")                               # a new roll
        (slip,) = printer.wait_printed(1, timeout=20)
        assert issued.encode() in slip
        expect(kiosk.get_by_test_id("print-status")).to_have_text("Tiket tercetak. Silakan ambil tiket Anda.")
        expect(problem).to_be_hidden()
        expect(kiosk.get_by_test_id("printer-notice")).to_be_hidden()
        expect(live_row).to_have_attribute("data-state", "ok", timeout=15_000)
        assert dialogs == []                                  # never a print dialog on a touch screen
        console.screenshot(path=str(SCREENSHOTS / "manager-kiosks-live.png"))
    finally:
        printer.close()


def test_the_console_sets_up_a_kiosks_printer(make_server, pages, log_in):
    server = make_server()
    printer = FakePrinter()
    try:
        server.pair_device("kiosk", "Kios <b>Lobi</b>")
        console = log_in(pages, server.url, "manager", server.manager_password, "/manager#kiosks")
        card = console.locator(".m-kiosk").first
        expect(card).to_contain_text("Kios <b>Lobi</b>")                       # as typed
        card.get_by_test_id("printer-kind").select_option("network")
        card.get_by_test_id("printer-address").fill("bukan alamat")
        card.get_by_test_id("printer-save").click()
        expect(card.get_by_test_id("printer-error")).to_contain_text("Alamat printer jaringan")
        card.get_by_test_id("printer-address").fill(printer.address)
        card.get_by_test_id("printer-paper").select_option("58")
        card.get_by_test_id("printer-save").click()
        expect(console.locator(".m-kiosk").first.get_by_test_id("printer-state")).to_be_visible()
        console.locator(".m-kiosk").first.get_by_test_id("printer-test").click()
        (page,) = printer.wait_printed(1)
        assert b"Kertas 58 mm, 32 kolom" in page
        console.get_by_test_id("slip-footer").fill("Layanan pengaduan: 0812-0000-1111")
        console.get_by_test_id("slip-save").click()
        expect(console.get_by_test_id("slip-error")).to_be_hidden()
        listed = requests.get(server.url + "/api/manage/kiosks", timeout=5,
                              headers=server.headers(server.token("manager"))).json()
        assert listed["footer"] == "Layanan pengaduan: 0812-0000-1111"
        saved = listed["kiosks"][0]["printer"]
        assert (saved["kind"], saved["address"], saved["paper"]) == ("network", printer.address, 58)
        console.reload()
        expect(console.locator(".m-kiosk").first.get_by_test_id("printer-state")).to_have_text("Siap", timeout=15_000)
        console.screenshot(path=str(SCREENSHOTS / "manager-kiosks.png"))
    finally:
        printer.close()


def test_a_ticket_with_its_own_link_shows_its_qr_large_when_no_slip_comes(make_server, pages):
    """The QR of the ticket's page (the answer's `print.qr`, made by the server) is shown to scan,
    and large when the printer cannot print: the photo is then the visitor's ticket."""
    from signage.printing.qr import data_uri
    server = make_server()
    kiosk = pages.as_device(server).open(server.url + "/kiosk")
    answer = {"id": 1, "number": "A001", "service": "A", "service_name": "Kanwil Kemenkumham NTT",
              "priority": False, "issued_at": "2026-11-30T00:05:00+00:00", "ahead": 4, "position": 5,
              "url": "http://10.0.0.2:8080/t/abc",
              "print": {"mode": "server", "paper": 80, "job": 1, "state": "waiting", "printer": "offline",
                        "detail": "Printer tidak terjangkau.", "qr": data_uri("http://10.0.0.2:8080/t/abc")}}
    kiosk.route("**/api/tickets", lambda route: route.fulfill(status=201, content_type="application/json",
                                                            body=json.dumps(answer)))
    kiosk.get_by_test_id("service-A").click()
    qr = kiosk.get_by_test_id("ticket-qr")
    expect(qr).to_be_visible()
    expect(qr).to_have_class(re.compile(r"\bis-large\b"))
    assert kiosk.locator("#ticket-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    expect(kiosk.get_by_test_id("print-problem")).to_contain_text("Printer tidak terjangkau.")
    kiosk.get_by_test_id("done").click()
    answer["print"]["qr"] = "https://evil.example/x.png"            # only the server's own data: SVG
    kiosk.get_by_test_id("service-A").click()
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A001")
    expect(qr).to_be_hidden()
