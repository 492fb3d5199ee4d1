"""WhatsApp messages on the web: a number for a ticket (the kiosk's keypad, or the ticket's own
page), the console's gateway settings and failures. The sending is notify/worker.py's."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from flask_socketio import SocketIO

from ..notify import Outbox
from ..notify.outbox import DEFAULTS
from ..notify.worker import NotifyWorker
from ..service import InvalidRequest
from . import csrf, hall, limiter
from .api import json_body
from .auth import api_auth, current_principal, is_manager
from ..messages import N_

bp = Blueprint("notify", __name__)
PHONE_LIMIT = "10 per minute"     # per address: a kiosk takes one number per visitor


def register(app: Flask, socketio: SocketIO) -> Outbox:
    h = app.extensions["signage"]
    outbox = Outbox(h.service)
    worker = NotifyWorker(outbox, socketio, h.duties)
    h.broadcaster.relays.append(worker.queue_changed)
    h.duties.on_taken.append(worker.queue_changed)
    app.extensions["notify"] = outbox
    app.register_blueprint(bp)
    csrf.exempt(bp)   # the number carries the ticket's token; sessions are checked by api_auth
    worker.start()
    return outbox


def outbox() -> Outbox:
    return current_app.extensions["notify"]


@bp.post("/api/visitor/<token>/phone")
@limiter.limit(PHONE_LIMIT)
def add_phone(token: str):
    from .visitor import public_base, visitors
    body = json_body()
    unknown = set(body) - {"phone"}
    if unknown:
        raise InvalidRequest(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
    if "phone" not in body:
        raise InvalidRequest(N_("Field 'phone' wajib diisi (nomor WhatsApp, mis. 0812 3456 7890)."))
    view = visitors().view(token)          # 404 / 410 for a wrong or old link
    ticket_id = visitors().ticket_id(token)
    estimate = view["estimate"]["text"] if view.get("estimate") else None
    return jsonify(outbox().add_contact(ticket_id, body["phone"], f"{public_base()}/t/{token}", estimate)), 201


@bp.get("/api/manage/notify")
@api_auth(is_manager)
def settings():
    return jsonify(outbox().public_config() | outbox().report())


@bp.put("/api/manage/notify")
@api_auth(is_manager)
def save_settings():
    body = json_body()
    config = outbox().set_config(body)
    from ..audit import record
    with hall().service.db.write() as s:
        record(s, hall().service.clock(), current_principal(), "notify.settings",
               **{k: ("***" if k == "token" else v) for k, v in body.items() if k in DEFAULTS})
    return jsonify(config | outbox().report())
