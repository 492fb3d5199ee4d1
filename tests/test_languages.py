"""One language per answer, the reader's (issue 14, item 2).

Every API error path this module can reach is called twice, with Accept-Language: id and with
Accept-Language: en, against a real server process; each answer must be in one language only:
no "Indonesian. / English." joins, no common Indonesian words in the English answer, no common
English words in the Indonesian one. Pages follow ?lang, the `lang` cookie, then Accept-Language.
The gettext catalog (signage/translations) is checked too: every msgid translated, none fuzzy,
the same placeholders, the .pot current with the code, the .mo current with the .po.
"""
from __future__ import annotations

import copy
import re
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from babel.messages import mofile, pofile

from signage.hall import WEEKDAYS
from support import ROOT, ServerProcess

TRANSLATIONS = ROOT / "signage" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
POT = TRANSLATIONS / "messages.pot"

# Words that give a sentence away. Not names: the hall's own names (agencies, counters) are data
# and are taken out of an answer before it is looked at.
INDONESIAN = {"tidak", "harus", "silakan", "loket", "layanan", "antrian", "jam", "hanya", "sudah",
              "belum", "dan", "atau", "yang", "wajib", "tanggal", "bukan", "untuk", "dari", "dengan",
              "kosong", "teks", "berkas", "diisi", "dikenal", "ada", "objek", "daftar", "nama",
              "permintaan", "coba", "lagi", "kesalahan", "masuk", "diizinkan", "ditemukan", "buka",
              "tutup", "hari", "kios", "pengelola", "instansi", "paling", "panjang", "karakter"}
ENGLISH = {"the", "must", "please", "cannot", "unknown", "required", "should", "only", "not",
           "too", "invalid", "already", "does", "is", "are", "found", "allowed", "request",
           "requests", "forbidden", "authentication", "error", "body", "again", "closed", "nobody", "waiting", "opening", "hours", "and", "or", "of", "with"}


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)}


def one_language(text: str, lang: str, data_names: list[str]) -> list[str]:
    """What in `text` is not in `lang` (empty: nothing)."""
    for name in sorted(data_names, key=len, reverse=True):
        text = text.replace(name, " ")
    # the API's own identifiers are neither language: 'service', {"hidden": [...]}, role: ..., a_b
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\{[^}]*\}|\[[^\]]*\]|\w*_\w*", " ", text)
    text = re.sub(r"^[a-z/]+:", " ", text)
    problems = []
    if re.search(r"[.!?)]\s+/\s+[A-Z]", text):
        problems.append("an 'Indonesian. / English.' join")
    stray = words(text) & (INDONESIAN if lang == "en" else ENGLISH)
    if stray:
        problems.append(f"{'Indonesian' if lang == 'en' else 'English'} words {sorted(stray)}")
    return problems


# ---- a real server, a few credentials ----------------------------------------------------------
@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("languages")
    server = ServerProcess(tmp / "lang.db", extra_args=("--audio-dir", str(tmp / "audio"))).start()
    server.manager = server.token("manager")
    server.counter = server.token("counter", counter=1)
    server.add_user("petugas1", "rahasia-panjang-1", "staff", counters=(1,))
    server.staff = server.log_in("petugas1", "rahasia-panjang-1")
    services = requests.get(server.url + "/api/services", timeout=10).json()["services"]
    counters = requests.get(server.url + "/api/counters", timeout=10).json()
    counters = counters.get("counters", counters) if isinstance(counters, dict) else counters
    server.names = [s["name"] for s in services] + [c["name"] for c in counters] + \
        [server.url, "petugas1"]
    yield server
    server.stop()


def ask(srv, lang: str, method: str, path: str, who: str | None = "manager", **kwargs):
    headers = {"Accept-Language": "en-US,en;q=0.9" if lang == "en" else "id-ID,id;q=0.9",
               **kwargs.pop("headers", {})}
    if who == "staff":
        return srv.staff.request(method, srv.url + path, headers=headers, timeout=30, **kwargs)
    if who is not None:
        headers["Authorization"] = f"Bearer {getattr(srv, who)}"
    return requests.request(method, srv.url + path, headers=headers, timeout=30, **kwargs)


def raw(text: str) -> dict:
    return {"data": text.encode("utf-8"), "headers": {"Content-Type": "application/json"}}


def today_key() -> str:
    return WEEKDAYS[datetime.now(ZoneInfo("Asia/Makassar")).weekday()]


