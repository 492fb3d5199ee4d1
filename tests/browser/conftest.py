"""Real Chromium (Debian's, driven by Playwright) against a real `signage run` server."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1920, "height": 1080}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright per test session: its sync API allows no second one at a time."""
    with sync_playwright() as instance:
        yield instance


def _indonesian(browser: Browser) -> Browser:
    """A hall's browsers are set to Indonesian (pages follow Accept-Language, web/language.py);
    Playwright's own default would be en-US. A test wanting English passes locale="en-US"."""
    new_context = browser.new_context

    def indonesian_context(*args, **kwargs):
        kwargs.setdefault("locale", "id-ID")
        return new_context(*args, **kwargs)

    browser.new_context = indonesian_context
    return browser


@pytest.fixture(scope="session")
def browser(playwright, chromium_path) -> Browser:
    """Chromium with its default policies (so autoplay of sound is blocked, as on a fresh TV)."""
    browser = _indonesian(playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS))
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def autoplay_browser(playwright, chromium_path) -> Browser:
    """Chromium as a hall TV starts it: allowed to play sound without a tap."""
    browser = _indonesian(playwright.chromium.launch(
        executable_path=chromium_path,
        args=CHROMIUM_ARGS + ["--autoplay-policy=no-user-gesture-required"]))
    yield browser
    browser.close()


class Pages:
    """Opens pages in one fresh context and remembers uncaught script errors for the test's end."""

    def __init__(self, context: BrowserContext):
        self.context = context
        self.errors: list[str] = []

    def open(self, url: str) -> Page:
        page = self.context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        # The pages run under a strict Content-Security-Policy: anything it blocks is a bug.
        page.on("console", lambda msg: self.errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text else None)
        page.goto(url)
        return page

    def as_device(self, server, kind: str = "kiosk", name: str = "Kios 1") -> "Pages":
        """This browser becomes a device a manager has paired (its cookie holds the secret)."""
        self.context.add_cookies([{"name": "signage_device", "value": server.pair_device(kind, name),
                                   "url": server.url}])
        return self


def _fresh_pages(browser: Browser):
    context = browser.new_context(viewport=VIEWPORT)
    opened = Pages(context)
    yield opened
    context.close()
    assert not opened.errors, f"uncaught errors in the page: {opened.errors}"


@pytest.fixture
def pages(browser) -> Pages:
    """A fresh browser context (own cookies) per test; fails the test on any uncaught JS error."""
    yield from _fresh_pages(browser)


@pytest.fixture
def other_pages(browser) -> Pages:
    """A second, separate browser (e.g. the staff tablet next to the hall TV)."""
    yield from _fresh_pages(browser)


@pytest.fixture
def log_in():
    """log_in(pages, base_url, username, password) -> the counter page, logged in."""
    def log_in(pages: Pages, base_url: str, username: str, password: str,
               next_path: str = "/counter") -> Page:
        page = pages.open(f"{base_url}/login?next={next_path}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}{next_path}*")
        return page
    return log_in
