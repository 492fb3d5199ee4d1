"""The public JSON API (documented at /api/openapi.json)."""
from __future__ import annotations

import math

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import BadRequest

from .. import queue
from ..messages import N_
from ..textcheck import is_clean
from . import hall, limiter
from .auth import api_auth, current_principal, is_manager, operates_counter
from .language import tr
from .openapi import spec

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_KEY = 100
PUBLIC_PER_ADDRESS = "3 per 10 minutes"   # tickets a client that is no kiosk may take, if allowed
PUBLIC_PER_HALL = "30 per hour"           # ... and all such clients together
MAX_DEPTH = 20
MAX_INT = 2**53 - 1  # what a browser's JavaScript holds exactly; far past any id, count or limit
BAD_TEXT = N_("Teks berisi karakter yang tidak sah.")
TOO_DEEP = N_("JSON terlalu bersarang (maks. %(depth)s tingkat).", depth=MAX_DEPTH)


def json_body() -> dict:
    """The request's JSON object, checked once for every route: no text with surrogates or
    control characters (keys too), no nesting past MAX_DEPTH, no number JSON's readers lose."""
    try:
        # get_data, not .data: a form-encoded body is not "no body" but the wrong type (415)
        body = request.get_json(force=False, silent=False) if request.get_data(cache=True) else {}
    except BadRequest:
        raise _bad(N_("Isi permintaan bukan JSON yang sah."))
    except RecursionError:  # the parser itself gave up, far past MAX_DEPTH
        raise _bad(TOO_DEEP)
    if not isinstance(body, dict):  # a literal `null` too: only an empty body means "nothing"
        raise _bad(N_("Isi permintaan harus objek JSON."))
    _check_json(body)
    return body


def _check_json(value: object) -> None:
    stack = [(value, 1)]  # a loop, not recursion: the check must not fail the way the parser did
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise _bad(TOO_DEEP)
            children = list(item.values()) + list(item) if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            if not is_clean(item):
                raise _bad(BAD_TEXT)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            if abs(item) > MAX_INT or math.isnan(item):  # 2**63, Infinity, NaN ...
                raise _bad(N_("Angka di luar batas (maks. %(max)s).", max=MAX_INT))


def form_text(name: str) -> str | None:
    """A multipart/form field, held to the same rule as JSON text."""
    value = request.form.get(name)
    if value is not None and not is_clean(value):
        raise _bad(BAD_TEXT)
    return value


def _bad(message: str) -> queue.QueueError:
    from ..service import InvalidRequest
    return InvalidRequest(message)


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.get("/services")
@limiter.limit("120 per minute")
def services():
    # why a service is closed, in the reader's language (a person's own words stay as typed)
    return jsonify(services=[{**sv, "closed_reason": tr(sv["closed_reason"])} if sv.get("closed_reason")
                             else sv for sv in hall().service.services()])


@bp.get("/state")
@limiter.limit("120 per minute")
def state():
    return jsonify(hall().screens.snapshots.get())


@bp.post("/tickets")
@limiter.limit(lambda: current_app.config["TICKET_RATE_LIMIT"], key_func=lambda: ticket_issuer() or "-",
               exempt_when=lambda: ticket_issuer() is None)
@limiter.limit(PUBLIC_PER_ADDRESS, exempt_when=lambda: ticket_issuer() is not None)
@limiter.limit(PUBLIC_PER_HALL, key_func=lambda: "public", exempt_when=lambda: ticket_issuer() is not None)
def issue_ticket():
    """Paired kiosks (device cookie) and kiosk tokens issue tickets; anyone else only when the
    manager allows public tickets, under limits of their own so nobody can empty a quota."""
    issuer = ticket_issuer()
    if issuer is None and not hall().service.settings()["public_tickets"]:
        return jsonify(error=tr(N_("Kios ini belum dipasangkan. Minta pengelola memasangkannya di "
                                   "konsol (Perangkat & Akses)."))), 401
    body = json_body()
    unknown = set(body) - {"service", "priority", "request_id"}
    if unknown:
        raise _bad(f"Field tidak dikenal: {', '.join(sorted(unknown))}")
    key = _idempotency_key(body)
    scope = issuer or f"public:{request.remote_addr}"
    ticket = hall().service.issue_ticket(body.get("service"), body.get("priority", False),
                                         idempotency_key=key and f"{scope}:{key}")
    from . import visitor
    ticket = visitor.on_ticket(ticket)   # its link (/t/<token>), QR and estimate; never fails the ticket
    from .printing import on_ticket
    ticket = on_ticket(ticket)   # a paired kiosk's slip is queued for its printer (never fails the ticket)
    return jsonify(ticket), 201


def ticket_issuer() -> str | None:
    """Who issues: 'device:<id>' for a paired kiosk, 'token:<name>' for a kiosk token, or None."""
    if "ticket_issuer" not in g:
        issuer = None
        principal = current_principal()
        if principal is not None and principal.kind == "token" and principal.role == "kiosk":
            issuer = f"token:{principal.name}"
        else:
            from .devices import current_device
            device = current_device()
            if device is not None and device.paired and device.kind == "kiosk":
                issuer = f"device:{device.id}"
        g.ticket_issuer = issuer
    return g.ticket_issuer


def _idempotency_key(body: dict) -> str | None:
    header, field = request.headers.get("Idempotency-Key") or None, body.get("request_id")
    for key in (header, field):  # both checked: a bad one is refused even beside a good one
        if key is not None and (not isinstance(key, str) or not 0 < len(key) <= MAX_KEY or not is_clean(key)):
            raise _bad(f"Idempotency-Key/request_id: teks 1–{MAX_KEY} karakter.")
    return header or field


@bp.get("/counters")
def counters():
    return jsonify(counters=hall().service.counters())


@bp.get("/counters/<id:counter_id>")
@api_auth(lambda p, counter_id: p.is_manager or p.may_operate(counter_id))
def counter_state(counter_id: int):
    return jsonify(hall().service.counter_view(counter_id))


@bp.post("/counters/<id:counter_id>/<any('call-next','recall','skip','finish','transfer','pause','resume'):action>")
@api_auth(operates_counter)
def counter_action(counter_id: int, action: str):
    body = json_body()
    key = _idempotency_key(body)
    principal = current_principal()
    result = hall().service.counter_action(
        counter_id, action, staff_id=principal.user_id, service_code=body.get("service"),
        idempotency_key=key)
    return jsonify(result)


@bp.get("/tickets/<number>/timeline")
@api_auth(is_manager)
def ticket_timeline(number: str):
    return jsonify(events=hall().service.ticket_timeline(number.upper()))
