"""The manager console's JSON API: hall edits, staff, running text, statistics, audit log."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, jsonify, request

from .. import queue
from ..admin import HallAdmin
from ..service import InvalidRequest
from . import hall
from .api import form_text, json_body
from .auth import api_auth, current_principal
from ..messages import N_
from .language import tr

bp = Blueprint("manage", __name__, url_prefix="/api")
MAX_STATS_DAYS = 366


def is_manager(p, **_):
    return p.is_manager


def is_supervisor_or_manager(p, **_):
    return p.role in ("manager", "supervisor")


def admin() -> HallAdmin:
    h = hall()
    return HallAdmin(h.service, h.accounts)


def _changed():
    return jsonify(ok=True)


@bp.put("/running-text")
@api_auth(is_manager)
def running_text():
    body = json_body()
    return jsonify(admin().set_running_text(current_principal(), body.get("lines"), body.get("speed")))


@bp.get("/stats")
@api_auth(is_supervisor_or_manager)
def stats():
    return jsonify(_stats())


@bp.get("/stats.csv")
@api_auth(is_supervisor_or_manager)
def stats_csv():
    """One table (?table=layanan|loket|jam) for Indonesian Excel: `;`, decimal comma, BOM."""
    from ..stats_export import TABLES, build_tables, table_key, to_csv
    key = table_key(request.args.get("table"))
    if key is None:
        raise InvalidRequest(N_("table: salah satu dari %(names)s.", names=', '.join(TABLES)))
    result = _stats()
    name = f"statistik-per-{key}-{result['from']}-{result['to']}.csv"
    return Response(to_csv(build_tables(result)[key]), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/stats.xlsx")
@api_auth(is_supervisor_or_manager)
def stats_xlsx():
    """The same figures as an Excel workbook: Per layanan, Per loket, Per jam, Keterangan."""
    from ..stats_export import build_tables, to_xlsx
    result = _stats()
    service = hall().service
    settings = service.settings()
    from zoneinfo import ZoneInfo
    made = service.clock().astimezone(ZoneInfo(settings["timezone"])).strftime("%Y-%m-%d %H.%M")
    body = to_xlsx(build_tables(result), hall_name=settings["hall_name"], first=result["from"],
                   last=result["to"], made_at=made)
    name = f"statistik-{result['from']}-{result['to']}.xlsx"
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _stats() -> dict:
    service = hall().service
    today = queue.service_day(service.clock(), service.settings()["timezone"])
    try:
        first = date.fromisoformat(request.args.get("from", today.isoformat()))
        last = date.fromisoformat(request.args.get("to", request.args.get("from", today.isoformat())))
    except ValueError:
        raise InvalidRequest(N_("from/to: tanggal YYYY-MM-DD."))
    if last < first or last - first > timedelta(days=MAX_STATS_DAYS):
        raise InvalidRequest(N_("Rentang tanggal tidak valid (maks. %(max_stats_days)s hari).", max_stats_days=MAX_STATS_DAYS))
    principal = current_principal()
    codes = None
    if principal.role == "supervisor":
        codes = [s["code"] for s in service.services()
                 if s["code"] == _supervisor_code(principal)]
    return service.statistics(first, last, codes)


def _supervisor_code(principal) -> str | None:
    from sqlalchemy import select
    from ..store import tables as t
    with hall().service.db.read() as s:
        return s.scalar(select(t.Service.code).where(t.Service.id == principal.service_id))


@bp.get("/manage/overview")
@api_auth(is_supervisor_or_manager)
def overview():
    h = hall()
    connected = h.presence.list()   # with several processes one read of Redis (cluster.py)
    view = h.service.live_overview() | {"displays": connected,
                                        "anonymous_screens": h.screens.anonymous_count(),
                                        "voice": h.speaker.status()}
    from .printing import printing
    view["kiosks"] = printing().kiosks(connected)   # up?, printer, paper, last ticket
    principal = current_principal()
    if principal.role == "supervisor":
        code = _supervisor_code(principal)
        view["services"] = [sv for sv in view["services"] if sv["code"] == code]
        view["counters"] = [c for c in view["counters"] if code in c["services"]]
    # why a service is closed, in the reader's language (a person's own words stay as typed)
    view["services"] = [{**sv, "closed_reason": tr(sv["closed_reason"])} if sv.get("closed_reason")
                        else sv for sv in view["services"]]
    return jsonify(view)


@bp.get("/manage/settings")
@api_auth(is_supervisor_or_manager)
def settings():
    data = {k: v for k, v in hall().service.settings().items() if k != "secret_key"}
    return jsonify(data)


@bp.post("/manage/services")
@api_auth(is_manager)
def add_service():
    return jsonify(admin().save_service(current_principal(), json_body())), 201


@bp.patch("/manage/services/<code>")
@api_auth(is_supervisor_or_manager)
def edit_service(code):
    return jsonify(admin().save_service(current_principal(), json_body(), code))


@bp.post("/manage/services/<code>/open")
@api_auth(is_supervisor_or_manager)
def open_service(code):
    admin().set_service_open(current_principal(), code, True)
    return _changed()


@bp.post("/manage/services/<code>/close")
@api_auth(is_supervisor_or_manager)
def close_service(code):
    body = json_body()
    admin().set_service_open(current_principal(), code, False, body.get("reason"),
                             body.get("rest_of_today", False))
    return _changed()


@bp.post("/manage/counters")
@api_auth(is_manager)
def add_counter():
    return jsonify(admin().save_counter(current_principal(), json_body())), 201


@bp.patch("/manage/counters/<id:counter_id>")
@api_auth(is_manager)
def edit_counter(counter_id):
    return jsonify(admin().save_counter(current_principal(), json_body(), counter_id))


@bp.get("/manage/staff")
@api_auth(is_supervisor_or_manager)
def staff():
    return jsonify(staff=admin().list_staff(current_principal()))


@bp.post("/manage/staff")
@api_auth(is_supervisor_or_manager)
def add_staff():
    return jsonify(admin().add_staff(current_principal(), json_body())), 201


@bp.patch("/manage/staff/<id:user_id>")
@api_auth(is_supervisor_or_manager)
def edit_staff(user_id):
    return jsonify(admin().update_staff(current_principal(), user_id, json_body()))


@bp.put("/manage/hours")
@api_auth(is_manager)
def hours():
    admin().set_hours(current_principal(), json_body().get("hours"))
    return _changed()


@bp.put("/manage/holidays")
@api_auth(is_manager)
def holidays():
    admin().set_holidays(current_principal(), json_body().get("holidays"))
    return _changed()


@bp.put("/manage/hall")
@api_auth(is_manager)
def hall_settings():
    body = json_body()
    if "name" in body:
        admin().set_hall_name(current_principal(), body["name"])
    if "skip_policy" in body:
        admin().set_skip_policy(current_principal(), body["skip_policy"])
    if "public_tickets" in body:
        admin().set_public_tickets(current_principal(), body["public_tickets"])
    return _changed()


@bp.get("/manage/audit")
@api_auth(is_manager)
def audit():
    """Newest first, each as a sentence in the reader's language; ?person=, ?from=, ?to= (hall days),
    ?limit=."""
    from ..audit_sentences import MAX_AUDIT, audit_view
    args = request.args
    try:
        first = date.fromisoformat(args["from"]) if "from" in args else None
        last = date.fromisoformat(args["to"]) if "to" in args else None
    except ValueError:
        raise InvalidRequest(N_("from/to: tanggal YYYY-MM-DD."))
    if first and last and last < first:
        raise InvalidRequest(N_("Tanggal 'sampai' tidak boleh sebelum tanggal 'dari'."))
    limit = args.get("limit", "200")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_AUDIT:
        raise InvalidRequest(N_("limit: 1–%(max_audit)s.", max_audit=MAX_AUDIT))
    person = args.get("person", "").strip()
    if len(person) > 80 or any(ord(c) < 32 or 0xD800 <= ord(c) < 0xE000 for c in person):
        raise InvalidRequest(N_("person: nama seperti di daftar, paling panjang 80 karakter."))
    h = hall()
    view = audit_view(h.service.db, h.service.settings()["timezone"], person=person or None,
                      first=first, last=last, limit=int(limit))
    for entry in view["entries"]:   # names and typed text inside stay as they are
        entry["text"] = tr(entry["text"])
    return jsonify(view)


@bp.put("/manage/speech")
@api_auth(is_manager)
def speech_settings():
    speech = admin().set_speech(current_principal(), json_body())
    hall().speaker.apply(speech)
    return jsonify(speech)


@bp.post("/manage/speech/sample")
@api_auth(is_manager)
def speech_sample():
    from ..speech.sentence import TemplateError
    body = json_body()
    try:
        return jsonify(hall().speaker.sample(body.get("template"), body.get("style"),
                                             body.get("text"), body.get("lexicon")))
    except (TemplateError, ValueError) as exc:
        raise InvalidRequest(str(exc)) from exc


@bp.post("/manage/announce")
@api_auth(is_supervisor_or_manager)
def announce():
    body = json_body()
    return jsonify(admin().announce(current_principal(), body.get("text"), body.get("zone"))), 201


@bp.get("/manage/zones")
@api_auth(is_manager)
def speaker_zones():
    from ..zones import ZoneAdmin
    return jsonify(ZoneAdmin(admin()).view())


@bp.put("/manage/zones")
@api_auth(is_manager)
def save_speaker_zones():
    from ..zones import ZoneAdmin
    return jsonify(ZoneAdmin(admin()).save(current_principal(), json_body()))


@bp.get("/manage/schedule")
@api_auth(is_supervisor_or_manager)
def schedule():
    return jsonify(schedule=admin().list_schedule())


@bp.post("/manage/schedule")
@api_auth(is_manager)
def add_schedule():
    return jsonify(admin().add_schedule(current_principal(), json_body())), 201


@bp.delete("/manage/schedule/<id:schedule_id>")
@api_auth(is_manager)
def delete_schedule(schedule_id):
    admin().delete_schedule(current_principal(), schedule_id)
    return _changed()


UPLOAD_LIMIT = 210 * 1024 * 1024


@bp.get("/media")
def media():
    return jsonify(media=admin().list_media())


@bp.post("/manage/media")
@api_auth(is_manager)
def add_media():
    request.max_content_length = UPLOAD_LIMIT
    upload = request.files.get("file")
    if upload is None:
        raise InvalidRequest(N_("Pilih berkas (field 'file')."))
    return jsonify(admin().add_media(current_principal(), upload.stream, hall().config.media_dir,
                                     form_text("title"), form_text("seconds"))), 201


@bp.delete("/manage/media/<id:media_id>")
@api_auth(is_manager)
def delete_media(media_id):
    admin().delete_media(current_principal(), media_id, hall().config.media_dir)
    return _changed()


@bp.post("/manage/logo")
@api_auth(is_supervisor_or_manager)
def upload_logo():
    request.max_content_length = UPLOAD_LIMIT
    upload = request.files.get("file")
    if upload is None:
        raise InvalidRequest(N_("Pilih berkas gambar (field 'file')."))
    url = admin().set_logo(current_principal(), upload.stream, hall().config.media_dir,
                           form_text("service") or None)
    return jsonify(url=url), 201


@bp.get("/manage/displays")
@api_auth(is_manager)
def display_profiles():
    return jsonify(profiles=admin().list_profiles())


@bp.post("/manage/displays")
@api_auth(is_manager)
def save_display_profile():
    return jsonify(admin().save_profile(current_principal(), json_body())), 201


# ---- API tokens for machines (manager only); a new token is in the 201 answer, and only there ----
def tokens_admin():
    from ..tokens import TokenAdmin
    h = hall()
    return TokenAdmin(h.service, h.accounts)


@bp.get("/manage/tokens")
@api_auth(is_manager)
def list_tokens():
    return jsonify(tokens=tokens_admin().list(current_principal()))


@bp.post("/manage/tokens")
@api_auth(is_manager)
def create_token():
    return jsonify(tokens_admin().create(current_principal(), json_body())), 201


@bp.delete("/manage/tokens/<id:token_id>")
@api_auth(is_manager)
def revoke_token(token_id):
    return jsonify(tokens_admin().revoke(current_principal(), token_id))