# (name, status, method, path, who, request kwargs): each answered once per language.
CASES = [
    ("unknown route", 404, "GET", "/api/nothing-here", None, {}),
    ("wrong method", 405, "DELETE", "/api/services", None, {}),
    ("body too large", 413, "POST", "/api/tickets", "kiosk_token", raw("{" + " " * 70_000 + "}")),
    ("form body", 415, "POST", "/api/tickets", "kiosk_token",
     {"data": "service=A", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
    ("bad JSON", 400, "POST", "/api/tickets", "kiosk_token", raw("{")),
    ("JSON not an object", 400, "POST", "/api/tickets", "kiosk_token", raw("[1]")),
    ("JSON too deep", 400, "POST", "/api/tickets", "kiosk_token", raw("[" * 30 + "]" * 30)),
    ("number out of range", 400, "POST", "/api/tickets", "kiosk_token", raw('{"n": 1e300}')),
    ("control characters", 400, "POST", "/api/tickets", "kiosk_token", raw('{"service": "A\\u0000"}')),
    ("no service", 400, "POST", "/api/tickets", "kiosk_token", {"json": {}}),
    ("priority not boolean", 400, "POST", "/api/tickets", "kiosk_token",
     {"json": {"service": "A", "priority": "ya"}}),
    ("unknown service", 400, "POST", "/api/tickets", "kiosk_token", {"json": {"service": "Z"}}),
    ("kiosk not paired", 401, "POST", "/api/tickets", None, {"json": {"service": "A"}}),
    ("no credentials", 401, "GET", "/api/manage/overview", None, {}),
    ("not a manager", 403, "GET", "/api/manage/overview", "counter", {}),
    ("no CSRF token", 400, "POST", "/api/counters/1/call-next", "staff",
     {"json": {}, "headers": {"X-CSRFToken": ""}}),
    ("nobody waiting", 409, "POST", "/api/counters/1/call-next", "counter", {"json": {}}),
    ("nothing to finish", 409, "POST", "/api/counters/1/finish", "counter", {"json": {}}),
    ("not your counter", 403, "POST", "/api/counters/2/call-next", "counter", {"json": {}}),
    ("kiosk printer without a kiosk", 401, "GET", "/api/kiosk/printer", None, {}),
    ("reprint without a kiosk", 401, "POST", "/api/kiosk/reprint", None, {"json": {}}),
    ("survey QR without a device", 401, "GET", "/api/survey/counters/1/current", None, {}),
    ("survey QR, other counter", 403, "GET", "/api/survey/counters/2/current", "counter", {}),
    ("unknown survey link", 404, "GET", "/api/survey/tickets/no-such-token", None, {}),
    ("survey answers missing", 400, "POST", "/api/survey/responses", None,
     {"json": {"token": "x", "answers": 3}}),
    ("unknown ticket link", 404, "GET", "/api/visitor/no-such-token", None, {}),
    ("cancel unknown ticket link", 404, "POST", "/api/visitor/no-such-token/cancel", None, {"json": {}}),
    ("no lock to lift", 404, "POST", "/api/manage/lockouts/lift", "manager", {"json": {"key": "user:nobody"}}),
    ("bad lock key", 400, "POST", "/api/manage/lockouts/lift", "manager", {"json": {"key": 5}}),
    ("hours: closes before opening", 400, "PUT", "/api/manage/hours", "manager",
     {"json": {"hours": {"sat": ["10:00", "09:00"]}}}),
    ("hours: bad time", 400, "PUT", "/api/manage/hours", "manager", {"json": {"hours": {"mon": ["8", "9"]}}}),
    ("hours: not an object", 400, "PUT", "/api/manage/hours", "manager", {"json": {"hours": 3}}),
    ("holidays: bad date", 400, "PUT", "/api/manage/holidays", "manager",
     {"json": {"holidays": {"30-11-2026": "Libur"}}}),
    ("service colour", 400, "PATCH", "/api/manage/services/A", "manager", {"json": {"color": "merah"}}),
    ("service quota", 400, "PATCH", "/api/manage/services/A", "manager", {"json": {"daily_limit": -1}}),
    ("service name too long", 400, "PATCH", "/api/manage/services/A", "manager", {"json": {"name": "x" * 300}}),
    ("unknown service to change", 400, "PATCH", "/api/manage/services/Z", "manager", {"json": {"name": "x"}}),
    ("counter without a name", 400, "POST", "/api/manage/counters", "manager", {"json": {"services": ["A"]}}),
    ("counter without services", 400, "POST", "/api/manage/counters", "manager",
     {"json": {"name": "Loket Baru", "services": []}}),
    ("unknown counter", 404, "PATCH", "/api/manage/counters/999", "manager", {"json": {"name": "x"}}),
    ("staff: bad username", 400, "POST", "/api/manage/staff", "manager",
     {"json": {"username": "a b", "password": "rahasia-panjang", "role": "staff", "counters": [1]}}),
    ("staff: short password", 400, "POST", "/api/manage/staff", "manager",
     {"json": {"username": "baru", "password": "x", "role": "staff", "counters": [1]}}),
    ("unknown staff", 404, "PATCH", "/api/manage/staff/999", "manager", {"json": {"active": False}}),
    ("token role", 400, "POST", "/api/manage/tokens", "manager", {"json": {"role": "raja"}}),
    ("unknown token", 404, "DELETE", "/api/manage/tokens/999", "manager", {}),
    ("running text speed", 400, "PUT", "/api/running-text", "manager", {"json": {"lines": ["a"], "speed": 5}}),
    ("hall: public tickets", 400, "PUT", "/api/manage/hall", "manager", {"json": {"public_tickets": "ya"}}),
    ("hall: skip policy", 400, "PUT", "/api/manage/hall", "manager", {"json": {"skip_policy": "x"}}),
    ("schedule: bad time", 400, "POST", "/api/manage/schedule", "manager",
     {"json": {"text": "Selamat pagi", "at": "25:99"}}),
    ("unknown schedule", 404, "DELETE", "/api/manage/schedule/999", "manager", {}),
    ("unknown media", 404, "DELETE", "/api/manage/media/999", "manager", {}),
    ("media without a file", 400, "POST", "/api/manage/media", "manager", {"data": {"title": "x"}}),
    ("announcement empty", 400, "POST", "/api/manage/announce", "manager", {"json": {"text": ""}}),
    ("speech template", 400, "PUT", "/api/manage/speech", "manager", {"json": {"template": "Nomor"}}),
    ("display profile layout", 400, "POST", "/api/manage/displays", "manager",
     {"json": {"name": "TV", "layout": "x"}}),
    ("pairing code", 404, "POST", "/api/manage/devices/pair", "manager", {"json": {"code": "12", "name": "TV"}}),
    ("device kind", 400, "POST", "/api/devices/pairing", None, {"json": {"kind": "toaster"}}),
    ("unknown device", 404, "DELETE", "/api/manage/devices/999", "manager", {}),
    ("stats range", 400, "GET", "/api/stats?from=2026-13-01&to=2026-01-01", "manager", {}),
    ("audit range", 400, "GET", "/api/manage/audit?from=2026-02-01&to=2026-01-01", "manager", {}),
    ("audit limit", 400, "GET", "/api/manage/audit?limit=0", "manager", {}),
    ("survey period", 400, "GET", "/api/survey/report?period=week", "manager", {}),
    ("survey element", 404, "PUT", "/api/survey/questions/U99", "manager", {"json": {"question": "x"}}),
    ("notify sender", 400, "PUT", "/api/manage/notify", "manager", {"json": {"sender": "pigeon"}}),
    ("visitor public url", 400, "PUT", "/api/manage/visitor", "manager", {"json": {"public_url": "ftp://x"}}),
    ("printer paper", 400, "PUT", "/api/manage/slip", "manager", {"json": {"footer": 5}}),
    ("zones", 400, "PUT", "/api/manage/zones", "manager", {"json": {"counters": {"999": "atas"}}}),
]


SAME_IN_BOTH = {"device kind", "audit limit"}   # only identifiers and numbers: "limit: 1–500."


@pytest.mark.parametrize("name, status, method, path, who, kwargs", CASES, ids=[c[0] for c in CASES])
def test_each_error_answers_in_the_readers_language(srv, name, status, method, path, who, kwargs):
    answers = {}
    for lang in ("id", "en"):
        response = ask(srv, lang, method, path, who, **copy.deepcopy(kwargs))
        assert response.status_code == status, (lang, response.status_code, response.text)
        assert response.headers["Content-Type"].startswith("application/json"), response.text
        answers[lang] = response.json()["error"]
        assert isinstance(answers[lang], str) and answers[lang], response.text
        assert not one_language(answers[lang], lang, srv.names), (lang, answers[lang],
                                                                one_language(answers[lang], lang, srv.names))
    if name not in SAME_IN_BOTH:
        assert answers["id"] != answers["en"], answers   # the English reader got English


def test_rate_limited_and_closed_service_in_both_languages(srv):
    """429 (public tickets: a few per address) and a ticket for a service closed today."""
    try:
        assert ask(srv, "id", "PUT", "/api/manage/hall", json={"public_tickets": True}).status_code == 200
        answers = {}
        for attempt in range(6):
            lang = "id" if attempt % 2 == 0 else "en"
            response = ask(srv, lang, "POST", "/api/tickets", None, json={"service": "B"})
            if response.status_code == 429:
                answers[lang] = response.json()["error"]
        assert set(answers) == {"id", "en"}, answers
        for lang, text in answers.items():
            assert not one_language(text, lang, srv.names), (lang, text)
        assert answers["id"] != answers["en"]
    finally:
        ask(srv, "id", "PUT", "/api/manage/hall", json={"public_tickets": False})

    hours = {day: ["00:00", "24:00"] for day in WEEKDAYS if day != today_key()}
    changed = ask(srv, "id", "PATCH", "/api/manage/services/C", json={"hours": hours})
    assert changed.status_code == 200, changed.text
    try:
        answers = {}
        for lang in ("id", "en"):
            response = ask(srv, lang, "POST", "/api/tickets", "kiosk_token", json={"service": "C"})
            assert response.status_code == 409, response.text
            answers[lang] = response.json()["error"]
            assert not one_language(answers[lang], lang, srv.names), (lang, answers[lang])
        assert answers["en"].endswith("Closed today"), answers
        assert answers["id"].endswith("Tutup hari ini"), answers
        # the kiosk's list says why too, in the reader's language
        for lang, reason in (("id", "Tutup hari ini"), ("en", "Closed today")):
            listed = ask(srv, lang, "GET", "/api/services", None).json()["services"]
            assert next(s for s in listed if s["code"] == "C")["closed_reason"] == reason
    finally:
        ask(srv, "id", "PATCH", "/api/manage/services/C", json={"hours": None})


def test_explicit_choice_wins_over_accept_language(srv):
    """?lang= and the pages' cookie are the reader's choice; Accept-Language comes after."""
    english = ask(srv, "id", "GET", "/api/nothing?lang=en", None).json()["error"]
    assert english == "Not found."
    cookie = ask(srv, "en", "GET", "/api/nothing", None, cookies={"lang": "id"}).json()["error"]
    assert cookie == "Tidak ditemukan."
    default = requests.get(srv.url + "/api/nothing", timeout=10,
                           headers={"Accept-Language": "fr-FR"}).json()["error"]
    assert default == "Tidak ditemukan."
    for header, expected in (("id-ID,en;q=0.8", "Tidak ditemukan."), ("en-GB", "Not found."),
                             ("fr-FR,en;q=0.5", "Not found."), ("in-ID", "Tidak ditemukan.")):
        answer = requests.get(srv.url + "/api/nothing", timeout=10, headers={"Accept-Language": header})
        assert answer.json()["error"] == expected, header   # by primary tag, in the reader's order


def test_pages_follow_the_reader(srv):
    for lang, expected, other in (("id", "Masuk Petugas", "Staff Log-in"), ("en", "Staff Log-in", "Masuk Petugas")):
        page = ask(srv, lang, "GET", "/login", None)
        assert page.status_code == 200 and expected in page.text and other not in page.text
        assert f'<html lang="{lang}"' in page.text
    chosen = requests.get(srv.url + "/login?lang=en", timeout=10, headers={"Accept-Language": "id"})
    assert "Staff Log-in" in chosen.text and chosen.cookies.get("lang") == "en"
    kept = requests.get(srv.url + "/login", timeout=10, cookies={"lang": "en"}, headers={"Accept-Language": "id"})
    assert "Staff Log-in" in kept.text
    # public screens speak Indonesian whatever their browser says, unless told otherwise
    display = ask(srv, "en", "GET", "/display", None)
    assert '<html lang="id"' in display.text
    assert '<html lang="en"' in ask(srv, "en", "GET", "/display?lang=en", None).text
    # a wrong password, said in the page's language
    for lang, expected in (("id", "Nama pengguna atau kata sandi salah."), ("en", "Wrong username or password.")):
        session = requests.Session()
        form = session.get(srv.url + "/login", headers={"Accept-Language": lang}, timeout=10).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        refused = session.post(srv.url + "/login", headers={"Accept-Language": lang}, timeout=10,
                               data={"username": "petugas1", "password": "salah-sekali", "csrf_token": token})
        assert refused.status_code == 401 and expected in refused.text, refused.text[-2000:]
    # a page the server does not have: a plain page in the reader's language
    for lang, expected in (("id", "Tidak ditemukan."), ("en", "Not found.")):
        missing = ask(srv, lang, "GET", "/no-such-page", None)
        assert missing.status_code == 404 and expected in missing.text


# ---- the catalog ---------------------------------------------------------------------------------
def _catalog(path):
    with open(path, "rb") as f:
        return pofile.read_po(f)


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\((\w+)\)s", text))


def test_every_msgid_has_an_english_translation():
    catalog = _catalog(PO)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
    wrong = [(m.id, m.string) for m in catalog if m.id and _placeholders(m.id) != _placeholders(m.string)]
    assert not wrong, wrong
    joined = [m.id for m in catalog if m.id and re.search(r"[.!?]\s+/\s+[A-Z]", m.id)]
    assert not joined, joined   # an msgid is one Indonesian sentence, not "id. / en."


def test_catalog_is_current_with_the_code(tmp_path):
    """bin/translations extract would change nothing; the .po has every msgid; the .mo is the .po."""
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "--no-default-keywords", "-k", "N_", "-k", "NC_:1c,2", "-o", str(fresh), "signage"],
                   cwd=ROOT, check=True, capture_output=True)
    ids = lambda catalog: {(m.context, m.id) for m in catalog if m.id}   # noqa: E731
    in_code, in_pot, in_po = ids(_catalog(fresh)), ids(_catalog(POT)), ids(_catalog(PO))
    assert in_code == in_pot, ("run bin/translations", sorted(in_code ^ in_pot, key=str)[:20])
    assert in_pot <= in_po, ("run bin/translations", sorted(in_pot - in_po, key=str)[:20])
    with open(MO, "rb") as f:
        compiled = {(m.context, m.id): m.string for m in mofile.read_mo(f) if m.id}
    written = {(m.context, m.id): m.string for m in _catalog(PO) if m.id and not m.fuzzy}
    assert compiled == written, "run bin/translations compile"


