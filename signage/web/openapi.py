"""OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.

The document is data. `PATHS` holds one entry per path and method, written with `op()`, which
adds what every operation of a kind answers (401/403 when it needs a caller, 400/413/415 when it
takes a JSON body, 404 when the path names a row) so that an entry only says what is its own.
Shared shapes are in `SCHEMAS`. A new route needs an entry here: tests/test_openapi.py fails for
any route under /api (or /healthz) that is missing or has other methods, and
tests/test_fuzz_api.py fuzzes every entry against a real server, checking the answers against
the schemas below.
"""
from __future__ import annotations

from .. import __version__
from ..accounts import TOKEN_ROLES
from ..devices import KINDS as DEVICE_KINDS
from ..hall import WEEKDAYS
from ..realtime import DEVICE_COOKIE
from ..speech.engines import ENGINE_NAMES
from ..speech.sentence import MAX_FREE_TEXT_LENGTH, MAX_TEMPLATE_LENGTH, STYLES
from .converters import MAX_ID

# Who may call: None is anyone; otherwise Bearer token or browser session (+ X-CSRFToken on writes).
PUBLIC = None
COUNTER = "a counter's token, its staff, or a manager"   # the counter in the path
SUPERVISOR = "a manager, or an agency supervisor (own agency only)"
MANAGER = "a manager"
KIOSK = "a kiosk: its token or its paired-device cookie; anyone, when the manager allows public tickets"
DEVICE = "a paired kiosk, by its device cookie"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict, *, required: list[str] | tuple = (), closed: bool = False, **extra) -> dict:
    """An object schema; `closed` when the server refuses unknown fields."""
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def array(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


def text(max_length: int, **extra) -> dict:
    """Text a person types: the server trims it and refuses control characters."""
    return {"type": "string", "minLength": 1, "maxLength": max_length, **extra}


def id_param(name: str = "id", what: str = "") -> dict:
    return {"name": name, "in": "path", "required": True, "description": what,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID, "example": 1}}


def str_param(name: str, example: str, what: str = "", where: str = "path") -> dict:
    return {"name": name, "in": where, "required": where == "path", "description": what,
            "schema": {"type": "string", "example": example}}


_DATE_PARAMS = [
    {"name": "from", "in": "query", "required": False, "description": "first service day (default today)",
     "schema": {"type": "string", "format": "date", "example": "2024-07-01"}},
    {"name": "to", "in": "query", "required": False, "description": "last service day (default `from`); at most 366 days",
     "schema": {"type": "string", "format": "date", "example": "2024-07-31"}},
]

_ERROR_TEXT = {
    "400": "The request is wrong; `error` says what to change",
    "401": "No credentials (Bearer token or session)",
    "403": "Not allowed for this caller",
    "404": "No such thing",
    "409": "Not possible in the hall's present state (closed, nobody waiting, paused, ...)",
    "413": "Body too large",
    "415": "Body is not JSON",
    "429": "Too many requests; see Retry-After",
    "410": "No longer valid (e.g. a ticket link after its service day)",
}


def _error(code: str) -> dict:
    return {"description": _ERROR_TEXT[code], "content": {"application/json": {"schema": ref("Error")}}}


def op(summary: str, *, who: str | None = PUBLIC, ok: dict | str | None = None, status: str = "200",
       body: dict | None = None, form: dict | None = None, params: list[dict] = (),
       errors: tuple[str, ...] = (), tag: str, description: str | None = None,
       content_type: str = "application/json", read: bool = False) -> dict:
    """One operation. `ok`: the success schema (a schema name or a schema); `body`: a JSON body
    schema (required when it has required fields); `form`: a multipart/form-data body schema;
    `errors`: statuses beyond the usual; `read`: a GET (a session needs no CSRF token)."""
    codes = set(errors)
    operation: dict = {"summary": summary, "tags": [tag]}
    if description:
        operation["description"] = description
    if who is None:
        operation["security"] = []
    else:
        operation["description"] = (description + " " if description else "") + f"Caller: {who}."
        codes |= {"401", "403"}
        operation["security"] = [{"bearer": []}, {"session": []} if read else {"session": [], "csrf": []}]
        if who == KIOSK:
            codes.discard("403")
            operation["security"] = [{"bearer": []}, {"device": []}, {}]
        elif who == DEVICE:
            codes.discard("403")
            operation["security"] = [{"device": []} if read else {"device": [], "csrf": []}]
    if params:
        operation["parameters"] = list(params)
        if any(p["in"] == "path" for p in params):
            codes.add("404")
        if any(p["in"] == "query" for p in params):
            codes.add("400")
    if body is not None:
        operation["requestBody"] = {"required": bool(body.get("required")),
                                    "content": {"application/json": {"schema": body}}}
        codes |= {"400", "413", "415"}
    if form is not None:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": form}}}
        codes |= {"400", "413"}
    success = ref(ok) if isinstance(ok, str) else ok
    operation["responses"] = {status: {"description": "OK", "content": {content_type: {"schema": success}}}}
    operation["responses"] |= {code: _error(code) for code in sorted(codes)}
    return operation


def _get(summary: str, **kw) -> dict:
    return op(summary, read=True, **kw)


_HHMM = {"type": "string", "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", "example": "08:00"}
_CODE = {"type": "string", "pattern": "^[A-Za-z]$", "example": "A",
         "description": "one letter; stored upper-case"}
_TIME = {"type": "string", "format": "date-time"}
_API_TOKEN = obj({"id": {"type": "integer"}, "role": {"enum": list(TOKEN_ROLES)},
                  "counter_id": nullable({"type": "integer"}), "counter": nullable({"type": "string"}),
                  "label": {"type": "string"}, "created_at": _TIME,
                  "expires_at": nullable(_TIME), "last_used_at": nullable(_TIME),
                  "revoked_at": nullable(_TIME), "state": {"enum": ["active", "expired", "revoked"]}},
                 required=["id", "role", "counter_id", "label", "created_at", "expires_at",
                           "last_used_at", "revoked_at", "state"])
_DAY = {"type": "string", "format": "date"}
_COUNT = {"type": "integer", "minimum": 0}
_SECONDS = obj({"avg": nullable({"type": "number"}), "p90": nullable({"type": "number"})},
               required=["avg", "p90"])

