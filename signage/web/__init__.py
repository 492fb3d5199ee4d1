"""The Flask application: pages, JSON API and Socket.IO around the hall service."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from markupsafe import escape
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import queue
from ..accounts import Accounts
from ..cluster import Cluster, make_cluster
from ..devices import Devices
from ..login_guard import LoginGuard
from ..messages import N_, Message
from ..hall import HallSpec
from ..realtime import Broadcaster, DisplayNamespace, Presence, limit_incoming
from ..service import HallService
from ..speech.hall_speaker import HallSpeaker
from ..speech.voice import Voice
from ..store import Database
from ..store.duties import AlwaysHeld, Duties
from ..store import tables as t
from . import language, security_headers
from .build import page_build
from .converters import IdConverter
from .fair_share import FairShare
from .origins import same_origin

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ASYNC_MODES = ("gevent", "eventlet", "threading")
MAX_BODY_BYTES = 64 * 1024
MAX_SOCKET_MESSAGE = 16 * 1024   # screens send a few small events; nothing needs more
VOICE_WORKERS = 2   # clips rendered at once (speech/voice.py)
HALL_CLOCK_S = 5    # scheduled announcements and opening hours are looked at this often


@dataclass
class Config:
    db_url: str
    hall: HallSpec | None = None
    async_mode: str = "threading"
    ticket_rate_limit: str = "30 per minute"
    request_rate_limit: str = "600 per minute"   # any route, per address: a TV needs a few a minute
    audio_dir: Path = PROJECT_ROOT / "audio"
    media_dir: Path = PROJECT_ROOT / "media"
    message_queue: str | None = None
    # Hall network: how many reverse proxies in front set X-Forwarded-* (0: none, trust nothing);
    # https: people reach the hall through HTTPS (cookies become Secure, HSTS is sent).
    proxy_hops: int = 0
    https: bool = False
    allowed_origins: tuple[str, ...] = ()   # other origins whose pages may attach (besides our own)
    max_connections_per_address: int = 30
    extra: dict = field(default_factory=dict)


@dataclass
class Hall:
    """Everything a request handler needs, hung on app.extensions['signage']."""

    service: HallService
    accounts: Accounts
    socketio: SocketIO
    broadcaster: Broadcaster
    presence: Presence
    screens: DisplayNamespace
    speaker: HallSpeaker
    config: Config
    login_guard: LoginGuard
    devices: Devices
    cluster: Cluster          # what the processes of one hall share (cluster.py)
    duties: Duties | AlwaysHeld   # does this process run the once-per-hall work now?


csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])   # storage: RATELIMIT_STORAGE_URI


def create_app(config: Config) -> tuple[Flask, SocketIO]:
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    db = Database(config.db_url)
    db.create_all()
    service = HallService(db)
    if config.hall is not None:
        service.seed(config.hall)
    cluster = make_cluster(config.message_queue)

    app.config.update(
        SECRET_KEY=_secret_key(db),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.https,
        RATELIMIT_HEADERS_ENABLED=True,   # 429 answers carry Retry-After
        RATELIMIT_DEFAULT=config.request_rate_limit,
        # Several processes count together in their shared Redis (cluster.py); one, in memory.
        RATELIMIT_STORAGE_URI=config.message_queue if cluster.shared else "memory://",
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,   # Redis away: each process counts alone
        RATELIMIT_SWALLOW_ERRORS=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        TICKET_RATE_LIMIT=config.ticket_rate_limit,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.url_map.converters["id"] = IdConverter  # before the blueprints: ids 1..2**31-1
    csrf.init_app(app)
    limiter.init_app(app)
    language.init_app(app)   # Flask-Babel: the reader's language (web/language.py)

    app.wsgi_app = FairShare(app.wsgi_app)   # inside Socket.IO's middleware, outside Flask
    socketio = SocketIO(app, async_mode=config.async_mode, message_queue=config.message_queue,
                        cors_allowed_origins=same_origin(config.allowed_origins),
                        ping_interval=5, ping_timeout=5, max_http_buffer_size=MAX_SOCKET_MESSAGE)
    if config.proxy_hops:
        # Wraps the Socket.IO middleware too, so websocket clients are known by their real address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_hops, x_proto=config.proxy_hops,
                                x_host=config.proxy_hops, x_port=config.proxy_hops)
    accounts = Accounts(db)
    devices = Devices(db, service.clock)
    namespace = DisplayNamespace(service, cluster, accounts, devices,
                                 max_per_address=config.max_connections_per_address)
    socketio.on_namespace(namespace)
    limit_incoming(socketio)
    broadcaster = Broadcaster(socketio, service, poll_s=cluster.follow_poll_s,
                              snapshots=namespace.snapshots)
    service.subscribe(cluster.committed)
    duties = Duties(db, cluster.process, service.clock) if cluster.shared else AlwaysHeld()
    # Clips are made beside the events, two at once at most (a hall server has ~2 cores).
    speaker = HallSpeaker(Voice(config.audio_dir, workers=VOICE_WORKERS), service.settings)
    broadcaster.enrichers.append(speaker.enrich_all)
    namespace.state_extras.append(lambda: {"announcements": speaker.recent()})
    build = page_build(PROJECT_ROOT)
    namespace.state_extras.append(lambda: {"build": build})
    namespace.on_played_hooks.append(speaker.queue.mark_played)
    app.extensions["signage"] = Hall(service=service, accounts=accounts, socketio=socketio,
                                     broadcaster=broadcaster, presence=cluster.presence, speaker=speaker,
                                     cluster=cluster, duties=duties,
                                     config=config, login_guard=LoginGuard(db, service.clock),
                                     devices=devices, screens=namespace)
    security_headers.register(app, https=config.https)

    from . import access, api, devices as device_routes, manage_api, pages
    app.register_blueprint(api.bp)
    app.register_blueprint(access.bp)
    app.register_blueprint(manage_api.bp)
    app.register_blueprint(device_routes.bp)
    app.register_blueprint(pages.bp)
    csrf.exempt(api.bp)
    csrf.exempt(device_routes.bp)
    csrf.exempt(access.bp)
    csrf.exempt(manage_api.bp)  # the API checks CSRF itself when the caller is a browser session
    from . import survey as survey_routes
    survey_routes.register(app)  # Survei Kepuasan Masyarakat: pages, API, tokens for finished tickets
    from . import visitor as visitor_routes
    visitor_routes.register(app, socketio)  # the visitor's phone: /t/<token>, its live room, estimates
    from . import notify as notify_routes
    notify_routes.register(app, socketio)   # WhatsApp messages: outbox, senders, worker
    _register_errors(app)
    from . import health, storage_errors
    storage_errors.register(app)  # a full disk / read-only database: 507 / 503, said plainly
    app.register_blueprint(health.bp)
    broadcaster.start()
    cluster.start(socketio, on_remote_commit=service.changed_elsewhere)
    from . import printing as printing_routes
    printing_routes.init_app(app, socketio)  # kiosks' printers: slips, retries, state
    socketio.start_background_task(duties.follow, socketio.sleep)
    socketio.start_background_task(_hall_clock, socketio, app)
    return app, socketio


def _hall_clock(socketio: SocketIO, app: Flask) -> None:
    """What changes with time alone: scheduled announcements fall due, services open and close
    with their hours (the kiosk must grey out at 15:00 without anyone pressing anything)."""
    from ..admin import HallAdmin
    h = app.extensions["signage"]
    admin = HallAdmin(h.service, h.accounts)
    open_states = None
    while True:
        try:
            if not h.duties.held:   # another process of the hall does this (store/duties.py)
                open_states = None
                socketio.sleep(HALL_CLOCK_S)
                continue
            admin.run_due_announcements()
            now_open = {s["code"]: s["open"] for s in h.service.services()}
            if open_states is not None and now_open != open_states:
                h.service.record_event("hall", {"reason": "hours"})
            open_states = now_open
        except Exception:  # the clock must keep ticking whatever one run did
            app.logger.exception("hall clock failed")
        socketio.sleep(HALL_CLOCK_S)


def _secret_key(db: Database) -> str:
    """Kept in the database so sessions survive a restart."""
    with db.write() as s:
        row = s.get(t.Setting, "secret_key")
        if row is None:
            row = t.Setting(key="secret_key", value=secrets.token_hex(32))
            s.add(row)
        return row.value


# The generic answers, one language each (the reader's: web/language.py).
HTTP_MESSAGES = {
    400: N_("Permintaan tidak sah."),
    401: N_("Perlu masuk atau token."),
    403: N_("Tidak diizinkan."),
    404: N_("Tidak ditemukan."),
    405: N_("Metode tidak diizinkan."),
    409: N_("Permintaan bertentangan dengan keadaan sekarang."),
    413: N_("Isi permintaan terlalu besar."),
    415: N_("Jenis isi permintaan tidak didukung."),
    429: N_("Terlalu banyak permintaan, coba lagi sebentar."),
    503: N_("Layanan sedang tidak tersedia, coba lagi sebentar."),
}
SERVER_ERROR = N_("Kesalahan server.")
CSRF_MESSAGE = N_("Token formulir (CSRF) tidak ada atau kedaluwarsa. Muat ulang halaman.")
FORM_EXPIRED = N_("Formulir kedaluwarsa, silakan muat ulang halaman.")


def _page(message: str, status: int):
    """A plain page for a browser, in the reader's language."""
    lang = language.current()
    return (f"<!doctype html><html lang=\"{lang}\"><meta charset=\"utf-8\"><title>{status}</title>"
            f"<p>{escape(message)}</p></html>", status, {"Content-Type": "text/html; charset=utf-8"})


