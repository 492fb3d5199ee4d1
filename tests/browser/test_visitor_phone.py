"""The visitor's journey in a real Chromium: a paired kiosk issues a ticket with its QR and
estimate, the phone (360x640) opens the ticket's page, follows the queue live, is called with a
full screen, vibration, a sound and a flashing title while the hall TV shows the same call, gets
the thank-you with the survey link, and another visitor cancels from their phone.
Screenshots: docs/screenshots/phone-*.png."""
from __future__ import annotations

import re
from pathlib import Path

import requests
from playwright.sync_api import expect

from fake_gateway import FakeGateway

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 360, "height": 640}
# Record what the page asks of the phone: vibration patterns and tones started.
RECORDER = """
window.__vibrations = [];
navigator.vibrate = function (pattern) { window.__vibrations.push(pattern); return true; };
window.__tones = 0;
(function () {
  var Ctx = window.AudioContext;
  if (!Ctx) return;
  var make = Ctx.prototype.createOscillator;
  Ctx.prototype.createOscillator = function () { window.__tones += 1; return make.apply(this, arguments); };
})();
"""


def phone_context(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_init_script(RECORDER)
    return context


def test_kiosk_number_qr_phone_live_near_called_served(make_server, pages, browser):
    gateway = FakeGateway()
    server = make_server()
    try:
        journey(server, gateway, pages, browser)
    finally:
        gateway.close()


def journey(server, gateway, pages, browser):
    manager = server.token("manager")
    assert requests.put(server.url + "/api/manage/notify", headers=server.headers(manager), timeout=5,
                        json={"sender": "http", "url": gateway.url, "near": 1}).status_code == 200
    for _ in range(2):
        server.issue("A")                          # two people ahead
    kiosk = pages.as_device(server).open(server.url + "/kiosk")
    tv = pages.open(server.url + "/display")
    with kiosk.expect_response(lambda r: r.url.endswith("/api/tickets")) as answer:
        kiosk.get_by_test_id("service-A").click()
    ticket = answer.value.json()
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A003")
    expect(kiosk.get_by_test_id("ticket-qr")).to_be_visible()
    expect(kiosk.get_by_test_id("ticket-estimate")).to_have_text(re.compile(r"^sekitar \d+–\d+ menit$"))
    assert kiosk.locator("#ticket-qr").get_attribute("src").startswith("data:image/svg+xml;base64,")
    expect(tv.get_by_test_id("wait-estimate").first).to_have_text(re.compile(r"menit$"))

    # the visitor's WhatsApp number on the on-screen keypad (the ticket stays while they type)
    kiosk.get_by_test_id("wa-open").click()
    for key in "0812":
        kiosk.get_by_test_id(f"wa-key-{key}").click()
    kiosk.get_by_test_id("wa-send").click()
    expect(kiosk.get_by_test_id("wa-error")).to_contain_text("Nomor WhatsApp tidak valid")
    kiosk.wait_for_timeout(11_000)                                     # longer than the 10 s way back
    expect(kiosk.get_by_test_id("wa-pad")).to_be_visible()
    for key in "345678900":
        kiosk.get_by_test_id(f"wa-key-{key}").click()
    kiosk.get_by_test_id("wa-key-back").click()
    expect(kiosk.get_by_test_id("wa-number")).to_have_text("0812 3456 7890")
    kiosk.screenshot(path=str(SCREENSHOTS / "kiosk-whatsapp.png"))
    kiosk.get_by_test_id("wa-send").click()
    expect(kiosk.get_by_test_id("wa-sent")).to_have_text("Pesan dikirim ke 62812****7890.")
    kiosk.emulate_media(media="print")                                 # the browser path's slip
    expect(kiosk.locator("#slip-qr")).to_be_visible()
    expect(kiosk.locator("#slip-estimate")).to_have_text(re.compile(r"^sekitar \d+–\d+ menit$"))
    kiosk.emulate_media(media="screen")
    issued = gateway.wait_for(lambda r: len(r) == 1)[0]["body"]
    assert issued["target"] == "6281234567890" and ticket["url"] in issued["message"]

    context = phone_context(browser)
    errors: list[str] = []
    try:
        phone = context.new_page()
        phone.on("pageerror", lambda exc: errors.append(str(exc)))
        phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        phone.goto(ticket["url"])
        expect(phone.get_by_test_id("ticket-number")).to_have_text("A003")
        expect(phone.get_by_test_id("ticket-status")).to_have_text("Menunggu")
        expect(phone.get_by_test_id("ticket-ahead")).to_have_text("2 orang")
        expect(phone.get_by_test_id("ticket-estimate")).to_have_text(re.compile(r"menit$"))
        phone.get_by_test_id("ticket-sound").tap()                       # "Aktifkan suara"
        phone.screenshot(path=str(SCREENSHOTS / "phone-waiting.png"))
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        counter = server.token("counter", counter=1)
        act = lambda action: requests.post(server.url + f"/api/counters/1/{action}", json={},
                                           headers=server.headers(counter), timeout=5)
        act("call-next")                                                  # A001
        expect(phone.get_by_test_id("ticket-ahead")).to_have_text("1 orang")
        near = gateway.wait_for(lambda r: len(r) == 2)[1]["body"]["message"]     # "N lagi"
        assert near.startswith("A003: 1 lagi sebelum giliran Anda")
        act("call-next")                                                  # A002
        expect(phone.get_by_test_id("ticket-ahead")).to_have_text("0 orang")
        tones_before = phone.evaluate("window.__tones")
        act("call-next")                                                  # A003: this phone
        called = phone.get_by_test_id("ticket-called")
        expect(called).to_be_visible()
        expect(called).to_contain_text("Silakan menuju")
        expect(phone.get_by_test_id("ticket-called-counter")).to_have_text("Loket 1")
        box = called.bounding_box()
        assert box["width"] >= PHONE["width"] - 1 and box["height"] >= PHONE["height"] - 1   # full screen
        assert phone.evaluate("window.__vibrations.length") >= 1
        assert phone.evaluate("window.__tones") > tones_before            # the sound, after the tap
        titles = {phone.title()}
        for _ in range(6):
            phone.wait_for_timeout(400)
            titles.add(phone.title())
        assert any("Loket 1" in title for title in titles) and len(titles) >= 2   # flashing
        phone.screenshot(path=str(SCREENSHOTS / "phone-called.png"))
        expect(tv.locator("body")).to_contain_text("A003")                # the TV shows the same call
        called_message = gateway.wait_for(lambda r: len(r) == 3)[2]["body"]["message"]
        assert called_message == "A003: silakan menuju Loket 1 sekarang."

        act("finish")
        expect(called).to_be_hidden()
        expect(phone.get_by_test_id("ticket-done")).to_contain_text("Terima kasih")
        survey = phone.get_by_test_id("ticket-survey")
        expect(survey).to_be_visible()
        assert re.fullmatch(r"/survey/t/[\w-]+", survey.get_attribute("href"))
        phone.screenshot(path=str(SCREENSHOTS / "phone-served.png"))
        survey.tap()
        expect(phone.get_by_test_id("survey-form")).to_be_visible()
    finally:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Error" in e], errors


def test_cancel_from_the_phone_and_a_wrong_link(make_server, pages, browser):
    server = make_server()
    response = requests.post(server.url + "/api/tickets", json={"service": "B"},
                             headers=server.headers(server.kiosk_token), timeout=5)
    ticket = response.json()
    tv = pages.open(server.url + "/display")
    count = tv.locator(".wait[data-service=B] .wait-count")
    expect(count).to_have_text("1")
    context = phone_context(browser)
    try:
        phone = context.new_page()
        phone.goto(ticket["url"])
        phone.get_by_test_id("ticket-cancel").tap()
        phone.get_by_test_id("ticket-cancel-yes").tap()
        expect(phone.get_by_test_id("ticket-done")).to_contain_text("Antrian dibatalkan")
        expect(phone.get_by_test_id("ticket-status")).to_have_text("Dibatalkan")
        expect(phone.get_by_test_id("ticket-waiting")).to_be_hidden()
        phone.screenshot(path=str(SCREENSHOTS / "phone-cancelled.png"))
        expect(count).to_have_text("0")                                  # the hall's screens update
        phone.goto(server.url + "/t/" + "Z" * 32)
        expect(phone.get_by_test_id("ticket-unknown")).to_contain_text("Tautan tiket tidak dikenal")
    finally:
        context.close()


def test_console_sets_typical_times_and_shows_whatsapp_failures(make_server, pages, log_in):
    gateway = FakeGateway()
    server = make_server()
    try:
        console = log_in(pages, server.url, "manager", server.manager_password, "/manager")
        console.get_by_test_id("nav-phone").click()
        expect(console.get_by_test_id("wa-privacy")).to_contain_text("UU 27/2022")
        console.get_by_test_id("typical-A").fill("20")
        console.get_by_test_id("phone-save").click()
        manager = server.token("manager")
        read = lambda path: requests.get(server.url + path, headers=server.headers(manager), timeout=5).json()
        expect_until(lambda: read("/api/manage/visitor")["minutes"] == {"A": 20.0})
        console.get_by_test_id("wa-sender").select_option("http")
        console.get_by_test_id("wa-url").fill(gateway.url)
        console.get_by_test_id("wa-token").fill("salah")
        console.get_by_test_id("wa-save").click()
        expect_until(lambda: read("/api/manage/notify")["sender"] == "http")
        gateway.mode = "reject"                              # a wrong token: 401, not retried
        ticket = requests.post(server.url + "/api/tickets", json={"service": "A"},
                               headers=server.headers(server.kiosk_token), timeout=5).json()
        requests.post(server.url + f"/api/visitor/{ticket['url'].rsplit('/', 1)[1]}/phone",
                      json={"phone": "081234567890"}, timeout=5)
        expect_until(lambda: read("/api/manage/notify")["counts"]["failed"] == 1)
        console.get_by_test_id("nav-live").click()
        console.get_by_test_id("nav-phone").click()
        failures = console.get_by_test_id("wa-failures")
        expect(failures).to_contain_text("A001")
        expect(failures).to_contain_text("62812****7890")
        expect(failures).to_contain_text("401")
        console.screenshot(path=str(SCREENSHOTS / "manager-phone.png"), full_page=True)
        # the visitor cancels from the phone: the console's statistics count it
        assert requests.post(server.url + f"/api/visitor/{ticket['url'].rsplit('/', 1)[1]}/cancel",
                             timeout=5).status_code == 200
        console.get_by_test_id("nav-stats").click()
        expect(console.get_by_test_id("st-cancelled")).to_have_text("1")
    finally:
        gateway.close()


def expect_until(check, timeout=10.0):
    import time
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
