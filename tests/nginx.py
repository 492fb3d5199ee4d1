"""Debian's nginx running the reference site (deploy/nginx/signage.conf) for the tests.

The site is rewritten only for the upstream ports, the listening port and the temporary paths.
`client_header`: the tests' clients all come from 127.0.0.1, which the reference site's
`hash $remote_addr` would send to one process; given a header name, nginx takes the client's
address from that header (realip, trusted from 127.0.0.1 only), so a test can place clients as
if they were different devices of the hall. Everything else is the reference site as shipped.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import requests

from support import free_port

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx" / "signage.conf"
DEVICE_HEADER = "X-Test-Device"


class Nginx:
    def __init__(self, folder: Path, upstream_ports: list[int], client_header: str | None = None):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        assert Path(binary).exists(), "nginx not found: run ./bin/test, which installs Debian's nginx-light"
        self.port = free_port()
        site = SITE.read_text()
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n" for p in upstream_ports)
        site, replaced = re.subn(r"    server 127\.0\.0\.1:8081[^\n]*\n(    # server[^\n]*\n)?", servers, site)
        assert replaced == 1, "the reference site's upstream block changed; update tests/nginx.py"
        site = site.replace("listen 80 default_server;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("listen [::]:80 default_server;", "")
        if client_header:
            site = site.replace("    server_name _;\n", "    server_name _;\n    set_real_ip_from 127.0.0.1;\n"
                                f"    real_ip_header {client_header};\n", 1)
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.conf = folder / "nginx.conf"
        self.conf.write_text(f"""
user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
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
