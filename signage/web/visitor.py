"""The visitor's phone on the web: `/t/<token>`, its JSON, cancel, and its own live feed.

Phones never join the hall-wide feed. They connect to the Socket.IO namespace `/ticket` with
their token; the server puts each in the room of that one ticket, and after the broadcaster has
sent a queue event to the screens it hands it here (`relay`): the view of every ticket followed
in the affected agency is recomputed (coalesced, at most every RELAY_DELAY_S) and emitted to that
ticket's room only: its status, people ahead, the agency's queue length, the estimate. A phone
can send nothing but `refresh`, rate-limited like every event of the hall's screens.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_socketio import Namespace, SocketIO, emit, join_room

from .. import queue
from ..messages import NC_, N_
from ..printing.qr import data_uri
from ..ratelimit import BucketTable, Rate, TokenBucket
from ..realtime import NAMESPACE as HALL_NAMESPACE, TOO_MANY_CONNECTIONS, refused
from ..visitor import LinkExpired, LinkNotFound, Visitors
from . import csrf, hall, limiter
from .api import json_body
from .auth import api_auth, current_principal, is_manager
from ..service import InvalidRequest

log = logging.getLogger(__name__)
bp = Blueprint("visitor", __name__)
TICKET_NAMESPACE = "/ticket"
PUBLIC_URL_KEY = "public_url"        # settings row: the hall's address for phones (e.g. from mobile data)
PAGE_LIMIT = "60 per minute"         # per address: the hall's phones may share one behind its router
CANCEL_LIMIT = "10 per minute"
MAX_PHONES_PER_ADDRESS = 200         # a hall Wi-Fi NATs many phones behind one address
RELAY_DELAY_S = 0.3
QUEUE_EVENTS = ("issued", "called", "finished", "skipped", "transferred", "cancelled", "paused",
                "resumed", "hall")
PHONE_EVENTS = {"refresh": Rate(burst=2, per_second=0.2)}
PHONE_ADDRESS_EVENTS = Rate(burst=120, per_second=20)
PHONE_CONNECTS = Rate(burst=60, per_second=2)   # per address: token look-ups by connecting


WORDS = {   # the ticket page's own words (Indonesian msgids; English in the catalog): only these
    "title": N_("Antrian Anda"),
    "language": N_("English"),
    "offline": N_("Terputus, menyambung kembali…"),
    "unknown_title": N_("Tautan tiket tidak dikenal"),
    "unknown_lead": N_("Periksa kembali tautan atau QR pada tiket Anda. Tiket tetap berlaku di loket "
                     "dengan nomornya."),
    "expired_title": N_("Tautan tiket sudah tidak berlaku"),
    "expired_lead": N_("Tautan hanya berlaku pada hari layanan tiketnya. Ambil nomor antrian baru di "
                     "kios."),
    "your_number": NC_("w_your_number", "Nomor antrian Anda"),
    "ahead": N_("Di depan Anda"),
    "queue": N_("Antrian layanan ini"),
    "people": N_("orang"),
    "estimate": N_("Perkiraan dipanggil"),
    "estimate_note": N_("Perkiraan dari kecepatan layanan hari ini, bukan janji. Halaman ini "
                      "diperbarui sendiri."),
    "sound_on": N_("Aktifkan suara"),
    "sound_ok": N_("Suara aktif: ponsel berbunyi saat Anda dipanggil."),
    "cancel": N_("Batalkan antrian"),
    "cancel_confirm": N_("Yakin membatalkan? Nomor ini keluar dari antrian dan tidak dapat dipakai lagi."),
    "cancel_yes": N_("Ya, batalkan"),
    "cancel_no": N_("Tidak"),
    "called_go": N_("Silakan menuju"),
    "called_ok": N_("Saya menuju ke sana"),
    "called_title": N_("Dipanggil!"),
    "st_waiting": N_("Menunggu"),
    "st_called": N_("Dipanggil ke"),
    "st_served": N_("Selesai dilayani"),
    "st_no_show": N_("Terlewat (tidak hadir saat dipanggil)"),
    "st_cancelled": N_("Dibatalkan"),
    "done_served": N_("Terima kasih"),
    "done_served_lead": N_("Anda sudah dilayani. Bantu kami menjadi lebih baik: isi survei kepuasan singkat."),
    "done_cancelled": N_("Antrian dibatalkan"),
    "done_cancelled_lead": N_("Nomor ini sudah keluar dari antrian. Ambil nomor baru di kios bila perlu."),
    "done_no_show": N_("Nomor Anda terlewat"),
    "done_no_show_lead": N_("Silakan ke petugas informasi atau ambil nomor baru di kios."),
    "survey": N_("Isi survei kepuasan"),
    "error": N_("Gagal, coba lagi."),
}


def words(lang: str) -> dict:
    from .language import tr
    return {key: tr(text, lang) for key, text in WORDS.items()}


def register(app: Flask, socketio: SocketIO) -> Visitors:
    h = app.extensions["signage"]
    visitors = Visitors(h.service)
    app.extensions["visitor"] = visitors
    namespace = TicketNamespace(visitors)
    socketio.on_namespace(namespace)
    relay = Relay(socketio, visitors, namespace)
    h.broadcaster.relays.append(relay.on_event)
    h.screens.state_extras.append(relay.estimates)
    app.extensions["visitor.relay"] = relay
    app.register_blueprint(bp)
    csrf.exempt(bp)   # cancel carries its token; the console route checks sessions in api_auth
    return visitors


def visitors() -> Visitors:
    return current_app.extensions["visitor"]


def public_base() -> str:
    """Where phones reach the hall: the console's public address, else the address asked."""
    configured = hall().service.settings().get(PUBLIC_URL_KEY)
    return (configured or request.host_url).rstrip("/")


