"""Statistics a manager hands in (issue 14): per-counter counts that add up on a day with
transfers, the Excel workbook and the `;` CSV files, and the audit log as sentences in the
reader's language with its filters. A scripted day in the process (every figure checked by hand), then a real
server on 127.0.0.1 for the API routes."""
from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from signage.audit_sentences import KNOWN_ACTIONS, Names, sentence
from signage.hall import load_hall
from signage.messages import Message, in_language
from signage.service import HallService
from signage.stats_export import COUNTER_RULE, build_tables, to_csv, to_xlsx
from signage.store import Database
from support import HallDayClock as Clock, ServerProcess, signage_cli

DAY = date(2026, 11, 30)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """Loket 1 serves A, Loket 2 serves B; Loket 2 sends both its tickets on to A."""
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('stats') / 'day.db'}")
    db.create_all()
    clock = Clock()
    hall = HallService(db, clock=clock)
    hall.seed(load_hall())
    l1, l2 = 1, 2
    script = [
        ("08:00", lambda: hall.issue_ticket("A")),                          # A001
        ("08:01", lambda: hall.issue_ticket("A")),                          # A002
        ("08:02", lambda: hall.issue_ticket("B")),                          # B001
        ("08:03", lambda: hall.issue_ticket("B")),                          # B002
        ("08:05", lambda: hall.counter_action(l1, "call-next")),            # A001 waited 5 min
        ("08:05", lambda: hall.counter_action(l2, "call-next")),            # B001 waited 3 min
        ("08:07", lambda: hall.counter_action(l2, "transfer", service_code="A")),
        ("08:08", lambda: hall.counter_action(l2, "call-next")),            # B002 waited 5 min
        ("08:09", lambda: hall.counter_action(l2, "recall")),               # no new call
        ("08:12", lambda: hall.counter_action(l2, "transfer", service_code="A")),
        ("08:15", lambda: hall.counter_action(l1, "finish")),               # A001 served in 10 min
        ("08:15", lambda: hall.counter_action(l1, "call-next")),            # A002 waited 14 min
        ("08:16", lambda: hall.counter_action(l1, "skip")),                 # A002 to the back
        ("08:17", lambda: hall.counter_action(l1, "call-next")),            # B001 (08:07)
        ("08:27", lambda: hall.counter_action(l1, "finish")),               # B001 served in 10 min
        ("08:27", lambda: hall.counter_action(l1, "call-next")),            # B002, still at Loket 1
    ]
    for hhmm, step in script:
        clock.at(hhmm)
        step()
    yield hall.statistics(DAY, DAY)
    db.dispose()


def test_counter_counts_add_up_on_a_day_with_transfers(day):
    counters = {row["counter"]: row for row in day["counters"]}
    keys = ("called", "served", "skipped", "transferred", "serving")
    assert [counters["Loket 1"][k] for k in keys] == [4, 2, 1, 0, 1]
    assert [counters["Loket 2"][k] for k in keys] == [2, 0, 0, 2, 0]   # it used to show 0 called
    assert counters["Loket 1"]["service_seconds"] == {"avg": 600.0, "p90": 600.0}
    for row in day["counters"]:
        assert row["called"] == row["served"] + row["skipped"] + row["transferred"] + row["serving"], row
    by_code = {row["code"]: row for row in day["services"]}
    assert (by_code["A"]["issued"], by_code["A"]["served"], by_code["A"]["waiting"]) == (2, 2, 1)
    assert (by_code["B"]["issued"], by_code["B"]["served"]) == (2, 0)
    assert by_code["A"]["name"] and by_code["A"]["name"] != "A"