def test_page_words_live_in_the_catalog():
    """The pages' words are msgids (not hand-written pairs) and come out in both languages."""
    from signage.messages import Message
    from signage.web.i18n import STRINGS, strings
    from signage.web.visitor import WORDS
    pairs = {k: v for k, v in {**STRINGS, **WORDS}.items() if not isinstance(v, Message)}
    assert not pairs, f"move these to N_(...) and the catalog (bin/translations): {sorted(pairs)[:10]}"
    english, indonesian = strings("en"), strings("id")
    assert english["kiosk_title"] == "Take a Queue Number" and indonesian["kiosk_title"] == "Ambil Nomor Antrian"
    assert english.keys() == indonesian.keys() == STRINGS.keys()


# ---- the live connection: why a Socket.IO connection is refused ----------------------------------
def _refusal(url: str, namespace: str, **connect) -> str:
    """The connect_error message a Socket.IO client gets when `namespace` refuses it."""
    import socketio
    reasons = []
    client = socketio.Client(reconnection=False)
    client.on("connect_error", lambda data=None: reasons.append((data or {}).get("message")),
              namespace=namespace)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(url, namespaces=[namespace], transports=["websocket"], wait_timeout=5, **connect)
    client.disconnect()
    assert reasons, namespace
    return reasons[0]


