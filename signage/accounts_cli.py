"""Accounts a hall can run from the command line: `signage user reset-password | list | disable |
enable | import`, and counters named the way the hall names them (`--counter "Loket 5"`).

Every message is Indonesian, one language per sentence. Passwords are hashed with passwords.py
(as the console does); a reset or a disabled account ends the user's sessions at once.

staff.csv for `signage user import` (UTF-8, with or without BOM; `;` or `,` between columns):

    username;role;counters;service;name
    siti;staff;Loket 5|Loket 6;;Siti Rahma
    budi;supervisor;;E;Budi Santoso

- username: 1–40 letters/digits, dots or underscores (stored in lower case);
- role: staff (petugas), supervisor or manager (pengelola);
- counters: counter names or ids, several separated by `|` (staff need at least one);
- service: the agency's code or name, for a supervisor (required) — empty otherwise;
- name: optional, the person's full name.
The header row is optional when the columns are in this order. Every row is checked first;
if any row is wrong nothing is imported and each wrong row is listed with its number.
"""
from __future__ import annotations

import csv
import io
import os
import re
import secrets
import sys
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path

ROLE_NAMES = {"staff": "staff", "staf": "staff", "petugas": "staff",
              "supervisor": "supervisor", "manager": "manager", "pengelola": "manager"}
ROLE_LABELS = {"staff": "petugas", "supervisor": "supervisor", "manager": "pengelola"}
COLUMNS = ("username", "role", "counters", "service", "name")
HEADER_ALIASES = {"username": "username", "nama_pengguna": "username", "pengguna": "username",
                  "role": "role", "peran": "role", "counters": "counters", "counter": "counters",
                  "loket": "counters", "service": "service", "layanan": "service",
                  "instansi": "service", "name": "name", "nama": "name", "full_name": "name",
                  "nama_lengkap": "name"}
_USERNAME = re.compile(r"^[a-z0-9._]{1,40}$")
CLI_ACTOR_NAME = "Baris perintah (CLI)"


class LookupProblem(ValueError):
    """A counter or user that cannot be found; str() adds the list of what there is."""

    def __init__(self, message: str, catalogue: str = ""):
        super().__init__(message)
        self.short = message
        self.catalogue = catalogue

    def __str__(self) -> str:
        return self.short + ("\n" + self.catalogue if self.catalogue else "")


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


# ---- counters by name -------------------------------------------------------------------------
def counter_catalogue(counters) -> str:
    """'Loket yang ada: Loket 1 (id 1, A), ...' for an error message."""
    if not counters:
        return "Belum ada loket. Tambahkan loket dulu di konsol pengelola (menu Loket)."
    return "Loket yang ada:\n" + "\n".join(
        f"  {c.name} (id {c.id}, layanan {', '.join(sv.code for sv in c.services) or '-'})"
        for c in counters)


