"""Issue 10 in real Chromium: the hall display lights the call being spoken (and those still to be
spoken), on the speaker TV itself and, relayed by the server, on a TV without a voice; and two
speaker zones play their own queues side by side. Real espeak-ng audio from a real server."""
from __future__ import annotations

import re
import threading
import time

import requests
from playwright.sync_api import expect

VIEWPORT = {"width": 1920, "height": 1080}
SHORT = {"template": "Nomor {nomor}, ke {loket}.", "chime": False}   # ~2 s clips keep the tests quick


def _press(server, counters):
    """Call-next on these counters at (nearly) the same moment."""
    tokens = {cid: server.token("counter", cid) for cid in counters}
    barrier = threading.Barrier(len(counters))

    def press(cid):
        barrier.wait()
        requests.post(f"{server.url}/api/counters/{cid}/call-next", headers=server.headers(tokens[cid]),
                      timeout=10).raise_for_status()
    threads = [threading.Thread(target=press, args=(cid,)) for cid in counters]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def _tv(browser, server, url, device_name=None):
    context = browser.new_context(viewport=VIEWPORT)
    if device_name:    # a paired speaker: only its `speaking` and `played` reports count
        context.add_cookies([{"name": "signage_device", "value": server.pair_device("display", device_name),
                              "url": server.url}])
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.goto(server.url + url)
    page.wait_for_function("() => window.Display && Display.live && Display.live.isOnline()")
    return context, page, errors


LIT = """([speaking, pending]) => {
  const state = t => [...document.querySelectorAll('[data-ticket="' + t + '"]')]
      .map(n => n.classList.contains('is-speaking') ? 'speaking' : n.classList.contains('is-pending') ? 'pending' : '');
  return state(speaking).includes('speaking') && pending.every(t => state(t).includes('pending'));
}"""


def test_the_display_lights_the_call_being_spoken_and_those_waiting(make_server, autoplay_browser):
    server = make_server()
    requests.put(server.url + "/api/manage/speech", json=SHORT, headers=server.headers(server.token("manager")),
                 timeout=5).raise_for_status()
    for code in "ABC":
        server.issue(code)
    speaker_ctx, speaker, speaker_errors = _tv(autoplay_browser, server, "/display?speaker=1", "TV-lobi")
    wall_ctx, wall, wall_errors = _tv(autoplay_browser, server, "/display")      # no voice of its own
    try:
        _press(server, [1, 2, 3])
        for page in (speaker, wall):
            page.wait_for_function("() => document.querySelectorAll('.is-speaking').length > 0", timeout=10_000)
        first = speaker.evaluate("() => document.querySelector('.is-speaking[data-ticket]').dataset.ticket")
        waiting = [t for t in ("A001", "B001", "C001") if t != first]
        # The speaker TV and the silent wall TV light the same call; the other two wait.
        for page in (speaker, wall):
            page.wait_for_function(LIT, arg=[first, waiting], timeout=5_000)
            # the newest call, in the big panel, is still to be spoken: marked as waiting there too
            expect(page.locator("#hero")).to_have_class(re.compile(r"\bis-pending\b"))
        # One after another: when all three were said, nothing is lit any more, on both TVs.
        speaker.wait_for_function("() => window.__speakerLog.length >= 3", timeout=30_000)
        log = speaker.evaluate("() => window.__speakerLog")
        assert log[0]["ticket"] == first and sorted(e["ticket"] for e in log) == ["A001", "B001", "C001"]
        for page in (speaker, wall):
            page.wait_for_function("() => !document.querySelector('.is-speaking, .is-pending')", timeout=5_000)
        assert not speaker_errors and not wall_errors
    finally:
        speaker_ctx.close()
        wall_ctx.close()


def test_two_zones_play_independently(make_server, autoplay_browser):
    server = make_server()
    manager = server.headers(server.token("manager"))
    requests.put(server.url + "/api/manage/speech", json=SHORT, headers=manager, timeout=5).raise_for_status()
    requests.put(server.url + "/api/manage/zones", json={"counters": {"7": "Lantai 2"}}, headers=manager,
                 timeout=5).raise_for_status()
    for code in "ABCDF":
        server.issue(code)
    down_ctx, down, down_errors = _tv(autoplay_browser, server, "/display?speaker=1", "TV-bawah")
    up_ctx, up, up_errors = _tv(autoplay_browser, server, "/display?speaker=1&zone=Lantai%202", "TV-atas")
    try:
        _press(server, [1, 2, 3, 4])                      # a backlog downstairs: four calls queued
        down.wait_for_function("() => window.__speakerLog.length === 0 && Display.speakerQueue().length >= 3")
        pressed = time.time() * 1000
        requests.post(f"{server.url}/api/counters/7/call-next", timeout=5,
                      headers=server.headers(server.token("counter", 7))).raise_for_status()
        # Upstairs speaks its call at once, while downstairs is still working through its queue.
        up.wait_for_function("() => window.__speakerLog.length >= 1", timeout=10_000)
        upstairs = up.evaluate("() => window.__speakerLog")
        assert [e["ticket"] for e in upstairs] == ["F001"] and upstairs[0]["zone"] == "Lantai 2"
        assert upstairs[0]["ok"]
        down_log = down.evaluate("() => window.__speakerLog")
        assert len(down_log) < 4, "upstairs waited for downstairs' backlog"
        assert upstairs[0]["start"] - pressed < 3000
        # An announcement for one zone is heard there only; one for all is heard in both.
        requests.post(server.url + "/api/manage/announce", json={"text": "Lantai dua", "zone": "Lantai 2"},
                      headers=manager, timeout=5).raise_for_status()
        up.wait_for_function("() => window.__speakerLog.length >= 2", timeout=10_000)
        down.wait_for_function("() => window.__speakerLog.length >= 4", timeout=30_000)
        heard_down = [e["ticket"] for e in down.evaluate("() => window.__speakerLog")]
        assert sorted(heard_down) == ["A001", "B001", "C001", "D001"]
        assert down.evaluate("() => Display.speakerQueue().length") == 0      # not the Lantai 2 one
        # The manager sees each zone's TV report what it played.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            tvs = {d["name"]: d for d in requests.get(server.url + "/api/manage/overview", headers=manager,
                                                      timeout=5).json()["displays"]}
            if tvs.get("TV-atas", {}).get("last_played") and tvs.get("TV-bawah", {}).get("last_played"):
                break
            time.sleep(0.1)
        assert tvs["TV-atas"]["last_played"] == up.evaluate("() => window.__speakerLog[1].seq")
        assert tvs["TV-bawah"]["last_played"] == down.evaluate("() => window.__speakerLog[3].seq")
        assert not down_errors and not up_errors
    finally:
        down_ctx.close()
        up_ctx.close()


