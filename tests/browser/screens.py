"""Opening the hall's pages in the test browser."""
from __future__ import annotations

from playwright.sync_api import expect


def open_display(pages, server, query: str = ""):
    """The hall display of `server` (anything with a `.url`), marked so a reload would show."""
    display = pages.open(server.url + "/display" + query)
    expect(display.locator(".counter-card").first).to_be_visible()
    display.evaluate("window.__sameDocument = true")        # gone if the page reloads
    return display
