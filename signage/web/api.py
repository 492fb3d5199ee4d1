"""The public JSON API (documented at /api/openapi.json)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest

from .. import queue
from . import hall, limiter
from .auth import api_auth, current_principal, is_manager, operates_counter
from .openapi import spec

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_KEY = 100


def json_body() -> dict:
    try:
        body = request.get_json(force=False, silent=False) if request.data else {}
    except BadRequest:
        raise _bad("Isi permintaan bukan JSON yang sah. / Body is not valid JSON.")
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise _bad("Isi permintaan harus objek JSON. / Body must be a JSON object.")
    return body


def _bad(message: str) -> queue.QueueError:
    from ..service import InvalidRequest
    return InvalidRequest(message)


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.get("/services")
def services():
    return jsonify(services=hall().service.services())


@bp.get("/state")
def state():
    return jsonify(hall().service.snapshot())


@bp.post("/tickets")
@limiter.limit(lambda: current_app.config["TICKET_RATE_LIMIT"])
def issue_ticket():
    body = json_body()
    unknown = set(body) - {"service", "priority"}
    if unknown:
        raise _bad(f"Field tidak dikenal: {', '.join(sorted(unknown))}")
    ticket = hall().service.issue_ticket(body.get("service"), body.get("priority", False))
    return jsonify(ticket), 201


@bp.get("/counters")
def counters():
    return jsonify(counters=hall().service.counters())


@bp.get("/counters/<int:counter_id>")
@api_auth(lambda p, counter_id: p.is_manager or p.may_operate(counter_id))
def counter_state(counter_id: int):
    return jsonify(hall().service.counter_view(counter_id))


@bp.post("/counters/<int:counter_id>/<any('call-next','recall','skip','finish','transfer','pause','resume'):action>")
@api_auth(operates_counter)
def counter_action(counter_id: int, action: str):
    body = json_body()
    key = request.headers.get("Idempotency-Key") or body.get("request_id")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= MAX_KEY):
        raise _bad(f"Idempotency-Key/request_id: teks 1–{MAX_KEY} karakter.")
    principal = current_principal()
    result = hall().service.counter_action(
        counter_id, action, staff_id=principal.user_id, service_code=body.get("service"),
        idempotency_key=key)
    return jsonify(result)


@bp.get("/tickets/<number>/timeline")
@api_auth(is_manager)
def ticket_timeline(number: str):
    return jsonify(events=hall().service.ticket_timeline(number.upper()))
