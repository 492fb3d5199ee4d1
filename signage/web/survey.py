"""Survei Kepuasan Masyarakat on the web: the visitor's pages (phone link, counter tablet), the
JSON API (answer, reports, free texts, settings) and the hall display's IKM.

Nothing can be answered without proof of a served ticket: the survey token made when it was
finished. A phone gets it from the QR the counter shows; the counter-facing feedback tablet
(a paired device of kind "survey") gets it for the ticket just finished at its counter.
"""
from __future__ import annotations

import base64
import csv
import io
import logging

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for

from ..devices import DeviceIdentity
from ..survey.questionnaire import PROFILE, PROFILE_FIELDS
from ..survey.surveys import SurveyError, SurveyNotFound, Surveys
from . import csrf, hall, limiter
from .api import json_body
from .auth import api_auth, current_principal
from .converters import MAX_ID
from ..messages import N_
from .language import tr

log = logging.getLogger(__name__)
bp = Blueprint("survey", __name__, url_prefix="/api/survey")
pages_bp = Blueprint("survey_pages", __name__)
# Answers per address: as many as a kiosk may take tickets (`--ticket-rate-limit`, 30 a minute by
# default); the phones of a hall's Wi-Fi may share one address behind its router.
SUBMIT_LIMIT = lambda: current_app.config["TICKET_RATE_LIMIT"]  # noqa: E731
DEVICE_SUBMIT_LIMIT = "6 per minute"  # per feedback tablet: one visitor at a time
NAMESPACE = "/display"


def register(app: Flask) -> None:
    h = app.extensions["signage"]
    surveys = Surveys(h.service)
    app.extensions["survey"] = surveys

    def make_tokens(events: list[dict]) -> None:
        try:
            surveys.on_events(events)
        except Exception:   # the counter's press has committed; the token is made on demand later
            log.exception("survey token for a finished ticket failed")

    h.service.subscribe(make_tokens)
    app.register_blueprint(bp)
    app.register_blueprint(pages_bp)
    csrf.exempt(bp)   # public answers carry their token; sessions are checked by api_auth


def surveys() -> Surveys:
    from flask import current_app
    return current_app.extensions["survey"]


def survey_device() -> DeviceIdentity | None:
    from .devices import current_device
    device = current_device()
    return device if device is not None and device.paired and device.kind == "survey" else None


def _supervisor_or_manager(p, **_) -> bool:
    return p.role in ("manager", "supervisor")


def _manager(p, **_) -> bool:
    return p.is_manager


# ---- pages -----------------------------------------------------------------------------------
@pages_bp.get("/survey")
def tablet():
    """The counter-facing feedback tablet: /survey?counter=5 on a paired "survey" device."""
    from .pages import lang, render
    device = survey_device()
    counters = hall().service.counters()
    counter_id = request.args.get("counter", type=int)
    counter = next((c for c in counters if c["id"] == counter_id), None)
    return render("survey.html", public=True, mode="tablet", paired=device is not None, counter=counter,
                  counters=counters, survey_data={
                      "mode": "tablet", "counter": counter and counter["id"],
                      "questionnaires": surveys().questionnaires(lang(True)) if device else {},
                      "profile": _profile_words(lang(True))})


@pages_bp.get("/survey/t/<token>")
def phone(token: str):
    """The visitor's own phone, from the QR shown at the counter."""
    from .pages import lang, render
    try:
        ticket = surveys().ticket(token, lang())
    except SurveyNotFound:     # unknown link: the page says so in words, with a 404
        return render("survey.html", mode="unknown", paired=False, counter=None, counters=[],
                      survey_data={"mode": "unknown"}), 404
    return render("survey.html", mode="phone", paired=False, counter=None, counters=[], ticket=ticket,
                  survey_data={"mode": "phone", "token": token, "ticket": ticket,
                               "profile": _profile_words(lang())})


def _profile_words(lang: str) -> list[dict]:
    """The profile fields in the questionnaire's order, with their options' words."""
    return [{"field": field, "label": tr(PROFILE_FIELDS[field], lang),
             "options": [[code, tr(words, lang)] for code, words in options.items()]}
            for field, options in PROFILE.items()]