def test_the_csv_files_open_in_indonesian_excel(day):
    tables = build_tables(day)
    raw = to_csv(tables["layanan"])
    assert raw.startswith(b"\xef\xbb\xbf")                         # UTF-8 with BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Layanan", "Tiket diambil", "Dilayani", "Tidak hadir (dilewati)",
                       "Dibatalkan pengunjung", "Masih menunggu", "Waktu tunggu rata-rata (menit)",
                       "Waktu tunggu 90% pengunjung (menit)", "Lama dilayani rata-rata (menit)",
                       "Lama dilayani 90% pengunjung (menit)"]
    a = next(r for r in rows if r[0].endswith(" (A)"))
    b = next(r for r in rows if r[0].endswith(" (B)"))
    # A waited 5 and 14 min; served A001 and B001 in 10 min each. B waited 3 and 5 min.
    assert a[1:] == ["2", "2", "0", "0", "1", "9,5", "14,0", "10,0", "10,0"]
    assert b[1:] == ["2", "0", "0", "0", "0", "4,0", "5,0", "", ""]
    assert rows[-1][:6] == ["Jumlah", "4", "2", "0", "0", "1"]

    counters = list(csv.reader(io.StringIO(to_csv(tables["loket"]).decode("utf-8-sig")), delimiter=";"))
    assert counters[0][:6] == ["Loket", "Dipanggil", "Dilayani", "Tidak hadir (dilewati)",
                               "Dialihkan ke layanan lain", "Sedang dilayani"]
    by_name = {r[0]: r for r in counters[1:]}
    assert by_name["Loket 1"][1:] == ["4", "2", "1", "0", "1", "10,0", "10,0"]
    assert by_name["Loket 2"][1:] == ["2", "0", "0", "2", "0", "", ""]
    assert by_name["Jumlah"][1:6] == ["6", "2", "1", "2", "1"]

    hours = list(csv.reader(io.StringIO(to_csv(tables["jam"]).decode("utf-8-sig")), delimiter=";"))
    assert hours == [["Jam", "Tiket diambil"], ["08.00–09.00", "4"]]


def test_the_workbook_has_one_sheet_per_table(day):
    data = to_xlsx(build_tables(day), hall_name="MPP Kota Kupang", first="2026-11-30",
                   last="2026-11-30", made_at="2026-11-30 16.00")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Per layanan", "Per loket", "Per jam", "Keterangan"]
    services = book["Per layanan"]
    header = [c.value for c in services[1]]
    assert header[0] == "Layanan" and "Waktu tunggu rata-rata (menit)" in header
    a = next(row for row in services.iter_rows(min_row=2, values_only=True) if str(row[0]).endswith("(A)"))
    assert a[1:6] == (2, 2, 0, 0, 1) and a[6:] == (9.5, 14.0, 10.0, 10.0)
    assert services.cell(2, 7).number_format == "0.0"
    counters = book["Per loket"]
    rows = {row[0]: row for row in counters.iter_rows(min_row=2, values_only=True) if row[0]}
    assert rows["Loket 2"][1:6] == (2, 0, 0, 2, 0)
    assert COUNTER_RULE in rows                                    # said below the table
    assert [c.value for c in book["Per jam"][2]] == ["08.00–09.00", 4]
    assert book["Keterangan"]["B2"].value == "2026-11-30"


