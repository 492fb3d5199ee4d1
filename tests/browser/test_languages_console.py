"""One language per page, the reader's (issue 14, item 2), in real Chromium: a browser set to
English gets the English console, the server's refusals in English, and date fields written
DD-MM-YYYY whatever the browser's language; an Indonesian one gets HH-BB-TTTT and Indonesian."""
from __future__ import annotations

import re

from playwright.sync_api import expect

VIEWPORT = {"width": 1920, "height": 1080}


class _Errors:
    def __init__(self):
        self.errors: list[str] = []


def _console(browser, server, locale: str):
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    pages = _Errors()
    page = context.new_page()
    page.on("pageerror", lambda exc: pages.errors.append(str(exc)))
    page.goto(f"{server.url}/login?next=/manager")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", server.manager_password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/manager*")
    return context, pages, page


def test_english_browser_gets_english_console_and_dates(make_server, browser):
    server = make_server()
    context, pages, console = _console(browser, server, "en-US")
    try:
        expect(console.locator("html")).to_have_attribute("lang", "en")
        console.get_by_test_id("nav-audit").click()
        start = console.get_by_test_id("audit-from")
        expect(start).to_have_attribute("placeholder", "DD-MM-YYYY")
        start.fill("02-01-2020")
        assert console.locator("#audit-form input[name=from]").input_value() == "2020-01-02"
        console.get_by_test_id("audit-to").fill("01-01-2020")
        console.get_by_test_id("audit-show").click()
        error = console.get_by_test_id("audit-error")
        expect(error).to_have_text("The 'to' date may not be before the 'from' date.")

        console.get_by_test_id("audit-to").fill("31-02-2020")       # no such day
        expect(console.get_by_test_id("audit-to")).to_have_class(re.compile("is-invalid"))
        assert console.locator("#audit-form input[name=to]").input_value() == ""
    finally:
        context.close()
    assert not pages.errors, pages.errors


def test_indonesian_browser_gets_indonesian_hints(make_server, browser):
    server = make_server()
    context, pages, console = _console(browser, server, "id-ID")
    try:
        expect(console.locator("html")).to_have_attribute("lang", "id")
        console.get_by_test_id("nav-stats").click()
        start = console.get_by_test_id("stats-from")
        expect(start).to_have_attribute("placeholder", "HH-BB-TTTT")
        expect(start).to_have_value(re.compile(r"^\d\d-\d\d-\d{4}$"))   # today, day first
    finally:
        context.close()
    assert not pages.errors, pages.errors
