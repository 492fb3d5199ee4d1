"""The audit log in the manager console (issue 14), in real Chromium: each change as an Indonesian
sentence, what people typed shown as text (never as HTML), filtered by person and by dates."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from support import signage_cli


def test_audit_sentences_are_text_and_filter_by_person_and_day(make_server, pages, log_in):
    server = make_server()
    signage_cli("user", "add", "sari", "--role", "manager", "--name", "Sari", "--password", "rahasia-sari",
                db=server.db)
    sari = server.log_in("sari", "rahasia-sari")
    typed = "Loket <img src=x onerror=alert(1)> 5"
    assert sari.post(server.url + "/api/manage/counters", json={"name": typed, "services": ["E"]},
                     timeout=5).status_code == 201
    manager = server.log_in("manager", server.manager_password)
    assert manager.put(server.url + "/api/running-text", json={"lines": ["<b>Selamat</b> datang"]},
                       timeout=5).status_code == 200
    console = log_in(pages, server.url, "manager", server.manager_password, "/manager")

    console.get_by_test_id("nav-audit").click()
    rows = console.locator("#audit-rows tr")
    expect(rows.filter(has_text="menambah loket")).to_have_text(
        re.compile(re.escape(f"Sari menambah loket '{typed}' (layanan E).")))
    expect(rows.filter(has_text="teks berjalan")).to_contain_text("'<b>Selamat</b> datang'")
    expect(console.locator("#audit-rows img, #audit-rows b")).to_have_count(0)    # text, not markup

    console.get_by_test_id("audit-person").select_option("Sari")
    console.get_by_test_id("audit-show").click()
    expect(rows.filter(has_text="teks berjalan")).to_have_count(0)
    expect(rows.filter(has_text="menambah loket")).to_have_count(1)

    console.get_by_test_id("audit-person").select_option("")
    console.get_by_test_id("audit-from").fill("2020-01-01")
    console.get_by_test_id("audit-to").fill("2020-01-02")
    console.get_by_test_id("audit-show").click()
    expect(rows.filter(has_text="menambah loket")).to_have_count(0)
    console.get_by_test_id("audit-to").fill("2019-12-31")
    console.get_by_test_id("audit-show").click()
    expect(console.get_by_test_id("audit-error")).to_contain_text("sebelum")