def test_the_console_edits_the_pronunciation_list_and_the_zones(make_server, pages, log_in):
    """Voice section: an entry is added (a bad one refused in Indonesian), played as a sample,
    removed; a counter and a profile get a zone; an announcement goes to one zone."""
    server = make_server()
    manager = server.headers(server.token("manager"))
    requests.post(server.url + "/api/manage/displays", json={"name": "TV-atas", "sound": True},
                  headers=manager, timeout=5).raise_for_status()
    console = log_in(pages, server.url, "manager", server.manager_password, "/manager")
    console.get_by_test_id("nav-voice").click()
    expect(console.locator("#sec-voice")).to_be_visible()
    expect(console.get_by_test_id("speech-rush-rate")).to_have_value("1.15")

    console.get_by_test_id("lexicon-written").fill("Dukcapil")
    console.get_by_test_id("lexicon-spoken").fill("duk 2")
    console.get_by_test_id("lexicon-add").click()
    expect(console.get_by_test_id("lexicon-error")).to_contain_text("ucapan")
    console.get_by_test_id("lexicon-spoken").fill("duk capil")
    console.get_by_test_id("lexicon-try").click()          # before saving: the typed entry is tried
    expect(console.get_by_test_id("lexicon-sample-text")).to_have_text("“duk capil”")
    console.get_by_test_id("lexicon-add").click()
    expect(console.locator("#lexicon-rows tr[data-written='Dukcapil']")).to_be_visible()
    speech = requests.get(server.url + "/api/manage/settings", headers=manager, timeout=5).json()["speech"]
    assert speech["lexicon"] == [{"written": "Dukcapil", "spoken": "duk capil"}]
    console.get_by_test_id("lexicon-sample-text").evaluate("n => n.textContent = ''")
    console.get_by_test_id("lexicon-play-0").click()        # "play a sample" beside the entry
    expect(console.get_by_test_id("lexicon-sample-text")).to_have_text("“duk capil”")
    src = console.get_by_test_id("lexicon-audio").get_attribute("src")
    assert requests.get(server.url + src, timeout=5).status_code == 200

    console.get_by_test_id("zone-counter-7").fill("Lantai 2")
    console.get_by_test_id("zone-profile-TV-atas").fill("Lantai 2")
    console.get_by_test_id("zones-save").click()
    expect(console.get_by_test_id("announce-zone").locator("option[value='Lantai 2']")).to_have_count(1)
    zones = requests.get(server.url + "/api/manage/zones", headers=manager, timeout=5).json()
    assert zones["counters"] == {"7": "Lantai 2"} and zones["profiles"] == {"TV-atas": "Lantai 2"}

    console.get_by_test_id("announce-text").fill("Lantai dua tutup sebentar")
    console.get_by_test_id("announce-zone").select_option("Lantai 2")
    console.get_by_test_id("announce-send").click()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        audit = requests.get(server.url + "/api/manage/audit", headers=manager, timeout=5).json()["entries"]
        said = [e["detail"] for e in audit if e["action"] == "announce"]
        if said:
            break
        time.sleep(0.1)
    assert said == [{"text": "Lantai dua tutup sebentar", "zone": "Lantai 2"}]

    # the daily schedule has its zone too
    console.get_by_test_id("schedule-at").fill("12.00")
    console.get_by_test_id("schedule-text").fill("Lantai dua istirahat siang")
    console.get_by_test_id("schedule-zone").select_option("Lantai 2")
    console.get_by_test_id("schedule-add").click()
    expect(console.get_by_test_id("schedule-table")).to_contain_text("Lantai 2")
    schedule = requests.get(server.url + "/api/manage/schedule", headers=manager, timeout=5).json()["schedule"]
    assert [(a["text"], a["zone"]) for a in schedule] == [("Lantai dua istirahat siang", "Lantai 2")]

    console.get_by_test_id("lexicon-delete-0").click()
    expect(console.locator("#lexicon-rows tr[data-written]")).to_have_count(0)
