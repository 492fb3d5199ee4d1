"""At most a few requests in flight per client address, refused before Flask sees the rest.

Under eventlet every request is a green thread with an equal share of the one event loop; 24
threads of one device posting as fast as they are answered would otherwise take most of the hall's
time, even when each answer is only a 429. Past `limit` concurrent requests from one address the
answer is an immediate, tiny 429. Socket.IO traffic never reaches this layer: its connections are
capped and rate-limited in realtime.py.
"""
from __future__ import annotations

import threading

BODY = b'{"error": "Terlalu banyak permintaan sekaligus dari perangkat ini. Coba lagi sebentar."}'


class FairShare:
    def __init__(self, app, limit: int = 8):
        self.app = app
        self.limit = limit
        self._in_flight: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        address = environ.get("REMOTE_ADDR") or "?"
        with self._lock:
            busy = self._in_flight.get(address, 0)
            if busy >= self.limit:
                refused = True
            else:
                refused = False
                self._in_flight[address] = busy + 1
        if refused:
            start_response("429 Too Many Requests", [
                ("Content-Type", "application/json"), ("Content-Length", str(len(BODY))),
                ("Retry-After", "1"), ("X-Content-Type-Options", "nosniff")])
            return [BODY]
        try:
            return _Finally(self.app(environ, start_response), lambda: self._done(address))
        except BaseException:
            self._done(address)
            raise

    def _done(self, address: str) -> None:
        with self._lock:
            left = self._in_flight.get(address, 1) - 1
            if left:
                self._in_flight[address] = left
            else:
                self._in_flight.pop(address, None)


class _Finally:
    """The app's response, with `done` called when the server closes it (PEP 3333 close())."""

    def __init__(self, response, done):
        self.response = response
        self.done = done

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.done()