# ---- answering -------------------------------------------------------------------------------
@bp.get("/tickets/<token>")
@limiter.limit("120 per minute")
def ticket(token: str):
    return jsonify(surveys().ticket(token))


@bp.post("/responses")
@limiter.limit(SUBMIT_LIMIT)
@limiter.limit(DEVICE_SUBMIT_LIMIT, key_func=lambda: f"survey-device:{survey_device().id}",
               exempt_when=lambda: survey_device() is None)
def respond():
    """One response per served ticket, proven by its token (the QR's or the tablet's)."""
    body = json_body()
    result = surveys().submit(body, "tablet" if survey_device() is not None else "phone")
    hall().socketio.emit("survey", {}, namespace=NAMESPACE)   # displays showing the IKM refresh
    return jsonify(result), 201


@bp.get("/counters/<id:counter_id>/current")
@limiter.limit("60 per minute")
def counter_current(counter_id: int):
    """The ticket just finished at this counter, with its survey token, link and QR: for the
    counter's paired feedback tablet, the counter's staff (to show the QR) or a manager."""
    if survey_device() is None:
        principal = current_principal()
        if principal is None:
            return jsonify(error=tr(N_("Perlu perangkat survei terpasang, petugas loket atau "
                                       "pengelola."))), 401
        if not (principal.is_manager or principal.may_operate(counter_id)):
            return jsonify(error=tr(N_("Tidak diizinkan."))), 403
    current = surveys().latest_for_counter(counter_id)
    if current.get("token"):
        link = url_for("survey_pages.phone", token=current["token"], _external=True)
        current |= {"url": link, "qr": _qr_data_uri(link)}
    return jsonify(current)


def _qr_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# ---- reports -----------------------------------------------------------------------------------
def _report_args() -> dict:
    args = request.args
    counter = args.get("counter")
    if counter is not None:
        if not counter.isascii() or not counter.isdigit() or not 1 <= int(counter) <= MAX_ID:
            raise SurveyError(N_("counter: nomor id loket."))
        counter = int(counter)
    return {"period": args.get("period"), "on": args.get("date"), "first": args.get("from"),
            "last": args.get("to"), "service_code": args.get("service"), "counter_id": counter}


@bp.get("/report")
@api_auth(_supervisor_or_manager)
def report():
    return jsonify(surveys().report(current_principal(), **_report_args()))


@bp.get("/report.csv")
@api_auth(_supervisor_or_manager)
def report_csv():
    """The report for Indonesian Excel: `;` between fields, decimal comma, UTF-8 with BOM."""
    data = surveys().report(current_principal(), **_report_args())
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    summary, scope = data["summary"], data["scope"]
    scope_name = scope["counter_name"] or scope["service_name"] or scope["hall"]
    w.writerow(["Laporan Survei Kepuasan Masyarakat (PermenPANRB 14/2017)", _cell(scope["hall"])])
    w.writerow(["Periode", data["from"], data["to"]])
    w.writerow(["Lingkup", _cell(scope_name)])
    w.writerow([])
    w.writerow(["No", "Unsur Pelayanan", "Jumlah Responden", "Jumlah Nilai", "NRR", "NRR Tertimbang"])
    labels = {e["code"]: (e["u"], e["label"]) for e in data["elements"]}
    for e in summary["elements"]:
        w.writerow([labels[e["code"]][0], labels[e["code"]][1], e["respondents"], e["total"],
                    _dec(e["nrr"]), _dec(e["weighted"])])
    w.writerow(["", "Nilai Indeks", "", "", "", _dec(summary["index"])])
    w.writerow(["", "IKM (Nilai Indeks x 25)", "", "", "", _dec(summary["ikm"])])
    w.writerow(["", "Mutu Pelayanan", "", "", "", summary["mutu"] or ""])
    w.writerow(["", "Kinerja Unit Pelayanan", "", "", "", summary["kinerja"] or ""])
    w.writerow([])
    w.writerow(["Jumlah Responden", "Populasi (dilayani)", "Sampel Minimum (Krejcie-Morgan)", "Memenuhi"])
    w.writerow([summary["respondents"], summary["population"], summary["min_sample"],
                "Ya" if summary["sample_ok"] else "Tidak"])
    w.writerow([])
    unit_head = ["Responden", "Populasi", "Sampel Minimum", "Memenuhi", "IKM", "Mutu", "Kinerja"]
    w.writerow(["Kode", "Layanan", *unit_head])
    for row in data["services"]:
        w.writerow([row["code"], _cell(row["name"]), *_unit_cells(row)])
    w.writerow([])
    w.writerow(["Loket", "", *unit_head])
    for row in data["counters"]:
        w.writerow([_cell(row["name"]), "", *_unit_cells(row)])
    w.writerow([])
    w.writerow(["Profil Responden", "Pilihan", "Jumlah"])
    for field, counts in summary["profile"].items():
        for option, count in counts.items():
            w.writerow([str(PROFILE_FIELDS[field]), str(PROFILE[field][option]) if option else "Tidak diisi", count])
    w.writerow([])
    w.writerow(["Saran dan Pengaduan", "Layanan", "Loket", "Isi", "Ditindaklanjuti", "Tanggapan"])
    listed = surveys().comments(current_principal(), period="range", first=data["from"], last=data["to"],
                                service_code=scope["service"], limit=10000)
    for c in listed["comments"]:
        w.writerow([c["day"], c["service"], _cell(c["counter"] or ""), _cell(c["comment"]),
                    "Ya" if c["followed_up_at"] else "Belum", _cell(c["reply"] or "")])
    name = f"ikm-{scope['service'] or 'mpp'}-{data['from']}-{data['to']}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def _cell(text: str) -> str:
    """Text a visitor or a manager typed, as a spreadsheet shows it: never as a formula."""
    text = " ".join(text.split())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _dec(value) -> str:
    return "" if value is None else str(value).replace(".", ",")


