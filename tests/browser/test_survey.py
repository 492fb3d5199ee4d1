"""The survey in real Chromium: a visitor answers on a phone (360×640) from the counter's QR link,
another on the counter-facing tablet that offers the ticket just finished there, and the manager
reads the report, handles a complaint, prints and switches the IKM onto a hall display.
Screenshots: docs/screenshots/survey-phone.png, survey-tablet.png, manager-survey.png and
survey-print.png (the printable report, as the print stylesheet lays it out)."""
from __future__ import annotations

import re
from pathlib import Path

import requests
from playwright.sync_api import expect

from conftest import Pages
from signage.survey.ikm import ELEMENTS

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 360, "height": 640}
TABLET = {"width": 1280, "height": 800}


def serve(server, token: str, counter: int = 1, code: str = "A") -> str:
    number = server.issue(code)
    for action in ("call-next", "finish"):
        r = requests.post(f"{server.url}/api/counters/{counter}/{action}", json={}, timeout=5,
                          headers=server.headers(token))
        assert r.status_code == 200, r.text
    return number


def survey_link(server, token: str, counter: int = 1) -> dict:
    return requests.get(f"{server.url}/api/survey/counters/{counter}/current", timeout=5,
                        headers=server.headers(token)).json()


def answer_all(page, scores: dict[str, int]) -> None:
    for code, score in scores.items():
        page.locator(f"label[for='q-{code}-{score}']").click()


def test_a_visitor_answers_on_a_phone(make_server, browser):
    server = make_server()
    counter = server.token("counter", 1)
    number = serve(server, counter)
    link = survey_link(server, counter)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone = Pages(context)
    try:
        page = phone.open(link["url"])
        expect(page.get_by_test_id("survey-ticket")).to_have_text(number)
        expect(page.locator(".s-question")).to_have_count(9)
        # A missing answer is pointed at, and nothing is sent.
        page.get_by_test_id("survey-submit").click()
        expect(page.get_by_test_id("survey-error")).to_be_visible()
        expect(page.locator(".s-question.is-missing")).to_have_count(9)
        answer_all(page, dict.fromkeys(ELEMENTS, 4) | {"waktu": 2})
        page.get_by_test_id("profile-gender").select_option("P")
        page.get_by_test_id("profile-age").select_option("30-39")
        page.get_by_test_id("survey-comment").fill("<img src=x onerror=alert(1)> Terima kasih, cepat.")
        expect(page.get_by_test_id("survey-error")).to_be_hidden()     # all answered now
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / "survey-phone.png"))
        page.get_by_test_id("survey-submit").click()
        expect(page.get_by_test_id("survey-done")).to_contain_text("Terima kasih")
        page.reload()                            # a second visit only says it was answered
        expect(page.get_by_test_id("survey-done")).to_contain_text("sudah diisi")
        expect(page.get_by_test_id("survey-form")).to_be_hidden()
    finally:
        context.close()
    assert not phone.errors, phone.errors
    report = requests.get(server.url + "/api/survey/report?period=day", timeout=5,
                          headers=server.headers(server.token("manager"))).json()
    summary = report["summary"]
    # 8 × 4 + 2 = 34 over 9 elements: index 34/9 = 3.7778, IKM 94.44, A
    assert (summary["respondents"], summary["ikm"], summary["mutu"]) == (1, 94.44, "A")
    assert summary["profile"]["gender"]["P"] == 1


