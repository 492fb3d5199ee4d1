"""Issue 10 through a real server: the call leaves before its audio and the /audio route waits
for a clip being made; speaker zones (API, events, display pages); the `speaking` relay; the
pronunciation list and rush settings through the manager's API."""
from __future__ import annotations

import time

import requests

from support import DisplayClient


def _put_zones(server, headers, body):
    return requests.put(server.url + "/api/manage/zones", json=body, headers=headers, timeout=5)


def test_zones_need_a_manager_and_refuse_bad_input_in_indonesian(make_server):
    server = make_server()
    manager = server.headers(server.token("manager"))
    assert requests.get(server.url + "/api/manage/zones", timeout=5).status_code == 401
    assert _put_zones(server, {}, {"counters": {"1": "Lantai 2"}}).status_code == 401
    counter = server.headers(server.token("counter", 1))
    assert _put_zones(server, counter, {"counters": {"1": "Lantai 2"}}).status_code == 403
    # a hall database from before zones: everything is in the main zone
    assert requests.get(server.url + "/api/manage/zones", headers=manager, timeout=5).json() == \
        {"counters": {}, "profiles": {}, "zones": [""]}
    for bad, word in (({}, "zona"), ({"counters": {"99": "Lantai 2"}}, "Loket tidak dikenal"),
                      ({"counters": {"1": 5}}, "teks"), ({"counters": {"1": "x" * 41}}, "nama zona"),
                      ({"counters": {"1": "<b>"}}, "nama zona"), ({"profiles": {"nope": "A"}}, "Profil"),
                      ({"counters": []}, "objek"), ({"lantai": {}}, "zona")):
        answer = _put_zones(server, manager, bad)
        assert answer.status_code == 400 and word in answer.json()["error"], (bad, answer.text)
    for bad in ({"text": "Halo", "zone": 3}, {"text": "Halo", "zone": "x" * 41}):
        answer = requests.post(server.url + "/api/manage/announce", json=bad, headers=manager, timeout=5)
        assert answer.status_code == 400 and "zona" in answer.json()["error"]


def test_each_call_and_announcement_carries_its_zone_and_the_display_page_its_speaker_zone(make_server):
    server = make_server()
    manager = server.headers(server.token("manager"))
    requests.post(server.url + "/api/manage/displays", json={"name": "TV-atas", "sound": True},
                  headers=manager, timeout=5).raise_for_status()
    saved = _put_zones(server, manager, {"counters": {"7": " Lantai  2 "}, "profiles": {"TV-atas": "Lantai 2"}})
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"counters": {"7": "Lantai 2"}, "profiles": {"TV-atas": "Lantai 2"},
                            "zones": ["", "Lantai 2"]}
    page = requests.get(server.url + "/display?profile=TV-atas", timeout=5).text
    assert 'data-zone="Lantai 2"' in page
    assert 'data-zone="Ruang B"' in requests.get(server.url + "/display?zone=Ruang%20B", timeout=5).text
    assert 'data-zone=""' in requests.get(server.url + "/display?speaker=1", timeout=5).text

    display = DisplayClient(server.url)
    display.listen("announce")
    try:
        display.wait_for(lambda d: d.states)
        server.issue("F")
        server.issue("A")
        for counter in (7, 1):
            requests.post(f"{server.url}/api/counters/{counter}/call-next", timeout=5,
                          headers=server.headers(server.token("counter", counter))).raise_for_status()
        requests.post(server.url + "/api/manage/announce", json={"text": "Lantai dua tutup", "zone": "Lantai 2"},
                      headers=manager, timeout=5).raise_for_status()
        requests.post(server.url + "/api/manage/announce", json={"text": "Selamat pagi"},
                      headers=manager, timeout=5).raise_for_status()
        display.wait_for(lambda d: sum(e["type"] in ("called", "announce") for e in d.events) == 4)
        spoken = [(e.get("ticket") or e["message"], e["zone"]) for e in display.events
                  if e["type"] in ("called", "announce")]
        assert spoken == [("F001", "Lantai 2"), ("A001", ""), ("Lantai dua tutup", "Lantai 2"),
                          ("Selamat pagi", None)]
        # both zones were quiet: each zone's first call chimes, whatever the other zone does
        assert [e["chime"] for e in display.events if e["type"] == "called"] == [True, True]
    finally:
        display.close()


