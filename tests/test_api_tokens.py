"""API tokens for machines are listed, labelled, revocable and may expire: through the CLI and
the manager's API against a real server, and an old hall database gains the new columns."""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import Column, Integer, MetaData, String, Table

from signage.accounts import Accounts
from signage.store import Database
from signage.store.migrate import add_missing_columns
from support import ALWAYS_OPEN_HALL, ROOT, signage_cli


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def get(server, path: str, token: str) -> requests.Response:
    return requests.get(server.url + path, headers=bearer(token), timeout=5)


def cli_token(server, *args: str) -> str:
    return signage_cli("token", "create", *args, db=server.db).strip().splitlines()[-1]


def token_list(server) -> list[dict]:
    """`signage token list` read back by its header's columns."""
    lines = signage_cli("token", "list", db=server.db).splitlines()
    assert lines[0].startswith("times in ")
    header = lines[1]
    names = ["id", "role", "counter", "label", "created", "expires", "last used", "revoked"]
    starts = [header.index(name) for name in names] + [None]
    return [{name: line[starts[i]:starts[i + 1]].strip() for i, name in enumerate(names)}
            for line in lines[2:]]


def test_cli_creates_lists_and_revokes_tokens_of_a_running_hall(make_server):
    server = make_server()
    kiosk = cli_token(server, "--role", "kiosk", "--label", "Kios lobi", "--expires-days", "30")
    counter = cli_token(server, "--role", "counter", "--counter", "2", "--label", "Tablet loket 2")
    manager = cli_token(server, "--role", "manager", "--label", "Integrasi dinas")
    assert get(server, "/api/counters/2", counter).status_code == 200
    assert get(server, "/api/manage/overview", manager).status_code == 200
    assert get(server, "/api/manage/overview", kiosk).status_code == 403     # known, not allowed

    listing = signage_cli("token", "list", db=server.db)
    assert not any(tk in listing for tk in (kiosk, counter, manager))
    rows = {row["label"]: row for row in token_list(server)}
    assert set(rows) == {"Kios lobi", "Tablet loket 2", "Integrasi dinas"}
    assert (rows["Kios lobi"]["role"], rows["Kios lobi"]["counter"]) == ("kiosk", "-")
    expires = datetime.strptime(rows["Kios lobi"]["expires"], "%Y-%m-%d %H:%M")
    created = datetime.strptime(rows["Kios lobi"]["created"], "%Y-%m-%d %H:%M")
    assert timedelta(days=29, hours=23) < expires - created <= timedelta(days=30)
    assert rows["Integrasi dinas"]["expires"] == "-"
    assert (rows["Tablet loket 2"]["role"], rows["Tablet loket 2"]["counter"]) == ("counter", "Loket 2")
    assert rows["Tablet loket 2"]["last used"] != "-" and rows["Tablet loket 2"]["revoked"] == "-"

    out = signage_cli("token", "revoke", rows["Tablet loket 2"]["id"], db=server.db)
    assert "revoked" in out
    assert get(server, "/api/counters/2", counter).status_code == 401
    assert get(server, "/api/manage/overview", manager).status_code == 200      # the others still work
    after = {row["label"]: row for row in token_list(server)}
    assert after["Tablet loket 2"]["revoked"] != "-" and after["Kios lobi"]["revoked"] == "-"
    missing = subprocess.run([sys.executable, "-m", "signage", "token", "revoke", "999", "--db", str(server.db),
                              "--hall", str(ALWAYS_OPEN_HALL)], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and "no token 999" in missing.stderr


def test_an_expired_token_is_refused(make_server):
    server = make_server()
    accounts = Accounts(Database(f"sqlite:///{server.db}"))
    now = datetime.now(timezone.utc)
    expired = accounts.create_token("manager", label="kontrak lama", expires_at=now - timedelta(minutes=1))
    current = accounts.create_token("manager", label="kontrak baru", expires_at=now + timedelta(days=1))
    assert get(server, "/api/manage/overview", current).status_code == 200
    assert get(server, "/api/manage/overview", expired).status_code == 401
    states = {tk["label"]: tk["state"] for tk in get(server, "/api/manage/tokens", current).json()["tokens"]}
    assert states == {"kontrak lama": "expired", "kontrak baru": "active"}


def test_manager_api_issues_lists_and_revokes_tokens(make_server):
    server = make_server()
    manager = server.token("manager")
    url = server.url + "/api/manage/tokens"
    created = requests.post(url, headers=bearer(manager), timeout=5,
                            json={"role": "counter", "counter": 3, "label": "Tablet loket 3", "expires_days": 7})
    assert created.status_code == 201, created.text
    token = created.json()
    assert token["counter"] == "Loket 3" and token["state"] == "active" and len(token["token"]) > 30
    expires = datetime.fromisoformat(token["expires_at"]) - datetime.fromisoformat(token["created_at"])
    assert abs(expires - timedelta(days=7)) < timedelta(minutes=1)
    assert get(server, "/api/counters/3", token["token"]).status_code == 200

    listing = requests.get(url, headers=bearer(manager), timeout=5)
    assert token["token"] not in listing.text and manager not in listing.text
    rows = {row["id"]: row for row in listing.json()["tokens"]}
    assert "token" not in rows[token["id"]] and rows[token["id"]]["label"] == "Tablet loket 3"
    assert rows[token["id"]]["last_used_at"] is not None

    before = len(rows)
    for bad in ({"role": "robot", "label": "x"}, {"role": "counter", "label": "x"},
                {"role": "kiosk", "counter": 3, "label": "x"}, {"role": "counter", "counter": 999, "label": "x"},
                {"role": "kiosk"}, {"role": "kiosk", "label": "  "}, {"role": "kiosk", "label": "x" * 81},
                {"role": "kiosk", "label": "x", "expires_days": 0}, {"role": "kiosk", "label": "x", "expires_days": True},
                {"role": "kiosk", "label": "x", "token": "pilihan-saya"}):
        response = requests.post(url, headers=bearer(manager), json=bad, timeout=5)
        assert response.status_code == 400 and response.json()["error"], bad
    assert len(requests.get(url, headers=bearer(manager), timeout=5).json()["tokens"]) == before

    counter = token["token"]
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, headers=bearer(counter), timeout=5).status_code == 403
    assert requests.post(url, headers=bearer(counter), timeout=5,
                         json={"role": "manager", "label": "naik pangkat"}).status_code == 403
    assert requests.delete(f"{url}/{token['id']}", headers=bearer(counter), timeout=5).status_code == 403

    revoked = requests.delete(f"{url}/{token['id']}", headers=bearer(manager), timeout=5)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert get(server, "/api/counters/3", counter).status_code == 401
    again = requests.delete(f"{url}/{token['id']}", headers=bearer(manager), timeout=5)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    assert requests.delete(f"{url}/99999", headers=bearer(manager), timeout=5).status_code == 404
    actions = [e["action"] for e in get(server, "/api/manage/audit", manager).json()["entries"]]
    assert "token.create" in actions and "token.revoke" in actions