def test_socketio_refusals_in_the_readers_language(srv, tmp_path):
    """The handshake chooses as HTTP does: ?lang in the Socket.IO URL, the lang cookie, else
    Accept-Language. A phone's unknown ticket link (/ticket, web/visitor.py) ..."""
    bad = {"auth": {"token": "x" * 32}}
    assert _refusal(srv.url, "/ticket", headers={"Accept-Language": "en-US,en;q=0.9"}, **bad) == \
        "Unknown ticket link."
    assert _refusal(srv.url, "/ticket", headers={"Accept-Language": "id-ID,id;q=0.9"}, **bad) == \
        "Tautan tiket tidak dikenal."
    assert _refusal(srv.url + "?lang=id", "/ticket", headers={"Accept-Language": "en"}, **bad) == \
        "Tautan tiket tidak dikenal."
    assert _refusal(srv.url, "/ticket", headers={"Cookie": "lang=en", "Accept-Language": "id"}, **bad) == \
        "Unknown ticket link."
    # ... and one address over its limit on the screens' namespace (/display, realtime.py).
    import socketio
    limited = ServerProcess(tmp_path / "limited.db", extra_args=("--max-connections-per-address", "1")).start()
    held = socketio.Client(reconnection=False)
    try:
        held.connect(limited.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
        assert _refusal(limited.url + "?lang=en", "/display") == \
            "Too many connections from this address. Please try again in a moment."
        assert _refusal(limited.url, "/display", headers={"Accept-Language": "id"}) == \
            "Terlalu banyak sambungan dari alamat ini. Coba lagi sebentar."
    finally:
        held.disconnect()
        limited.stop()


# ---- in-process: the marker, dates, times and numbers ---------------------------------------------
def test_marked_messages_stay_indonesian_until_shown():
    """N_ text is the Indonesian sentence for logs, the CLI and str(exc); translated where shown."""
    from signage.hall import validate_hours
    from signage.messages import N_, in_language
    with pytest.raises(ValueError) as caught:
        validate_hours({"sat": ["10:00", "09:00"]})
    message = N_("Jam layanan: %(exc)s", exc=str(caught.value))
    assert message == "Jam layanan: jam Sabtu: tutup harus setelah buka"
    assert in_language(message, "en") == "Opening hours: hours of Saturday: closing must be after opening"
    assert in_language(str(message), "id") == message
    assert in_language("Tidak ditemukan.", "en") == "Not found."       # plain catalog text too
    assert in_language("Loket 7 (nama data)", "en") == "Loket 7 (nama data)"   # unknown: as it is


def test_fixed_words_of_the_survey_kiosk_and_estimate_come_from_the_catalog():
    """No hand-written (id, en) twins left in the server: profile words, element labels, IKM
    kinerja, the estimate and when a service opens are msgids with English in the catalog."""
    from datetime import datetime, timezone
    from signage.estimate import Estimate
    from signage.queue.opening import describe
    from signage.survey.ikm import grade
    from signage.survey.questionnaire import element_view
    from signage.web.survey import _profile_words
    english, indonesian = _profile_words("en"), _profile_words("id")
    assert (english[0]["label"], english[0]["options"][0]) == ("Gender", ["L", "Male"])
    assert (indonesian[0]["label"], indonesian[0]["options"][0]) == ("Jenis kelamin", ["L", "Laki-laki"])
    assert element_view("persyaratan", None, "en")["label"] == "Requirements"
    assert element_view("persyaratan", None, "id")["label"] == "Persyaratan"
    assert (grade("90").kinerja, grade("90").kinerja_en) == ("Sangat Baik", "Very good")
    wait = Estimate(10, 15, "today", 12.0)
    assert (wait.text, wait.text_en) == ("sekitar 10–15 menit", "about 10–15 minutes")
    moment = datetime(2026, 5, 4, 0, 0, tzinfo=timezone.utc)          # 08.00 WITA, a Monday in May
    assert describe(moment, "Asia/Makassar") == "Senin, 4 Mei, pukul 08.00 WITA"
    assert describe(moment, "Asia/Makassar", "en") == "Monday 4 May, 08:00 WITA"


def test_dates_times_and_numbers_in_the_readers_locale():
    from datetime import date, time
    from signage.web.language import format_clock, format_day, format_number
    assert format_day(date(2026, 11, 30), "id") == "Senin, 30 November 2026"
    assert format_day(date(2026, 11, 30), "en") == "Monday, 30 November 2026"
    assert format_clock(time(8, 0), "id") == "08.00" and format_clock(time(8, 0), "en") == "08:00"
    assert format_number(1234, "id") == "1.234" and format_number(1234, "en") == "1,234"


def test_no_browser_language_date_inputs():
    """Date fields are text fields DD-MM-YYYY (Live.dateFields), not the browser's <input type=date>."""
    for folder, pattern in (("templates", "*.html"), ("static/js", "*.js")):
        for path in (ROOT / folder).glob(pattern):
            text = path.read_text("utf-8")
            assert not re.search(r"""type=["']?(date|time|datetime-local)\b|type\s*=\s*['"](date|time)['"]""", text), path
