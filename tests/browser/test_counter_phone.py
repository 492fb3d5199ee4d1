"""The counter page on a phone (issue 14): at 360×740, 390×844 and 430×932 every button (call
next, recall, transfer, skip, finish, pause and resume) is on the screen and works, and the page
never scrolls sideways; when the log-in ends, the page says so with a link to the log-in page that
comes back to the counter. Screenshots: docs/screenshots/counter-phone-<w>x<h>.png."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from support import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
SIZES = [(360, 740), (390, 844), (430, 932)]
COUNTER = 12
LONG_NAME = "Loket 12 Dukcapil (Akta & KIA)"
PASSWORD = "rahasia123"


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """One server for the module: a staff member on three counters, one with a long name."""
    server = ServerProcess(tmp_path_factory.mktemp("counter-phone") / "hall.db").start()
    server.manager = server.headers(server.token("manager"))
    requests.patch(f"{server.url}/api/manage/counters/{COUNTER}", json={"name": LONG_NAME},
                   headers=server.manager, timeout=5).raise_for_status()
    server.add_user("yuliana", PASSWORD, "staff", counters=[11, 12, 13])
    for _ in range(12):
        server.issue("K")
    yield server
    server.stop()


def open_phone(browser, server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "401" not in msg.text else None)
    return context, page, errors


def log_in(page, server, password=PASSWORD, go=True):
    if go:
        page.goto(f"{server.url}/login?next=/counter?id={COUNTER}")
    page.fill("input[name=username]", "yuliana")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/counter\?id={COUNTER}$"))
    expect(page.get_by_test_id("counter-name")).to_have_text(LONG_NAME)


def no_sideways_scroll(page, where: str):
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]")
    assert max(width[:2]) <= width[2], f"{where}: the page is {max(width[:2])} px wide at {width[2]} px"


def press(page, testid: str, where: str):
    """A thumb's press: the button is whole on the screen (after scrolling down, never sideways)."""
    button = page.get_by_test_id(testid)
    expect(button).to_be_enabled()
    button.scroll_into_view_if_needed()
    box = page.evaluate("""id => { const r = document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect();
                                   return [r.left, r.top, r.right, r.bottom, innerWidth, innerHeight]; }""", testid)
    left, top, right, bottom, width, height = box
    assert left >= 0 and right <= width and top >= 0 and bottom <= height, f"{where}: {testid} at {box}"
    assert right - left >= 44 and bottom - top >= 44, f"{where}: {testid} is too small to tap: {box}"
    button.tap()
    no_sideways_scroll(page, f"{where} after {testid}")


@pytest.mark.parametrize("width, height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_button_is_on_the_screen_and_works(browser, hall, width, height):
    where = f"{width}x{height}"
    context, page, errors = open_phone(browser, hall, width, height)
    try:
        log_in(page, hall)
        no_sideways_scroll(page, where)
        ticket = page.get_by_test_id("current-ticket")
        state = page.get_by_test_id("counter-state")

        press(page, "call-next", where)
        expect(ticket).to_have_text(re.compile(r"^K\d{3}$"))
        page.evaluate("window.scrollTo(0, 0)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"counter-phone-{width}x{height}.png"), full_page=True)

        press(page, "recall", where)
        expect(page.locator("#c-history .c-hist").first).to_have_class(re.compile(r"\bis-recall\b"))

        press(page, "transfer", where)
        target = page.get_by_test_id("transfer-B")
        expect(target).to_be_visible()
        target.scroll_into_view_if_needed()
        r = target.bounding_box()
        assert r["x"] >= 0 and r["x"] + r["width"] <= width, f"{where}: transfer-B at {r}"
        no_sideways_scroll(page, f"{where} transfer dialog")
        target.tap()
        expect(ticket).to_have_text("—")
        expect(page.locator("#c-history .c-hist").first).to_have_class(re.compile(r"\bis-transferred\b"))

        press(page, "call-next", where)
        expect(ticket).not_to_have_text("—")
        press(page, "skip", where)
        expect(ticket).to_have_text("—")
        press(page, "call-next", where)
        expect(ticket).not_to_have_text("—")
        press(page, "finish", where)
        expect(ticket).to_have_text("—")

        press(page, "pause", where)
        expect(state).to_have_class(re.compile(r"\bis-paused\b"))
        press(page, "pause", where)                   # the same button resumes
        expect(state).not_to_have_class(re.compile(r"\bis-paused\b"))
    finally:
        context.close()
    assert not errors, errors


def test_an_ended_log_in_links_back_to_the_counter(browser, hall):
    context, page, errors = open_phone(browser, hall, 390, 844)
    try:
        log_in(page, hall)
        expect(page.get_by_test_id("call-next")).to_be_enabled()
        # The manager sets a new password: every session of the account ends.
        staff = [u for u in requests.get(hall.url + "/api/manage/staff", headers=hall.manager, timeout=5).json()["staff"]
                 if u["username"] == "yuliana"][0]
        requests.patch(f"{hall.url}/api/manage/staff/{staff['id']}", json={"password": "rahasia456"},
                       headers=hall.manager, timeout=5).raise_for_status()
        page.get_by_test_id("call-next").tap()
        ended = page.get_by_test_id("session-ended")
        expect(ended).to_be_visible()
        expect(ended).to_contain_text("Silakan masuk lagi")
        expect(page.get_by_test_id("call-next")).to_be_disabled()
        link = page.get_by_test_id("login-link")
        expect(link).to_have_attribute("href", re.compile(r"^/login\?next=/counter%3Fid%3D12$|^/login\?next=/counter\?id%3D12$"))
        r = link.bounding_box()
        assert r["x"] >= 0 and r["x"] + r["width"] <= 390 and r["height"] >= 44, r
        no_sideways_scroll(page, "session ended")
        page.screenshot(path=str(SCREENSHOTS / "counter-phone-session-ended.png"))
        link.tap()
        page.wait_for_url(re.compile(r"/login\?"))
        no_sideways_scroll(page, "the log-in page")
        log_in(page, hall, password="rahasia456", go=False)     # and back at the same counter
        expect(page.get_by_test_id("session-ended")).to_be_hidden()
    finally:
        context.close()
    assert not errors, errors