def _register_errors(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(queue.QueueError)
    def queue_error(exc: queue.QueueError):
        return jsonify(error=language.tr(exc.message)), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        if wants_json():
            return jsonify(error=language.tr(CSRF_MESSAGE)), 400
        return _page(language.tr(FORM_EXPIRED), 400)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # A description written for people (an N_ message) wins; werkzeug's English defaults don't.
        if isinstance(exc.description, Message):
            text = language.tr(exc.description)
        elif exc.code in HTTP_MESSAGES:
            text = language.tr(HTTP_MESSAGES[exc.code])
        elif exc.code and exc.code >= 400:   # a rarer error: said generally, not in werkzeug's English
            text = language.tr(SERVER_ERROR if exc.code >= 500 else HTTP_MESSAGES[400])
        else:
            text = None
        if wants_json():
            response = jsonify(error=text or exc.description)
            # keep the headers the exception carries (Allow on a 405), not its HTML content type
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response, exc.code
        if text is None:
            return exc
        body, status, headers = _page(text, exc.code)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                headers[name] = value
        return body, status, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        if wants_json():
            return jsonify(error=language.tr(SERVER_ERROR)), 500
        return _page(language.tr(SERVER_ERROR), 500)


def hall() -> Hall:
    from flask import current_app
    return current_app.extensions["signage"]