_SPEECH_RUSH_FIELDS = {   # speech/rush.py and speech/lexicon.py (issue 10)
    "rush_short_after": {"type": "integer", "minimum": 1, "maximum": 50,
                         "description": "waiting calls from which a call is said in the short form"},
    "rush_fast_after": {"type": "integer", "minimum": 1, "maximum": 50,
                        "description": "waiting calls from which calls are spoken faster"},
    "rush_rate": {"type": "number", "minimum": 1, "maximum": 1.5, "description": "that faster rate"},
    "lexicon": array(obj({"written": text(40, example="KIA"), "spoken": text(100, example="ka i a")},
                         required=["written", "spoken"], closed=True), maxItems=200,
                     description="the pronunciation list: written -> spoken"),
}
_LEXICON_ENTRY = _SPEECH_RUSH_FIELDS["lexicon"]["items"]
_ZONE_NAME = {"type": "string", "maxLength": 40, "example": "Lantai 2", "description": "empty: the main zone"}
SCHEMAS: dict[str, dict] = {
    "Error": obj({"error": {"type": "string", "minLength": 1,
                            "description": "one sentence for a person, in one language: ?lang=id|en, the lang cookie, "
                                           "else Accept-Language (id or en), else Indonesian"}}, required=["error"]),
    "Ok": obj({"ok": {"const": True}}, required=["ok"]),
    "Created": obj({"id": {"type": "integer"}}, required=["id"]),
    "Hours": {"type": "object", "propertyNames": {"enum": list(WEEKDAYS)},
              "description": "opening hours per weekday, [opens, closes], closes after opens; a day left out is closed",
              "additionalProperties": {"type": "array", "prefixItems": [_HHMM, _HHMM], "items": False,
                                       "minItems": 2, "maxItems": 2},
              "example": {"mon": ["08:00", "15:00"]}},
    "Service": obj({
        "code": {"type": "string"}, "name": {"type": "string"}, "prefix": {"type": "string"},
        "short_name": nullable({"type": "string", "maxLength": 24,
                                "description": "what the hall TV shows in place of a long name; null: the name"}),
        "color": {"type": "string"}, "logo": nullable({"type": "string"}),
        "daily_limit": nullable({"type": "integer"}), "hours": nullable(ref("Hours")),
        "closed_until": nullable(_DAY), "open": {"type": "boolean"},
        "closed_reason": nullable({"type": "string"}), "waiting": _COUNT,
        "closed_reason_en": nullable({"type": "string"}),   # for the English kiosk (socket state)
        "opens": nullable(ref("Opens"))},
        required=["code", "name", "prefix", "color", "open", "waiting"]),
    "Ticket": obj({
        "id": {"type": "integer"}, "number": {"type": "string", "example": "A012"},
        "service": {"type": "string"}, "service_name": {"type": "string"},
        "priority": {"type": "boolean"}, "status": {"type": "string"}, "issued_at": _TIME, "day": _DAY,
        "ahead": _COUNT, "position": {"type": "integer", "minimum": 1, "description": "1 = next in line"},
        "print": ref("PrintAnswer"),
        "url": {"type": "string", "description": "the ticket's own page, /t/<token> (valid on its service day)"},
        "qr": nullable({"type": "string", "description": "that link as a QR, SVG data URI"}),
        "link_expires_at": _TIME, "estimate": ref("Estimate"),
        "whatsapp": {"type": "boolean", "description": "the hall sends WhatsApp messages: the kiosk may ask "
                                                       "for a number (POST /api/visitor/{token}/phone)"}},
        required=["number", "service", "priority", "issued_at", "ahead", "position"]),
    "CounterSummary": obj({
        "id": {"type": "integer"}, "name": {"type": "string"},
        "short_name": nullable({"type": "string", "maxLength": 24,
                                "description": "what the hall TV shows in place of a long name; null: the name"}),
        "state": {"enum": ["idle", "serving", "paused"]},
        "services": array({"type": "string"}),
        "ticket": nullable(obj({"number": {"type": "string"}, "service": {"type": "string"},
                                "priority": {"type": "boolean"}, "called_at": _TIME},
                               required=["number", "service", "priority", "called_at"]))},
        required=["id", "name", "state", "services", "ticket"]),
    "Counter": {"allOf": [ref("CounterSummary"), obj({
        "waiting": {"type": "object", "additionalProperties": _COUNT},
        "history": array(obj({"seq": {"type": "integer"}, "type": {"type": "string"}, "at": _TIME,
                              "ticket": nullable({"type": "string"}),
                              "recall": nullable({"type": "boolean"})},
                             required=["seq", "type", "at"]))},
        required=["waiting", "history"])]},
    "Event": obj({"type": {"type": "string"}, "at": _TIME, "seq": {"type": "integer"}},
                 required=["type", "at", "seq"],
                 description="a numbered event as the screens get it (Socket.IO /display)"),
    "RunningText": obj({"lines": array({"type": "string"}), "speed": {"type": "integer"}},
                       required=["lines", "speed"]),
    "MediaItem": obj({"id": {"type": "integer"}, "url": {"type": "string"},
                      "kind": {"enum": ["image", "video"]}, "title": {"type": "string"},
                      "seconds": nullable({"type": "integer"}), "size": {"type": "integer"}},
                     required=["id", "url", "kind"]),
    "State": obj({
        "seq": {"type": "integer"}, "now": _TIME, "day": _DAY,
        "hall": obj({"name": {"type": "string"}, "timezone": {"type": "string"},
                     "logo": nullable({"type": "string"})}, required=["name", "timezone"]),
        "services": array(ref("Service")), "counters": array(ref("CounterSummary")),
        "last_calls": array(ref("Event")), "running_text": ref("RunningText"),
        "media": array(ref("MediaItem"))},
        required=["seq", "now", "day", "hall", "services", "counters", "last_calls", "running_text"]),
    "Stats": obj({
        "from": _DAY, "to": _DAY,
        "services": array(obj({"code": {"type": "string"}, "name": {"type": "string"},
                               "issued": _COUNT, "served": _COUNT,
                               "skipped": _COUNT, "waiting": _COUNT, "wait_seconds": _SECONDS,
                               "service_seconds": _SECONDS},
                              required=["code", "issued", "served", "skipped", "waiting"])),
        "counters": array(obj({"counter": {"type": "string"}, "called": _COUNT, "served": _COUNT,
                               "skipped": _COUNT, "transferred": _COUNT, "serving": _COUNT,
                               "service_seconds": _SECONDS},
                              required=["counter", "called", "served", "skipped"],
                              description="called = served + skipped + transferred (to another agency) "
                                          "+ serving (still at the counter); each ticket once per counter")),
        "totals": obj({k: _COUNT for k in ("issued", "served", "skipped", "waiting")}),
        "per_hour": array(obj({"hour": {"type": "integer", "minimum": 0, "maximum": 23},
                               "issued": _COUNT}))},
        required=["from", "to", "services", "counters", "totals", "per_hour"]),
    "Overview": obj({
        "services": array(obj({"code": {"type": "string"}, "name": {"type": "string"}, "waiting": _COUNT,
                               "longest_wait_seconds": _COUNT, "open": {"type": "boolean"},
                               "closed_reason": nullable({"type": "string"}),
                               "manual_reason": nullable({"type": "string"})},
                              required=["code", "waiting", "open"])),
        "counters": array(ref("CounterSummary")),
        "displays": array({"type": "object"}), "voice": {"type": "object"},
        "kiosks": array(ref("Kiosk"))},
        required=["services", "counters", "displays", "voice"]),
    "Settings": obj({
        "hall_name": {"type": "string"}, "timezone": {"type": "string"}, "hours": ref("Hours"),
        "holidays": {"type": "object", "additionalProperties": {"type": "string"}},
        "skip_policy": {"enum": ["requeue_once", "drop"]},
        "running_text": array({"type": "string"}), "running_text_speed": {"type": "integer"}},
        required=["hall_name", "timezone", "skip_policy"]),
    "User": obj({
        "id": {"type": "integer"}, "username": {"type": "string"}, "full_name": {"type": "string"},
        "role": {"enum": ["manager", "supervisor", "staff"]}, "active": {"type": "boolean"},
        "counters": array({"type": "integer"}), "service_id": nullable({"type": "integer"})},
        required=["id", "username", "role", "active", "counters"]),
    "Speech": obj({
        "template": {"type": "string"}, "service_templates": {"type": "object",
                                                               "additionalProperties": {"type": "string"}},
        "style": {"enum": list(STYLES)}, "chime": {"type": "boolean"}, "repeat": {"enum": [1, 2]},
        "volume": {"type": "integer", "minimum": 0, "maximum": 100}, "engine": {"enum": list(ENGINE_NAMES)},
        **_SPEECH_RUSH_FIELDS},
        required=["template", "service_templates", "style", "chime", "repeat", "volume", "engine"]),
    "Zones": obj({"counters": {"type": "object", "additionalProperties": {"type": "string"}},
                  "profiles": {"type": "object", "additionalProperties": {"type": "string"}},
                  "zones": array({"type": "string"}, description="every zone in use; \"\" is the main zone")},
                 required=["counters", "profiles", "zones"]),
    "Schedule": obj({"id": {"type": "integer"}, "text": {"type": "string"}, "at": _HHMM,
                     "days": array({"enum": list(WEEKDAYS)}), "active": {"type": "boolean"},
                     "zone": nullable({"type": "string", "description": "null: every zone"})},
                    required=["id", "text", "at", "days", "active"]),
    "DisplayProfile": obj({"id": {"type": "integer"}, "name": {"type": "string"},
                           "services": array({"type": "string"}),
                           "layout": {"enum": ["calls_media", "calls_only"]},
                           "sound": {"type": "boolean"}, "url": {"type": "string"}},
                          required=["id", "name", "services", "layout", "sound", "url"]),
    "Device": obj({"id": {"type": "integer"}, "kind": {"enum": list(DEVICE_KINDS)},
                   "name": {"type": "string"}, "state": {"enum": ["waiting", "paired", "revoked"]},
                   "paired_at": nullable(_TIME), "paired_by": nullable({"type": "string"}),
                   "last_seen_at": nullable(_TIME), "address": nullable({"type": "string"})},
                  required=["id", "kind", "name", "state"]),
    "Health": obj({"status": {"enum": ["ok", "degraded", "fail"]}, "time": _TIME,
                   "database": {"type": "object"}, "disk": {"type": "object"},
                   "voice": {"type": "object"}, "printers": {"type": "array"}},
                  required=["status"]),
}