def _unit_cells(row: dict) -> list:
    return [row["respondents"], row["population"], row["min_sample"], "Ya" if row["sample_ok"] else "Tidak",
            _dec(row["ikm"]), row["mutu"] or "", row["kinerja"] or ""]


# ---- free texts ----------------------------------------------------------------------------------
@bp.get("/comments")
@api_auth(_supervisor_or_manager)
def comments():
    args = _report_args()
    args.pop("counter_id")
    return jsonify(surveys().comments(current_principal(), status=request.args.get("status", "all"), **args))


@bp.patch("/comments/<id:response_id>")
@api_auth(_supervisor_or_manager)
def update_comment(response_id: int):
    return jsonify(surveys().update_comment(current_principal(), response_id, json_body()))


# ---- settings --------------------------------------------------------------------------------
@bp.get("/settings")
@api_auth(_supervisor_or_manager)
def settings():
    return jsonify(surveys().settings(current_principal()))


@bp.put("/questions/<element>")
@api_auth(_manager)
def set_question(element: str):
    result = surveys().set_question(current_principal(), element, json_body())
    hall().socketio.emit("survey", {"settings": True}, namespace=NAMESPACE)   # tablets reload when idle
    return jsonify(result)


@bp.put("/hidden/<code>")
@api_auth(_manager)
def set_hidden(code: str):
    body = json_body()
    unknown = set(body) - {"hidden"}
    if unknown or "hidden" not in body:
        raise SurveyError(N_("Isi: {\"hidden\": [kode unsur]}."))
    result = surveys().set_hidden(current_principal(), code, body["hidden"])
    hall().socketio.emit("survey", {"settings": True}, namespace=NAMESPACE)
    return jsonify(result)


@bp.put("/displays/<id:profile_id>")
@api_auth(_manager)
def set_display(profile_id: int):
    body = json_body()
    if set(body) != {"mode"}:
        raise SurveyError(N_("Isi: {\"mode\": \"off\" | \"ticker\" | \"panel\"}."))
    result = surveys().set_display(current_principal(), profile_id, body["mode"])
    hall().socketio.emit("survey", {}, namespace=NAMESPACE)
    return jsonify(result)


@bp.get("/display")
@limiter.limit("120 per minute")
def display():
    """The current IKM a hall display shows (this semester so far), and whether it shows it."""
    profile = request.args.get("profile")
    if profile is not None and len(profile) > 60:
        raise SurveyError(N_("profile: nama profil layar (maks. 60 karakter)."))
    return jsonify(surveys().display(profile))

