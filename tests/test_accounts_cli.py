"""Accounts a hall can run: `signage user reset-password | list | disable | enable | import`,
counters by name, and what the first start says to do next. The real CLI in subprocesses on the
real SQLite file of a real server, whose log-in page proves what the commands did."""
from __future__ import annotations

import csv
import io
import re
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout

import pytest
import requests

from support import ALWAYS_OPEN_HALL, ROOT, ServerProcess


def cli(db, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signage", *args, "--db", str(db),
                           "--hall", str(ALWAYS_OPEN_HALL)],
                          input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT)


def cli_at_once(db, *calls: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """Several independent commands side by side (each CLI start costs about a second)."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda args: cli(db, *args), calls))


def refused(db, *args: str, stdin: str = "") -> tuple[int, str]:
    """A command that must refuse, run in this process: the same main() as in the subprocesses,
    without an interpreter start (about a second each). Its exit code and what it wrote to stderr."""
    from signage.cli import main
    err, out, before = io.StringIO(), io.StringIO(), sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stderr(err), redirect_stdout(out):
            code = main([*args, "--db", str(db), "--hall", str(ALWAYS_OPEN_HALL)])
    finally:
        sys.stdin = before
    assert code != 0 and not out.getvalue(), out.getvalue()
    return code, err.getvalue()


def ok(db, *args: str, stdin: str | None = None) -> str:
    result = cli(db, *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout


def new_password_in(out: str) -> str:
    return re.search(r"kata sandi: (\S+)", out).group(1)


def log_in_status(server: ServerProcess, username: str, password: str) -> int:
    session = requests.Session()
    page = session.get(server.url + "/login", timeout=5).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return session.post(server.url + "/login", timeout=5, allow_redirects=False, data={
        "username": username, "password": password, "csrf_token": token}).status_code


def still_logged_in(session: requests.Session, server: ServerProcess, path: str) -> bool:
    return session.get(server.url + path, timeout=5, allow_redirects=False).status_code == 200


def listing(db) -> dict[str, list[str]]:
    """`signage user list` as {username: [cells]}: columns are two or more spaces apart."""
    lines = ok(db, "user", "list").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("pengguna"))
    return {cells[0]: cells for cells in (re.split(r"\s{2,}", line) for line in lines[head + 1:])}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("accounts") / "hall.db").start()
    yield srv
    srv.stop()


def test_the_first_start_says_what_to_do_next(server):
    log = server.log_path.read_text()
    assert server.manager_password and f"kata sandi: {server.manager_password}" in log
    assert f"http://127.0.0.1:{server.port}/manager" in log
    assert "Langkah berikutnya" in log and '"Petugas"' in log and '"Perangkat & Akses"' in log
    assert "signage user reset-password manager" in log
    assert "manager account created" not in log            # one language per sentence
    assert log_in_status(server, "manager", server.manager_password) == 302


def test_reset_password_prints_a_new_one_that_logs_in_and_ends_old_sessions(server):
    ok(server.db, "user", "add", "rina", "--role", "staff", "--counter", "Loket 1", "--password", "lama-rina-1")
    old_session = server.log_in("rina", "lama-rina-1")
    assert still_logged_in(old_session, server, "/counter")
    for _ in range(5):                                               # locks the name (login_guard)
        assert log_in_status(server, "rina", "salah-salah") == 401
    assert log_in_status(server, "rina", "lama-rina-1") == 429
    out = ok(server.db, "user", "reset-password", "rina")
    assert "1 sesi" in out and "hanya ditampilkan sekali" in out and "Kunci masuk" in out
    password = new_password_in(out)
    assert not still_logged_in(old_session, server, "/counter")     # the old session is gone
    assert log_in_status(server, "rina", "lama-rina-1") == 401
    assert log_in_status(server, "rina", password) == 302
    # A password chosen by the operator, read from stdin, is not echoed.
    out = ok(server.db, "user", "reset-password", "RINA", "--stdin", stdin="pilihan-sendiri-9\n")
    assert "pilihan-sendiri-9" not in out and "kata sandi:" not in out
    assert log_in_status(server, "rina", "pilihan-sendiri-9") == 302
    code, err = refused(server.db, "user", "reset-password", "rina", "--stdin", stdin="pendek\n")
    assert code == 2 and "8–200" in err
    code, err = refused(server.db, "user", "reset-password", "tidakada")
    assert code == 2 and "tidak ada" in err and "rina" in err


def test_a_lost_manager_password_is_no_longer_a_lockout(server):
    ok(server.db, "user", "add", "kepala", "--role", "manager", "--password", "kepala-lama-1")
    password = new_password_in(ok(server.db, "user", "reset-password", "kepala"))
    console = server.log_in("kepala", password)
    assert console.get(server.url + "/api/manage/overview", timeout=5).status_code == 200
    entries = console.get(server.url + "/api/manage/audit", timeout=5).json()["entries"]
    reset = next(e for e in entries if e["action"] == "user.password_reset")
    assert reset["actor"] == "Baris perintah (CLI)" and reset["detail"]["username"] == "kepala"


def test_list_disable_and_enable(server):
    for done in cli_at_once(server.db,
                            ("user", "add", "dewi", "--role", "staff", "--counter", "loket 5", "--counter", "6",
                             "--password", "rahasia-dewi", "--name", "Dewi Lestari"),
                            ("user", "add", "yos", "--role", "supervisor", "--service", "E",
                             "--password", "rahasia-yos")):
        assert done.returncode == 0, done.stderr
    session = server.log_in("dewi", "rahasia-dewi")
    rows = listing(server.db)
    assert rows["dewi"][1:6] == ["Dewi Lestari", "petugas", "Loket 5, Loket 6", "-", "aktif"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows["dewi"][6])         # last log-in
    assert rows["yos"][2] == "supervisor" and rows["yos"][4].endswith("(E)")
    assert rows["yos"][6] == "tidak diketahui" and rows["manager"][2] == "pengelola"

    out = ok(server.db, "user", "disable", "dewi")
    assert "dinonaktifkan" in out and "1 sesi" in out
    assert not still_logged_in(session, server, "/counter")
    assert log_in_status(server, "dewi", "rahasia-dewi") == 401
    assert listing(server.db)["dewi"][5] == "nonaktif"
    assert "aktif lagi" in ok(server.db, "user", "enable", "dewi")
    assert log_in_status(server, "dewi", "rahasia-dewi") == 302


def test_the_last_active_manager_cannot_be_disabled(tmp_path):
    db = tmp_path / "solo.db"
    ok(db, "user", "add", "satu", "--role", "manager", "--password", "rahasia-satu")
    refused = cli(db, "user", "disable", "satu")
    assert refused.returncode == 2 and "satu-satunya pengelola" in refused.stderr


def test_counters_by_name_everywhere_with_clear_errors(server):
    ok(server.db, "user", "add", "eko", "--role", "staff", "--counter", "  LOKET   7 ", "--password", "rahasia-eko")
    assert listing(server.db)["eko"][3] == "Loket 7"
    add = ("user", "add", "fajar", "--role", "staff", "--password", "rahasia-fajar")
    token = ("token", "create", "--role", "counter")
    for args in (add, token):
        code, err = refused(server.db, *args, "--counter", "Loket 99")
        assert code == 2 and "'Loket 99' tidak dikenal" in err
        assert "Loket yang ada:" in err and "Loket 13 (id 13, layanan L)" in err
        code, err = refused(server.db, *args, "--counter", "Loket")
        assert code == 2 and "cocok dengan 13 loket" in err and "Tulis nama lengkapnya" in err
    assert "fajar" not in listing(server.db)
    token = ok(server.db, *token, "--counter", "Loket 2").splitlines()[-1]
    called = requests.post(server.url + "/api/counters/2/call-next", json={}, timeout=5,
                           headers=server.headers(token))
    assert called.status_code in (200, 409), called.text        # acts for Loket 2 (no ticket: 409)
    other = requests.post(server.url + "/api/counters/3/call-next", json={}, timeout=5,
                          headers=server.headers(token))
    assert other.status_code == 403


def test_import_checks_every_row_first_and_imports_nothing_when_one_is_bad(server, tmp_path):
    before = listing(server.db)
    bad = tmp_path / "bad.csv"
    bad.write_bytes("\ufeffusername;role;counters;service;name\n"
                    "hana;staff;Loket 3|Loket 4;;Hana\n"
                    "Manager;staff;Loket 3;;\n"               # taken
                    "ik a;boss;Loket 77;;\n"                   # bad name, role, counter
                    "hana;staff;Loket 3;;\n"                   # twice in the file
                    "joni;supervisor;;;\n".encode())            # no agency
    rejected = cli(server.db, "user", "import", str(bad))
    assert rejected.returncode == 2 and not rejected.stdout
    err = rejected.stderr
    assert "Tidak ada akun yang diimpor: 4 baris bermasalah." in err
    assert "Baris 2" not in err
    assert re.search(r"Baris 3: nama pengguna 'manager' sudah dipakai", err)
    assert re.search(r"Baris 4: .*huruf/angka.*peran 'boss' tidak dikenal.*'Loket 77' tidak dikenal", err)
    assert re.search(r"Baris 5: nama pengguna 'hana' sudah ada di baris 2", err)
    assert re.search(r"Baris 6: supervisor butuh instansi", err)
    assert listing(server.db) == before
    not_utf8 = tmp_path / "latin1.csv"
    not_utf8.write_bytes("username;role;counters\njosé;staff;Loket 1\n".encode("latin-1"))
    assert "bukan UTF-8" in refused(server.db, "user", "import", str(not_utf8))[1]


def test_import_with_bom_and_semicolons_prints_passwords_once(server, tmp_path):
    good = tmp_path / "staff.csv"
    good.write_bytes("\ufeffusername;role;counters;service;name\n"
                     "Indah;petugas;Loket 8|Loket 9;;Indah Sari\n"
                     "joko;supervisor;;BPJS Kesehatan Cabang Kupang;\n".encode())
    out = ok(server.db, "user", "import", str(good))
    assert "2 akun diimpor" in out
    passwords = dict(re.findall(r"^  (\w+);(\S+)$", out, re.M))
    assert set(passwords) == {"indah", "joko"}
    rows = listing(server.db)
    assert rows["indah"][1:4] == ["Indah Sari", "petugas", "Loket 8, Loket 9"]
    assert rows["joko"][2] == "supervisor" and rows["joko"][4].endswith("(E)")
    assert log_in_status(server, "indah", passwords["indah"]) == 302
    code, err = refused(server.db, "user", "import", str(good))
    assert code == 2 and "sudah dipakai" in err


def test_import_with_commas_writes_passwords_to_a_private_file(server, tmp_path):
    good = tmp_path / "staff.csv"
    good.write_text("kiki,staff,Loket 10\nlala,staff,11\n", encoding="utf-8")   # no header row
    out_file = tmp_path / "sandi.csv"
    out = ok(server.db, "user", "import", str(good), "--passwords-out", str(out_file))
    assert "kata sandi" not in out.lower().replace("kata sandinya", "") and ";" not in out
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    with out_file.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0] == ["username", "kata_sandi"] and [r[0] for r in rows[1:]] == ["kiki", "lala"]
    assert log_in_status(server, "lala", rows[2][1]) == 302
    assert listing(server.db)["lala"][3] == "Loket 11"
    code, err = refused(server.db, "user", "import", str(good), "--passwords-out", str(out_file))
    assert code == 2 and "sudah ada" in err
