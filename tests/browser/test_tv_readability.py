"""The hall TV read from the back of the hall (issue 14), in a real Chromium at every size halls
buy (1280×720, 1366×768, 1920×1080, 4K): no text a visitor needs is smaller than 1/40 of the
screen's height, no name is cut (it wraps whole words, or shows the short name a manager set),
everything is on the screen; the last calls stay beside an uploaded poster.

The hall: 11 agencies with their real, long names (screenshot_hall.json) and a counter named
"Loket 12 Dukcapil (Akta & KIA)", a busy morning. Screenshots: docs/screenshots/tv-<w>x<h>.png
and tv-poster-<w>x<h>.png."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from support import ServerProcess
from test_display_media import png

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
HALL = HERE / "screenshot_hall.json"
SIZES = [(1920, 1080), (1366, 768), (1280, 720), (3840, 2160)]
LONG_COUNTER = "Loket 12 Dukcapil (Akta & KIA)"


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """One server for the module: a busy morning, the newest call to the long-named counter."""
    server = ServerProcess(tmp_path_factory.mktemp("tv") / "hall.db", hall=HALL).start()
    server.manager = server.headers(server.token("manager"))
    renamed = requests.patch(server.url + "/api/manage/counters/12", json={"name": LONG_COUNTER},
                             headers=server.manager, timeout=5)
    assert renamed.status_code == 200, renamed.text
    for code, n in dict(A=6, B=8, C=3, D=2, E=11, F=4, G=2, H=5, J=2, K=14, L=3).items():
        for i in range(n):
            server.issue(code, priority=(i == 2 and code in "EK"))
    calls = (2, 3, 8, 1, 6, 13, 12, 7, 5, 12)      # the long-named counter in the last calls too
    server.add_user("petugas", "rahasia123", "staff", counters=sorted(set(calls)))
    staff = server.log_in("petugas", "rahasia123")
    for counter in calls:
        response = staff.post(f"{server.url}/api/counters/{counter}/call-next", timeout=5)
        assert response.status_code == 200, response.text
    yield server
    server.stop()


# Every visible text on the page: its size, whether it is cut or off the screen.
FACTS = """() => {
  const minPx = innerHeight / 40;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    const el = node.parentElement;
    if (!text || el.closest('script, style, template')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    const moving = !!el.closest('.ticker');            // the running text scrolls by design
    const problems = [];
    const px = parseFloat(style.fontSize);
    if (px < minPx - 0.05) problems.push(`${px.toFixed(1)}px < ${minPx.toFixed(1)}px`);
    if (style.textOverflow === 'ellipsis') problems.push('text-overflow: ellipsis');
    if (style.webkitLineClamp && style.webkitLineClamp !== 'none') problems.push('line clamp');
    if (el.clientWidth && el.scrollWidth > el.clientWidth + 1) problems.push(`scrollWidth ${el.scrollWidth} > ${el.clientWidth}`);
    if (el.clientHeight && style.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1)
      problems.push(`scrollHeight ${el.scrollHeight} > ${el.clientHeight}`);
    if (!moving) {
      if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
        problems.push(`off the screen: ${[r.left, r.top, r.right, r.bottom].map(Math.round)}`);
      for (let up = el; up && up !== document.body; up = up.parentElement) {
        const s = getComputedStyle(up);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        const box = up.getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
          problems.push(`clipped by ${up.id || up.className}`);
          break;
        }
      }
    } else {
      const t = document.getElementById('ticker').getBoundingClientRect();
      if (t.bottom > innerHeight + 0.5 || r.top < t.top - 1 || r.bottom > t.bottom + 1) problems.push('ticker cut');
    }
    found.push({text, px, where: el.className || el.id || el.tagName, problems});
  }
  return found;
}"""


def open_tv(browser, server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    errors: list[str] = []
    tv = context.new_page()
    tv.on("pageerror", lambda exc: errors.append(str(exc)))
    tv.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tv.goto(server.url + "/display")
    expect(tv.get_by_test_id("hero-counter")).to_have_text(LONG_COUNTER)
    expect(tv.locator("#waiting .wait")).to_have_count(11)
    expect(tv.locator("#ticker")).to_be_visible()
    # The resting look (the newest call stops flashing), then the type settles to its size.
    tv.evaluate("""() => document.querySelectorAll('.is-new, .is-changed')
                         .forEach(node => node.classList.remove('is-new', 'is-changed'))""")
    tv.wait_for_function("() => Number(document.getElementById('display').dataset.fitted) > 0")
    tv.wait_for_timeout(250)
    return context, tv, errors


def check_readable(tv, server, where: str, poster: bool):
    facts = tv.evaluate(FACTS)
    bad = [f for f in facts if f["problems"]]
    assert not bad, f"{where}: " + json.dumps(bad, ensure_ascii=False, indent=1)
    texts = [f["text"] for f in facts]

    # What a visitor looks for is on the screen, whole: number, counter, agency, waiting, calls.
    expect(tv.get_by_test_id("hero-number")).to_have_text(re.compile(r"^K\d{3}$"))
    expect(tv.get_by_test_id("hero-service")).to_have_text("Dinas Kependudukan dan Catatan Sipil Kota Kupang")
    hall = json.loads(HALL.read_text())
    names = [n.strip() for n in tv.locator("#waiting .wait-name").all_inner_texts()]
    assert names == [s["name"] for s in hall["services"]], f"{where}: {names}"
    assert all("± " in t or "< 5" in t for t in tv.locator("#waiting .wait-estimate").all_inner_texts())
    calls = tv.locator("#calls .call:visible")
    assert calls.count() >= 3, f"{where}: only {calls.count()} last calls"
    expect(tv.get_by_test_id("calls-panel")).to_be_visible()
    assert any(LONG_COUNTER == t for t in texts), f"{where}: {LONG_COUNTER!r} not whole on the screen"
    expect(tv.locator("#calls .call-counter", has_text=LONG_COUNTER)).to_be_visible()
    if poster:
        expect(tv.get_by_test_id("media").locator("img")).to_be_visible()
    else:
        expect(tv.locator(".counter-card")).to_have_count(13)
        assert tv.locator(".counter-card:visible").count() == 13


@pytest.mark.parametrize("width, height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_text_is_readable_and_whole(browser, hall, width, height):
    context, tv, errors = open_tv(browser, hall, width, height)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tv.screenshot(path=str(SCREENSHOTS / f"tv-{width}x{height}.png"))
        check_readable(tv, hall, f"{width}x{height}", poster=False)
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def poster(hall):
    uploaded = requests.post(hall.url + "/api/manage/media", headers=hall.manager, timeout=5,
                             files={"file": ("poster.png", png(600, 848, (200, 60, 40)), "image/png")},
                             data={"title": "Poster layanan", "seconds": "30"})
    assert uploaded.status_code == 201, uploaded.text
    return uploaded.json()["url"]


@pytest.mark.parametrize("width, height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_last_calls_stay_beside_a_poster(browser, hall, poster, width, height):
    context, tv, errors = open_tv(browser, hall, width, height)
    try:
        expect(tv.get_by_test_id("media").locator("img")).to_have_attribute("src", poster)
        tv.screenshot(path=str(SCREENSHOTS / f"tv-poster-{width}x{height}.png"))
        check_readable(tv, hall, f"{width}x{height} with a poster", poster=True)
    finally:
        context.close()
    assert not errors, errors


def test_a_short_name_set_by_the_manager_reaches_an_open_tv(browser, hall):
    """Set in the console (and the manage API, which checks its length); shown as typed."""
    context, tv, errors = open_tv(browser, hall, 1366, 768)
    try:
        def patch(path, body):
            return requests.patch(hall.url + path, json=body, headers=hall.manager, timeout=5)

        too_long = patch("/api/manage/counters/12", {"short_name": "x" * 25})
        assert too_long.status_code == 400 and "24" in too_long.json()["error"]
        assert patch("/api/manage/services/K", {"short_name": 5}).status_code == 400
        assert patch("/api/manage/services/K", {"short_name": "Dukcapil <b>&</b>"}).status_code == 200

        console = context.new_page()
        console.on("pageerror", lambda exc: errors.append(str(exc)))
        console.goto(hall.url + "/login?next=/manager")
        console.fill("input[name=username]", "manager")
        console.fill("input[name=password]", hall.manager_password)
        console.click("button[type=submit]")
        console.get_by_test_id("nav-counters").click()
        console.get_by_test_id("counter-edit-12").click()
        expect(console.get_by_test_id("counter-short-name")).to_have_value("")
        console.get_by_test_id("counter-short-name").fill("  Loket 12  ")
        console.get_by_test_id("counter-save").click()
        expect(tv.get_by_test_id("hero-counter")).to_have_text("Loket 12")
        expect(tv.get_by_test_id("hero-service")).to_have_text("Dukcapil <b>&</b>")   # as typed, not markup
        expect(tv.locator('#waiting [data-service="K"] .wait-name')).to_have_text("Dukcapil <b>&</b>")
        expect(tv.locator('.counter-card[data-counter-id="12"] .cc-name')).to_have_text("Loket 12")
        assert tv.locator("#display b").count() == 0
        state = requests.get(hall.url + "/api/services", timeout=5).json()["services"]
        assert [sv["short_name"] for sv in state if sv["code"] == "K"] == ["Dukcapil <b>&</b>"]
        console.get_by_test_id("nav-services").click()
        console.get_by_test_id("service-edit-K").click()
        expect(console.get_by_test_id("service-short-name")).to_have_value("Dukcapil <b>&</b>")

        # Cleared: the TV shows the names again.
        assert patch("/api/manage/counters/12", {"short_name": ""}).status_code == 200
        assert patch("/api/manage/services/K", {"short_name": None}).status_code == 200
        expect(tv.get_by_test_id("hero-counter")).to_have_text(LONG_COUNTER)
        expect(tv.locator('#waiting [data-service="K"] .wait-name')).to_have_text(
            "Dinas Kependudukan dan Catatan Sipil Kota Kupang")
    finally:
        context.close()
    assert not errors, errors
