"""Bad input that used to be a 500 (or worse, stored, and then a 500 on every page) is a 4xx JSON
error with a clear message, and changes nothing. Against a real server process."""
from __future__ import annotations

import random
import re

import pytest
import requests

from signage.web.converters import MAX_ID, up_to
from support import ServerProcess

NAME = "MPP Uji Masukan"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad-input")
    server = ServerProcess(tmp / "bad.db", extra_args=("--audio-dir", str(tmp / "audio"))).start()
    server.manager = server.token("manager")
    server.counter = server.token("counter", counter=1)
    assert call(server, "PUT", "/api/manage/hall", json={"name": NAME}).status_code == 200
    yield server
    server.stop()


def call(srv, method, path, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {srv.manager}", **kwargs.pop("headers", {})}
    return requests.request(method, srv.url + path, headers=headers, timeout=30, **kwargs)


def raw_json(srv, method, path, text: str) -> requests.Response:
    """Send exactly this JSON text (requests' json= would not send every one of these)."""
    return call(srv, method, path, data=text.encode("utf-8"), headers={"Content-Type": "application/json"})


def hall_as_seen(srv) -> dict:
    """What a change would show in: settings, counters, schedule, staff, media, the audit log
    (every change is logged there, agencies too)."""
    return {path: call(srv, "GET", path).json() for path in
            ("/api/manage/settings", "/api/counters", "/api/manage/schedule", "/api/manage/staff",
             "/api/media", "/api/manage/audit")}


def assert_refused(response: requests.Response, status: int = 400, fragment: str = "") -> str:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    message = response.json()["error"]
    assert isinstance(message, str) and message and fragment in message, message
    return message


@pytest.fixture
def unchanged(srv):
    """The hall before == the hall after, and every page still answers."""
    before = hall_as_seen(srv)
    yield
    assert hall_as_seen(srv) == before
    assert before["/api/manage/settings"]["hall_name"] == NAME
    state = requests.get(srv.url + "/api/state", timeout=10)
    assert state.status_code == 200 and state.json()["hall"]["name"] == NAME
    for page in ("/kiosk", "/display", "/login"):
        response = requests.get(srv.url + page, timeout=10)
        assert response.status_code == 200 and NAME in response.text, page


# ---- a lone surrogate or a control character in any JSON text ----------------------------------
# "\ud800" is legal JSON but no UTF-8 can carry it: stored once as the hall's name, every page
# that shows the name answered 500. NUL and other controls break CSV exports and terminals.
@pytest.mark.parametrize("method, path, body", [
    ("PUT", "/api/manage/hall", '{"name": "MPP \\ud800"}'),
    ("PUT", "/api/manage/hall", '{"name": "\\udfff"}'),
    ("PUT", "/api/manage/hall", '{"\\ud800": 1, "name": "Baik"}'),         # in a key
    ("PUT", "/api/manage/hall", '{"name": "MPP\\u0000Kupang"}'),
    ("PUT", "/api/manage/hall", '{"name": "MPP\\u001bKupang"}'),
    ("PUT", "/api/manage/hall", '{"name": "MPP\\u0085Kupang"}'),
    ("PUT", "/api/running-text", '{"lines": ["Selamat datang", "\\ud83d"]}'),
    ("POST", "/api/manage/services", '{"code": "Z", "name": "Dinas \\ud800"}'),
    ("PATCH", "/api/manage/counters/1", '{"name": "Loket \\udc00"}'),
    ("PUT", "/api/manage/holidays", '{"holidays": {"2030-01-01": "Tahun \\ud800"}}'),
    ("POST", "/api/manage/schedule", '{"text": "Istirahat \\ud800", "at": "12:00"}'),
    ("POST", "/api/manage/staff", '{"username": "siti", "password": "rahasia-siti", "full_name": "S\\u0000"}'),
    ("POST", "/api/manage/services/A/close", '{"reason": "Gangguan \\ud800"}'),
])
def test_text_with_surrogates_or_control_characters_is_refused(srv, unchanged, method, path, body):
    assert_refused(raw_json(srv, method, path, body), fragment="karakter yang tidak sah")


def test_tab_and_newline_are_still_text(srv):
    response = raw_json(srv, "POST", "/api/manage/speech/sample",
                        '{"template": "Nomor\\t{nomor},\\nke {loket}."}')
    assert response.status_code == 200, response.text


def test_a_control_character_in_a_multipart_field_is_refused(srv, unchanged):
    response = call(srv, "POST", "/api/manage/media", files={"file": ("a.png", b"\x89PNG\r\n\x1a\n")},
                    data={"title": "Poster\x00"})
    assert_refused(response, fragment="karakter yang tidak sah")


# ---- JSON nested deeper than anyone means ------------------------------------------------------
@pytest.mark.parametrize("body", [
    '{"name": ' + "[" * 20 + "]" * 20 + "}",         # 21 levels
    '{"name": ' + "[" * 3000 + "]" * 3000 + "}",     # the parser itself gave up: RecursionError
    '{"a":' * 10_000 + "1" + "}" * 10_000,            # objects, 60 kB
], ids=["21", "3000", "objects-10000"])
def test_deep_json_is_refused(srv, unchanged, body):
    """3000 levels made the parser raise RecursionError (a 500); past 20 nothing is meant."""
    assert_refused(raw_json(srv, "PUT", "/api/manage/hall", body), fragment="bersarang")


def test_twenty_levels_still_parse(srv):
    """The limit is on nesting, not on JSON: 20 levels reach the field check, which says why."""
    nested = "[" * 19 + '"x"' + "]" * 19
    message = assert_refused(raw_json(srv, "PUT", "/api/manage/hall", '{"name": ' + nested + "}"))
    assert "bersarang" not in message and "Nama MPP" in message


@pytest.mark.parametrize("body", ["null", "[]", '"hall"', "12", "{", '{"name": NaN}',
                                  '{"name": "x", "skip_policy": Infinity}'])
def test_a_body_that_is_no_json_object_is_refused(srv, unchanged, body):
    assert_refused(raw_json(srv, "PUT", "/api/manage/hall", body))


# ---- ids past what the database holds ----------------------------------------------------------
BIG = [2**31, 2**63 - 1, 2**63, 2**64 + 5, 10**30]


@pytest.mark.parametrize("big", BIG)
@pytest.mark.parametrize("method, path", [
    ("GET", "/api/counters/{}"), ("PATCH", "/api/manage/counters/{}"), ("PATCH", "/api/manage/staff/{}"),
    ("DELETE", "/api/manage/schedule/{}"), ("DELETE", "/api/manage/media/{}"),
    ("POST", "/api/counters/{}/call-next"),
    ("DELETE", "/api/manage/devices/{}"),   # a path with two methods: 404, not 405 for the other
])
def test_an_id_past_the_database_is_a_plain_404(srv, unchanged, method, path, big):
    """2**63 in a URL made SQLite raise OverflowError (a 500); the URL names no row: 404."""
    kwargs = {"json": {"name": "Loket X"}} if method == "PATCH" else {}
    assert_refused(call(srv, method, path.format(big), **kwargs), 404, "Tidak ditemukan")


@pytest.mark.parametrize("part", ["0", "01", "١", "-1", "1.0", "1e3", "9" * 5000])
def test_ids_are_plain_positive_digits(srv, part):
    assert_refused(call(srv, "GET", f"/api/counters/{part}"), 404)


def test_the_id_pattern_is_exactly_one_to_2_31_minus_1():
    rng = random.Random(7)
    pattern = re.compile(up_to(MAX_ID) + r"\Z")
    numbers = [0, 1, 9, 10, 99, 100, MAX_ID - 1, MAX_ID, MAX_ID + 1, 2**32, 10**10, 10**9 - 1, 10**9]
    numbers += [rng.randrange(0, 2**33) for _ in range(5000)] + [rng.randrange(0, 10**4) for _ in range(500)]
    assert [n for n in numbers if bool(pattern.match(str(n))) != (1 <= n <= MAX_ID)] == []
    assert not pattern.match("01") and not pattern.match("١")


@pytest.mark.parametrize("body", [{"name": "Siti", "counters": [2**63]},
                                  {"username": "siti", "password": "rahasia-siti", "counters": [2**64]}])
def test_a_number_past_what_json_readers_hold_is_refused(srv, unchanged, body):
    path = "/api/manage/staff/1" if "name" in body else "/api/manage/staff"
    response = call(srv, "PATCH" if "name" in body else "POST", path, json=body)
    assert_refused(response, fragment="Angka di luar batas")


# ---- wrong types where the code assumed text --------------------------------------------------
@pytest.mark.parametrize("body, fragment", [
    ({"template": True}, "Templat harus teks"), ({"template": ["{nomor}"]}, "Templat harus teks"),
    ({"template": {"a": 1}}, "Templat harus teks"), ({"style": {}}, "Gaya angka"),
    ({"style": 5}, "Gaya angka"),
])
def test_speech_sample_with_a_wrong_type_is_refused(srv, unchanged, body, fragment):
    assert_refused(call(srv, "POST", "/api/manage/speech/sample", json=body), fragment=fragment)


@pytest.mark.parametrize("days", [[{}], [["mon"]], ["mon", {"x": 1}], "mon"])
def test_schedule_days_of_the_wrong_type_are_refused(srv, unchanged, days):
    """Found by the fuzzer: a dict among the days made set() raise TypeError (a 500)."""
    response = call(srv, "POST", "/api/manage/schedule", json={"text": "Istirahat", "at": "12:00",
                                                                 "days": days})
    assert_refused(response, fragment="days")


def test_a_bad_request_id_is_refused_even_beside_a_good_header(srv, unchanged):
    """Found by the fuzzer: the header was used and the bad body field never looked at."""
    response = requests.post(srv.url + "/api/counters/1/pause", json={"request_id": "x" * 101}, timeout=10,
                             headers={"Authorization": f"Bearer {srv.counter}", "Idempotency-Key": "k1"})
    assert_refused(response, fragment="request_id")


# ---- methods and paths the API does not have ---------------------------------------------------
@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/api/state", {"GET"}), ("PUT", "/api/tickets", {"POST"}),
    ("POST", "/api/manage/staff/1", {"PATCH"}), ("GET", "/api/manage/schedule/1", {"DELETE"}),
    ("PATCH", "/api/manage/staff", {"GET", "POST"}),
])
def test_405_says_which_methods_are_allowed(srv, unchanged, method, path, allowed):
    response = call(srv, method, path)
    assert_refused(response, 405, "Metode tidak diizinkan")
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_an_unknown_api_path_is_a_json_404(srv):
    assert_refused(call(srv, "GET", "/api/nothing-here"), 404, "Tidak ditemukan")


def test_a_body_that_is_not_json_is_a_json_415(srv, unchanged):
    response = call(srv, "PUT", "/api/manage/hall", data="name=x",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_refused(response, 415)
