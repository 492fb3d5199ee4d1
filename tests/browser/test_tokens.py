"""API tokens in the manager's console, in real Chromium: a token is created and shown once,
works, is listed without the token, and stops working when revoked."""
from __future__ import annotations

import re

import requests
from playwright.sync_api import expect


def test_a_manager_creates_and_revokes_a_counter_token_in_the_console(make_server, pages, log_in):
    server = make_server()
    console = log_in(pages, server.url, "manager", server.manager_password, "/manager")
    expect(console.get_by_test_id("connection")).to_have_class(re.compile(r"\bis-online\b"))
    console.get_by_test_id("nav-screens").click()
    panel = console.get_by_test_id("tokens-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("token-counter")).to_be_hidden()     # only for a counter token

    # The server's refusal is shown next to the form, and nothing is made.
    panel.get_by_test_id("token-create").click()
    expect(panel.get_by_test_id("token-error")).to_contain_text("Label")
    expect(panel.get_by_test_id("token-new")).to_be_hidden()

    panel.get_by_test_id("token-label").fill("Tablet <b>loket</b> 2")
    panel.get_by_test_id("token-role").select_option("counter")
    panel.get_by_test_id("token-counter").select_option(label="Loket 2")
    panel.get_by_test_id("token-expires-days").fill("30")
    panel.get_by_test_id("token-create").click()
    expect(panel.get_by_test_id("token-new")).to_be_visible()
    token = panel.get_by_test_id("token-new-value").input_value()
    assert len(token) > 30
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(server.url + "/api/counters/2", headers=headers, timeout=5).status_code == 200

    row = panel.locator("tr[data-testid=token-row]", has_text="Tablet <b>loket</b> 2")  # as typed, not as HTML
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Loket 2")
    expect(row.get_by_test_id("token-state")).to_have_text("Aktif")
    expect(panel.get_by_test_id("tokens-table")).not_to_contain_text(token)

    token_id = row.get_attribute("data-token-id")
    revoke = row.get_by_test_id(f"token-revoke-{token_id}")
    revoke.click()                                   # asks once more
    expect(row.get_by_test_id("token-state")).to_have_text("Aktif")
    revoke.click()
    expect(row.get_by_test_id("token-state")).to_have_text("Dicabut")
    expect(row.get_by_test_id(f"token-revoke-{token_id}")).to_have_count(0)
    assert requests.get(server.url + "/api/counters/2", headers=headers, timeout=5).status_code == 401

    # Shown once: after leaving the section the token is gone from the page.
    console.get_by_test_id("nav-live").click()
    console.get_by_test_id("nav-screens").click()
    expect(panel.get_by_test_id("token-new")).to_be_hidden()
    assert token not in console.content()
