"""Which web pages may open a Socket.IO connection: the hall's own, and origins a technician lists.

A browser always sends `Origin` with a websocket or cross-site request, so a page served from
anywhere else (a visitor's phone visiting a hostile site on the hall Wi-Fi) is refused before it
can attach. Clients that send no Origin are not browsers; they are held by log-in, pairing and
limits instead.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable


def same_origin(extra: Iterable[str] = ()) -> Callable[[str | None, dict], bool]:
    allowed_extra = {o.rstrip("/") for o in extra}

    def allowed(origin: str | None, environ: dict) -> bool:
        if not origin:
            return True
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin == own or origin in allowed_extra

    return allowed