# ---- request bodies (what the server checks, in the words of JSON Schema) ---------------------
_SHORT_NAME = nullable({"type": "string", "maxLength": 24, "example": "Dukcapil",
                        "description": "optional: what the hall TV shows in place of a long name "
                                       "(at most 24 characters); empty or null: the TV shows the name"})
_SERVICE_FIELDS = {
    "code": _CODE, "name": text(120), "short_name": _SHORT_NAME,
    "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$", "example": "#1f4e9c"},
    "daily_limit": nullable({"type": "integer", "minimum": 1, "maximum": 9999}),
    "hours": nullable(ref("Hours")),
}
_COUNTER_FIELDS = {"name": text(60), "short_name": _SHORT_NAME, "services": array({"type": "string", "example": "A"}, minItems=1)}
_SPEECH_FIELDS = {
    "template": text(MAX_TEMPLATE_LENGTH, example="Nomor antrian {nomor}, silakan menuju {loket}.",
                     description="must contain {nomor}; may contain {loket} and {layanan}"),
    "service_templates": {"type": "object", "additionalProperties": nullable({"type": "string"}),
                          "description": "agency code -> template; an empty one removes it"},
    "style": {"enum": list(STYLES)}, "chime": {"type": "boolean"}, "repeat": {"enum": [1, 2]},
    "volume": {"type": "integer", "minimum": 0, "maximum": 100}, "engine": {"enum": list(ENGINE_NAMES)},
    **_SPEECH_RUSH_FIELDS,
}
_COUNTER_ACTIONS = {
    "call-next": "Finish the current ticket (if any) and call the next waiting one (priority first, then oldest). 409 when nobody waits or the counter is paused.",
    "recall": "Call the current ticket again (panggil ulang).",
    "skip": "Mark the current ticket a no-show: back of the queue once, or dropped (hall setting skip_policy).",
    "finish": "Close the service of the current ticket.",
    "transfer": "Hand the current ticket to another service's queue, keeping its number.",
    "pause": "Counter takes a break (istirahat). Not allowed while serving a ticket.",
    "resume": "Counter comes back from a break.",
}
_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "maxLength": 100},
                "description": "Same key again (e.g. a double tap) returns the first answer; nothing happens "
                               "twice. Empty: none."}


def _counter_action(action: str, summary: str) -> dict:
    fields = {"request_id": nullable({"type": "string", "minLength": 1, "maxLength": 100,
                                      "description": "same as the Idempotency-Key header"})}
    if action == "transfer":
        fields["service"] = {"type": "string", "minLength": 1, "example": "B",
                             "description": "the agency that takes the ticket"}
    body = obj(fields, required=["service"] if action == "transfer" else ())
    return op(summary, who=COUNTER, ok="Counter", body=body, errors=("409",), tag="counter",
              params=[id_param("id", "counter id"), _IDEMPOTENCY])


# ---- kiosks and their printers (signage/printing, signage/web/printing.py) ----------------------
_PRINTER_STATES = ["ok", "paper_low", "paper_out", "cover_open", "offline", "unknown"]
_PRINTER_KINDS = ["network", "usb", "serial", "browser", "none"]
SCHEMAS.update({
    "Opens": obj({"at": _TIME, "id": {"type": "string", "example": "Senin, 30 November, pukul 08.00 WITA"},
                  "en": {"type": "string", "example": "Monday 30 November, 08:00 WITA"}},
                 required=["at", "id", "en"],
                 description="when a closed agency opens next (hours, holidays, closures); null when only a person can open it"),
    "Printer": obj({"kind": {"enum": _PRINTER_KINDS}, "address": {"type": "string"}, "paper": {"enum": [58, 80]},
                    "state": {"enum": _PRINTER_STATES}, "detail": {"type": "string"},
                    "checked_at": nullable(_TIME), "last_printed_at": nullable(_TIME)},
                   required=["kind", "address", "paper", "state", "detail"]),
    "Kiosk": obj({"id": {"type": "integer"}, "name": {"type": "string"}, "up": {"type": "boolean"},
                  "last_seen_at": nullable(_TIME), "printer": ref("Printer"), "pending_prints": _COUNT,
                  "last_ticket": nullable({"type": "string"}), "last_ticket_at": nullable(_TIME)},
                 required=["id", "name", "up", "printer", "pending_prints", "last_ticket"]),
    "PrintAnswer": obj({"mode": {"enum": ["server", "browser", "none"]}, "paper": {"enum": [58, 80]},
                        "job": {"type": "integer"}, "state": {"enum": ["queued", "waiting", "printed"]},
                        "printer": {"enum": _PRINTER_STATES}, "detail": {"type": "string"},
                        "qr": nullable({"type": "string", "description": "the ticket's link as a QR (data: SVG)"})},
                       required=["mode"],
                       description="a paired kiosk's ticket only: server = the server prints (job), "
                                   "browser = the kiosk prints itself, none = no paper"),
})

