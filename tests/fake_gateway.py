"""A fake WhatsApp gateway on 127.0.0.1, like the HTTP gateways Indonesian halls rent.

It takes POSTs and records what it got (headers and body), and answers as told: `ok` (200),
`error` (503), `reject` (401, a wrong token) or `stall` (holds the request longer than any
sender waits, then 200). Used by tests/notify/ and tests/test_notify.py.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(self, stall_s: float = 3.0):
        self.mode = "ok"
        self.stall_s = stall_s
        self.received: list[dict] = []
        self.attempts = 0
        self.cond = threading.Condition()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with gateway.cond:
                    gateway.attempts += 1
                    mode = gateway.mode
                if mode == "stall":
                    time.sleep(gateway.stall_s)
                code = {"ok": 200, "stall": 200, "error": 503, "reject": 401}[mode]
                if code == 200 and mode == "ok":
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = raw.decode()
                    with gateway.cond:
                        gateway.received.append({"headers": dict(self.headers), "body": body})
                        gateway.cond.notify_all()
                answer = json.dumps({"status": code == 200}).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:        # the sender gave up waiting (stall)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def messages(self) -> list[str]:
        with self.cond:
            return [r["body"]["message"] for r in self.received if isinstance(r["body"], dict)]

    def wait_for(self, predicate, timeout: float = 15.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate(self.received):
                left = deadline - time.monotonic()
                assert left > 0, f"gateway: timed out; got {self.received[-3:]}"
                self.cond.wait(left)
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
