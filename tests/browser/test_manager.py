"""The manager console in real Chromium against a real server: edits reach the hall's screens
live, the server's refusals are shown and change nothing, a supervisor sees only their agency,
statistics add up, and docs/screenshots/manager.png."""
from __future__ import annotations

import re
import time
from pathlib import Path

import requests
from playwright.sync_api import expect

from screens import open_display
from support import signage_cli

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "docs" / "screenshots"


# ---- helpers -------------------------------------------------------------------------------------
def operator(server) -> requests.Session:
    """A logged-in staff session allowed at every counter (one CLI token per counter takes a second
    each; this takes one log-in)."""
    if getattr(server, "operator", None) is None:
        counters = [c["id"] for c in requests.get(server.url + "/api/counters", timeout=5).json()["counters"]]
        as_manager(server, "POST", "/api/manage/staff", json={
            "username": "operator", "password": "rahasia-operator", "counters": counters}).raise_for_status()
        server.operator = server.log_in("operator", "rahasia-operator")
    return server.operator


def counter_action(server, counter: int, action: str) -> dict:
    response = operator(server).post(f"{server.url}/api/counters/{counter}/{action}", json={}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def as_manager(server, method: str, path: str, **kwargs) -> requests.Response:
    if not hasattr(server, "manager_token"):
        server.manager_token = server.token("manager")
    return requests.request(method, server.url + path, headers=server.headers(server.manager_token),
                            timeout=10, **kwargs)


def settings(server) -> dict:
    return as_manager(server, "GET", "/api/manage/settings").json()


def services(server) -> dict:
    return {s["code"]: s for s in requests.get(server.url + "/api/services", timeout=5).json()["services"]}


def open_console(log_in, pages, server, username="manager", password=None):
    console = log_in(pages, server.url, username, password or server.manager_password, "/manager")
    expect(console.get_by_test_id("connection")).to_have_class(re.compile(r"\bis-online\b"))
    expect(console.locator("#live-services tr[data-service]").first).to_be_visible()
    return console


def go(console, section: str):
    console.get_by_test_id(f"nav-{section}").click()
    expect(console.locator(f"#sec-{section}")).to_be_visible()


# ---- tests ---------------------------------------------------------------------------------------
def test_running_text_edited_in_the_console_reaches_an_open_display_as_text(make_server, pages, other_pages, log_in):
    server = make_server()
    display = open_display(other_pages, server)
    dialogs = []
    display.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    console = open_console(log_in, pages, server)
    console.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    go(console, "screens")
    lines = console.get_by_test_id("running-line")
    expect(lines).to_have_count(2)
    lines.nth(0).fill("<script>alert(1)</script>")
    console.get_by_test_id("running-add").click()
    expect(lines).to_have_count(3)
    lines.nth(2).fill("Loket 5 & 6 istirahat 12.00–13.00")
    console.locator("#rt-lines li").nth(2).get_by_role("button", name=re.compile("Naikkan")).click()   # reorder
    console.get_by_test_id("running-remove").nth(2).click()          # the old second line
    expect(lines).to_have_count(2)
    console.get_by_test_id("running-speed").fill("90")
    console.get_by_test_id("running-save").click()
    started = time.monotonic()

    wanted = ["<script>alert(1)</script>", "Loket 5 & 6 istirahat 12.00–13.00"]
    ticker = display.get_by_test_id("running-text")
    expect(ticker.locator(".ticker-item").first).to_have_text(wanted[0], timeout=2_500)
    assert time.monotonic() - started < 2.5
    expect(ticker).to_contain_text(wanted[1])
    assert ticker.locator("script").count() == 0
    assert display.evaluate("window.__sameDocument") is True
    assert settings(server)["running_text"] == wanted
    assert settings(server)["running_text_speed"] == 90
    expect(console.locator("#m-toast")).to_be_visible()
    expect(console.get_by_test_id("running-error")).to_be_hidden()
    display.wait_for_timeout(300)
    assert dialogs == []


def test_bad_input_shows_the_servers_message_and_changes_nothing(make_server, pages, log_in):
    server = make_server()
    before = services(server)["A"]
    expected = as_manager(server, "PATCH", "/api/manage/services/A", json={"code": "AA"})
    assert expected.status_code == 400

    console = open_console(log_in, pages, server)
    go(console, "services")
    console.get_by_test_id("service-edit-A").click()
    editor = console.get_by_test_id("service-editor")
    expect(editor).to_be_visible()
    expect(console.get_by_test_id("service-code")).to_have_value("A")
    console.get_by_test_id("service-code").fill("AA")
    console.get_by_test_id("service-name").fill("Nama yang tidak boleh tersimpan")
    console.get_by_test_id("service-save").click()
    error = console.get_by_test_id("service-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(expected.json()["error"])
    assert services(server)["A"] == before
    assert "AA" not in services(server)

    # A daily limit that is not a number: the server's words again, nothing saved.
    console.get_by_test_id("service-code").fill("A")
    console.get_by_test_id("service-limit").fill("banyak")
    console.get_by_test_id("service-save").click()
    expect(error).to_contain_text("Kuota harian")
    assert services(server)["A"] == before

    # A call template with a misspelt field.
    go(console, "voice")
    expect(console.get_by_test_id("speech-template")).to_have_value("Nomor antrian {nomor}, silakan menuju {loket}.")
    console.get_by_test_id("speech-template").fill("Nomor {nomer} ke {loket}")
    console.get_by_test_id("speech-save").click()
    speech_error = console.get_by_test_id("speech-error")
    expect(speech_error).to_be_visible()
    expect(speech_error).to_contain_text("{nomer}")
    assert "speech" not in settings(server)

    # A good one is saved, and what was fixed clears the message.
    console.get_by_test_id("speech-template").fill("Nomor {nomor}, ke {loket}.")
    console.get_by_test_id("speech-style-digits").check()
    console.get_by_test_id("speech-save").click()
    expect(speech_error).to_be_hidden()
    deadline = time.monotonic() + 5
    while "speech" not in settings(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    speech = settings(server)["speech"]
    assert speech["template"] == "Nomor {nomor}, ke {loket}." and speech["style"] == "digits"


def test_closing_a_service_in_the_console_greys_it_out_on_an_open_kiosk(make_server, pages, other_pages, log_in):
    server = make_server()
    kiosk = other_pages.as_device(server).open(server.url + "/kiosk?print=0")
    tile = kiosk.get_by_test_id("service-D")
    expect(tile).to_be_enabled()

    console = open_console(log_in, pages, server)
    go(console, "services")
    console.get_by_test_id("service-edit-D").click()
    expect(console.get_by_test_id("service-close")).to_be_visible()
    reason = "Gangguan jaringan <b>PLN</b>"
    console.get_by_test_id("service-close-reason").fill(reason)
    console.get_by_test_id("service-rest-of-today").check()
    console.get_by_test_id("service-close").click()

    expect(tile).to_be_disabled()
    expect(tile).to_contain_text(reason)                         # shown as typed, live
    expect(kiosk.get_by_test_id("service-C")).to_be_enabled()
    assert services(server)["D"]["open"] is False
    row = console.locator('#svc-rows tr[data-service="D"]')
    expect(row).to_contain_text(reason)
    expect(console.get_by_test_id("service-open")).to_be_visible()

    # An empty reason is refused by the server, on the page, and D stays closed.
    console.get_by_test_id("nav-live").click()
    expect(console.locator('#live-services tr[data-service="D"]')).to_contain_text(reason)
    go(console, "services")
    console.get_by_test_id("service-edit-D").click()
    console.get_by_test_id("service-open").click()
    expect(tile).to_be_enabled()
    assert services(server)["D"]["open"] is True
    console.get_by_test_id("service-close").click()               # no reason typed
    expect(console.get_by_test_id("service-status-error")).to_contain_text("Alasan tutup")
    assert services(server)["D"]["open"] is True
    expect(tile).to_be_enabled()


def test_a_supervisor_sees_only_their_agency(make_server, pages, log_in):
    server = make_server()
    signage_cli("user", "add", "budi", "--role", "supervisor", "--service", "E", "--password", "rahasia-budi",
                db=server.db)
    for code in ("A", "A", "E", "E", "E", "K"):
        server.issue(code)

    console = open_console(log_in, pages, server, "budi", "rahasia-budi")
    expect(console.get_by_test_id("nav-stats")).to_be_visible()
    expect(console.get_by_test_id("nav-audit")).to_have_count(0)
    expect(console.get_by_test_id("nav-screens")).to_have_count(0)
    expect(console.locator("#sec-audit")).to_have_count(0)

    go(console, "stats")
    rows = console.locator("#stats-services tr[data-service]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-service", "E")
    expect(rows.first.locator('[data-col="issued"]')).to_have_text("3")
    expect(console.get_by_test_id("stats-total-issued")).to_have_text("3")

    # The audit log is not reachable by address either.
    console.goto(server.url + "/manager#audit")
    expect(console.locator("#sec-live")).to_be_visible()
    expect(console.get_by_test_id("audit-table")).to_have_count(0)

    # Services: only their own agency can be edited, and only its limit and hours.
    go(console, "services")
    expect(console.get_by_test_id("service-edit-E")).to_be_visible()
    expect(console.get_by_test_id("service-edit-A")).to_have_count(0)
    console.get_by_test_id("service-edit-E").click()
    expect(console.get_by_test_id("service-name")).to_be_disabled()
    console.get_by_test_id("service-limit").fill("40")
    console.get_by_test_id("service-save").click()
    expect(console.locator('#svc-rows tr[data-service="E"]')).to_contain_text("40")
    assert services(server)["E"]["daily_limit"] == 40


def test_statistics_add_up_and_follow_the_hall_live(make_server, pages, log_in):
    server = make_server()
    for code in ("A", "A", "A", "B", "B"):
        server.issue(code)
    counter_action(server, 1, "call-next")          # A001
    counter_action(server, 1, "finish")
    counter_action(server, 1, "call-next")          # A002
    counter_action(server, 1, "skip")               # back in the queue once
    counter_action(server, 2, "call-next")          # B001
    counter_action(server, 2, "finish")

    console = open_console(log_in, pages, server)
    go(console, "stats")
    a = console.locator('#stats-services tr[data-service="A"]')
    b = console.locator('#stats-services tr[data-service="B"]')
    expect(a.locator('[data-col="issued"]')).to_have_text("3")
    expect(a.locator('[data-col="served"]')).to_have_text("1")
    expect(a.locator('[data-col="waiting"]')).to_have_text("2")
    expect(b.locator('[data-col="issued"]')).to_have_text("2")
    expect(b.locator('[data-col="served"]')).to_have_text("1")
    expect(b.locator('[data-col="waiting"]')).to_have_text("1")
    expect(a.locator('[data-col="wait-avg"]')).to_have_text(re.compile(r"^\d+,\d$"))   # minutes
    expect(console.locator('#stats-services tr[data-service="C"] [data-col="wait-avg"]')).to_have_text("—")
    expect(console.get_by_test_id("stats-total-issued")).to_have_text("5")
    expect(console.get_by_test_id("stats-total-served")).to_have_text("2")
    loket1 = console.locator('#stats-counters tr[data-counter="Loket 1"]')
    # Called = served + skipped + transferred + being served: A001 served, A002 skipped here.
    expect(loket1.locator('[data-col="called"]')).to_have_text("2")
    expect(loket1.locator('[data-col="served"]')).to_have_text("1")
    expect(loket1.locator('[data-col="skipped"]')).to_have_text("1")
    expect(loket1.locator('[data-col="transferred"]')).to_have_text("0")
    api = as_manager(server, "GET", "/api/stats").json()
    hour = next(h["hour"] for h in api["per_hour"] if h["issued"])
    expect(console.locator(f'#stats-chart [data-hour="{hour}"]')).to_have_attribute("data-issued", "5")
    href = console.get_by_test_id("stats-csv").get_attribute("href")
    assert href == f"/api/stats.csv?from={api['from']}&to={api['to']}"
    assert console.get_by_test_id("stats-xlsx").get_attribute("href") == \
        f"/api/stats.xlsx?from={api['from']}&to={api['to']}"
    assert console.get_by_test_id("stats-csv-counters").get_attribute("href") == \
        f"/api/stats.csv?table=loket&from={api['from']}&to={api['to']}"

    # Today's figures follow the hall without a reload.
    server.issue("B")
    expect(b.locator('[data-col="issued"]')).to_have_text("3")
    expect(console.get_by_test_id("stats-total-issued")).to_have_text("6")

    # A range the server refuses: its message, on the page.
    console.get_by_test_id("stats-from").fill("2026-01-10")
    console.get_by_test_id("stats-to").fill("2026-01-01")
    console.get_by_test_id("stats-show").click()
    expect(console.get_by_test_id("stats-error")).to_contain_text("Rentang tanggal")


def test_live_view_screenshot(make_server, browser, pages, other_pages, log_in):
    """docs/screenshots/manager.png: the live view on a busy morning, 1920×1080."""
    server = make_server(hall=HERE / "screenshot_hall.json")
    people = {5: ("maria", "Maria Goreti Bria"), 11: ("yosef", "Yosef Ndun"), 2: ("dewi", "Dewi Lake")}
    for counter, (username, full_name) in people.items():
        response = as_manager(server, "POST", "/api/manage/staff", json={
            "username": username, "full_name": full_name, "password": "rahasia123", "counters": [counter]})
        assert response.status_code == 201, response.text
    queue = dict(A=6, B=8, C=3, D=2, E=11, F=4, G=1, H=5, J=2, K=14, L=3)
    for code, n in queue.items():
        for i in range(n):
            server.issue(code, priority=(i == 2 and code in "EK"))
    for counter in (2, 3, 8, 11, 12, 13, 1, 6):
        counter_action(server, counter, "call-next")
    counter_action(server, 9, "pause")
    as_manager(server, "POST", "/api/manage/services/G/close",
               json={"reason": "Gangguan jaringan", "rest_of_today": True}).raise_for_status()

    tv = open_display(other_pages.as_device(server, "display", "TV Ruang Tunggu"), server, "?speaker=1")
    expect(tv.get_by_test_id("sound-overlay")).to_be_visible()       # default Chromium: autoplay blocked
    other_pages.open(server.url + "/display?name=TV Lantai 2&services=E,F")
    tablets = []
    kiosk = browser.new_context(viewport={"width": 1280, "height": 800})   # a device of its own
    tablets.append(kiosk)
    kiosk.add_cookies([{"name": "signage_device", "value": server.pair_device("kiosk", "Kios 1"),
                        "url": server.url}])
    kiosk.new_page().goto(server.url + "/kiosk?print=0")
    for counter, (username, _) in people.items():           # each tablet its own browser (own log-in)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        tablets.append(context)
        tablet = context.new_page()
        tablet.goto(f"{server.url}/login?next=/counter")
        tablet.fill("input[name=username]", username)
        tablet.fill("input[name=password]", "rahasia123")
        tablet.click("button[type=submit]")
        expect(tablet.get_by_test_id("counter-name")).to_have_text(f"Loket {counter}")
        expect(tablet.get_by_test_id("call-next")).to_be_enabled()

    console = open_console(log_in, pages, server)
    blocked = console.locator('#live-displays tr[data-sound="blocked"]')
    expect(blocked).to_have_count(1)
    expect(blocked).to_contain_text("Suara diblokir")
    expect(blocked).to_contain_text("TV Ruang Tunggu")
    expect(console.locator('#live-counters [data-counter-id="5"]')).to_contain_text("Maria Goreti Bria")
    expect(console.locator('#live-services tr[data-service="G"]')).to_contain_text("Gangguan jaringan")
    expect(console.locator('#live-counters [data-counter-id="9"]')).to_have_attribute("data-state", "paused")

    # Live: a call on a tablet shows on the console's counter card, without a reload.
    console.evaluate("window.__sameDocument = true")
    card = console.locator('#live-counters [data-counter-id="5"]')
    expect(card).to_have_attribute("data-state", "idle")
    called = counter_action(server, 5, "call-next")["ticket"]["number"]
    expect(card.locator(".m-ctr-ticket .num")).to_have_text(called)
    expect(card).to_have_attribute("data-state", "serving")
    expect(console.get_by_test_id("kpi-waiting")).to_have_text(str(sum(queue.values()) - 9))
    assert console.evaluate("window.__sameDocument") is True

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.mouse.move(0, 0)
    console.wait_for_timeout(300)
    console.screenshot(path=str(SCREENSHOTS / "manager.png"))
    assert (SCREENSHOTS / "manager.png").stat().st_size > 50_000
    for context in tablets:
        context.close()