def test_audit_sentences_one_per_kind():
    names = Names(services={"A": "Dukcapil", "E": "BPJS Kesehatan"})
    week = {d: ["08:00", "15:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    assert sentence("Budi", "setting.hours", {"value": week | {"sat": ["08:00", "12:00"]}, "previous": week},
                    names) == "Budi mengubah jam layanan Sabtu: 08.00–12.00."
    assert sentence("Budi", "setting.hours", {"value": week}, names) == \
        "Budi mengatur jam layanan: Senin–Jumat 08.00–15.00; Sabtu–Minggu tutup."
    assert sentence("Sari", "counter.save", {"id": 5, "name": "Loket 5", "services": ["E"], "new": True},
                    names) == "Sari menambah loket 'Loket 5' (layanan E)."
    assert sentence("Sari", "service.close", {"code": "A", "reason": "Server pusat gangguan",
                                              "rest_of_today": True}, names) == \
        "Sari menutup layanan Dukcapil (A) sampai akhir hari ini dengan alasan 'Server pusat gangguan'."
    assert sentence("Sari", "setting.holidays", {"value": {"2026-12-25": "Natal"}, "previous": {}}, names) == \
        "Sari menambah hari libur 25-12-2026 (Natal)."
    assert sentence("Sari", "user.update", {"username": "siti", "fields": ["active", "password"]}, names) == \
        "Sari mengubah akun 'siti': status aktif dan kata sandi."
    # Unknown kinds, odd details and empty details never fail.
    assert sentence("Sari", "robot.dance", {"x": 1}) == "Sari melakukan perubahan lain (robot.dance)."
    assert sentence(None, "setting.hours", "not a dict") .startswith("Seseorang ")
    assert sentence("Sari", "setting.hours", {"value": {"mon": 5}, "previous": []}) == \
        "Sari melakukan perubahan lain (setting.hours)."
    for action in KNOWN_ACTIONS:
        text = sentence("Sari", action, {})
        assert text.startswith("Sari ") and text.endswith(".") and "{" not in text, (action, text)


def _msgids(text):
    """Every (msgctxt, msgid) a sentence is made of, its parameters' too."""
    if isinstance(text, Message):
        yield text.context, text.msgid
        for value in text.params.values():
            yield from _msgids(value)


def test_audit_sentences_in_the_readers_language():
    """Each word of each sentence is in the catalog; English reads English, typed text stays."""
    with open(ROOT / "signage/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        english = {(m.context, m.id): m.string for m in read_po(f) if m.id}
    names = Names(services={"A": "Dukcapil"})
    week = {d: ["08:00", "15:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    details = {"setting.hours": {"value": week}, "device.pair": {"kind": "robot", "name": "TV 1"},
               "user.update": {"username": "siti", "fields": list("abcdefg")},
               "setting.holidays": {"value": {"2026-12-25": "Natal"}, "previous": {"2026-01-01": "x"}}}
    for action in KNOWN_ACTIONS + ("robot.dance",):
        for who in ("Sari", None):
            text = sentence(who, action, details.get(action, {}), names)
            missing = [m for m in _msgids(text) if not english.get(m)]
            assert not missing, (action, missing)
    assert in_language(sentence("Budi", "setting.hours", {"value": week}, names), "en") == \
        "Budi set the opening hours: Monday–Friday 08:00–15:00; Saturday–Sunday closed."
    closed = sentence("Sari", "service.close",
                      {"code": "A", "reason": "Server pusat %(x)s <b>", "rest_of_today": True}, names)
    assert in_language(closed, "en") == \
        "Sari closed Dukcapil (A) until the end of today because 'Server pusat %(x)s <b>'."
    assert in_language(closed, "id") == closed == \
        "Sari menutup layanan Dukcapil (A) sampai akhir hari ini dengan alasan 'Server pusat %(x)s <b>'."
    assert in_language(sentence(None, "user.update", {"username": "siti", "fields": ["active", "password"]}),
                       "en") == "Someone changed account 'siti': active status and password."


# ---- through a real server ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("stats-api") / "hall.db").start()
    commands = [("user", "add", "sari", "--role", "manager", "--name", "Sari", "--password", "rahasia-sari"),
                ("user", "add", "yos", "--role", "supervisor", "--service", "B", "--password", "rahasia-yos"),
                ("user", "add", "siti", "--role", "staff", "--counter", "Loket 1", "--password", "rahasia-siti"),
                ("token", "create", "--role", "counter", "--counter", "Loket 2"),
                ("token", "create", "--role", "kiosk")]
    with ThreadPoolExecutor(len(commands)) as pool:      # each CLI start costs about a second
        *_, loket2, kiosk = pool.map(lambda args: signage_cli(*args, db=srv.db), commands)
    srv.loket2_token = loket2.strip().splitlines()[-1]
    srv._kiosk_token = kiosk.strip().splitlines()[-1]
    yield srv
    srv.stop()


def test_exports_through_the_api(server):
    server.issue("A")
    server.issue("B")
    loket2 = server.headers(server.loket2_token)
    act = lambda action, **body: requests.post(f"{server.url}/api/counters/2/{action}", json=body,
                                               headers=loket2, timeout=5)
    assert act("call-next").status_code == 200
    assert act("transfer", service="A").status_code == 200
    manager = server.log_in("manager", server.manager_password)
    got = manager.get(server.url + "/api/stats.csv", params={"table": "loket"}, timeout=5)
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
    assert "statistik-per-loket-" in got.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    loket = {r[0]: r for r in rows[1:]}
    assert loket["Loket 2"][1:6] == ["1", "0", "0", "1", "0"]
    default = manager.get(server.url + "/api/stats.csv", timeout=5).content.decode("utf-8-sig")
    assert default.startswith("Layanan;Tiket diambil;")
    hours = manager.get(server.url + "/api/stats.csv?table=jam", timeout=5).content.decode("utf-8-sig")
    assert hours.startswith("Jam;Tiket diambil")
    bad = manager.get(server.url + "/api/stats.csv?table=semua", timeout=5)
    assert bad.status_code == 400 and "layanan" in bad.json()["error"]
    assert manager.get(server.url + "/api/stats.xlsx?from=2026-02-30", timeout=5).status_code == 400

    xlsx = manager.get(server.url + "/api/stats.xlsx", timeout=5)
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["Content-Type"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:3] == ["Per layanan", "Per loket", "Per jam"]
    rows = {r[0]: r for r in book["Per loket"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["Loket 2"][1:6] == (1, 0, 0, 1, 0)
    # A supervisor gets their own agency only; staff get nothing.
    supervisor = server.log_in("yos", "rahasia-yos")
    theirs = supervisor.get(server.url + "/api/stats.csv", timeout=5).content.decode("utf-8-sig")
    assert [line.split(";")[0][-3:] for line in theirs.splitlines()[1:-1]] == ["(B)"]
    staff = server.log_in("siti", "rahasia-siti")
    assert staff.get(server.url + "/api/stats.xlsx", timeout=5).status_code == 403
    assert requests.get(server.url + "/api/stats.xlsx", timeout=5).status_code in (401, 403)


def test_audit_log_as_sentences_filtered_by_person_and_day(server):
    manager = server.log_in("manager", server.manager_password)
    sari = server.log_in("sari", "rahasia-sari")
    hours = manager.get(server.url + "/api/manage/settings", timeout=5).json()["hours"]
    assert sari.put(server.url + "/api/manage/hours", timeout=5,
                    json={"hours": hours | {"sat": ["08:00", "12:00"]}}).status_code == 200
    typed = "Loket <b>5</b> & 'VIP'"
    assert sari.post(server.url + "/api/manage/counters", json={"name": typed, "services": ["E"]},
                     timeout=5).status_code == 201
    assert manager.put(server.url + "/api/running-text", json={"lines": ["Selamat datang"]},
                       timeout=5).status_code == 200

    everything = manager.get(server.url + "/api/manage/audit", timeout=5).json()
    texts = [e["text"] for e in everything["entries"]]
    assert "Sari mengubah jam layanan Sabtu: 08.00–12.00." in texts
    assert f"Sari menambah loket '{typed}' (layanan E)." in texts        # as typed; JSON, not HTML
    assert "Pengelola MPP mengubah teks berjalan: 'Selamat datang'." in texts
    assert {"Sari", "Pengelola MPP"} <= set(everything["people"])
    for english in (manager.get(server.url + "/api/manage/audit", timeout=5,
                                headers={"Accept-Language": "en-GB,en;q=0.9"}).json(),
                    manager.get(server.url + "/api/manage/audit?lang=en", timeout=5).json()):
        texts_en = [e["text"] for e in english["entries"]]
        assert "Sari changed the opening hours Saturday: 08:00–12:00." in texts_en
        assert f"Sari added counter '{typed}' (services E)." in texts_en     # typed: as it is
        assert "Pengelola MPP changed the running text: 'Selamat datang'." in texts_en
        assert [e["actor"] for e in english["entries"]] == [e["actor"] for e in everything["entries"]]

    only_sari = manager.get(server.url + "/api/manage/audit", params={"person": "Sari"}, timeout=5).json()
    assert only_sari["entries"] and {e["actor"] for e in only_sari["entries"]} == {"Sari"}
    today = everything["entries"][0]["at"][:10]
    same_day = manager.get(server.url + "/api/manage/audit", params={"from": today, "to": today}, timeout=5)
    assert len(same_day.json()["entries"]) == len(everything["entries"])
    before = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    assert manager.get(server.url + "/api/manage/audit", params={"to": before}, timeout=5).json()["entries"] == []
    after = (date.fromisoformat(today) + timedelta(days=1)).isoformat()
    assert manager.get(server.url + "/api/manage/audit", params={"from": after}, timeout=5).json()["entries"] == []
    for bad in ({"from": "2026-02-30"}, {"from": today, "to": before}, {"limit": "0"}, {"limit": "x"},
                {"person": "x" * 81}):
        refused = manager.get(server.url + "/api/manage/audit", params=bad, timeout=5)
        assert refused.status_code == 400 and refused.json()["error"], bad
    supervisor = server.log_in("yos", "rahasia-yos")
    assert supervisor.get(server.url + "/api/manage/audit", timeout=5).status_code == 403