def test_the_call_leaves_before_its_clip_and_the_audio_route_waits_for_it(make_server):
    """A 200 on the clip's URL, even when asked the moment the event arrives; a name nobody is
    making is a 404 at once."""
    server = make_server()
    display = DisplayClient(server.url)
    try:
        display.wait_for(lambda d: d.states)
        for code in "ABCDE":
            server.issue(code)
        for counter in range(1, 6):
            requests.post(f"{server.url}/api/counters/{counter}/call-next", timeout=5,
                          headers=server.headers(server.token("counter", counter))).raise_for_status()
        display.wait_for(lambda d: sum(e["type"] == "called" for e in d.events) == 5)
        for call in (e for e in display.events if e["type"] == "called"):
            assert "duration" not in call and call["audio"].startswith("/audio/cache/")
            answer = requests.get(server.url + call["audio"], timeout=10)
            assert answer.status_code == 200 and answer.content[:4] == b"RIFF"
        started = time.monotonic()
        assert requests.get(server.url + "/audio/cache/" + "0" * 32 + ".wav", timeout=5).status_code == 404
        assert time.monotonic() - started < 1
        assert requests.get(server.url + "/audio/cache/../../etc/passwd", timeout=5).status_code == 404
    finally:
        display.close()


def test_a_paired_speakers_speaking_report_is_relayed_to_every_screen(make_server):
    server = make_server()
    speaker = DisplayClient(server.url, device=server.pair_device("display", "TV-lobi"))
    stranger = DisplayClient(server.url)                     # an unpaired page: not relayed
    screen = DisplayClient(server.url)
    heard = []
    screen.client.on("speaking", lambda data: heard.append(data), namespace="/display")
    try:
        for client in (speaker, stranger, screen):
            client.wait_for(lambda d: d.states)
        stranger.client.emit("speaking", {"seq": 99, "waiting": [], "zone": ""}, namespace="/display")
        for bad in ({"seq": "x", "waiting": []}, {"seq": 5, "waiting": "y"}, {"seq": 5, "waiting": [0]},
                    {"seq": 5, "waiting": [], "zone": 7}):
            speaker.client.emit("speaking", bad, namespace="/display")
        speaker.client.emit("speaking", {"seq": 7, "waiting": [8, 9], "zone": "Lantai 2"}, namespace="/display")
        deadline = time.monotonic() + 5
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        assert heard == [{"zone": "Lantai 2", "now": 7, "waiting": [8, 9]}]
        assert "seq" not in heard[0]           # not an event of the hall's history (live.js)
    finally:
        for client in (speaker, stranger, screen):
            client.close()


def test_pronunciation_list_and_rush_settings_through_the_console_api(make_server):
    server = make_server()
    manager = server.headers(server.token("manager"))
    put = requests.put(server.url + "/api/manage/speech", headers=manager, timeout=5,
                       json={"lexicon": [{"written": "Dukcapil", "spoken": "duk capil"}],
                             "rush_short_after": 3, "rush_rate": 1.1})
    assert put.status_code == 200, put.text
    assert put.json()["lexicon"] == [{"written": "Dukcapil", "spoken": "duk capil"}]
    assert (put.json()["rush_short_after"], put.json()["rush_fast_after"], put.json()["rush_rate"]) == (3, 1, 1.1)
    for bad in ({"lexicon": [{"written": "KIA", "spoken": "k1a"}]}, {"lexicon": "KIA"},
                {"rush_rate": 3}, {"rush_short_after": 0}):
        answer = requests.put(server.url + "/api/manage/speech", json=bad, headers=manager, timeout=5)
        assert answer.status_code == 400 and answer.json()["error"], bad
    sample = requests.post(server.url + "/api/manage/speech/sample", json={"text": "Dukcapil & KIA"},
                           headers=manager, timeout=10)
    assert sample.status_code == 200 and sample.json()["text"] == "duk capil dan ka i a"
    assert requests.get(server.url + sample.json()["audio"], timeout=5).status_code == 200
    trial = requests.post(server.url + "/api/manage/speech/sample", headers=manager, timeout=10,
                          json={"text": "Dukcapil", "lexicon": [{"written": "Dukcapil", "spoken": "capil"}]})
    assert trial.json()["text"] == "capil"
    bad = requests.post(server.url + "/api/manage/speech/sample", headers=manager, timeout=5,
                        json={"text": "Dukcapil", "lexicon": [{"written": "Dukcapil", "spoken": "9"}]})
    assert bad.status_code == 400 and "ucapan" in bad.json()["error"]
    assert requests.post(server.url + "/api/manage/speech/sample", json={"text": "x"},
                         timeout=5).status_code == 401