# ---- an existing hall database gains the new nullable columns -----------------------------------
OLD_API_TOKENS = """CREATE TABLE api_tokens (
    id INTEGER NOT NULL, token_hash VARCHAR(64) NOT NULL, role VARCHAR(12) NOT NULL,
    counter_id INTEGER, created_at DATETIME NOT NULL, label VARCHAR(80) NOT NULL,
    PRIMARY KEY (id), UNIQUE (token_hash), FOREIGN KEY(counter_id) REFERENCES counters (id))"""


def test_an_old_database_gains_the_token_columns_and_keeps_its_tokens(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute(OLD_API_TOKENS)
        old.execute("INSERT INTO api_tokens (token_hash, role, counter_id, created_at, label) "
                    "VALUES (?, 'manager', NULL, '2025-01-06 01:00:00.000000', 'Integrasi lama')",
                    (hashlib.sha256(b"token-lama").hexdigest(),))
    db = Database(f"sqlite:///{path}")
    db.create_all()
    with sqlite3.connect(path) as upgraded:
        columns = {row[1]: row for row in upgraded.execute("PRAGMA table_info(api_tokens)")}
    assert {"expires_at", "revoked_at", "last_used_at"} <= set(columns)
    assert all(columns[c][3] == 0 for c in ("expires_at", "revoked_at", "last_used_at"))  # nullable

    accounts = Accounts(db)
    principal = accounts.principal_for_token("token-lama")
    assert principal is not None and principal.role == "manager" and principal.name == "Integrasi lama"
    [row] = accounts.list_tokens()
    assert row["created_at"].startswith("2025-01-06T01:00") and row["expires_at"] is None
    assert row["last_used_at"] is not None and row["state"] == "active"
    accounts.revoke_token(row["id"])
    assert accounts.principal_for_token("token-lama") is None
    db.create_all()                                          # a second start changes nothing
    assert add_missing_columns(db.engine, MetaData()) == []


def test_a_missing_column_that_cannot_be_null_stops_the_start(tmp_path):
    path = tmp_path / "things.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    metadata = MetaData()
    Table("things", metadata, Column("id", Integer, primary_key=True), Column("note", String(20)),
          Column("name", String(20), nullable=False))
    db = Database(f"sqlite:///{path}")
    with pytest.raises(RuntimeError, match=r"things\.name"):
        add_missing_columns(db.engine, metadata)
    metadata.tables["things"].c.name.nullable = True
    assert add_missing_columns(db.engine, metadata) == ["things.note", "things.name"]
