"""The pages in a real browser: tablet → TV without reload, reconnect after a crash, kiosk,
a display limited to some agencies, and the screenshots in docs/screenshots/."""
from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from playwright.sync_api import expect

from cable import Cable
from screens import open_display

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
ALWAYS_OPEN = ROOT / "tests" / "halls" / "always_open.json"


def call_next(server, counter: int, token: str) -> dict:
    response = requests.post(f"{server.url}/api/counters/{counter}/call-next",
                             headers=server.headers(token), timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def api_state(server) -> dict:
    return requests.get(server.url + "/api/state", timeout=5).json()


def test_call_next_on_the_tablet_shows_on_the_display_without_reload(server, pages, other_pages, log_in):
    server.add_user("siti", "rahasia123", "staff", counters=[1])
    number = server.issue("A")
    display = open_display(pages, server)

    tablet = log_in(other_pages, server.url, "siti", "rahasia123")
    expect(tablet.get_by_test_id("counter-name")).to_have_text("Loket 1")
    expect(tablet.locator('#c-waiting [data-service="A"] .c-wait-count')).to_have_text("1")
    call = tablet.get_by_test_id("call-next")
    expect(call).to_be_enabled()
    call.click()

    expect(tablet.get_by_test_id("current-ticket")).to_have_text(number)
    expect(tablet.get_by_test_id("counter-state")).to_have_class(re.compile(r"\bis-serving\b"))
    expect(tablet.locator('#c-waiting [data-service="A"] .c-wait-count')).to_have_text("0")
    expect(tablet.locator("#c-history .c-hist").first).to_contain_text(number)

    expect(display.get_by_test_id("hero-number")).to_have_text(number)
    expect(display.get_by_test_id("hero-counter")).to_have_text("Loket 1")
    expect(display.get_by_test_id("hero")).to_have_class(re.compile(r"\bis-new\b"))
    expect(display.locator('.counter-card[data-counter-id="1"]')).to_have_attribute("data-ticket", number)
    expect(display.locator('#waiting [data-service="A"]')).to_have_attribute("data-waiting", "0")
    assert display.evaluate("window.__sameDocument") is True
    assert api_state(server)["counters"][0]["ticket"]["number"] == number

    # The keypad: F finishes, and the TV's card for Loket 1 empties, still without a reload.
    tablet.keyboard.press("f")
    expect(tablet.get_by_test_id("current-ticket")).to_have_text("—")
    expect(display.locator('.counter-card[data-counter-id="1"]')).to_have_attribute("data-ticket", "")
    assert display.evaluate("window.__sameDocument") is True


def test_a_double_tap_calls_one_ticket(make_server, pages, log_in):
    server = make_server()
    server.add_user("budi", "rahasia123", "staff", counters=[2])
    first, second = server.issue("B"), server.issue("B")
    tablet = log_in(pages, server.url, "budi", "rahasia123")
    expect(tablet.locator('#c-waiting [data-service="B"] .c-wait-count')).to_have_text("2")
    expect(tablet.get_by_test_id("call-next")).to_be_enabled()
    # Two taps in the same instant, then Enter on the keypad while the first is still in flight.
    tablet.evaluate("""() => {
        const b = document.querySelector('[data-testid=call-next]');
        b.click(); b.click();
        document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
    }""")
    expect(tablet.get_by_test_id("current-ticket")).to_have_text(first)
    time.sleep(0.5)
    state = api_state(server)
    assert state["counters"][1]["ticket"]["number"] == first
    assert next(s for s in state["services"] if s["code"] == "B")["waiting"] == 1
    expect(tablet.locator('#c-waiting [data-service="B"] .c-wait-count')).to_have_text("1")
    assert second != first


def test_display_marks_offline_and_recovers_after_a_server_crash(server, pages):
    counter1, counter2 = server.token("counter", 1), server.token("counter", 2)
    before = server.issue("A")
    call_next(server, 1, counter1)
    display = open_display(pages, server)
    offline = display.locator("#offline-mark")
    expect(display.get_by_test_id("hero-number")).to_have_text(before)
    expect(offline).to_be_hidden()

    server.kill()                                   # SIGKILL: what server.restart() does first
    expect(offline).to_be_visible(timeout=5_000)
    expect(offline).to_contain_text(re.compile(r"Terputus|Offline"))

    server.start()                                  # same port, same database
    started = time.monotonic()
    after = server.issue("B")
    call_next(server, 2, counter2)                  # may happen before the screen is back
    expect(offline).to_be_hidden(timeout=5_000)
    expect(display.get_by_test_id("hero-number")).to_have_text(after, timeout=5_000)
    assert time.monotonic() - started < 5.5
    expect(display.get_by_test_id("hero-counter")).to_have_text("Loket 2")
    expect(display.locator('.counter-card[data-counter-id="1"]')).to_have_attribute("data-ticket", before)
    expect(display.locator('.counter-card[data-counter-id="2"]')).to_have_attribute("data-ticket", after)
    assert display.evaluate("window.__sameDocument") is True

    # And live events flow again on the new connection.
    third = server.issue("A")
    call_next(server, 1, counter1)
    expect(display.get_by_test_id("hero-number")).to_have_text(third)


def test_display_marks_offline_during_a_network_cut_and_recovers_after_it(make_server, pages):
    """A minute without network between the TV and the server (Kupang's fibre), while the
    counters go on calling: the TV says it is offline, and within 5 s of the mend shows the
    calls it missed, without a reload."""
    server = make_server()
    counter1, counter2 = server.token("counter", 1), server.token("counter", 2)
    cable = Cable(server.port)
    try:
        before = server.issue("A")
        call_next(server, 1, counter1)
        display = open_display(pages, cable)
        offline = display.locator("#offline-mark")
        expect(display.get_by_test_id("hero-number")).to_have_text(before)

        cable.cut()
        cut_at = time.monotonic()
        expect(offline).to_be_visible(timeout=15_000)   # Socket.IO ping interval + time-out: 10 s
        missed = server.issue("B")                     # the hall goes on behind the cut
        call_next(server, 2, counter2)
        expect(display.get_by_test_id("hero-number")).to_have_text(before)
        time.sleep(max(0.0, 60 - (time.monotonic() - cut_at)))

        cable.mend()
        mended = time.monotonic()
        expect(offline).to_be_hidden(timeout=5_000)
        expect(display.get_by_test_id("hero-number")).to_have_text(missed, timeout=5_000)
        assert time.monotonic() - mended < 5.5
        expect(display.locator('.counter-card[data-counter-id="1"]')).to_have_attribute("data-ticket", before)
        expect(display.locator('.counter-card[data-counter-id="2"]')).to_have_attribute("data-ticket", missed)
        assert display.evaluate("window.__sameDocument") is True

        after = server.issue("A")                      # and live events flow again
        call_next(server, 1, counter1)
        expect(display.get_by_test_id("hero-number")).to_have_text(after)
    finally:
        cable.close()


def test_a_screen_reloads_itself_when_the_server_serves_other_pages(server, pages):
    """A TV left open across an upgrade must not run the old scripts against the new server:
    a `state` whose `build` (web/build.py) differs from the one the page was loaded with makes
    it reload (live.js), spread over Live.reloadSpreadMs (0 here)."""
    display = open_display(pages, server)
    with display.expect_navigation(timeout=10000):
        display.evaluate("""() => {
            Live.reloadSpreadMs = 0;
            Display.live.socket.listeners('state')[0]({ seq: 1, build: 'a-newer-one' });
        }""")
    expect(display.locator(".counter-card").first).to_be_visible()
    assert display.evaluate("window.__sameDocument") is None, "the page was loaded again"


def test_kiosk_issues_a_ticket_and_shows_it_large(make_server, pages):
    server = make_server()
    kiosk = pages.as_device(server).open(server.url + "/kiosk")
    tile = kiosk.get_by_test_id("service-B")
    expect(tile).to_be_enabled()
    expect(tile).to_contain_text("KPP Pratama Kupang")
    tile.click()

    number = kiosk.get_by_test_id("ticket-number")
    expect(number).to_have_text(re.compile(r"^B\d{3}$"))
    expect(kiosk.get_by_test_id("ticket-ahead")).to_have_text("0")
    expect(kiosk.locator("#ticket-time")).to_contain_text("WITA")
    expect(kiosk.locator("#slip-number")).to_have_text(number.inner_text())    # what gets printed
    issued = number.inner_text()
    services = requests.get(server.url + "/api/services", timeout=5).json()["services"]
    assert next(s for s in services if s["code"] == "B")["waiting"] == 1
    expect(kiosk.locator('[data-service="B"] .k-service-wait strong')).to_have_text("1")   # live count

    kiosk.get_by_test_id("done").click()
    expect(kiosk.locator("#overlay")).to_be_hidden()

    # Priority: the toggle goes with the next ticket, then resets.
    kiosk.get_by_test_id("priority").click()
    expect(kiosk.get_by_test_id("priority")).to_have_attribute("aria-pressed", "true")
    kiosk.get_by_test_id("service-B").click()
    expect(number).not_to_have_text(issued)
    expect(kiosk.locator("#ticket-priority")).to_be_visible()
    expect(kiosk.get_by_test_id("ticket-ahead")).to_have_text("0")      # priority goes first
    expect(kiosk.get_by_test_id("priority")).to_have_attribute("aria-pressed", "false")
    kiosk.get_by_test_id("done").click()

    # A manager closes an agency: the tile greys out with the reason, live.
    manager = server.token("manager")
    response = requests.post(server.url + "/api/manage/services/D/close", headers=server.headers(manager),
                             json={"reason": "Gangguan jaringan <b>PLN</b>"}, timeout=5)
    assert response.ok, response.text
    closed = kiosk.get_by_test_id("service-D")
    expect(closed).to_be_disabled()
    expect(closed).to_contain_text("Gangguan jaringan <b>PLN</b>")            # shown as typed
    expect(kiosk.get_by_test_id("service-C")).to_be_enabled()

    # A refusal from the server is shown in words, not swallowed.
    kiosk.route("**/api/tickets", lambda route: route.fulfill(
        status=429, content_type="application/json",
        body=json.dumps({"error": "Terlalu banyak permintaan, coba lagi sebentar."})))
    kiosk.get_by_test_id("service-C").click()
    expect(kiosk.get_by_test_id("ticket-error")).to_be_visible()
    expect(kiosk.get_by_test_id("ticket-error")).to_contain_text("Terlalu banyak permintaan")
    expect(kiosk.get_by_test_id("ticket-view")).to_be_hidden()


def test_kiosk_ticket_prints_on_58_and_80_mm_rolls(make_server, pages):
    server = make_server()
    for paper, width in (("58", 58), ("80", 80), ("", 80)):
        kiosk = pages.as_device(server).open(server.url + "/kiosk?print=0" + (f"&paper={paper}" if paper else ""))
        kiosk.get_by_test_id("service-E").click()
        expect(kiosk.get_by_test_id("ticket-number")).to_have_text(re.compile(r"^E\d{3}$"))
        number = kiosk.get_by_test_id("ticket-number").inner_text()
        pdf = kiosk.pdf(prefer_css_page_size=True)
        boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
        assert len(boxes) == 1, f"the ticket must fit one page, got {len(boxes)}"
        assert abs(float(boxes[0][0]) / 72 * 25.4 - width) < 1, boxes
        kiosk.emulate_media(media="print")
        expect(kiosk.locator("#slip-number")).to_have_text(number)
        expect(kiosk.locator("#slip")).to_be_visible()
        expect(kiosk.get_by_test_id("services")).to_be_hidden()
        kiosk.close()


def test_kiosk_greys_out_a_closed_agency_with_the_reason(make_server, pages, tmp_path):
    hall = json.loads(ALWAYS_OPEN.read_text("utf-8"))
    today = datetime.now(ZoneInfo(hall["timezone"])).date()
    hall["holidays"] = {(today + timedelta(days=d)).isoformat(): "Uji tutup" for d in (-1, 0, 1)}
    path = tmp_path / "closed_hall.json"
    path.write_text(json.dumps(hall), "utf-8")
    server = make_server(hall=path)

    kiosk = pages.as_device(server).open(server.url + "/kiosk?lang=en")
    tile = kiosk.get_by_test_id("service-A")
    expect(tile).to_be_disabled()
    expect(tile).to_have_class(re.compile(r"\bis-closed\b"))
    expect(tile).to_contain_text("Closed")
    expect(tile).to_contain_text("Holiday: Uji tutup")   # the reason in the kiosk's language (issue 14)
    tile.click(force=True)                                   # a tap on a closed agency does nothing
    expect(kiosk.locator("#overlay")).to_be_hidden()
    services = requests.get(server.url + "/api/services", timeout=5).json()["services"]
    assert all(s["waiting"] == 0 and not s["open"] for s in services)


def test_display_limited_to_one_agency(make_server, pages):
    server = make_server()
    counter1, counter2 = server.token("counter", 1), server.token("counter", 2)
    display = open_display(pages, server, "?services=B")
    expect(display.get_by_test_id("service-filter")).to_contain_text("B")
    expect(display.locator('.counter-card[data-counter-id="2"]')).to_be_visible()
    expect(display.locator('.counter-card[data-counter-id="1"]')).to_have_count(0)
    expect(display.locator("#waiting [data-service]")).to_have_count(1)

    a = server.issue("A")
    b = server.issue("B")
    call_next(server, 1, counter1)                            # A first, then B
    call_next(server, 2, counter2)
    expect(display.get_by_test_id("hero-number")).to_have_text(b)
    expect(display.get_by_test_id("hero-counter")).to_have_text("Loket 2")
    assert a not in display.locator("#display").inner_text()
    expect(display.locator("#calls [data-ticket]")).to_have_count(0)

    # A second call for A still does not reach this screen; the B recall does.
    server.issue("A")
    call_next(server, 1, counter1)
    requests.post(f"{server.url}/api/counters/2/recall", headers=server.headers(counter2), timeout=5)
    expect(display.locator("#hero-recall")).to_be_visible()
    expect(display.get_by_test_id("hero-number")).to_have_text(b)
    assert not re.search(r"\bA\d{3}\b", display.locator("#display").inner_text())


def test_running_text_typed_by_a_manager_is_shown_as_text(make_server, pages):
    server = make_server()
    display = open_display(pages, server)
    dialogs = []
    display.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    lines = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">', "Loket & antrian"]
    response = requests.put(server.url + "/api/running-text", headers=server.headers(server.token("manager")),
                            json={"lines": lines, "speed": 80}, timeout=5)
    assert response.ok, response.text
    ticker = display.get_by_test_id("running-text")
    expect(ticker.locator(".ticker-item").first).to_have_text(lines[0])      # live, no reload
    expect(ticker).to_contain_text(lines[1])
    expect(ticker).to_contain_text(lines[2])
    assert ticker.locator("script, img").count() == 0
    assert display.evaluate("window.__sameDocument") is True
    display.wait_for_timeout(300)
    assert dialogs == []


def test_screenshots(make_server, pages, other_pages, log_in):
    """docs/screenshots/{kiosk,counter,display}.png at 1920×1080, from a busy morning."""
    server = make_server(hall=HERE / "screenshot_hall.json")
    server.add_user("maria", "rahasia123", "staff", counters=[5])
    queue = dict(A=6, B=8, C=3, D=2, E=11, F=4, G=1, H=5, J=2, K=14, L=3)
    for code, n in queue.items():
        for i in range(n):
            server.issue(code, priority=(i == 2 and code in "EK"))
    calls = [2, 3, 8, 11, 12, 13, 1, 6]
    for counter in calls:
        call_next(server, counter, server.token("counter", counter))

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    kiosk = pages.as_device(server).open(server.url + "/kiosk?print=0")
    expect(kiosk.locator('[data-service="K"] .k-service-wait strong')).to_have_text(str(queue["K"] - 2))
    kiosk.screenshot(path=str(SCREENSHOTS / "kiosk.png"))

    display = open_display(pages, server)
    tablet = log_in(other_pages, server.url, "maria", "rahasia123")
    expect(tablet.get_by_test_id("call-next")).to_be_enabled()
    tablet.get_by_test_id("call-next").click()
    expect(tablet.get_by_test_id("current-ticket")).to_have_text(re.compile(r"^E\d{3}$"))
    serving = tablet.get_by_test_id("current-ticket").inner_text()
    expect(display.get_by_test_id("hero-number")).to_have_text(serving)
    expect(display.locator("#calls [data-ticket]")).to_have_count(6)
    tablet.mouse.move(0, 0)
    tablet.screenshot(path=str(SCREENSHOTS / "counter.png"))
    display.evaluate("""() => document.querySelectorAll('.is-new, .is-changed')
                             .forEach(node => node.classList.remove('is-new', 'is-changed'))""")  # resting look
    display.wait_for_timeout(300)
    display.screenshot(path=str(SCREENSHOTS / "display.png"))
    for name in ("kiosk", "counter", "display"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 50_000
