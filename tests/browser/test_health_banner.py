"""The manager console warns about the server's storage, from /healthz, in real Chromium.

The database lives on a real 16 MB tmpfs (so "below 500 MB" is true without faking a figure),
which is then filled to the last block: the banner turns from "disk nearly full" to "the
database cannot be written" when the live view's refresh button is pressed.
"""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from support import ServerProcess
from test_health import fill, tmpfs


def test_banner_warns_of_a_nearly_full_disk_then_of_an_unwritable_database(tmp_path, pages, log_in):
    with tmpfs(tmp_path / "disk", "16m") as disk:
        server = ServerProcess(disk / "hall.db")
        server.log_path = tmp_path / "server.log"   # the log must not share the full disk
        try:
            server.start()
            console = log_in(pages, server.url, "manager", server.manager_password, "/manager")
            banner = console.get_by_test_id("health-banner")
            expect(banner).to_be_visible()
            expect(banner).to_have_text(re.compile(r"^Ruang disk hampir penuh: (1[0-6]|[0-9]) MB tersisa$"))

            fill(disk)
            deadline = time.monotonic() + 15
            while "Basis data tidak dapat ditulis" not in (banner.text_content() or ""):
                assert time.monotonic() < deadline, f"banner still says: {banner.text_content()!r}"
                console.get_by_test_id("live-refresh").click()   # asks /healthz again
                time.sleep(0.7)                                  # its answer is kept for 2 s
            expect(banner).to_be_visible()
            # the markup is the server's words as text, never HTML
            assert banner.evaluate("node => node.children.length") == 0
        finally:
            server.stop()
