"""The survey against a real server: proof of a served ticket, one response per ticket under
concurrent submissions (two processes on one database), bad input refused in words, supervisors
kept to their agency, the report, CSV and free-text handling."""
from __future__ import annotations

import csv
import io
import threading

import pytest
import requests

from signage.survey.ikm import ELEMENTS
from support import ServerProcess, signage_cli

ALL_FOUR = dict.fromkeys(ELEMENTS, 4)


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("survey")
    server = ServerProcess(tmp / "survey.db", extra_args=("--audio-dir", str(tmp / "audio"))).start()
    server.counter1 = server.token("counter", 1)
    server.manager = server.token("manager")
    yield server
    server.stop()


def serve_one(server, code: str = "A", counter: int = 1, token: str | None = None) -> str:
    """Issue a ticket, call it at the counter and finish it; returns its number."""
    number = server.issue(code)
    headers = server.headers(token or server.counter1)
    for action in ("call-next", "finish"):
        response = requests.post(f"{server.url}/api/counters/{counter}/{action}", json={}, headers=headers, timeout=5)
        assert response.status_code == 200, response.text
    return number


def current(server, counter: int = 1, token: str | None = None) -> dict:
    response = requests.get(f"{server.url}/api/survey/counters/{counter}/current", timeout=5,
                            headers=server.headers(token or server.counter1))
    assert response.status_code == 200, response.text
    return response.json()


def submit(server, body: dict, **kwargs) -> requests.Response:
    return requests.post(server.url + "/api/survey/responses", json=body, timeout=10, **kwargs)


def manager(server, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, server.url + path, headers=server.headers(server.manager), timeout=10, **kwargs)


