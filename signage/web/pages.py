"""The pages people use: kiosk, hall display, counter tablet, manager console, log-in."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask import (Blueprint, current_app, make_response, redirect, render_template, request,
                   send_from_directory, session, url_for)

from ..passwords import Busy
from ..service import InvalidRequest
from . import hall, limiter
from .auth import current_principal, page_login_required
from .i18n import LANGUAGES, strings
from .language import current as current_language, explicit_choice, format_clock

bp = Blueprint("pages", __name__)


def lang(public: bool = False) -> str:
    """The reader's language (web/language.py): ?lang / the cookie, else the browser's.
    A public screen (hall TV, kiosk) speaks Indonesian unless told otherwise: its browser's
    settings say nothing about the people in front of it."""
    if public:
        return explicit_choice() or "id"
    return current_language()


def render(template: str, public: bool = False, **context):
    language = lang(public)
    response = make_response(render_template(
        template, t=strings(language), lang=language,
        hall_name=hall().service.settings()["hall_name"], principal=current_principal(),
        **context))
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.get("/")
def index():
    return render("index.html")


@bp.get("/kiosk")
def kiosk():
    """A paired kiosk (or any screen, if the manager allows public tickets) shows the agencies;
    an unpaired one shows the code a manager types in the console to pair it."""
    from .devices import current_device
    device = current_device()
    paired = device is not None and device.paired and device.kind == "kiosk"
    printer = {"kind": "browser", "paper": 80}
    if paired:
        from .printing import printing
        printer = printing().config_for(device.id)
    # Each visitor starts in Indonesian: English is this page's ?lang=en only, never a cookie
    # (kiosk.js goes back to plain /kiosk after a ticket or a minute without a touch).
    language = request.args.get("lang") if request.args.get("lang") in LANGUAGES else "id"
    response = make_response(render_template(
        "kiosk.html", t=strings(language), lang=language, principal=current_principal(),
        hall_name=hall().service.settings()["hall_name"], paired=paired, printer=printer,
        pairing=not (paired or hall().service.settings()["public_tickets"])))
    if "lang" in request.cookies:
        response.delete_cookie("lang")
    return response


@bp.get("/display")
def display():
    """A TV. `?profile=NAME` takes services, layout and sound from a manager's display profile;
    `?services=A,B`, `?speaker=1` and `?layout=` set them directly."""
    from ..admin import HallAdmin
    profile = {}
    if request.args.get("profile"):
        h = hall()
        profile = HallAdmin(h.service, h.accounts).profile(request.args["profile"]) or {}
    codes = [c.strip().upper() for c in request.args.get("services", "").split(",") if c.strip()]
    layout = request.args.get("layout") or profile.get("layout", "calls_media")
    speaker = request.args.get("speaker") in ("1", "true", "yes") or profile.get("sound", False)
    from .devices import current_device
    device = current_device()
    paired = device is not None and device.paired and device.kind == "display"
    name = device.name if paired else (request.args.get("name") or request.args.get("profile") or "")
    from ..zones import profile_zone, zone_name
    try:   # the speaker zone this screen plays: ?zone=, else its profile's, else the main zone
        zone = zone_name(request.args["zone"]) if "zone" in request.args else \
            profile_zone(hall().service.settings(), request.args.get("profile", ""))
    except InvalidRequest:
        zone = ""
    return render("display.html", public=True, only_services=codes or profile.get("services", []), speaker=speaker,
                  layout=layout if layout in ("calls_media", "calls_only") else "calls_media",
                  display_name=name[:60], paired=paired, pairing=speaker and not paired, zone=zone)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def login():
    if request.method == "GET":
        return render("login.html", error=None)
    h = hall()
    username = request.form.get("username", "")[:100]
    words = strings(lang())
    locked = h.login_guard.locked_until(username, request.remote_addr)
    if locked is not None:
        return _login_refused(words["login_locked"].format(time=_hall_time(locked)), 429,
                              locked - h.service.clock())
    if not h.login_guard.begin_check(request.remote_addr):
        return _login_refused(words["login_busy"], 429, timedelta(seconds=2))
    try:
        principal = h.accounts.authenticate(username, request.form.get("password", "")[:200])
    except Busy:
        return _login_refused(words["login_busy"], 503, timedelta(seconds=5))
    finally:
        h.login_guard.end_check(request.remote_addr)
    if principal is None:
        h.login_guard.failed(username, request.remote_addr)
        return render("login.html", error=words["login_failed"]), 401
    h.login_guard.succeeded(username)
    session.clear()
    session.permanent = True
    session["sid"] = h.accounts.open_session(principal.user_id, current_app.permanent_session_lifetime,
                                             request.remote_addr)
    default = url_for("pages.manager") if principal.role in ("manager", "supervisor") \
        else url_for("pages.counter")
    return redirect(_safe_next(request.args.get("next")) or default)


def _login_refused(message: str, status: int, retry_after: timedelta):
    response = make_response(render("login.html", error=message), status)
    response.headers["Retry-After"] = str(max(1, int(retry_after.total_seconds())))
    return response


def _hall_time(moment) -> str:
    return format_clock(moment.astimezone(ZoneInfo(hall().service.settings()["timezone"])))


@bp.post("/logout")
def logout():
    if isinstance(session.get("sid"), str):
        hall().accounts.end_session(session["sid"])
    session.clear()
    return redirect(url_for("pages.login"))


@bp.get("/counter")
@page_login_required("staff")
def counter():
    principal = current_principal()
    counters = [c for c in hall().service.counters() if c["id"] in principal.counter_ids]
    chosen = session.get("counter_id")
    if chosen not in principal.counter_ids:
        chosen = counters[0]["id"] if len(counters) == 1 else None
    if request.args.get("id", type=int) in principal.counter_ids:
        chosen = request.args.get("id", type=int)
    session["counter_id"] = chosen
    services = hall().service.services()
    return render("counter.html", counters=counters, counter_id=chosen, services=services)


@bp.get("/manager")
@page_login_required("manager", "supervisor")
def manager():
    return render("manager.html")


@bp.get("/media/<path:name>")
def media(name: str):
    return send_from_directory(hall().config.media_dir, name, max_age=86400)


_CLIP_NAME = re.compile(r"^cache/([0-9a-f]{32}\.wav)$")


@bp.get("/audio/<path:name>")
def audio(name: str):
    """A voice clip. A call's event leaves before its clip is made (speech/voice.py), so a clip
    still being made is waited for, briefly (Voice.wait_ready), rather than answered 404."""
    clip = _CLIP_NAME.match(name)
    if clip:
        path = hall().speaker.voice.wait_ready(clip.group(1))
        if path is not None:
            return send_from_directory(path.parent, path.name, max_age=86400)
    return send_from_directory(hall().config.audio_dir, name, max_age=86400)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: a log-in link must not bounce people to another host."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
