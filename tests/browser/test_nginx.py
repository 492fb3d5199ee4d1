"""The reference nginx site (deploy/nginx/signage.conf) in front of a real server, with a real
Chromium display attached through it: websockets upgrade, calls arrive live, and the server
sees each device's own address (X-Forwarded-For from nginx, trusted with --proxy-hops 1)."""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from support import free_port

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "signage.conf"


class Nginx:
    """Debian's nginx running the reference site, rewritten only for ports and paths."""

    def __init__(self, folder: Path, upstream_ports: list[int]):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        assert Path(binary).exists(), "nginx not found: run ./bin/test, which installs Debian's nginx-light"
        self.port = free_port()
        site = SITE.read_text()
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n" for p in upstream_ports)
        site = re.sub(r"    server 127\.0\.0\.1:8081[^\n]*\n(    # server[^\n]*\n)?", servers, site)
        site = site.replace("listen 80 default_server;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("listen [::]:80 default_server;", "")
        folder.mkdir(parents=True, exist_ok=True)
        self.conf = folder / "nginx.conf"
        self.conf.write_text(f"""
user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
""")
        check = subprocess.run([binary, "-t", "-c", str(self.conf), "-p", str(folder)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([binary, "-c", str(self.conf), "-p", str(folder), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/api/services", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError((folder / "error.log").read_text())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def proxied(make_server, tmp_path):
    server = make_server(extra_args=("--proxy-hops", "1"))
    nginx = Nginx(tmp_path / "nginx", [server.port])
    yield server, nginx
    nginx.stop()


def test_a_display_through_nginx_gets_calls_live_over_a_websocket(proxied, pages):
    server, nginx = proxied
    server.issue("A")
    token = server.token("counter", 1)
    display = pages.open(nginx.url + "/display")
    expect(display.locator(".counter-card").first).to_be_visible()
    display.wait_for_function("() => window.Display && Display.live && Display.live.isOnline()")
    transport = display.evaluate("() => Display.live.socket.io.engine.transport.name")
    assert transport == "websocket"

    requests.post(f"{server.url}/api/counters/1/call-next", headers=server.headers(token), timeout=5)
    expect(display.get_by_test_id("hero-number")).to_have_text("A001")

    # nginx tells the server who is asking, and a client cannot choose its own address: the
    # X-Forwarded-For it sends is replaced by nginx with the address nginx saw.
    asked = requests.post(nginx.url + "/api/devices/pairing", json={"kind": "display"},
                          headers={"X-Forwarded-For": "6.6.6.6"}, timeout=5)
    manager = server.headers(server.token("manager"))
    paired = requests.post(server.url + "/api/manage/devices/pair", headers=manager, timeout=5,
                           json={"code": asked.json()["code"], "name": "TV via nginx"})
    assert paired.status_code == 201
    assert paired.json()["address"] == "127.0.0.1"
