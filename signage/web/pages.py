"""The pages people use: kiosk, hall display, counter tablet, manager console, log-in."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import (Blueprint, make_response, redirect, render_template, request,
                   send_from_directory, session, url_for)

from . import hall
from .auth import current_principal, page_login_required
from .i18n import LANGUAGES, strings

bp = Blueprint("pages", __name__)


def lang() -> str:
    chosen = request.args.get("lang") or request.cookies.get("lang")
    return chosen if chosen in LANGUAGES else "id"


def render(template: str, **context):
    language = lang()
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
    return render("kiosk.html")


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
    return render("display.html", only_services=codes or profile.get("services", []),
                  speaker=request.args.get("speaker") in ("1", "true", "yes") or profile.get("sound", False),
                  layout=layout if layout in ("calls_media", "calls_only") else "calls_media",
                  display_name=(request.args.get("name") or request.args.get("profile") or "")[:60])


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        principal = hall().accounts.authenticate(request.form.get("username", ""),
                                                 request.form.get("password", ""))
        if principal is None:
            error = strings(lang())["login_failed"]
        else:
            session.clear()
            session.permanent = True
            session["user_id"] = principal.user_id
            default = url_for("pages.manager") if principal.role in ("manager", "supervisor") \
                else url_for("pages.counter")
            return redirect(_safe_next(request.args.get("next")) or default)
    return render("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
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


@bp.get("/audio/<path:name>")
def audio(name: str):
    return send_from_directory(hall().config.audio_dir, name, max_age=86400)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: a log-in link must not bounce people to another host."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
