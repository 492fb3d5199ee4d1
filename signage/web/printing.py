"""The kiosks' printers on the web: the manager sets each kiosk's printer up, a paired kiosk
reprints its own slip; every ticket a paired kiosk issues gets its print job here."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from flask_socketio import SocketIO

from ..printing import Printing, PrintWorker
from ..realtime import CONSOLES, NAMESPACE, device_room
from . import csrf, hall
from .api import json_body
from .auth import api_auth, current_principal, is_manager
from ..messages import N_
from .language import tr

bp = Blueprint("printing", __name__, url_prefix="/api")


def init_app(app: Flask, socketio: SocketIO) -> Printing:
    """Create the printing use cases and start their worker (called from create_app)."""
    h = app.extensions["signage"]
    printing = Printing(h.service.db, h.service.clock, h.service.settings, h.config.media_dir)

    def notify(device_id: int, info: dict) -> None:
        socketio.emit("printer", info, room=device_room(device_id), namespace=NAMESPACE)
        socketio.emit("presence", {}, room=CONSOLES, namespace=NAMESPACE)   # consoles refetch

    printing.notify = notify
    app.extensions["signage.printing"] = printing
    app.register_blueprint(bp)
    # Sessions send X-CSRFToken (api_auth checks it); the kiosk is known by its SameSite cookie.
    csrf.exempt(bp)
    worker = PrintWorker(printing, socketio, h.duties)
    # A slip queued by another process of the hall (cluster.py) reaches the one that prints
    # with that process's commit; and a process that takes the duties over looks at once.
    h.service.subscribe(lambda _events: worker.wake())
    h.duties.on_taken.append(worker.wake)
    worker.start()
    return printing


def printing() -> Printing:
    return current_app.extensions["signage.printing"]


def on_ticket(ticket: dict) -> dict:
    """Called by POST /api/tickets after the ticket is committed: a paired kiosk's ticket gets
    `print` (what the kiosk does about paper). Printing never fails a ticket."""
    from .devices import current_device
    device = current_device()
    if device is None or not device.paired or device.kind != "kiosk":
        return ticket
    try:
        answer = printing().on_ticket(device.id, ticket)
    except Exception:
        current_app.logger.exception("queueing the slip of %s failed", ticket.get("number"))
        answer = {"mode": "browser", "paper": 80}
    link = ticket.get("url") or ticket.get("link")
    if link:                       # the ticket's own page: a QR on the screen to photograph or scan
        from ..printing.qr import data_uri
        answer["qr"] = data_uri(link)
    return ticket | {"print": answer}


def _kiosk_id() -> int | None:
    from .devices import current_device
    device = current_device()
    return device.id if device is not None and device.paired and device.kind == "kiosk" else None


_NOT_A_KIOSK = N_("Hanya kios yang sudah dipasangkan.")


@bp.get("/kiosk/printer")
def kiosk_printer():
    """A paired kiosk's own printer: kind, paper, and what the printer last said."""
    device_id = _kiosk_id()
    if device_id is None:
        return jsonify(error=tr(_NOT_A_KIOSK)), 401
    return jsonify(printing().config_for(device_id))


@bp.post("/kiosk/reprint")
def kiosk_reprint():
    device_id = _kiosk_id()
    if device_id is None:
        return jsonify(error=tr(_NOT_A_KIOSK)), 401
    body = json_body()
    unknown = set(body) - {"job"}
    if unknown:
        from ..service import InvalidRequest
        raise InvalidRequest(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
    return jsonify(printing().reprint(device_id, body.get("job"))), 201


@bp.get("/manage/kiosks")
@api_auth(is_manager)
def kiosks():
    return jsonify(kiosks=printing().kiosks(hall().presence.list()), footer=printing().footer())


@bp.put("/manage/kiosks/<id:device_id>/printer")
@api_auth(is_manager)
def set_printer(device_id: int):
    return jsonify(printing().configure(current_principal(), device_id, json_body()))


@bp.post("/manage/kiosks/<id:device_id>/test-print")
@api_auth(is_manager)
def test_print(device_id: int):
    return jsonify(printing().test_print(current_principal(), device_id)), 201


@bp.put("/manage/slip")
@api_auth(is_manager)
def slip_footer():
    body = json_body()
    unknown = set(body) - {"footer"}
    if unknown:
        from ..service import InvalidRequest
        raise InvalidRequest(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
    return jsonify(footer=printing().set_footer(current_principal(), body.get("footer")))
