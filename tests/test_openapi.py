"""The OpenAPI document describes every route of the API, no more and no fewer, with answers.

A route added under /api (or /healthz) without its entry in signage/web/openapi.py fails here,
and so does an entry whose route is gone or whose methods differ.
"""
from __future__ import annotations

import ast
import re

import pytest

from signage.web import Config, create_app
from signage.web.openapi import spec

IGNORED_METHODS = {"HEAD", "OPTIONS"}   # Flask adds them to every rule by itself
_VARIABLE = re.compile(r"<(?:(\w+)(?:\((.*?)\))?:)?(\w+)>")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("openapi")
    app, _ = create_app(Config(db_url=f"sqlite:///{tmp / 'openapi.db'}", async_mode="threading",
                               audio_dir=tmp / "audio", media_dir=tmp / "media"))
    return app


def documented_paths(rule: str) -> list[str]:
    """'/api/counters/<id:counter_id>/<any(a,b):action>' -> ['/api/counters/{}/a', '/api/counters/{}/b']:
    variables become '{}' (names may differ), each value of an any() converter its own path."""
    paths = [""]
    position = 0
    for match in _VARIABLE.finditer(rule):
        literal = rule[position:match.start()]
        converter, args = match.group(1), match.group(2)
        if converter == "any":
            values = ast.literal_eval(f"[{args}]")
            paths = [p + literal + v for p in paths for v in values]
        else:
            paths = [p + literal + "{}" for p in paths]
        position = match.end()
    return [p + rule[position:] for p in paths]


def routes(app) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        for path in documented_paths(rule.rule):
            found.setdefault(path, set()).update(rule.methods - IGNORED_METHODS)
    return found


def documented() -> dict[str, set[str]]:
    return {re.sub(r"\{[^}]*\}", "{}", path): {m.upper() for m in item}
            for path, item in spec()["paths"].items()}


def test_the_rule_reader_expands_any_and_hides_names():
    assert documented_paths("/api/counters/<id:counter_id>/<any('a','b-c'):action>") == [
        "/api/counters/{}/a", "/api/counters/{}/b-c"]
    assert documented_paths("/api/tickets/<number>/timeline") == ["/api/tickets/{}/timeline"]


def test_every_api_route_is_documented_with_its_methods(app):
    actual, described = routes(app), documented()
    assert len(actual) > 30
    missing = {p: sorted(m - described.get(p, set())) for p, m in actual.items() if m - described.get(p, set())}
    assert not missing, f"routes without an OpenAPI entry (signage/web/openapi.py): {missing}"
    stale = {p: sorted(m - actual.get(p, set())) for p, m in described.items() if m - actual.get(p, set())}
    assert not stale, f"OpenAPI entries without a route: {stale}"


def test_every_operation_says_what_it_answers():
    document = spec()
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            assert "security" in operation, f"{where}: say who may call it (security: [] if anyone)"
            responses = operation["responses"]
            success = [code for code in responses if code.startswith("2")]
            assert success, f"{where}: no success response"
            for code in success:
                (content,) = responses[code]["content"].values()
                assert content["schema"], f"{where} {code}: no schema"
            for code, response in responses.items():
                if code.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"}, f"{where} {code}"
            if operation["security"]:
                assert "401" in responses, where
            if "requestBody" in operation:
                assert "400" in responses and "413" in responses, where
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert "{" + parameter["name"] + "}" in path, where
                    assert "404" in responses, where
    refs = set(re.findall(r'"#/components/schemas/(\w+)"', repr(document).replace("'", '"')))
    assert refs <= set(schemas), f"undefined schemas: {refs - set(schemas)}"
    assert {"bearer", "session", "csrf"} <= set(document["components"]["securitySchemes"])


def test_the_served_document_is_this_one(app):
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == spec()
