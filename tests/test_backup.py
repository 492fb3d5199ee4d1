"""`signage db backup` while the hall runs, `signage db restore` after it stopped (SQLite)."""
from __future__ import annotations

import subprocess
import sys

import requests

from support import ROOT


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signage", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def waiting(server) -> dict:
    services = requests.get(server.url + "/api/services", timeout=5).json()["services"]
    return {s["code"]: s["waiting"] for s in services}


def test_a_backup_taken_while_issuing_restores_exactly_that_state(make_server, tmp_path):
    server = make_server()
    for _ in range(5):
        server.issue("A")
    backup = tmp_path / "backups" / "hall.db"
    taken = cli("db", "backup", str(backup), "--db", str(server.db))
    assert taken.returncode == 0, taken.stderr
    for _ in range(3):                        # the hall goes on after the backup
        server.issue("A")
    assert waiting(server)["A"] == 8
    server.stop()

    restored = cli("db", "restore", str(backup), "--db", str(server.db))
    assert restored.returncode == 0, restored.stderr
    server.start()
    assert waiting(server)["A"] == 5
    assert server.issue("A") == "A006"        # numbering goes on from the restored day


def test_a_damaged_or_missing_backup_is_refused_and_changes_nothing(make_server, tmp_path):
    server = make_server()
    server.issue("B")
    server.stop()
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    for source in (damaged, tmp_path / "missing.db"):
        refused = cli("db", "restore", str(source), "--db", str(server.db))
        assert refused.returncode == 2 and refused.stderr.startswith("error:"), refused.stderr
    server.start()
    assert waiting(server)["B"] == 1
