"""The media playlist reaches an open display without a reload, and a calls-only profile hides it."""
from __future__ import annotations

import struct
import zlib

import requests
from playwright.sync_api import expect


def png(width=64, height=36, rgb=(20, 90, 200)) -> bytes:
    """A real PNG, made here, so the upload goes through the same checks as a manager's file."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def test_uploaded_image_appears_on_an_open_display(make_server, pages):
    server = make_server()
    manager = server.headers(server.token("manager"))
    page = pages.open(server.url + "/display")
    expect(page.get_by_test_id("media")).to_be_hidden()
    refused = requests.post(server.url + "/api/manage/media", headers=manager, timeout=5,
                            files={"file": ("promo.png", b"<script>alert(1)</script>", "image/png")})
    assert refused.status_code == 400 and "tidak didukung" in refused.json()["error"]
    uploaded = requests.post(server.url + "/api/manage/media", headers=manager, timeout=5,
                             files={"file": ("../../promo.png", png(), "image/png")},
                             data={"title": "Promo MPP", "seconds": "5"})
    assert uploaded.status_code == 201
    url = uploaded.json()["url"]
    assert ".." not in url and "promo" not in url
    media = page.get_by_test_id("media")
    expect(media).to_be_visible()
    expect(media.locator("img")).to_have_attribute("src", url)
    assert page.evaluate("() => document.querySelector('[data-testid=media] img').naturalWidth") == 64

    requests.post(server.url + "/api/manage/displays", headers=manager, timeout=5,
                  json={"name": "loket-e", "services": ["E"], "layout": "calls_only"}).raise_for_status()
    profile_page = pages.open(server.url + "/display?profile=loket-e")
    expect(profile_page.get_by_test_id("service-filter")).to_contain_text("E")
    profile_page.wait_for_function("() => window.Display && Display.live && Display.live.isOnline()")
    expect(profile_page.get_by_test_id("media")).to_be_hidden()
    expect(profile_page.get_by_test_id("last-calls")).to_be_attached()
