"""OpenAPI 3.1 description of the JSON API, served at /api/openapi.json."""
from __future__ import annotations

from .. import __version__

_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_COUNTER_ACTIONS = {
    "call-next": "Finish the current ticket (if any) and call the next waiting one (priority first, then oldest). 409 when nobody waits or the counter is paused.",
    "recall": "Call the current ticket again (panggil ulang).",
    "skip": "Mark the current ticket a no-show: back of the queue once, or dropped (hall setting skip_policy).",
    "finish": "Close the service of the current ticket.",
    "transfer": "Hand the current ticket to another service's queue, keeping its number. Body: {\"service\": CODE}.",
    "pause": "Counter takes a break (istirahat). Not allowed while serving a ticket.",
    "resume": "Counter comes back from a break.",
}


def spec() -> dict:
    paths = {
        "/api/services": {"get": {"summary": "Services with code, name, prefix, open or closed, waiting count",
                                  "responses": {"200": {"description": "OK"}}}},
        "/api/state": {"get": {"summary": "The snapshot the displays get (seq, services, counters, last_calls, running_text)",
                               "responses": {"200": {"description": "OK"}}}},
        "/api/counters": {"get": {"summary": "Counters with the services they serve and their current ticket",
                                  "responses": {"200": {"description": "OK"}}}},
        "/api/tickets": {"post": {
            "summary": "Issue a ticket (kiosk). No login; rate-limited per client.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["service"], "additionalProperties": False,
                "properties": {"service": {"type": "string", "example": "A"},
                               "priority": {"type": "boolean", "default": False}}}}}},
            "responses": {"201": {"description": "The ticket", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ticket"}}}},
                          "400": _ERROR, "409": _ERROR, "413": _ERROR, "429": _ERROR}}},
        "/api/tickets/{number}/timeline": {"get": {
            "summary": "A ticket's timeline today (managers)", "security": [{"bearer": []}],
            "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}, "401": _ERROR, "403": _ERROR}}},
        "/api/counters/{id}": {"get": {
            "summary": "A counter's state, waiting per service and history", "security": [{"bearer": []}],
            "parameters": [_counter_param()],
            "responses": {"200": {"description": "OK"}, "401": _ERROR, "403": _ERROR, "404": _ERROR}}},
    }
    for action, text in _COUNTER_ACTIONS.items():
        op = {"summary": text, "security": [{"bearer": []}],
              "parameters": [_counter_param(),
                             {"name": "Idempotency-Key", "in": "header", "required": False,
                              "schema": {"type": "string", "maxLength": 100},
                              "description": "Same key again (e.g. a double tap) returns the first answer; nothing happens twice. `request_id` in the body does the same."}],
              "responses": {"200": {"description": "The counter's new state", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Counter"}}}},
                            "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR, "409": _ERROR}}
        if action == "transfer":
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["service"], "properties": {"service": {"type": "string"}}}}}}
        paths[f"/api/counters/{{id}}/{action}"] = {"post": op}
    return {
        "openapi": "3.1.0",
        "info": {"title": "signage — antrian Mal Pelayanan Publik", "version": __version__,
                 "description": "Errors are JSON {\"error\": \"...\"} with a 4xx status. Live updates: Socket.IO namespace /display, events `state` (snapshot) and `called`, `issued`, `finished`, `skipped`, `transferred`, `paused`, `resumed`, each with an increasing `seq`; emit `snapshot` to get `state` again."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "signage token create --role counter --counter ID"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "Ticket": {"type": "object", "properties": {
                    "number": {"type": "string", "example": "A012"}, "service": {"type": "string"},
                    "service_name": {"type": "string"}, "priority": {"type": "boolean"},
                    "position": {"type": "integer", "description": "1 = next in line"},
                    "ahead": {"type": "integer"}, "issued_at": {"type": "string", "format": "date-time"}}},
                "Counter": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"},
                    "state": {"enum": ["idle", "serving", "paused"]},
                    "services": {"type": "array", "items": {"type": "string"}},
                    "ticket": {"type": ["object", "null"]}, "waiting": {"type": "object"},
                    "history": {"type": "array"}}},
            },
        },
    }


def _counter_param() -> dict:
    return {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