def test_the_counter_tablet_offers_the_ticket_just_finished_there(make_server, browser, pages, other_pages, log_in):
    server = make_server()
    server.add_user("siti", "rahasia-siti", "staff", counters=[1])
    tablet_context = browser.new_context(viewport=TABLET, has_touch=True)
    tablet = Pages(tablet_context).as_device(server, "survey", "Tablet Loket 1")
    try:
        page = tablet.open(server.url + "/survey?counter=1")
        expect(page.get_by_test_id("survey-idle")).to_be_visible()
        server.issue("A")
        desk = log_in(other_pages, server.url, "siti", "rahasia-siti")
        desk.get_by_test_id("call-next").click()
        expect(desk.get_by_test_id("current-ticket")).to_have_text(re.compile(r"^A\d{3}$"))
        number = desk.get_by_test_id("current-ticket").inner_text()
        desk.get_by_test_id("finish").click()
        # The tablet hears `finished` for its counter and shows that ticket's survey at once;
        # the counter's own tablet shows the same ticket's QR for a phone.
        expect(page.get_by_test_id("survey-ticket")).to_have_text(number)
        expect(desk.get_by_test_id("counter-survey-ticket")).to_have_text(number)
        expect(desk.get_by_test_id("counter-survey-qr")).to_have_attribute("src", re.compile("^data:image/svg"))
        answer_all(page, dict.fromkeys(ELEMENTS, 3) | {"sarana": 4})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / "survey-tablet.png"))
        page.get_by_test_id("survey-submit").click()
        expect(page.get_by_test_id("survey-done")).to_contain_text("Terima kasih")
        expect(page.get_by_test_id("survey-idle")).to_be_visible(timeout=12_000)   # ready for the next visitor
        # The QR's link for the answered ticket now only says so.
        expect(desk.get_by_test_id("counter-survey-link")).to_have_attribute("href", re.compile("/survey/t/"))
        answered = requests.get(desk.get_by_test_id("counter-survey-link").get_attribute("href"), timeout=5)
        assert "sudah diisi" in answered.text or answered.status_code == 200
        # A manager hides biaya for agency A: the idle tablet takes the new questionnaire by itself.
        page.evaluate("window.__sameDocument = true")
        requests.put(server.url + "/api/survey/hidden/A", json={"hidden": ["biaya"]}, timeout=5,
                     headers=server.headers(server.token("manager"))).raise_for_status()
        page.wait_for_function("window.__sameDocument === undefined", timeout=15_000)
        server.issue("A")
        desk.get_by_test_id("call-next").click()
        expect(desk.get_by_test_id("current-ticket")).not_to_have_text(number)
        desk.get_by_test_id("finish").click()
        expect(page.locator(".s-question")).to_have_count(8)
        expect(page.locator("[data-element='biaya']")).to_have_count(0)
        # An unpaired browser at the same address gets the pairing code, never the form.
        stranger = pages.open(server.url + "/survey?counter=1")
        expect(stranger.get_by_test_id("pairing-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"))
        expect(stranger.get_by_test_id("survey-form")).to_have_count(0)
    finally:
        tablet_context.close()
    assert not tablet.errors, tablet.errors


