"""The hall's speaker in real Chromium: calls played in order, one at a time, and the tap-for-sound
overlay when the browser blocks autoplay. Real espeak-ng audio from a real server."""
from __future__ import annotations

import threading
import time

import requests
from playwright.sync_api import expect

VIEWPORT = {"width": 1920, "height": 1080}


def overview(server, token):
    return requests.get(server.url + "/api/manage/overview", timeout=5,
                        headers=server.headers(token)).json()


def test_five_calls_at_once_are_played_in_order_one_at_a_time(make_server, autoplay_browser):
    server = make_server()
    manager = server.token("manager")
    # Short clips keep the test quick; the order and overlap rules are the same for long ones.
    requests.put(server.url + "/api/manage/speech", json={"template": "{nomor}", "chime": False},
                 headers=server.headers(manager), timeout=5).raise_for_status()
    counters = {1: "A", 2: "B", 3: "C", 4: "D", 5: "E"}
    tokens = {cid: server.token("counter", cid) for cid in counters}
    for code in counters.values():
        requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": code}, timeout=5)

    context = autoplay_browser.new_context(viewport=VIEWPORT)
    # a paired speaker: only its "played" and "sound" reports reach the console
    context.add_cookies([{"name": "signage_device", "value": server.pair_device("display", "TV-speaker"),
                          "url": server.url}])
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(server.url + "/display?speaker=1")
        expect(page.get_by_test_id("sound-overlay")).to_be_hidden()
        page.wait_for_function("() => window.Display && Display.live && Display.live.isOnline()")
        barrier = threading.Barrier(len(counters))
        answers = {}

        def press(cid):
            barrier.wait()
            answers[cid] = requests.post(f"{server.url}/api/counters/{cid}/call-next",
                                         headers=server.headers(tokens[cid]), timeout=10).json()
        threads = [threading.Thread(target=press, args=(cid,)) for cid in counters]
        for th in threads:
            th.start()
        for th in threads:
            th.join()

        page.wait_for_function("() => window.__speakerLog.length >= 5", timeout=60_000)
        played = page.evaluate("() => window.__speakerLog")
        assert all(entry["ok"] for entry in played), played
        seqs = [entry["seq"] for entry in played]
        assert seqs == sorted(seqs) and len(set(seqs)) == 5
        assert sorted(entry["ticket"] for entry in played) == sorted(a["ticket"]["number"] for a in answers.values())
        for before, after in zip(played, played[1:]):
            assert after["start"] >= before["end"], "two announcements overlapped"
        for entry in played:
            assert entry["end"] - entry["start"] > 300, "a clip that short was not really played"

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            tv = [d for d in overview(server, manager)["displays"] if d["name"] == "TV-speaker"]
            if tv and tv[0].get("last_played") == seqs[-1]:
                break
            time.sleep(0.1)
        assert tv and tv[0]["sound"] == "ok" and tv[0]["last_played"] == seqs[-1]
        assert not errors
    finally:
        context.close()


def test_blocked_autoplay_shows_the_tap_overlay_and_the_manager_sees_it(make_server, pages):
    """The session browser keeps Chromium's default autoplay policy (no flag)."""
    server = make_server()
    manager = server.token("manager")
    page = pages.as_device(server, "display", "TV-blocked").open(server.url + "/display?speaker=1")
    overlay = page.get_by_test_id("sound-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("Ketuk untuk mengaktifkan suara")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        tv = [d for d in overview(server, manager)["displays"] if d["name"] == "TV-blocked"]
        if tv and tv[0]["sound"] == "blocked":
            break
        time.sleep(0.1)
    assert tv and tv[0]["sound"] == "blocked"

    overlay.click()                       # a tap is the gesture the browser waits for
    expect(overlay).to_be_hidden()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        tv = [d for d in overview(server, manager)["displays"] if d["name"] == "TV-blocked"]
        if tv and tv[0]["sound"] == "ok":
            break
        time.sleep(0.1)
    assert tv[0]["sound"] == "ok"


def test_a_display_that_is_not_a_speaker_stays_silent(make_server, autoplay_browser):
    server = make_server()
    token = server.token("counter", 1)
    requests.post(server.url + "/api/tickets", headers=server.headers(server.kiosk_token), json={"service": "A"}, timeout=5)
    context = autoplay_browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(server.url + "/display")
        page.wait_for_function("() => window.Display && Display.live && Display.live.isOnline()")
        requests.post(server.url + "/api/counters/1/call-next", headers=server.headers(token), timeout=5)
        expect(page.get_by_test_id("hero-number")).to_have_text("A001")
        page.wait_for_timeout(1500)
        assert page.evaluate("() => window.__speakerLog.length") == 0
        assert page.get_by_test_id("sound-overlay").count() == 0
    finally:
        context.close()