def on_ticket(ticket: dict) -> dict:
    """Called by POST /api/tickets: the ticket's link, its QR and the estimate. Never fails a
    ticket: without them the kiosk still shows and prints the number."""
    try:
        link = visitors().link(ticket["id"])
        url = public_base() + link["path"]
        notify = current_app.extensions.get("notify")   # may the kiosk offer WhatsApp (notify/)?
        whatsapp = notify is not None and notify.config()["sender"] != "off"
        return ticket | {"url": url, "qr": data_uri(url), "link_expires_at": link["expires_at"],
                         "whatsapp": whatsapp, **visitors().for_new_ticket(ticket)}
    except Exception:
        current_app.logger.exception("the link of ticket %s failed", ticket.get("number"))
        return ticket


# ---- pages and API ---------------------------------------------------------------------------
@bp.get("/t/<token>")
@limiter.limit(PAGE_LIMIT)
def page(token: str):
    from . import pages

    def render(template, **context):
        return pages.render(template, w=words(pages.lang()), **context)
    try:
        view = visitors().view(token)
    except LinkExpired:
        return render("ticket.html", mode="expired", ticket=None, ticket_data={"mode": "expired"}), 410
    except LinkNotFound:
        return render("ticket.html", mode="unknown", ticket=None, ticket_data={"mode": "unknown"}), 404
    return render("ticket.html", mode="ticket", ticket=view,
                  ticket_data={"mode": "ticket", "token": token, "ticket": view})


@bp.get("/api/visitor/<token>")
@limiter.limit(PAGE_LIMIT)
def ticket_json(token: str):
    return jsonify(visitors().view(token))


@bp.post("/api/visitor/<token>/cancel")
@limiter.limit(CANCEL_LIMIT)
def cancel(token: str):
    if json_body():   # the token is all it takes: an empty body or {}
        raise InvalidRequest(N_("Pembatalan tidak memerlukan isi; kirim {} atau kosong."))
    return jsonify(visitors().cancel(token))


@bp.get("/api/manage/visitor")
@api_auth(is_manager)
def settings():
    return jsonify(_settings())