def test_the_manager_reads_the_report_answers_a_complaint_and_shows_the_ikm(make_server, pages, other_pages, log_in):
    server = make_server()
    counter = server.token("counter", 1)
    manager_token = server.token("manager")
    comment = "<script>alert('x')</script> Ruang tunggu panas"
    for i, scores in enumerate([dict.fromkeys(ELEMENTS, 4) | {"pengaduan": 2},
                                dict.fromkeys(ELEMENTS, 3) | {"pengaduan": 2, "biaya": 4},
                                dict.fromkeys(ELEMENTS, 4) | {"pengaduan": 1}]):
        serve(server, counter)
        body = {"token": survey_link(server, counter)["token"], "answers": scores}
        if i == 2:
            body["comment"] = comment
        assert requests.post(server.url + "/api/survey/responses", json=body, timeout=5).status_code == 201
    expected = requests.get(server.url + "/api/survey/report?period=month&service=A", timeout=5,
                            headers=server.headers(manager_token)).json()["summary"]
    requests.post(server.url + "/api/manage/displays", json={"name": "Lobi"}, timeout=5,
                  headers=server.headers(manager_token)).raise_for_status()

    console = log_in(pages, server.url, "manager", server.manager_password, "/manager")
    console.goto(server.url + "/manager#survey")
    console.get_by_test_id("survey-scope").select_option("A")
    console.get_by_test_id("survey-show").click()
    ikm_text = f"{expected['ikm']:.2f}".replace(".", ",")
    expect(console.get_by_test_id("survey-ikm")).to_have_text(ikm_text)
    expect(console.get_by_test_id("survey-mutu")).to_have_text(expected["mutu"])
    expect(console.get_by_test_id("survey-respondents")).to_have_text("3")
    expect(console.locator(".sv-bar.is-weakest")).to_have_attribute("data-element", "pengaduan")
    expect(console.locator(".sv-month[data-ikm]:not([data-ikm=''])")).to_have_count(1)
    # The complaint is shown as text, never as markup; answering it marks it followed up.
    expect(console.get_by_test_id("survey-comments")).to_have_attribute("data-query", re.compile("service=A"))
    text = console.get_by_test_id("survey-comment-text")
    expect(text).to_have_text(comment)
    assert console.locator("#sv-comments script").count() == 0
    console.get_by_test_id("survey-reply-input").fill("Pendingin ruangan sudah diperbaiki.")
    console.get_by_test_id("survey-send-reply").click()
    expect(console.get_by_test_id("survey-followed")).to_be_visible()
    console.screenshot(path=str(SCREENSHOTS / "manager-survey.png"), full_page=True)
    # CSV with Indonesian headers; the printable report shows the official table.
    assert console.get_by_test_id("survey-csv").get_attribute("href").startswith("/api/survey/report.csv?")
    console.emulate_media(media="print")
    report = console.get_by_test_id("survey-print-report")
    expect(report).to_be_visible()
    expect(report).to_contain_text("NRR tertimbang")
    expect(report).to_contain_text("IKM")
    expect(console.get_by_test_id("survey-comments")).to_be_hidden()
    report.screenshot(path=str(SCREENSHOTS / "survey-print.png"))
    console.emulate_media(media="screen")
    # The display switch: the lobby TV shows the IKM panel.
    profile_select = console.locator("[data-testid^='survey-display-']")
    profile_select.select_option("panel")
    expect(console.locator("#m-toast")).to_be_visible()
    tv = other_pages.open(server.url + "/display?profile=Lobi")
    expect(tv.get_by_test_id("ikm-panel")).to_be_visible()
    hall = requests.get(server.url + "/api/survey/display?profile=Lobi", timeout=5).json()
    expect(tv.get_by_test_id("ikm-value")).to_have_text(f"{hall['ikm']:.2f}".replace(".", ","))
    # ... or in its running text: the TV hears the switch and follows without a reload.
    tv.evaluate("window.__sameDocument = true")
    profile_select.select_option("ticker")
    expect(tv.get_by_test_id("running-text")).to_contain_text("Indeks Kepuasan Masyarakat", timeout=15_000)
    expect(tv.get_by_test_id("ikm-panel")).to_have_count(0)
    assert tv.evaluate("window.__sameDocument") is True


def test_a_survey_tablet_pairs_by_its_code_in_the_console(make_server, pages, other_pages, log_in):
    """pairing.js asks for a code of kind "survey"; the console's Perangkat & Akses pairs it and
    lists it as a survey tablet; the tablet reloads by itself, ready for the counter's visitors."""
    server = make_server()
    tablet = pages.open(server.url + "/survey?counter=2")
    code = tablet.get_by_test_id("pairing-code")
    expect(code).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    console = log_in(other_pages, server.url, "manager", server.manager_password, next_path="/manager")
    console.goto(server.url + "/manager#access")
    console.get_by_test_id("pair-code").fill(code.inner_text())
    console.get_by_test_id("pair-name").fill("Tablet Survei Loket 2")
    console.get_by_test_id("pair-submit").click()
    row = console.get_by_test_id("devices-table").locator("tr", has_text="Tablet Survei Loket 2")
    expect(row).to_contain_text("Tablet survei")
    expect(tablet.get_by_test_id("survey-idle")).to_be_visible(timeout=15_000)
