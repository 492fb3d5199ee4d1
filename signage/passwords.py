"""Password hashing off the event loop.

A scrypt hash costs about 75 ms of CPU. Under eventlet or gevent that would freeze every screen
for as long, so hashing runs in an OS thread (hashlib releases the GIL while it works), at most
`MAX_PARALLEL` at once; when `MAX_WAITING` more are already queued the request is refused at once
(`Busy`) instead of piling up. An unknown user name is checked against a dummy hash so it costs
the same time as a real one: the answer's timing does not tell which names exist.
"""
from __future__ import annotations

import threading

from werkzeug.security import check_password_hash, generate_password_hash

from .offload import off_loop
from .messages import N_

MAX_PARALLEL = 1    # two cores: one for the hall, one for log-ins
MAX_WAITING = 8


class Busy(RuntimeError):
    """Too many password checks queued; the caller should answer 503/429 and not wait."""


_slots = threading.BoundedSemaphore(MAX_PARALLEL)
_waiting = 0
_waiting_lock = threading.Lock()
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _queued(generate_password_hash, password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; `stored_hash` None (no such user) costs the same and is False."""
    ok = _queued(check_password_hash, stored_hash or _DUMMY_HASH, password or "")
    return ok and stored_hash is not None


def _queued(fn, *args):
    global _waiting
    with _waiting_lock:
        if _waiting >= MAX_PARALLEL + MAX_WAITING:
            raise Busy(N_("Server sedang sibuk memeriksa kata sandi. Coba lagi sebentar."))
        _waiting += 1
    try:
        with _slots:
            return off_loop(fn, *args)
    finally:
        with _waiting_lock:
            _waiting -= 1