@bp.put("/api/manage/visitor")
@api_auth(is_manager)
def save_settings():
    body = json_body()
    unknown = set(body) - {"minutes", "public_url"}
    if unknown:
        raise InvalidRequest(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
    if "minutes" in body:
        visitors().set_typical({"minutes": body["minutes"]})
    if "public_url" in body:
        _save_public_url(body["public_url"])
    from ..audit import record
    with hall().service.db.write() as s:
        record(s, hall().service.clock(), current_principal(), "visitor.settings", **body)
    current_app.extensions["visitor.relay"].on_event({"type": "hall"})   # the displays' estimates
    return jsonify(_settings())


def _settings() -> dict:
    from .. import estimate
    return {"minutes": visitors().typical(), "default": estimate.DEFAULT_TYPICAL_MINUTES,
            "public_url": hall().service.settings().get(PUBLIC_URL_KEY) or ""}


def _save_public_url(value: object) -> None:
    from ..store import tables as t
    if value is None or value == "":
        value = None
    elif not isinstance(value, str) or len(value) > 200:
        raise InvalidRequest(N_("public_url: alamat http(s) hingga 200 karakter."))
    else:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise InvalidRequest(N_("public_url: alamat http(s)://nama[:port], tanpa ? atau #."))
        value = value.strip().rstrip("/")
    with hall().service.db.write() as s:
        row = s.get(t.Setting, PUBLIC_URL_KEY)
        if row is None:
            s.add(t.Setting(key=PUBLIC_URL_KEY, value=value))
        else:
            row.value = value


# ---- the phones' live feed -------------------------------------------------------------------
def ticket_room(ticket_id: int) -> str:
    return f"ticket-{ticket_id}"


class _Phone:
    """One phone's connection: its address, its ticket, a bucket per event it may send."""

    def __init__(self, address: str, ticket_id: int):
        self.address = address
        self.ticket_id = ticket_id
        self.buckets = {name: TokenBucket(rate) for name, rate in PHONE_EVENTS.items()}

    def allow(self, event: str) -> bool:
        bucket = self.buckets.get(event)
        return bucket is not None and bucket.take()


class TicketNamespace(Namespace):
    """One room per ticket; a phone joins only the room its token opens."""

    def __init__(self, visitors: Visitors, max_per_address: int = MAX_PHONES_PER_ADDRESS):
        super().__init__(TICKET_NAMESPACE)
        self.visitors = visitors
        self.max_per_address = max_per_address
        self.followed: dict[int, set[str]] = {}     # ticket id -> sids
        self._clients: dict[str, _Phone] = {}
        self._per_address: dict[str, int] = {}
        self._address_events = BucketTable(PHONE_ADDRESS_EVENTS)
        self._connects = BucketTable(PHONE_CONNECTS)

    def trigger_event(self, event, *args):
        if event not in ("connect", "disconnect") and args:
            phone = self._clients.get(args[0])
            if phone is None or not (phone.allow(event) and self._address_events.take(phone.address)):
                return None
        return super().trigger_event(event, *args)

    def on_connect(self, auth=None):
        address = request.remote_addr or "?"
        if self._per_address.get(address, 0) >= self.max_per_address or not self._connects.take(address):
            raise refused(TOO_MANY_CONNECTIONS)
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            ticket_id = self.visitors.ticket_id(token)
        except queue.QueueError as exc:
            raise refused(exc.message)
        self._clients[request.sid] = _Phone(address, ticket_id)
        self._per_address[address] = self._per_address.get(address, 0) + 1
        self.followed.setdefault(ticket_id, set()).add(request.sid)
        join_room(ticket_room(ticket_id))
        emit("ticket", self.visitors.view_of(ticket_id))

    def on_disconnect(self, reason=None):
        phone = self._clients.pop(request.sid, None)
        if phone is None:
            return
        left = self._per_address.get(phone.address, 1) - 1
        if left > 0:
            self._per_address[phone.address] = left
        else:
            self._per_address.pop(phone.address, None)
        sids = self.followed.get(phone.ticket_id)
        if sids is not None:
            sids.discard(request.sid)
            if not sids:
                self.followed.pop(phone.ticket_id, None)

    def on_refresh(self, _data=None):
        phone = self._clients.get(request.sid)
        if phone is not None:
            emit("ticket", self.visitors.view_of(phone.ticket_id))


class Relay:
    """From the broadcaster to the phones' rooms (and the agencies' estimates to the screens)."""

    def __init__(self, socketio: SocketIO, visitors: Visitors, namespace: TicketNamespace):
        self.socketio = socketio
        self.visitors = visitors
        self.namespace = namespace
        self._dirty = False
        self._estimates: dict | None = None
        self._sent: dict[int, dict] = {}     # ticket id -> the view its room has: only changes leave

    def on_event(self, event: dict) -> None:
        """Called by the broadcaster after it sent `event` to the screens. Cheap: marks work."""
        if event.get("type") not in QUEUE_EVENTS or self._dirty:
            return
        self._dirty = True
        self.socketio.start_background_task(self._push)

    def _push(self) -> None:
        self.socketio.sleep(RELAY_DELAY_S)
        self._dirty = False
        try:
            self.visitors.forget()
            followed = list(self.namespace.followed)
            for ticket_id in set(self._sent) - set(followed):
                del self._sent[ticket_id]
            for ticket_id in followed:
                view = self.visitors.view_of(ticket_id)
                if view is not None and view != self._sent.get(ticket_id):
                    self._sent[ticket_id] = view
                    self.socketio.emit("ticket", view, room=ticket_room(ticket_id),
                                       namespace=TICKET_NAMESPACE, ignore_queue=True)
            estimates = self.visitors.agency_estimates()
            if estimates != self._estimates:
                self._estimates = estimates
                self.socketio.emit("estimates", estimates, namespace=HALL_NAMESPACE,
                                   ignore_queue=True)   # every process pushes to its own (cluster.py)
        except Exception:   # a phone's view must never stop the hall's feed
            log.exception("pushing the tickets' views failed")

    def estimates(self) -> dict:
        """For the screens' `state`: the estimate per agency for a ticket taken now."""
        try:
            if self._estimates is None:
                self._estimates = self.visitors.agency_estimates()
            return {"estimates": self._estimates}
        except Exception:
            log.exception("estimates for the screens failed")
            return {}