def find_counter(counters, value: str):
    """The one counter meant by `value`: its name (case and spaces ignored), its id, or a unique
    part of its name. Raises LookupProblem naming the counters when none or several fit."""
    wanted = _fold(value)
    if not wanted:
        raise LookupProblem("Nama loket kosong.", counter_catalogue(counters))
    exact = [c for c in counters if _fold(c.name) == wanted]
    if len(exact) == 1:
        return exact[0]
    if wanted.isdigit():
        by_id = [c for c in counters if c.id == int(wanted)]
        if by_id:
            return by_id[0]
    partial = exact or [c for c in counters if wanted in _fold(c.name)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise LookupProblem(f"Nama loket {value!r} cocok dengan {len(partial)} loket "
                            f"({', '.join(c.name for c in partial[:5])}{', …' if len(partial) > 5 else ''}). "
                            "Tulis nama lengkapnya.", counter_catalogue(counters))
    raise LookupProblem(f"Loket {value!r} tidak dikenal.", counter_catalogue(counters))


def all_counters(s):
    from sqlalchemy import select
    from .store import tables as t
    return s.scalars(select(t.Counter).order_by(t.Counter.position, t.Counter.id)).all()


def resolve_counter_ids(db, values) -> list[int]:
    """Ids of the counters named in `values` (names or ids), in order, without repeats."""
    if not values:
        return []
    with db.read() as s:
        counters = all_counters(s)
        return list(dict.fromkeys(find_counter(counters, v).id for v in values))


# ---- the commands -------------------------------------------------------------------------------
def register(user_sub, db_default: str) -> None:
    """Add reset-password, list, disable, enable and import under `signage user`."""
    def common(p):
        p.add_argument("--db", default=db_default)
        p.add_argument("--hall", help="berkas hall (JSON), bila basis datanya baru")

    reset = user_sub.add_parser("reset-password", help="kata sandi baru (acak, ditampilkan sekali)")
    reset.add_argument("username")
    reset.add_argument("--stdin", action="store_true",
                       help="baca kata sandi baru dari stdin (satu baris) alih-alih membuat yang acak")
    common(reset)
    reset.set_defaults(func=cmd_reset_password)

    listing = user_sub.add_parser("list", help="semua akun: peran, loket, instansi, status, terakhir masuk")
    common(listing)
    listing.set_defaults(func=cmd_list)

    disable = user_sub.add_parser("disable", help="nonaktifkan akun (sesinya langsung berakhir)")
    disable.add_argument("username")
    common(disable)
    disable.set_defaults(func=cmd_disable)

    enable = user_sub.add_parser("enable", help="aktifkan lagi akun yang dinonaktifkan")
    enable.add_argument("username")
    common(enable)
    enable.set_defaults(func=cmd_enable)

    imp = user_sub.add_parser("import", help="buat banyak akun dari CSV: username;role;counters;service;name")
    imp.add_argument("file", help="berkas CSV (UTF-8, pemisah ; atau ,)")
    imp.add_argument("--passwords-out", help="tulis kata sandi ke berkas ini (mode 0600), bukan ke layar")
    common(imp)
    imp.set_defaults(func=cmd_import)


class NoDatabase(LookupProblem):
    pass


def _open(args, *, must_exist: bool = True):
    """The hall's database. A SQLite file that is not there is an error (a mistyped --db would
    otherwise create an empty hall and report that the user does not exist)."""
    from .cli import _hall_service
    if must_exist and "://" not in args.db and not Path(args.db).exists():
        raise NoDatabase(f"Basis data {args.db} tidak ada. Periksa --db (atau SIGNAGE_DB); "
                         "server membuatnya saat 'signage run' pertama kali.")
    db, service = _hall_service(args)
    return db, service


def _lift_lock(s, username: str) -> bool:
    """A reset or re-enabled account may log in at once: its log-in lock (login_guard) goes."""
    from sqlalchemy import delete
    from .login_guard import account_key
    from .store import tables as t
    return bool(s.execute(delete(t.LoginFailure).where(t.LoginFailure.key == account_key(username))).rowcount)


def _error(message: str) -> int:
    print(f"Galat: {message}", file=sys.stderr)
    return 2


def _cli_actor():
    from .accounts import Principal
    return Principal(kind="user", role="manager", name=CLI_ACTOR_NAME)


def _find_user(s, username: str):
    from sqlalchemy import select
    from .store import tables as t
    name = (username or "").strip().lower()
    user = s.scalar(select(t.User).where(t.User.username == name))
    if user is None:
        known = s.scalars(select(t.User.username).order_by(t.User.username)).all()
        raise LookupProblem(f"Pengguna {username!r} tidak ada. Pengguna yang ada: "
                            f"{', '.join(known) or '(belum ada)'}.")
    return user


def new_password() -> str:
    return secrets.token_urlsafe(9)


def cmd_reset_password(args) -> int:
    from . import audit
    from .passwords import hash_password
    if args.stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not 8 <= len(line) <= 200:
            return _error("Kata sandi dari stdin harus 8–200 karakter.")
        password = line
    else:
        password = new_password()
    from .accounts import Accounts
    try:
        db, service = _open(args)
        password_hash = hash_password(password)
        with db.write() as s:
            user = _find_user(s, args.username)
            user.password_hash = password_hash
            ended = Accounts.end_sessions_in(s, user.id)
            unlocked = _lift_lock(s, user.username)
            active = user.active
            audit.record(s, service.clock(), _cli_actor(), "user.password_reset", id=user.id,
                         username=user.username, sessions_ended=ended)
    except LookupProblem as exc:
        return _error(str(exc))
    print(f"Kata sandi {args.username.strip().lower()} sudah diganti.")
    if ended:
        print(f"{ended} sesi yang masih masuk diakhiri.")
    if unlocked:
        print("Kunci masuk akun ini (karena salah kata sandi) juga dibuka.")
    if not active:
        print("Akun ini nonaktif. Aktifkan dengan: signage user enable " + args.username.strip().lower())
    if not args.stdin:
        print("Kata sandi baru (hanya ditampilkan sekali, catat sekarang):")
        print(f"  kata sandi: {password}")
    return 0


def _set_active(args, active: bool) -> int:
    from sqlalchemy import select
    from . import audit
    from .accounts import Accounts
    from .store import tables as t
    try:
        db, service = _open(args)
        with db.write() as s:
            user = _find_user(s, args.username)
            if not active and user.role == "manager" and user.active:
                others = s.scalar(select(t.User.id).where(t.User.role == "manager", t.User.active.is_(True),
                                                          t.User.id != user.id).limit(1))
                if others is None:
                    raise LookupProblem(f"{user.username} adalah satu-satunya pengelola aktif. "
                                        "Buat atau aktifkan pengelola lain dulu.")
            changed = user.active != active
            user.active = active
            ended = 0 if active else Accounts.end_sessions_in(s, user.id)
            if active:
                _lift_lock(s, user.username)
            if changed:
                audit.record(s, service.clock(), _cli_actor(), "user.enable" if active else "user.disable",
                             id=user.id, username=user.username)
            username = user.username
    except LookupProblem as exc:
        return _error(str(exc))
    if not changed:
        print(f"Akun {username} memang sudah {'aktif' if active else 'nonaktif'}.")
    elif active:
        print(f"Akun {username} aktif lagi dan bisa masuk.")
    else:
        print(f"Akun {username} dinonaktifkan; {ended} sesi yang masih masuk diakhiri.")
    return 0


def cmd_disable(args) -> int:
    return _set_active(args, False)


def cmd_enable(args) -> int:
    return _set_active(args, True)


def user_rows(db, tz: str) -> list[dict]:
    """Every account for `signage user list`: counters by name, agency, state, last log-in
    (the newest session the server still keeps; None when there is none)."""
    from zoneinfo import ZoneInfo
    from sqlalchemy import func, select
    from .store import tables as t
    zone = ZoneInfo(tz)
    with db.read() as s:
        services = {sv.id: sv for sv in s.scalars(select(t.Service))}
        last = dict(s.execute(select(t.UserSession.user_id, func.max(t.UserSession.created_at))
                              .group_by(t.UserSession.user_id)).all())
        rows = []
        for u in s.scalars(select(t.User).order_by(t.User.role, t.User.username)):
            sv = services.get(u.service_id)
            seen = last.get(u.id)
            if seen is not None and seen.tzinfo is None:
                seen = seen.replace(tzinfo=timezone.utc)
            rows.append({"username": u.username, "name": u.full_name, "role": u.role,
                         "counters": [c.name for c in sorted(u.counters, key=lambda c: (c.position, c.id))],
                         "service": f"{sv.name} ({sv.code})" if sv else None, "active": u.active,
                         "last_login": seen.astimezone(zone).strftime("%Y-%m-%d %H:%M") if seen else None})
        return rows


def cmd_list(args) -> int:
    try:
        db, service = _open(args)
    except NoDatabase as exc:
        return _error(str(exc))
    tz = service.settings()["timezone"]
    rows = user_rows(db, tz)
    if not rows:
        print("Belum ada akun. Jalankan 'signage run' sekali: akun pengelola dibuat otomatis.")
        return 0
    head = ("pengguna", "nama", "peran", "loket", "instansi", "status", "terakhir masuk")
    table = [(r["username"], r["name"] or "-", ROLE_LABELS.get(r["role"], r["role"]),
              ", ".join(r["counters"]) or "-", r["service"] or "-",
              "aktif" if r["active"] else "nonaktif", r["last_login"] or "tidak diketahui")
             for r in rows]
    widths = [max(len(row[i]) for row in (head, *table)) for i in range(len(head))]
    print(f"Waktu dalam zona {tz}. \"Terakhir masuk\" hanya diketahui selama sesinya masih tersimpan.")
    for row in (head, *table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


# ---- import ---------------------------------------------------------------------------------------
@dataclass
class ImportRow:
    line: int
    username: str
    role: str
    counter_ids: list[int] = field(default_factory=list)
    service_id: int | None = None
    name: str = ""


def read_staff_csv(data: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    """The rows of a staff CSV as (row number, {column: text}), and problems of the file itself."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"Berkas bukan UTF-8 (byte ke-{exc.start + 1}). Simpan ulang sebagai CSV UTF-8."]
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    delimiter = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, dict]] = []
    columns: tuple[str, ...] | None = None
    problems: list[str] = []
    for number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        cells = [cell.strip() for cell in cells]
        if columns is None:
            names = [HEADER_ALIASES.get(c.casefold().replace(" ", "_")) for c in cells]
            if "username" in names:
                unknown = [c for c, n in zip(cells, names) if n is None and c]
                if unknown:
                    problems.append(f"Baris {number}: kolom tidak dikenal: {', '.join(unknown)}. "
                                    f"Kolom yang dikenal: {';'.join(COLUMNS)}.")
                    return [], problems
                columns = tuple(n or "" for n in names)
                continue
            columns = COLUMNS
        if len(cells) > len(columns) and any(cells[len(columns):]):
            problems.append(f"Baris {number}: {len(cells)} kolom, paling banyak {len(columns)} "
                            f"({';'.join(c for c in columns if c)}).")
            continue
        rows.append((number, {col: (cells[i] if i < len(cells) else "")
                              for i, col in enumerate(columns) if col}))
    if not rows and not problems:
        problems.append("Berkas tidak berisi satu baris akun pun.")
    return rows, problems


def check_rows(s, rows: list[tuple[int, dict]]) -> tuple[list[ImportRow], list[str]]:
    from sqlalchemy import select
    from .store import tables as t
    counters = all_counters(s)
    services = s.scalars(select(t.Service)).all()
    taken = set(s.scalars(select(t.User.username)).all())
    seen: dict[str, int] = {}
    good, problems = [], []
    for number, cell in rows:
        reasons = []
        username = cell.get("username", "").lower()
        if not _USERNAME.match(username):
            reasons.append("nama pengguna harus 1–40 huruf/angka, boleh titik atau garis bawah"
                           + (f" ({cell.get('username')!r})" if cell.get("username") else " (kosong)"))
        elif username in taken:
            reasons.append(f"nama pengguna {username!r} sudah dipakai di basis data")
        elif username in seen:
            reasons.append(f"nama pengguna {username!r} sudah ada di baris {seen[username]}")
        else:
            seen[username] = number
        role = ROLE_NAMES.get(cell.get("role", "").casefold())
        if role is None:
            reasons.append(f"peran {cell.get('role', '')!r} tidak dikenal (staff, supervisor atau manager)")
        ids = []
        for part in [p for p in re.split(r"[|]", cell.get("counters", "")) if p.strip()]:
            try:
                ids.append(find_counter(counters, part).id)
            except LookupProblem as exc:
                reasons.append(exc.short.rstrip("."))
        if role == "staff" and not ids and not cell.get("counters", "").strip():
            reasons.append("petugas butuh minimal satu loket (kolom counters)")
        service_id = None
        wanted = cell.get("service", "")
        if wanted:
            match = [sv for sv in services if sv.code == wanted.upper() or _fold(sv.name) == _fold(wanted)]
            if len(match) == 1:
                service_id = match[0].id
            else:
                reasons.append(f"layanan {wanted!r} tidak dikenal (pakai kodenya, mis. "
                               f"{', '.join(sv.code for sv in services[:3])})")
        elif role == "supervisor":
            reasons.append("supervisor butuh instansi (kolom service)")
        if len(cell.get("name", "")) > 80:
            reasons.append("nama paling panjang 80 karakter")
        if reasons:
            problems.append(f"Baris {number}: " + "; ".join(reasons) + ".")
        else:
            good.append(ImportRow(number, username, role, list(dict.fromkeys(ids)), service_id,
                                  " ".join(cell.get("name", "").split())))
    return good, problems


def cmd_import(args) -> int:
    from . import audit
    from .passwords import hash_password
    from .store import tables as t
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        return _error(f"Berkas {args.file} tidak dapat dibaca: {exc.strerror or exc}.")
    if args.passwords_out and os.path.lexists(args.passwords_out):
        return _error(f"Berkas {args.passwords_out} sudah ada. Pilih nama lain; berkas lama tidak ditimpa.")
    rows, problems = read_staff_csv(data)
    db, service = _open(args, must_exist=False)
    if not problems:
        with db.read() as s:
            good, problems = check_rows(s, rows)
    if problems:
        print(f"Tidak ada akun yang diimpor: {len(problems)} baris bermasalah.", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        if any("loket" in p.lower() for p in problems):
            with db.read() as s:
                print(counter_catalogue(all_counters(s)), file=sys.stderr)
        if any(p.startswith("Baris") for p in problems):
            print("Perbaiki baris-baris itu, lalu jalankan perintah ini lagi. Kolom: "
                  "username;role;counters;service;name (loket dipisah |).", file=sys.stderr)
        return 2
    out = None
    if args.passwords_out:
        try:
            fd = os.open(args.passwords_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _error(f"Berkas {args.passwords_out} sudah ada. Pilih nama lain; "
                          "berkas lama tidak ditimpa.")
        except OSError as exc:
            return _error(f"Berkas {args.passwords_out} tidak dapat dibuat: {exc.strerror or exc}.")
        os.fchmod(fd, 0o600)
        out = os.fdopen(fd, "w", encoding="utf-8", newline="")
    passwords = {row.username: new_password() for row in good}
    hashes = {name: hash_password(pw) for name, pw in passwords.items()}
    try:
        with db.write() as s:
            for row in good:
                s.add(t.User(username=row.username, full_name=row.name, role=row.role,
                             password_hash=hashes[row.username], service_id=row.service_id,
                             counters=[s.get(t.Counter, cid) for cid in row.counter_ids]))
            audit.record(s, service.clock(), _cli_actor(), "user.import", count=len(good),
                         usernames=[row.username for row in good])
    except Exception:
        if out is not None:
            out.close()
            os.unlink(args.passwords_out)
        raise
    if out is not None:
        with out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(["username", "kata_sandi"])
            for name, pw in passwords.items():
                writer.writerow([name, pw])
        print(f"{len(good)} akun diimpor. Kata sandinya ada di {args.passwords_out} "
              "(hanya bisa dibaca pemilik berkas). Serahkan ke masing-masing petugas, lalu hapus berkasnya.")
    else:
        print(f"{len(good)} akun diimpor. Kata sandi berikut hanya ditampilkan sekali, catat sekarang:")
        for name, pw in passwords.items():
            print(f"  {name};{pw}")
    return 0


def first_start_lines(base_url: str, password: str) -> list[str]:
    """What `signage run` prints when it created the manager account on a new database."""
    return [
        "=" * 64,
        "Akun pengelola dibuat. Kata sandinya hanya ditampilkan sekali, catat sekarang.",
        "  nama pengguna: manager",
        f"  kata sandi: {password}",
        "",
        "Langkah berikutnya:",
        f"  1. Buka {base_url}/manager dan masuk dengan akun pengelola di atas.",
        "  2. Buat akun petugas loket di menu \"Petugas\" (atau: signage user import petugas.csv).",
        f"     Halaman {base_url}/counter baru bisa dipakai setelah petugas punya akun dan loket.",
        "  3. Pasangkan kios dan TV pemanggil di menu \"Perangkat & Akses\": buka /kiosk atau",
        "     /display?speaker=1 di perangkat itu, lalu ketik kode enam angka yang tampil di sana.",
        "Lupa kata sandi pengelola? Jalankan: signage user reset-password manager",
        "=" * 64,
    ]
