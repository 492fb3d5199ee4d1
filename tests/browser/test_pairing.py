"""Pairing a kiosk and a speaker TV in real Chromium: the device shows a code, the manager types it
in the console, the device becomes trusted without anyone touching it again."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def pair_in_console(console, code: str, name: str) -> None:
    console.goto(console.url.split("#")[0] + "#access")
    console.get_by_test_id("pair-code").fill(code)
    console.get_by_test_id("pair-name").fill(name)
    console.get_by_test_id("pair-submit").click()
    expect(console.get_by_test_id("devices-table")).to_contain_text(name)


def test_a_kiosk_pairs_by_its_code_and_then_issues_tickets(make_server, pages, other_pages, log_in):
    server = make_server()
    kiosk = pages.open(server.url + "/kiosk?print=0")
    expect(kiosk.get_by_test_id("pairing")).to_be_visible()
    code = kiosk.get_by_test_id("pairing-code")
    expect(code).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    expect(kiosk.get_by_test_id("services")).to_have_count(0)       # no tiles for a stranger

    console = log_in(other_pages, server.url, "manager", server.manager_password, next_path="/manager")
    pair_in_console(console, code.inner_text(), "Kios Pintu Utama")

    # The kiosk hears it over the live connection and reloads as a paired kiosk.
    expect(kiosk.get_by_test_id("service-A")).to_be_enabled(timeout=15_000)
    kiosk.get_by_test_id("service-A").click()
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))

    # Revoked in the console: the kiosk goes back to its pairing screen by itself.
    console.get_by_test_id("revoke-device").click()
    expect(console.get_by_test_id("devices-table")).to_contain_text("Dicabut")
    expect(kiosk.get_by_test_id("pairing")).to_be_visible(timeout=15_000)


def test_an_unpaired_speaker_shows_its_code_and_counts_once_paired(make_server, pages, other_pages, log_in):
    server = make_server()
    tv = pages.open(server.url + "/display?speaker=1")
    expect(tv.get_by_test_id("pairing-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    expect(tv.get_by_test_id("hall-name")).to_be_visible()          # the calls are still shown

    console = log_in(other_pages, server.url, "manager", server.manager_password, next_path="/manager")
    pair_in_console(console, tv.get_by_test_id("pairing-code").inner_text(), "TV Ruang Tunggu")
    expect(tv.get_by_test_id("pairing")).to_have_count(0, timeout=15_000)
    expect(tv.locator("#display")).to_have_attribute("data-name", "TV Ruang Tunggu")

    console.goto(server.url + "/manager#live")
    expect(console.locator("#sec-live")).to_contain_text("TV Ruang Tunggu")


def test_a_wrong_code_is_refused_in_words(make_server, pages, log_in):
    server = make_server()
    console = log_in(pages, server.url, "manager", server.manager_password, next_path="/manager")
    console.goto(server.url + "/manager#access")
    console.get_by_test_id("pair-code").fill("123456")
    console.get_by_test_id("pair-name").fill("<b>TV</b>")
    console.get_by_test_id("pair-submit").click()
    expect(console.get_by_test_id("pair-error")).to_contain_text("Kode tidak dikenal")