PATHS: dict[str, dict[str, dict]] = {
    "/api/openapi.json": {"get": _get("This document", ok={"type": "object"}, tag="public")},
    "/api/services": {"get": _get("Services with code, name, prefix, open or closed, waiting count",
                                  ok=obj({"services": array(ref("Service"))}, required=["services"]),
                                  errors=("429",), tag="public")},
    "/api/state": {"get": _get("The snapshot the displays get", ok="State", errors=("429",), tag="public")},
    "/api/counters": {"get": _get("Counters with the services they serve and their current ticket",
                                  ok=obj({"counters": array(ref("CounterSummary"))}, required=["counters"]),
                                  tag="public")},
    "/api/media": {"get": _get("The screens' playlist", tag="public",
                               ok=obj({"media": array(ref("MediaItem"))}, required=["media"]))},
    "/api/tickets": {"post": op(
        "Issue a ticket; rate-limited per kiosk (and tighter for anyone else).", who=KIOSK, tag="public",
        ok="Ticket", status="201", params=[_IDEMPOTENCY],
        body=obj({"service": {"type": "string", "minLength": 1, "example": "A"},
                  "priority": {"type": "boolean", "default": False},
                  "request_id": nullable({"type": "string", "minLength": 1, "maxLength": 100,
                                          "description": "same as the Idempotency-Key header"})},
                 required=["service"], closed=True),
        errors=("409", "429"))},
    "/api/tickets/{number}/timeline": {"get": _get(
        "A ticket's timeline today", who=MANAGER, tag="counter",
        params=[str_param("number", "A001", "ticket number")],
        ok=obj({"events": array(obj({"seq": {"type": "integer"}, "type": {"type": "string"}, "at": _TIME,
                                     "counter_id": nullable({"type": "integer"}),
                                     "staff_id": nullable({"type": "integer"})},
                                    required=["seq", "type", "at"]))}, required=["events"]))},
    "/api/counters/{id}": {"get": _get("A counter's state, waiting per service and history",
                                       who=COUNTER, ok="Counter", tag="counter",
                                       params=[id_param("id", "counter id")])},
    **{f"/api/counters/{{id}}/{action}": {"post": _counter_action(action, text_)}
       for action, text_ in _COUNTER_ACTIONS.items()},

    # ---- manager console -----------------------------------------------------------------
    "/api/running-text": {"put": op(
        "Replace the running text of the displays", who=MANAGER, ok="RunningText", tag="manage",
        body=obj({"lines": array(text(200), maxItems=10),
                  "speed": nullable({"type": "integer", "minimum": 20, "maximum": 300,
                                     "description": "pixels per second"})},
                 required=["lines"]))},
    "/api/stats": {"get": _get("Figures for service days from..to", who=SUPERVISOR, ok="Stats",
                               params=_DATE_PARAMS, tag="manage")},
    "/api/stats.csv": {"get": _get(
        "One table of the figures as CSV for Indonesian Excel (a download)", who=SUPERVISOR, tag="manage",
        description="UTF-8 with BOM, `;` between columns, Indonesian headers, times in minutes with "
                    "a decimal comma; one table per file (signage/stats_export.py).",
        params=[*_DATE_PARAMS, {"name": "table", "in": "query", "required": False,
                                "description": "layanan (per agency, default), loket (per counter) or jam (per hour)",
                                "schema": {"type": "string", "enum": ["layanan", "loket", "jam"]}}],
        content_type="text/csv", ok={"type": "string"})},
    "/api/stats.xlsx": {"get": _get(
        "The figures as an Excel workbook: sheets Per layanan, Per loket, Per jam, Keterangan",
        who=SUPERVISOR, tag="manage", params=_DATE_PARAMS,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ok={"type": "string", "format": "binary"})},
    "/api/manage/overview": {"get": _get("Live view: waiting, counters, connected screens, voice",
                                         who=SUPERVISOR, ok="Overview", tag="manage")},
    "/api/manage/settings": {"get": _get("Hall settings", who=SUPERVISOR, ok="Settings", tag="manage")},
    "/api/manage/services": {"post": op(
        "Add an agency (service)", who=MANAGER, status="201", tag="manage",
        ok=obj({"code": {"type": "string"}, "name": {"type": "string"}}, required=["code", "name"]),
        body=obj(_SERVICE_FIELDS, required=["code", "name"]))},
    "/api/manage/services/{code}": {"patch": op(
        "Edit an agency; a supervisor may change only daily_limit and hours", who=SUPERVISOR, tag="manage",
        params=[str_param("code", "A", "agency code")],
        ok=obj({"code": {"type": "string"}, "name": {"type": "string"}}, required=["code", "name"]),
        body=obj(_SERVICE_FIELDS))},
    "/api/manage/services/{code}/open": {"post": op(
        "Open an agency that was closed by hand", who=SUPERVISOR, ok="Ok", tag="manage",
        params=[str_param("code", "A", "agency code")], errors=("400",))},
    "/api/manage/services/{code}/close": {"post": op(
        "Close an agency (the kiosk shows the reason)", who=SUPERVISOR, ok="Ok", tag="manage",
        params=[str_param("code", "A", "agency code")],
        body=obj({"reason": text(200, example="Sistem sedang gangguan"),
                  "rest_of_today": {"type": "boolean", "default": False,
                                    "description": "open again by itself tomorrow"}},
                 required=["reason"]))},
    "/api/manage/counters": {"post": op(
        "Add a counter (loket)", who=MANAGER, status="201", tag="manage",
        ok=obj({"id": {"type": "integer"}, "name": {"type": "string"}}, required=["id", "name"]),
        body=obj(_COUNTER_FIELDS, required=["name", "services"]))},
    "/api/manage/counters/{id}": {"patch": op(
        "Rename a counter or change its agencies", who=MANAGER, tag="manage",
        params=[id_param("id", "counter id")],
        ok=obj({"id": {"type": "integer"}, "name": {"type": "string"}}, required=["id", "name"]),
        body=obj(_COUNTER_FIELDS))},
    "/api/manage/staff": {
        "get": _get("Accounts this caller may manage", who=SUPERVISOR, tag="manage",
                    ok=obj({"staff": array(ref("User"))}, required=["staff"])),
        "post": op("Add an account (supervisors: staff of their own counters)", who=SUPERVISOR,
                   status="201", ok="Created", tag="manage",
                   body=obj({"username": {"type": "string", "minLength": 1, "maxLength": 40,
                                          "pattern": r"^[\w.]+$", "example": "siti"},
                             "password": {"type": "string", "minLength": 8, "maxLength": 200},
                             "role": {"enum": ["staff", "supervisor", "manager"], "default": "staff"},
                             "full_name": nullable({"type": "string", "maxLength": 80}),
                             "counters": array({"type": "integer", "minimum": 1}),
                             "service": nullable({"type": "string", "description": "agency code, for a supervisor"})},
                            required=["username", "password"]))},
    "/api/manage/staff/{id}": {"patch": op(
        "Edit an account: name, active, password, counters", who=SUPERVISOR, ok="User", tag="manage",
        params=[id_param("id", "user id")],
        body=obj({"full_name": nullable({"type": "string", "maxLength": 80}), "active": {"type": "boolean"},
                  "password": {"type": "string", "minLength": 8, "maxLength": 200},
                  "counters": array({"type": "integer", "minimum": 1})}))},
    "/api/manage/hours": {"put": op(
        "The hall's opening hours", who=MANAGER, ok="Ok", tag="manage",
        body=obj({"hours": ref("Hours")}, required=["hours"]))},
    "/api/manage/holidays": {"put": op(
        "Public holidays (closed all day)", who=MANAGER, ok="Ok", tag="manage",
        body=obj({"holidays": {"type": "object", "propertyNames": {"pattern": r"^\d{4}-\d{2}-\d{2}$"},
                               "additionalProperties": text(100), "example": {"2024-08-17": "HUT RI"}}},
                 required=["holidays"]))},
    "/api/manage/hall": {"put": op(
        "The hall's name, skip policy, and whether unpaired screens may issue tickets", who=MANAGER,
        ok="Ok", tag="manage",
        body=obj({"name": text(120), "skip_policy": {"enum": ["requeue_once", "drop"]},
                  "public_tickets": {"type": "boolean"}}))},
    "/api/manage/audit": {"get": _get(
        "Who changed what, newest first, each as a sentence (`text`) in the reader's language",
        who=MANAGER, tag="manage",
        params=[{"name": "person", "in": "query", "required": False,
                 "description": "only this person's changes (an `actor` as listed in `people`)",
                 "schema": {"type": "string", "maxLength": 80}},
                {"name": "from", "in": "query", "required": False, "description": "first day (hall time)",
                 "schema": {"type": "string", "format": "date", "example": "2024-07-01"}},
                {"name": "to", "in": "query", "required": False, "description": "last day (hall time)",
                 "schema": {"type": "string", "format": "date", "example": "2024-07-31"}},
                {"name": "limit", "in": "query", "required": False, "description": "at most this many (default 200)",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
        ok=obj({"entries": array(obj({"at": _TIME, "actor": nullable({"type": "string"}),
                                      "action": {"type": "string"}, "detail": {},
                                      "text": {"type": "string", "description": "plain text, not HTML"}},
                                     required=["at", "action", "text"])),
                "people": array({"type": "string"})}, required=["entries", "people"]))},
    "/api/manage/speech": {"put": op(
        "Voice settings (only the fields sent change)", who=MANAGER, ok="Speech", tag="manage",
        body=obj(_SPEECH_FIELDS, closed=True))},
    "/api/manage/speech/sample": {"post": op(
        "Render a sample call with a template (not saved)", who=MANAGER, tag="manage",
        body=obj({"template": nullable({"type": "string", "maxLength": MAX_TEMPLATE_LENGTH,
                                        "description": "empty: the saved template"}),
                  "style": {"enum": [*STYLES, "", None], "description": "empty: the saved style"},
                  "text": nullable({"type": "string", "maxLength": MAX_FREE_TEXT_LENGTH,
                                    "description": "speak this text (e.g. a pronunciation entry's "
                                                   "written form) instead of a sample call"}),
                  "lexicon": nullable(array(_LEXICON_ENTRY, maxItems=200,
                                            description="a pronunciation list to try (not saved); "
                                                        "null: the saved one"))}),
        ok=obj({"text": {"type": "string"}, "audio": nullable({"type": "string"}),
                "duration": nullable({"type": "number"}), "voice": nullable({"type": "string"})},
               required=["text", "audio"]))},
    "/api/manage/announce": {"post": op(
        "Speak a free announcement now (the whole hall hears it)", who=MANAGER, status="201", ok="Event", tag="manage",
        body=obj({"text": text(MAX_FREE_TEXT_LENGTH, example="Loket 3 istirahat sebentar."),
                  "zone": nullable(_ZONE_NAME | {"description": "speaker zone; absent or null: all zones"})},
                 required=["text"]))},
    "/api/manage/zones": {
        "get": _get("Speaker zones of counters and display profiles", who=MANAGER, ok="Zones", tag="manage"),
        "put": op("Set the speaker zones of counters and/or display profiles (a part sent replaces "
                  "that part; one left out of it goes back to the main zone)", who=MANAGER, ok="Zones",
                  tag="manage", body=obj({"counters": {"type": "object", "additionalProperties": _ZONE_NAME,
                                                       "description": "counter id -> zone"},
                                          "profiles": {"type": "object", "additionalProperties": _ZONE_NAME,
                                                       "description": "display profile name -> zone"}},
                                         closed=True))},
    "/api/manage/schedule": {
        "get": _get("Scheduled announcements", who=SUPERVISOR, tag="manage",
                    ok=obj({"schedule": array(ref("Schedule"))}, required=["schedule"])),
        "post": op("Add a scheduled announcement", who=MANAGER, status="201", ok="Created", tag="manage",
                   body=obj({"text": text(MAX_FREE_TEXT_LENGTH), "at": _HHMM,
                             "days": array({"enum": list(WEEKDAYS)}, description="empty: every day"),
                             "zone": nullable({"type": "string", "maxLength": 40,
                                               "description": "speaker zone; absent or null: every zone"})},
                            required=["text", "at"]))},
    "/api/manage/schedule/{id}": {"delete": op(
        "Delete a scheduled announcement", who=MANAGER, ok="Ok", tag="manage",
        params=[id_param("id", "schedule id")])},
    "/api/manage/media": {"post": op(
        "Upload an image or video for the screens' playlist", who=MANAGER, status="201", tag="manage",
        description="PNG, JPEG, WebP, GIF (≤ 10 MB) or MP4, WebM (≤ 200 MB); the file must decode.",
        form=obj({"file": {"type": "string", "format": "binary"},
                  "title": {"type": "string", "maxLength": 120},
                  "seconds": {"type": "integer", "minimum": 3, "maximum": 120, "default": 10,
                              "description": "how long an image stays on screen"}},
                 required=["file"]),
        ok=obj({"id": {"type": "integer"}, "url": {"type": "string"}, "kind": {"enum": ["image", "video"]}},
               required=["id", "url", "kind"]))},
    "/api/manage/media/{id}": {"delete": op(
        "Remove an item from the playlist", who=MANAGER, ok="Ok", tag="manage",
        params=[id_param("id", "media id")])},
    "/api/manage/logo": {"post": op(
        "Upload the hall's logo, or an agency's (field `service`)", who=SUPERVISOR, status="201",
        tag="manage", description="PNG, JPEG, WebP or GIF, ≤ 10 MB; the image must decode.",
        form=obj({"file": {"type": "string", "format": "binary"},
                  "service": {"type": "string", "description": "agency code; empty: the hall's logo"}},
                 required=["file"]),
        ok=obj({"url": {"type": "string"}}, required=["url"]))},
    "/api/manage/displays": {
        "get": _get("Display profiles (named TV set-ups)", who=MANAGER, tag="manage",
                    ok=obj({"profiles": array(ref("DisplayProfile"))}, required=["profiles"])),
        "post": op("Create or replace a display profile (by name)", who=MANAGER, status="201",
                   ok="DisplayProfile", tag="manage",
                   body=obj({"name": text(60), "services": array({"type": "string", "example": "A"},
                                                                  description="empty: all"),
                             "layout": {"enum": ["calls_media", "calls_only"], "default": "calls_media"},
                             "sound": {"type": "boolean", "default": False}},
                            required=["name"]))},
    "/api/manage/tokens": {
        "get": _get("API tokens for machines: never the token itself", who=MANAGER, tag="manage",
                    ok=obj({"tokens": array(_API_TOKEN)}, required=["tokens"])),
        "post": op("Issue an API token; the answer is the only time it is shown", who=MANAGER,
                   status="201", tag="manage", ok=obj(
                       _API_TOKEN["properties"] | {"token": {"type": "string"}},
                       required=[*_API_TOKEN["required"], "token"]),
                   body=obj({"role": {"enum": list(TOKEN_ROLES)},
                             "counter": nullable({"type": "integer", "minimum": 1, "maximum": MAX_ID,
                                                  "description": "counter id, for role counter only"}),
                             "label": text(80, example="Kios lobi"),
                             "expires_days": nullable({"type": "integer", "minimum": 1, "maximum": 3650,
                                                       "description": "empty: never expires"})},
                            required=["role", "label"], closed=True))},
    "/api/manage/tokens/{id}": {"delete": op(
        "Revoke an API token: refused from now on, kept in the list", who=MANAGER, tag="manage",
        ok=_API_TOKEN, params=[id_param("id", "token id")])},

    # ---- paired devices (TVs, kiosks, survey tablets) and log-in lockouts ---------------------
    "/api/devices/pairing": {"post": op(
        "This browser asks to be paired; shows the code a manager types in the console", tag="devices",
        description="Sets the device cookie on the first call.",
        body=obj({"kind": {"enum": list(DEVICE_KINDS)}, "name": nullable({"type": "string", "maxLength": 60})},
                 required=["kind"], closed=True),
        ok=obj({"kind": {"enum": list(DEVICE_KINDS)}, "name": {"type": "string"}, "paired": {"type": "boolean"},
                "code": nullable({"type": "string", "pattern": "^[0-9]{6}$"}),
                "code_expires_at": nullable(_TIME)}, required=["kind", "paired"]),
        errors=("429",))},
    "/api/devices/me": {"get": _get(
        "What this browser is, by its device cookie", tag="devices", errors=("429",),
        ok=obj({"paired": {"type": "boolean"}, "kind": nullable({"enum": list(DEVICE_KINDS)}),
                "name": nullable({"type": "string"})}, required=["paired", "kind", "name"]))},
    "/api/manage/devices": {"get": _get(
        "Paired and revoked devices (waiting ones show their code only on their own screen)",
        who=MANAGER, tag="devices", ok=obj({"devices": array(ref("Device"))}, required=["devices"]))},
    "/api/manage/devices/pair": {"post": op(
        "Pair the device showing this code", who=MANAGER, status="201", ok="Device", tag="devices",
        body=obj({"code": {"type": "string", "pattern": "^[0-9 ]+$", "example": "012345"},
                  "name": text(60, example="TV Lobi")}, required=["code", "name"]),
        errors=("404",))},
    "/api/manage/devices/{id}": {
        "patch": op("Rename a device", who=MANAGER, ok="Device", tag="devices",
                    params=[id_param("id", "device id")],
                    body=obj({"name": text(60)}, required=["name"])),
        "delete": op("Revoke a device: it shows the pairing code again", who=MANAGER, ok="Ok",
                     tag="devices", params=[id_param("id", "device id")])},
    "/api/manage/lockouts": {"get": _get(
        "Names and addresses locked out of logging in after failed attempts", who=MANAGER, tag="access",
        ok=obj({"lockouts": array(obj({"key": {"type": "string"}, "kind": {"enum": ["account", "address"]},
                                       "value": {"type": "string"}, "failures": _COUNT,
                                       "locked_until": _TIME},
                                      required=["key", "kind", "value", "locked_until"]))},
               required=["lockouts"]))},
    "/api/manage/lockouts/lift": {"post": op(
        "Lift a lock before it runs out", who=MANAGER, ok="Ok", tag="access",
        body=obj({"key": {"type": "string", "pattern": "^(user|addr):", "maxLength": 120,
                          "example": "user:siti", "description": "as listed"}}, required=["key"]),
        errors=("404",))},

    # ---- kiosks and their printers -----------------------------------------------------------------
    "/api/kiosk/printer": {"get": _get("This kiosk's printer and what it last said", who=DEVICE,
                                       ok="Printer", tag="kiosk")},
    "/api/kiosk/reprint": {"post": op(
        "Print this kiosk's slip once more (its own jobs, at most 3 times)", who=DEVICE, status="201",
        ok="PrintAnswer", tag="kiosk", errors=("404",),
        body=obj({"job": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}, required=["job"], closed=True))},
    "/api/manage/kiosks": {"get": _get(
        "Paired kiosks: connected?, printer, paper state, last ticket; and the slip's footer",
        who=MANAGER, tag="manage",
        ok=obj({"kiosks": array(ref("Kiosk")), "footer": {"type": "string"}}, required=["kiosks", "footer"]))},
    "/api/manage/kiosks/{id}/printer": {"put": op(
        "Set a kiosk's printer: network (host[:port]), usb (vendor:product or /dev/usb/lp0), serial "
        "(/dev/ttyUSB0[:baud]), browser or none; paper 58 or 80 mm", who=MANAGER, ok="Printer", tag="manage",
        params=[id_param("id", "device id of a paired kiosk")],
        body=obj({"kind": {"enum": _PRINTER_KINDS}, "address": {"type": "string", "maxLength": 120},
                  "paper": {"enum": [58, 80], "default": 80}}, required=["kind"], closed=True))},
    "/api/manage/kiosks/{id}/test-print": {"post": op(
        "Print a test page on a kiosk's ESC/POS printer", who=MANAGER, status="201", tag="manage",
        params=[id_param("id", "device id of a paired kiosk")], errors=("400",),  # browser/none: no
        ok=obj({"job": {"type": "integer"}, "state": {"const": "queued"}}, required=["job", "state"]))},
    "/api/manage/slip": {"put": op(
        "The footer printed under every ticket", who=MANAGER, tag="manage",
        ok=obj({"footer": {"type": "string"}}, required=["footer"]),
        body=obj({"footer": {"type": "string", "maxLength": 300}}, required=["footer"], closed=True))},

    # ---- outside /api ------------------------------------------------------------------------
    "/healthz": {"get": {
        "summary": "Can the hall write, is there disk space, can it speak (for a monitor)",
        "tags": ["public"], "security": [],
        "responses": {"200": {"description": "ok or degraded",
                              "content": {"application/json": {"schema": ref("Health")}}},
                      "503": {"description": "fail: the database cannot be written",
                              "content": {"application/json": {"schema": ref("Health")}}}}}},
}


# ---- Survei Kepuasan Masyarakat (signage/web/survey.py) -----------------------------------------
def _survey_paths() -> tuple[dict, dict]:
    from ..survey.ikm import ELEMENTS
    from ..survey.questionnaire import PROFILE
    from ..survey.surveys import DISPLAY_MODES, MAX_COMMENT, PERIODS
    number = nullable({"type": "number"})
    mutu = nullable({"enum": ["A", "B", "C", "D"]})
    unit = {"respondents": _COUNT, "population": _COUNT, "min_sample": _COUNT,
            "sample_ok": {"type": "boolean"}, "index": number, "ikm": number, "mutu": mutu,
            "kinerja": nullable({"type": "string"}), "weight": number,
            "elements": array(obj({"code": {"enum": list(ELEMENTS)}, "respondents": _COUNT, "total": _COUNT,
                                   "nrr": number, "weighted": number, "weakest": {"type": "boolean"}},
                                  required=["code", "respondents", "total", "nrr", "weighted", "weakest"]))}
    unit_required = ["respondents", "population", "min_sample", "sample_ok", "ikm", "mutu", "elements"]
    comment = obj({"id": {"type": "integer"}, "day": _DAY, "submitted_at": _TIME, "service": {"type": "string"},
                   "service_name": {"type": "string"}, "counter": nullable({"type": "string"}),
                   "comment": {"type": "string"}, "score": number, "followed_up_at": nullable(_TIME),
                   "followed_up_by": nullable({"type": "string"}), "reply": nullable({"type": "string"}),
                   "replied_at": nullable(_TIME)},
                  required=["id", "day", "service", "comment", "followed_up_at", "reply"])
    question = obj({"code": {"enum": list(ELEMENTS)}, "u": {"type": "string"}, "label": {"type": "string"},
                    "question": {"type": "string"}, "answers": array({"type": "string"}, minItems=4, maxItems=4)},
                   required=["code", "question", "answers"])
    schemas = {
        "SurveyUnit": obj(unit, required=unit_required),
        "SurveyComment": comment,
        "SurveyQuestion": question,
        "SurveyTicket": obj({"ticket": {"type": "string"}, "service": {"type": "string"},
                             "service_name": {"type": "string"}, "counter": nullable({"type": "string"}),
                             "expired": {"type": "boolean"}, "answered": {"type": "boolean"},
                             "reply": nullable({"type": "string"}), "questions": array(ref("SurveyQuestion"))},
                            required=["ticket", "service", "expired", "answered", "questions"]),
        "SurveyReport": obj({
            "from": _DAY, "to": _DAY, "scope": {"type": "object"},
            "elements": array(obj({"code": {"enum": list(ELEMENTS)}, "u": {"type": "string"},
                                   "label": {"type": "string"}, "label_en": {"type": "string"}},
                                  required=["code", "u", "label"])),
            "summary": {"allOf": [ref("SurveyUnit"), obj({"profile": {"type": "object"}}, required=["profile"])]},
            "services": array({"allOf": [ref("SurveyUnit"), obj({"code": {"type": "string"}, "name": {"type": "string"},
                                                                "hidden": array({"enum": list(ELEMENTS)})},
                                                               required=["code", "name"])]}),
            "counters": array({"allOf": [ref("SurveyUnit"), obj({"id": {"type": "integer"}, "name": {"type": "string"}},
                                                               required=["id", "name"])]}),
            "trend": array(obj({"month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                                "respondents": _COUNT, "ikm": number, "mutu": mutu},
                               required=["month", "respondents", "ikm", "mutu"]))},
            required=["from", "to", "scope", "elements", "summary", "services", "counters", "trend"]),
    }
    report_params = [
        {"name": "period", "in": "query", "required": False,
         "description": "day, month, semester (Jan–Jun, Jul–Dec) around `date`, or range `from`–`to`; "
                        "default: the month of `date`, or range when `from` is given",
         "schema": {"enum": list(PERIODS)}},
        {"name": "date", "in": "query", "required": False, "description": "a service day in the period (default today)",
         "schema": {"type": "string", "format": "date", "example": "2026-11-27"}},
        {"name": "from", "in": "query", "required": False, "description": "first service day (period range)",
         "schema": {"type": "string", "format": "date", "example": "2026-07-01"}},
        {"name": "to", "in": "query", "required": False, "description": "last service day (period range); at most 366 days",
         "schema": {"type": "string", "format": "date", "example": "2026-12-31"}},
        str_param("service", "A", "one agency (a supervisor always gets their own)", where="query"),
    ]
    counter_param = {"name": "counter", "in": "query", "required": False, "description": "one counter (id)",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
    answer = {"type": "integer", "minimum": 1, "maximum": 4}
    profile = {field: nullable({"enum": list(options)}) for field, options in PROFILE.items()}
    current = op("The ticket just finished at this counter, with its survey token, link and QR",
                 who="the counter's paired survey tablet, its staff, or a manager", tag="survey", read=True,
                 errors=("429",), params=[id_param("id", "counter id")],
                 description="`ticket` is null when nothing was finished there in the last 30 minutes or "
                             "it was already answered.",
                 ok=obj({"ticket": nullable({"type": "string"}), "counter": {"type": "string"},
                         "service": {"type": "string"}, "service_name": {"type": "string"},
                         "finished_at": _TIME, "token": {"type": "string"}, "expires_at": _TIME,
                         "url": {"type": "string"}, "qr": {"type": "string", "description": "SVG data URI"}},
                        required=["ticket", "counter"]))
    current["security"] = [{"bearer": []}, {"session": []}, {"device": []}]
    paths = {
        "/api/survey/tickets/{token}": {"get": _get(
            "A survey link: its ticket, whether it was answered (and the reply), the questionnaire",
            tag="survey", ok="SurveyTicket", errors=("429",),
            params=[str_param("token", "q7Hc0m3ZkYlVbq2vX1sRtA8u", "the token in the QR shown at the counter")])},
        "/api/survey/responses": {"post": op(
            "Answer the survey of a served ticket: once per ticket", tag="survey", status="201",
            errors=("404", "409", "429"),
            description="Proof of service is the ticket's token (QR at the counter, or the counter's paired "
                        "feedback tablet). Every element that applies to the agency must be answered 1–4; "
                        "the profile fields and the comment are optional. A second answer for the same "
                        "ticket, also one racing the first, is 409. Anonymous: no name or phone is taken.",
            body=obj({"token": {"type": "string", "minLength": 1, "maxLength": 64},
                      "answers": {"type": "object", "minProperties": 1,
                                  "propertyNames": {"enum": list(ELEMENTS)}, "additionalProperties": answer,
                                  "example": {code: 4 for code in ELEMENTS}},
                      **profile, "comment": nullable({"type": "string", "maxLength": MAX_COMMENT})},
                     required=["token", "answers"], closed=True),
            ok=obj({"id": {"type": "integer"}, "ok": {"const": True}}, required=["id", "ok"]))},
        "/api/survey/counters/{id}/current": {"get": current},
        "/api/survey/report": {"get": _get(
            "The IKM per PermenPANRB 14/2017: per element NRR and weighted NRR, index, IKM, mutu, kinerja; "
            "per agency and counter; respondents against the minimum sample (Krejcie–Morgan); trend by month",
            who=SUPERVISOR, tag="survey", ok="SurveyReport", params=[*report_params, counter_param])},
        "/api/survey/report.csv": {"get": _get(
            "The same report as CSV for Indonesian Excel (`;`, decimal comma, UTF-8 BOM)", who=SUPERVISOR,
            tag="survey", ok={"type": "string"}, content_type="text/csv", params=[*report_params, counter_param])},
        "/api/survey/comments": {"get": _get(
            "Free texts (saran, pengaduan) of the period, newest first", who=SUPERVISOR, tag="survey",
            params=[*report_params, {"name": "status", "in": "query", "required": False,
                                     "schema": {"enum": ["all", "open", "followed"]}}],
            ok=obj({"from": _DAY, "to": _DAY, "comments": array(ref("SurveyComment"))},
                   required=["from", "to", "comments"]))},
        "/api/survey/comments/{id}": {"patch": op(
            "Mark a free text followed up, or answer it (an answer also marks it followed up)",
            who=SUPERVISOR, tag="survey", ok="SurveyComment", params=[id_param("id", "response id")],
            body=obj({"followed_up": {"type": "boolean"},
                      "reply": nullable({"type": "string", "maxLength": MAX_COMMENT})},
                     closed=True, minProperties=1))},
        "/api/survey/settings": {"get": _get(
            "The questionnaire's wording, the elements hidden per agency, the display switch per profile",
            who=SUPERVISOR, tag="survey",
            ok=obj({"elements": array(ref("SurveyQuestion")),
                    "hidden": {"type": "object", "additionalProperties": array({"enum": list(ELEMENTS)})},
                    "displays": array(obj({"profile_id": {"type": "integer"}, "name": {"type": "string"},
                                           "mode": {"enum": list(DISPLAY_MODES)}},
                                          required=["profile_id", "name", "mode"]))},
                   required=["elements", "hidden", "displays"]))},
        "/api/survey/questions/{element}": {"put": op(
            "Change the wording of one element (Indonesian; English optional)", who=MANAGER, tag="survey",
            ok="SurveyQuestion",
            params=[{"name": "element", "in": "path", "required": True, "schema": {"enum": list(ELEMENTS)}}],
            body=obj({"question": text(300),
                      "answers": array(text(80), minItems=4, maxItems=4, description="scores 1, 2, 3, 4"),
                      "question_en": nullable(text(300)),
                      "answers_en": nullable(array(text(80), minItems=4, maxItems=4))},
                     required=["question", "answers"], closed=True))},
        "/api/survey/hidden/{code}": {"put": op(
            "The elements that do not apply to an agency (e.g. biaya for a free service); the IKM follows",
            who=MANAGER, tag="survey", params=[str_param("code", "A", "agency code")],
            ok=obj({"service": {"type": "string"}, "hidden": array({"enum": list(ELEMENTS)})},
                   required=["service", "hidden"]),
            body=obj({"hidden": array({"enum": list(ELEMENTS)}, maxItems=len(ELEMENTS) - 1)},
                     required=["hidden"], closed=True))},
        "/api/survey/displays/{id}": {"put": op(
            "Whether a display profile shows the current IKM: off, in the running text, or as a panel",
            who=MANAGER, tag="survey", params=[id_param("id", "display profile id")],
            ok=obj({"profile_id": {"type": "integer"}, "name": {"type": "string"},
                    "mode": {"enum": list(DISPLAY_MODES)}}, required=["profile_id", "name", "mode"]),
            body=obj({"mode": {"enum": list(DISPLAY_MODES)}}, required=["mode"], closed=True))},
        "/api/survey/display": {"get": _get(
            "The IKM a hall display shows: this semester so far, of the profile's one agency or the hall",
            tag="survey", errors=("429",),
            params=[{"name": "profile", "in": "query", "required": False,
                     "schema": {"type": "string", "maxLength": 60}}],
            ok=obj({"mode": {"enum": list(DISPLAY_MODES)}, "name": {"type": "string"},
                    "service": nullable({"type": "string"}), "from": _DAY, "to": _DAY,
                    "respondents": _COUNT, "ikm": number, "mutu": mutu, "kinerja": nullable({"type": "string"}),
                    "kinerja_en": nullable({"type": "string"})},
                   required=["mode", "name", "respondents", "ikm", "mutu"]))},
    }
    return paths, schemas


_survey_path_items, _survey_schemas = _survey_paths()
PATHS.update(_survey_path_items)
SCHEMAS.update(_survey_schemas)


# ---- The visitor's phone (signage/web/visitor.py) ------------------------------------------------
def _visitor_paths() -> tuple[dict, dict]:
    token = str_param("token", "v3Jx0cQ2mZ8kR1tYbN5aLw7eHf4sPq9U", "the ticket's token, from its link or QR")
    typical = {"type": "object", "description": "typical service minutes per agency code (1–240; null: "
                                                "back to the default)",
               "additionalProperties": nullable({"type": "number", "minimum": 1, "maximum": 240}),
               "example": {"A": 12}}
    settings = obj({"minutes": {"type": "object", "additionalProperties": {"type": "number"}},
                    "default": {"type": "number"}, "public_url": {"type": "string"}},
                   required=["minutes", "default", "public_url"])
    schemas = {
        "Estimate": obj({"min": _COUNT, "max": _COUNT, "basis": {"enum": ["today", "weekday", "typical"]},
                         "text": {"type": "string", "example": "sekitar 35–50 menit"},
                         "text_en": {"type": "string"}},
                        required=["min", "max", "basis", "text"],
                        description="minutes until the call, a range (estimate.py), never a promise"),
        "VisitorTicket": obj({
            "number": {"type": "string"}, "service": {"type": "string"}, "service_name": {"type": "string"},
            "priority": {"type": "boolean"},
            "status": {"enum": ["waiting", "called", "served", "no_show", "cancelled"]},
            "day": _DAY, "issued_at": _TIME, "waiting": _COUNT, "ahead": nullable(_COUNT),
            "estimate": nullable(ref("Estimate")), "counter": nullable({"type": "string"}),
            "calls": _COUNT, "called_at": nullable(_TIME), "survey": nullable({"type": "string"}),
            "timezone": {"type": "string"}},
            required=["number", "service", "status", "waiting", "ahead", "estimate", "counter", "survey"]),
    }
    paths = {
        "/api/visitor/{token}": {"get": _get(
            "One ticket as its visitor's phone sees it: status, people ahead, the agency's queue, estimate",
            tag="visitor", ok="VisitorTicket", errors=("410", "429"), params=[token],
            description="Live: Socket.IO namespace /ticket with auth {token}, event `ticket` (this view); "
                        "emit `refresh` to get it again. 404 for an unknown token, 410 after its service day.")},
        "/api/visitor/{token}/cancel": {"post": op(
            "Cancel this ticket (\"Batalkan antrian\"): it leaves the queue, counted as cancelled",
            tag="visitor", ok="VisitorTicket", params=[token], errors=("409", "410", "413", "415", "429"),
            body=obj({}, closed=True),
            description="Only a waiting ticket; cancelling twice answers the same view. The token is the proof.")},
        "/api/manage/visitor": {
            "get": _get("Typical service minutes per agency (the estimate's fallback) and the public address",
                        who=MANAGER, tag="manage", ok=settings),
            "put": op("Set typical service minutes per agency and/or the address phones reach the hall at",
                      who=MANAGER, tag="manage", ok=settings,
                      body=obj({"minutes": typical,
                                "public_url": nullable({"type": "string", "maxLength": 200,
                                                        "example": "https://antrian.mpp.example.go.id"})},
                               closed=True))},
    }
    failure = obj({"id": {"type": "integer"}, "number": {"type": "string"}, "kind": {"enum": ["issued", "near", "called"]},
                   "phone": {"type": "string", "description": "masked: 62812****7890"}, "attempts": _COUNT,
                   "created_at": _TIME, "next_try_at": nullable(_TIME), "error": {"type": "string"}},
                  required=["id", "number", "kind", "phone", "attempts", "error"])
    notify = obj({"sender": {"enum": ["off", "log", "http"]}, "url": {"type": "string"},
                  "token_set": {"type": "boolean"}, "header": {"type": "string"}, "template": {"type": "string"},
                  "near": {"type": "integer"}, "give_up_minutes": {"type": "integer"},
                  "counts": obj({"pending": _COUNT, "sent": _COUNT, "failed": _COUNT}),
                  "contacts": _COUNT, "failures": array(failure), "retrying": array(failure)},
                 required=["sender", "url", "token_set", "template", "near", "give_up_minutes", "counts",
                           "failures"])
    paths["/api/visitor/{token}/phone"] = {"post": op(
        "Send this ticket's messages to a WhatsApp number (optional; erased at the end of its service day)",
        tag="visitor", status="201", params=[token], errors=("410", "429"),
        body=obj({"phone": {"type": "string", "maxLength": 24, "example": "0812 3456 7890",
                            "description": "an Indonesian mobile number: 08…, +628… or 628…, 10–13 digits"}},
                 required=["phone"], closed=True),
        ok=obj({"phone": {"type": "string", "description": "masked"}, "expires_at": _TIME},
               required=["phone", "expires_at"]),
        description="Messages: issued (with the link), \"N lagi sebelum giliran Anda\", called. Through the "
                    "outbox (console: /api/manage/notify). Only for a waiting ticket.")}
    paths["/api/manage/notify"] = {
        "get": _get("WhatsApp: the sender, gateway settings (never the token), counts and failures",
                    who=MANAGER, tag="manage", ok=notify),
        "put": op("WhatsApp: choose the sender and set the gateway", who=MANAGER, tag="manage", ok=notify,
                  body=obj({"sender": {"enum": ["off", "log", "http"]},
                            "url": {"type": "string", "maxLength": 300, "example": "https://gateway.example/send"},
                            "token": {"type": "string", "maxLength": 300},
                            "header": {"type": "string", "maxLength": 60, "example": "Authorization"},
                            "template": {"type": "string", "maxLength": 500,
                                         "example": '{"target": {phone}, "message": {message}}'},
                            "near": {"type": "integer", "minimum": 1, "maximum": 20},
                            "give_up_minutes": {"type": "integer", "minimum": 1, "maximum": 1440}},
                           closed=True))}
    return paths, schemas


_visitor_path_items, _visitor_schemas = _visitor_paths()
PATHS.update(_visitor_path_items)
SCHEMAS.update(_visitor_schemas)


def spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "signage — antrian Mal Pelayanan Publik", "version": __version__,
                 "description": "Errors are JSON {\"error\": \"...\"} with a 4xx status. Text fields refuse "
                                "control characters and lone surrogates; JSON bodies may nest at most 20 deep. "
                                "Live updates: Socket.IO namespace /display, events `state` (snapshot) and "
                                "`called`, `issued`, `finished`, `skipped`, `transferred`, `paused`, `resumed`, "
                                "each with an increasing `seq`; emit `snapshot` to get `state` again."},
        "paths": PATHS,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "signage token create --role counter --counter ID (or --role manager)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "the browser session after logging in at /login"},
                "device": {"type": "apiKey", "in": "cookie", "name": DEVICE_COOKIE,
                           "description": "a paired kiosk or display (pairing: /api/devices/pairing)"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                         "description": "with a session, on every method but GET: the page's csrf-token meta tag"},
            },
            "schemas": SCHEMAS,
        },
    }
