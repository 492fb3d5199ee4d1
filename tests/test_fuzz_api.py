"""Schemathesis over every operation of /api/openapi.json against a real server process.

Property-based: for each documented operation, Hypothesis makes valid and invalid requests
(bodies, path and query parameters, headers) from the document, plus schemathesis' coverage
cases (boundaries, wrong types, missing fields, methods the path does not take). Every answer
must be no server error, with a documented status and content type, and a body that matches
the documented schema; and invalid input must be refused (negative_data_rejection), so the
document's types, enums and limits are the ones the server enforces. Derandomized with a fixed
seed: CI sees the same requests every run. The document is spec() itself, which the server
serves unchanged (tests/test_openapi.py); the requests go to a real `signage run` process.
"""
from __future__ import annotations

import io
import re

import pytest
import requests
import schemathesis
from PIL import Image
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, ignored_auth, negative_data_rejection, response_headers_conformance,
    response_schema_conformance, status_code_conformance, unsupported_method)

from signage.web.openapi import spec
from support import ServerProcess

MAX_EXAMPLES = 25   # per operation, on top of the coverage cases: about 1.5 min on 2 busy cores
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, unsupported_method,
          ignored_auth, negative_data_rejection]

schema = schemathesis.openapi.from_dict(spec(), config=schemathesis.Config.from_dict({
    "seed": 20240817,
    # We send real credentials (see credentials()); generated ones would only be overridden.
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                   "with-security-parameters": False},
}))


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    server = ServerProcess(tmp / "fuzz.db", extra_args=("--audio-dir", str(tmp / "audio"))).start()
    server.tokens = {"manager": server.token("manager"), "counter": server.token("counter", counter=1),
                     "kiosk": server.token("kiosk")}
    server.log_seen = 0
    listed = requests.get(server.url + "/api/manage/tokens", timeout=5,
                          headers={"Authorization": f"Bearer {server.tokens['manager']}"}).json()
    server.own_token_ids = {str(row["id"]) for row in listed["tokens"]}  # path values may be text
    # A paired kiosk, for what only its device cookie may do (with the CSRF token of its page).
    kiosk = requests.Session()
    code = kiosk.post(server.url + "/api/devices/pairing", json={"kind": "kiosk"}, timeout=5).json()["code"]
    device = requests.post(server.url + "/api/manage/devices/pair", json={"code": code, "name": "Kios fuzz"},
                           headers={"Authorization": f"Bearer {server.tokens['manager']}"}, timeout=5).json()
    page = kiosk.get(server.url + "/kiosk", timeout=5).text
    server.kiosk_csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    server.kiosk_cookies = kiosk.cookies.get_dict()
    server.own_device_ids = {str(device["id"])}
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_traceback_in_the_server_log(hall):
    """A server error no answer shows (e.g. in the task that pushes events) fails the test too."""
    yield
    log = hall.log_path.read_text(errors="replace")
    new, hall.log_seen = log[hall.log_seen:], len(log)
    assert "Traceback" not in new, new[-5000:]


def checks_for(operation) -> list:
    """All of CHECKS but two, where they cannot tell:
    - a rate-limited operation may answer 429 before it looks at credentials: after the fuzzer's
      own burst, ignored_auth's probes without credentials get 429, which says nothing about auth;
    - a multipart/form-data body loses types on the wire (an empty array is no field at all, null
      and 42 are text), so a "schema-violating" form often arrives as a valid one and is rightly
      accepted: negative_data_rejection would report the serialisation, not the server."""
    raw = operation.definition.raw
    skip = set()
    if "429" in raw["responses"]:
        skip.add(ignored_auth)
    if "multipart/form-data" in raw.get("requestBody", {}).get("content", {}):
        skip.add(negative_data_rejection)
    return [check for check in CHECKS if check not in skip]


def credentials(hall, operation) -> dict:
    """Public operations go without; a counter's own operations with that counter's token (a
    manager may not press a counter's buttons), tickets with a kiosk's token, what only a paired
    kiosk may do with its cookie; the rest as a manager."""
    security = operation.definition.raw.get("security", [{}])
    if not security:
        return {}
    if all("device" in option for option in security):
        return {"cookies": hall.kiosk_cookies, "headers": {"X-CSRFToken": hall.kiosk_csrf}}
    role = {"/api/tickets": "kiosk"}.get(operation.path, "manager")
    if operation.path.startswith("/api/counters/{id}"):
        role = "counter"
    return {"headers": {"Authorization": f"Bearer {hall.tokens[role]}"}}


OWN = {"DELETE /api/manage/tokens/{id}": "own_token_ids", "DELETE /api/manage/devices/{id}": "own_device_ids"}


@schema.parametrize()
def test_api(case, hall):
    if case.operation.label in OWN and \
            str(case.path_parameters.get("id")) in getattr(hall, OWN[case.operation.label]):
        return  # not fuzzed: revoking the very token or kiosk the fuzzer itself calls with
    case.call_and_validate(base_url=hall.url, checks=checks_for(case.operation), timeout=30,
                           **credentials(hall, case.operation))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("path, form", [("/api/manage/media", {"title": "Poster", "seconds": 8}),
                                        ("/api/manage/logo", {"service": "A"})], ids=["media", "logo"])
def test_uploads_with_a_real_image(hall, path, form):
    """The generated files are almost always bytes no image decoder takes, which the server rightly
    refuses (400); this small explicit PNG makes sure the success answer is checked too."""
    operation = schema[path]["POST"]
    case = operation.Case(body={"file": _png(), **form}, media_type="multipart/form-data")
    response = case.call_and_validate(base_url=hall.url, checks=CHECKS, timeout=30,
                                      **credentials(hall, operation))
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    assert requests.get(hall.url + url, timeout=5).status_code == 200