def test_a_finished_ticket_gets_a_token_a_link_and_a_qr(hall):
    number = serve_one(hall)
    got = current(hall)
    assert got["ticket"] == number and got["service"] == "A" and got["counter"] == "Loket 1"
    assert len(got["token"]) >= 20
    assert got["url"].endswith("/survey/t/" + got["token"])
    assert got["qr"].startswith("data:image/svg+xml;base64,")
    opened = requests.get(hall.url + "/api/survey/tickets/" + got["token"], timeout=5).json()
    assert opened["ticket"] == number and not opened["answered"] and len(opened["questions"]) == 9
    page = requests.get(got["url"], timeout=5)
    assert page.status_code == 200 and "Survei Kepuasan Masyarakat" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_one_response_per_ticket_under_concurrent_submissions_from_two_processes(hall):
    """Twelve submissions at once, half to each of two server processes on the same database
    (six each: a server answers at most eight requests of one address at a time): exactly one is
    taken (201), the others are 409 with a clear message."""
    serve_one(hall)
    token = current(hall)["token"]
    second = ServerProcess(hall.db, extra_args=("--audio-dir", str(hall.db.parent / "audio"))).start()
    try:
        results: list[requests.Response] = []
        barrier = threading.Barrier(12)

        def send(i: int) -> None:
            barrier.wait()
            base = hall.url if i % 2 else second.url
            results.append(requests.post(base + "/api/survey/responses", timeout=30,
                                         json={"token": token, "answers": ALL_FOUR, "comment": f"kiriman {i}"}))

        threads = [threading.Thread(target=send, args=(i,)) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        second.stop()
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [409] * 11, [(r.status_code, r.url, r.text) for r in results]
    assert all("sudah diisi" in r.json()["error"] for r in results if r.status_code == 409)
    assert requests.get(hall.url + "/api/survey/tickets/" + token, timeout=5).json()["answered"] is True
    assert current(hall)["ticket"] is None          # the tablet no longer offers it


@pytest.mark.parametrize("body, words", [
    ({"answers": ALL_FOUR | {"waktu": 5}}, "1, 2, 3 atau 4"),
    ({"answers": ALL_FOUR | {"waktu": 0}}, "1, 2, 3 atau 4"),
    ({"answers": ALL_FOUR | {"waktu": True}}, "1, 2, 3 atau 4"),
    ({"answers": ALL_FOUR | {"waktu": "4"}}, "1, 2, 3 atau 4"),
    ({"answers": ALL_FOUR | {"warna": 3}}, "Unsur tidak dikenal"),
    ({"answers": {"persyaratan": 4}}, "Belum dijawab"),
    ({"answers": []}, "answers"),
    ({"answers": ALL_FOUR, "gender": "X"}, "gender"),
    ({"answers": ALL_FOUR, "name": "Budi", "phone": "0812"}, "Field tidak dikenal"),
    ({"answers": ALL_FOUR, "comment": "x" * 1001}, "paling panjang"),
    ({"answers": ALL_FOUR, "comment": 12}, "comment"),
])
def test_bad_answers_are_refused_in_words(hall, body, words):
    serve_one(hall)
    token = current(hall)["token"]
    response = submit(hall, {"token": token, **body})
    assert response.status_code == 400, response.text
    assert words in response.json()["error"]
    assert submit(hall, {"token": token, "answers": ALL_FOUR}).status_code == 201   # nothing was taken


def test_nothing_is_taken_without_proof_of_service(hall):
    assert submit(hall, {"token": "x" * 24, "answers": ALL_FOUR}).status_code == 404
    assert submit(hall, {"answers": ALL_FOUR}).status_code == 404
    assert submit(hall, {"token": ["a"], "answers": ALL_FOUR}).status_code == 404
    response = requests.post(hall.url + "/api/survey/responses", data="not json", timeout=5,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "JSON" in response.json()["error"]
    assert requests.get(hall.url + "/survey/t/nope-nope-nope", timeout=5).status_code == 404
    # Who may read the counter's token: its survey tablet, its staff, a manager; nobody else.
    assert requests.get(hall.url + "/api/survey/counters/1/current", timeout=5).status_code == 401
    kiosk = hall.pair_device("kiosk", "Kios")
    assert requests.get(hall.url + "/api/survey/counters/1/current", timeout=5,
                        cookies={"signage_device": kiosk}).status_code == 401
    assert requests.get(hall.url + "/api/survey/counters/1/current", timeout=5,
                        headers=hall.headers(hall.token("counter", 2))).status_code == 403
    tablet = hall.pair_device("survey", "Tablet Loket 1")
    assert requests.get(hall.url + "/api/survey/counters/1/current", timeout=5,
                        cookies={"signage_device": tablet}).status_code == 200
    assert requests.get(hall.url + "/api/survey/counters/99/current", timeout=5,
                        headers=hall.headers(hall.manager)).status_code == 404


def test_a_hidden_element_leaves_the_questionnaire_and_the_computation(hall):
    counter2 = hall.token("counter", 2)
    serve_one(hall, "B", 2, counter2)
    token = current(hall, 2, counter2)["token"]
    assert manager(hall, "PUT", "/api/survey/hidden/B", json={"hidden": ["biaya"]}).json() == {
        "service": "B", "hidden": ["biaya"]}
    questions = requests.get(hall.url + "/api/survey/tickets/" + token, timeout=5).json()["questions"]
    assert [q["code"] for q in questions] == [c for c in ELEMENTS if c != "biaya"]
    refused = submit(hall, {"token": token, "answers": ALL_FOUR})
    assert refused.status_code == 400 and "tidak berlaku" in refused.json()["error"]
    answers = {c: 3 for c in ELEMENTS if c != "biaya"} | {"sarana": 1}
    assert submit(hall, {"token": token, "answers": answers}).status_code == 201
    report = manager(hall, "GET", "/api/survey/report?period=day&service=B").json()
    summary = report["summary"]
    assert summary["respondents"] == 1 and summary["weight"] == 0.125
    assert [e["code"] for e in summary["elements"] if e["nrr"] is not None] == [c for c in ELEMENTS if c != "biaya"]
    # (7 × 3 + 1) / 8 = 2.75 → IKM 68.75, mutu C; sarana is the weakest
    assert (summary["index"], summary["ikm"], summary["mutu"]) == (2.75, 68.75, "C")
    assert [e["code"] for e in summary["elements"] if e["weakest"]] == ["sarana"]
    assert summary["population"] == 1 and summary["min_sample"] == 1 and summary["sample_ok"]
    assert manager(hall, "PUT", "/api/survey/hidden/B", json={"hidden": list(ELEMENTS)}).status_code == 400
    assert manager(hall, "PUT", "/api/survey/hidden/Q", json={"hidden": []}).status_code == 404


def test_report_csv_comments_and_the_supervisors_agency(hall):
    serve_one(hall)
    token = current(hall)["token"]
    comment = "=HYPERLINK(\"http://x\") <script>alert(1)</script> Antrian lama sekali"
    assert submit(hall, {"token": token, "answers": ALL_FOUR | {"waktu": 1}, "comment": comment,
                         "gender": "P", "age": "30-39", "education": "s1", "occupation": "swasta"}).status_code == 201
    report = manager(hall, "GET", "/api/survey/report?period=month").json()
    a = next(row for row in report["services"] if row["code"] == "A")
    assert a["respondents"] >= 2 and a["population"] >= a["respondents"]
    assert report["summary"]["profile"]["gender"]["P"] == 1
    assert len(report["trend"]) == 12 and report["trend"][-1]["respondents"] == report["summary"]["respondents"]

    csv_text = manager(hall, "GET", "/api/survey/report.csv?period=month&service=A").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    assert ["No", "Unsur Pelayanan", "Jumlah Responden", "Jumlah Nilai", "NRR", "NRR Tertimbang"] in rows
    ikm_row = next(r for r in rows if r[1:2] == ["IKM (Nilai Indeks x 25)"])
    assert "," in ikm_row[-1] and "." not in ikm_row[-1]
    complaint = next(r for r in rows if "'" + comment in r)   # the free texts, never a formula
    assert complaint[1] == "A" and complaint[4] == "Belum"

    listed = manager(hall, "GET", "/api/survey/comments?period=month").json()["comments"]
    mine = next(c for c in listed if c["comment"] == comment)
    assert "phone" not in mine and "name" not in mine and mine["followed_up_at"] is None
    replied = manager(hall, "PATCH", f"/api/survey/comments/{mine['id']}", json={"reply": "Kami tambah petugas."})
    assert replied.status_code == 200 and replied.json()["followed_up_at"] is not None
    seen = requests.get(hall.url + "/api/survey/tickets/" + token, timeout=5).json()
    assert seen["answered"] and seen["reply"] == "Kami tambah petugas."
    assert manager(hall, "PATCH", f"/api/survey/comments/{mine['id']}", json={"followed_up": "ya"}).status_code == 400
    assert manager(hall, "PATCH", "/api/survey/comments/999999", json={"followed_up": True}).status_code == 404

    signage_cli("user", "add", "budi", "--role", "supervisor", "--service", "B", "--password", "rahasia-budi",
                db=hall.db)
    budi = hall.log_in("budi", "rahasia-budi")
    own = budi.get(hall.url + "/api/survey/report?period=month", timeout=5).json()
    assert own["scope"]["service"] == "B" and [row["code"] for row in own["services"]] == ["B"]
    assert budi.get(hall.url + "/api/survey/report?service=A", timeout=5).status_code == 403
    assert all(c["service"] == "B" for c in budi.get(hall.url + "/api/survey/comments", timeout=5).json()["comments"])
    assert budi.patch(f"{hall.url}/api/survey/comments/{mine['id']}", json={"followed_up": False},
                      timeout=5).status_code == 403
    assert budi.put(hall.url + "/api/survey/hidden/B", json={"hidden": []}, timeout=5).status_code == 403


@pytest.mark.parametrize("query", ["period=week", "period=day&date=2026-02-30", "period=range&from=2026-02-01&to=2025-01-01",
                                   "period=range&from=2020-01-01&to=2026-01-01", "counter=abc", "counter=0",
                                   "service=ZZ", "date=0001-01-01"])
def test_bad_report_queries_are_400_in_words(hall, query):
    response = manager(hall, "GET", "/api/survey/report?" + query)
    assert response.status_code == 400, response.text
    assert response.json()["error"]


def test_the_wording_and_the_display_switch(hall):
    changed = manager(hall, "PUT", "/api/survey/questions/waktu", json={
        "question": "Seberapa cepat Anda dilayani?", "answers": ["Lambat", "Agak lambat", "Cepat", "Sangat cepat"]})
    assert changed.status_code == 200 and changed.json()["question"] == "Seberapa cepat Anda dilayani?"
    serve_one(hall)
    questions = requests.get(hall.url + "/api/survey/tickets/" + current(hall)["token"], timeout=5).json()["questions"]
    assert next(q for q in questions if q["code"] == "waktu")["answers"][0] == "Lambat"
    assert manager(hall, "PUT", "/api/survey/questions/waktu", json={"question": "x", "answers": ["a"]}).status_code == 400
    assert manager(hall, "PUT", "/api/survey/questions/warna", json={}).status_code == 404

    profile = manager(hall, "POST", "/api/manage/displays", json={"name": "Lobi"}).json()
    assert requests.get(hall.url + "/api/survey/display?profile=Lobi", timeout=5).json()["mode"] == "off"
    assert manager(hall, "PUT", f"/api/survey/displays/{profile['id']}", json={"mode": "panel"}).status_code == 200
    shown = requests.get(hall.url + "/api/survey/display?profile=Lobi", timeout=5).json()
    assert shown["mode"] == "panel" and shown["respondents"] >= 1 and shown["mutu"] in "ABCD"
    assert manager(hall, "PUT", f"/api/survey/displays/{profile['id']}", json={"mode": "big"}).status_code == 400
