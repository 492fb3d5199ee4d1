"""Command line: `signage run`, `signage token create|list|revoke`, `signage user add|list|
reset-password|disable|enable|import` (signage/accounts_cli.py), `signage audio build`.

Only the standard library is imported at the top: the async mode (gevent or eventlet) must
monkey-patch the standard library before anything else is imported.
"""
from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path

DEFAULT_DB = "signage.db"
DEFAULT_ASYNC_MODE = "eventlet"   # the faster of the two in benchmarks/realtime_bench.py
MAX_TOKEN_DAYS = 3650
LISTEN_BACKLOG = 2048   # connections waiting to be accepted (the kernel caps it at net.core.somaxconn)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signage", description="Antrian & signage Mal Pelayanan Publik")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="start the hall server")
    run.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all, for the hall's TVs)")
    run.add_argument("--port", type=int, default=8080)
    run.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB), help="SQLite file or SQLAlchemy URL")
    run.add_argument("--hall", help="hall file (JSON) to seed an empty database; default MPP Kota Kupang")
    run.add_argument("--async-mode", choices=("gevent", "eventlet", "threading"),
                     default=os.environ.get("SIGNAGE_ASYNC_MODE", DEFAULT_ASYNC_MODE))
    run.add_argument("--ticket-rate-limit", default=os.environ.get("SIGNAGE_TICKET_RATE_LIMIT", "30 per minute"),
                     help="kiosk tickets per client, e.g. '30 per minute'")
    run.add_argument("--audio-dir", default=os.environ.get("SIGNAGE_AUDIO_DIR"))
    run.add_argument("--media-dir", help="uploaded images and videos (default: 'media' beside the database)")
    run.add_argument("--message-queue", default=os.environ.get("SIGNAGE_MESSAGE_QUEUE"),
                     help="redis://host:6379/0 when several server processes serve one hall (README)")
    run.add_argument("--request-rate-limit", default=os.environ.get("SIGNAGE_REQUEST_RATE_LIMIT", "600 per minute"),
                     help="requests per client address to any page or API route")
    run.add_argument("--proxy-hops", type=int, default=int(os.environ.get("SIGNAGE_PROXY_HOPS", "0")),
                     help="reverse proxies in front that set X-Forwarded-For/-Proto (default 0: trust none)")
    run.add_argument("--https", action="store_true", default=os.environ.get("SIGNAGE_HTTPS") == "1",
                     help="people reach the hall through HTTPS (via the proxy): Secure cookies, HSTS")
    run.add_argument("--allowed-origin", action="append", default=[],
                     help="another origin whose pages may connect, e.g. https://mpp.kupangkota.go.id")
    run.add_argument("--max-connections-per-address", type=int, default=30,
                     help="live connections one network address may hold (default 30)")
    run.add_argument("--max-connections", type=int, default=int(os.environ.get("SIGNAGE_MAX_CONNECTIONS", "10000")),
                     help="live connections this process holds in all: screens, phones, tablets (default 10000)")
    run.set_defaults(func=cmd_run)

    token = sub.add_parser("token", help="API tokens for machines")
    token_sub = token.add_subparsers(required=True, metavar="ACTION")
    create = token_sub.add_parser("create", help="create a token; printed on the last line")
    create.add_argument("--role", choices=("counter", "manager", "kiosk"), required=True)
    create.add_argument("--counter", help='counter name or id, for --role counter (e.g. "Loket 5")')
    create.add_argument("--label", default="", help="what the machine is, e.g. 'Kios lobi' (shown in the list)")
    create.add_argument("--expires-days", type=int, help="refused after this many days (default: never)")
    create.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    create.add_argument("--hall", help="hall file, if the database is new")
    create.set_defaults(func=cmd_token_create)
    listing = token_sub.add_parser("list", help="every token: id, role, counter, label, dates (never the token)")
    listing.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    listing.add_argument("--hall", help="hall file, if the database is new")
    listing.set_defaults(func=cmd_token_list)
    revoke = token_sub.add_parser("revoke", help="refuse a token from now on")
    revoke.add_argument("id", type=int, help="the token's id (from 'signage token list')")
    revoke.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    revoke.add_argument("--hall", help="hall file, if the database is new")
    revoke.set_defaults(func=cmd_token_revoke)

    user = sub.add_parser("user", help="staff, supervisor and manager accounts")
    user_sub = user.add_subparsers(required=True, metavar="ACTION")
    add = user_sub.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument("--role", choices=("staff", "supervisor", "manager"), required=True)
    add.add_argument("--counter", action="append", default=[],
                     help='counter name or id, e.g. "Loket 5" (repeat for several)')
    add.add_argument("--service", help="agency code, for a supervisor")
    add.add_argument("--name", default="")
    add.add_argument("--password", help="default: a random one, printed")
    add.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    add.add_argument("--hall", help="hall file, if the database is new")
    add.set_defaults(func=cmd_user_add)
    from .accounts_cli import register as register_user_commands
    register_user_commands(user_sub, os.environ.get("SIGNAGE_DB", DEFAULT_DB))

    db = sub.add_parser("db", help="the hall's database")
    db_sub = db.add_subparsers(required=True, metavar="ACTION")
    backup = db_sub.add_parser("backup", help="a consistent copy, taken while the hall runs")
    backup.add_argument("target", help="file to write, e.g. /var/backups/signage/2026-11-30.db")
    backup.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    backup.set_defaults(func=cmd_db_backup)
    restore = db_sub.add_parser("restore", help="put a backup back (stop the server first)")
    restore.add_argument("source")
    restore.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    restore.set_defaults(func=cmd_db_restore)
    upgrade = db_sub.add_parser("upgrade", help="bring the schema to this version's (back up first); "
                                "the server also does it at start")
    upgrade.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    upgrade.set_defaults(func=cmd_db_upgrade)
    current = db_sub.add_parser("current", help="the database's schema revision")
    current.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    current.set_defaults(func=cmd_db_current)

    audio = sub.add_parser("audio", help="voice clips")
    audio_sub = audio.add_subparsers(required=True, metavar="ACTION")
    build = audio_sub.add_parser("build", help="prepare the voice library while online (gtts) or offline (espeak)")
    build.add_argument("--engine", choices=("gtts", "espeak"), default="gtts")
    build.add_argument("--db", default=os.environ.get("SIGNAGE_DB", DEFAULT_DB))
    build.add_argument("--audio-dir", default=os.environ.get("SIGNAGE_AUDIO_DIR"))
    build.add_argument("--hall", help="hall file, if the database is new")
    build.set_defaults(func=cmd_audio_build)
    return parser


def db_url(value: str) -> str:
    """A SQLite file's path, or a URL. A plain libpq URL (postgresql://, postgres://) means
    psycopg 3, the driver of the `postgres` extra, not SQLAlchemy's default psycopg2."""
    for plain in ("postgresql://", "postgres://"):
        if value.startswith(plain):
            return "postgresql+psycopg://" + value.removeprefix(plain)
    if "://" in value:
        return value
    Path(value).resolve().parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(value).resolve()}"


def _patch(async_mode: str) -> None:
    if async_mode == "gevent":
        from gevent import monkey
        monkey.patch_all()
    elif async_mode == "eventlet":
        import warnings
        # Chosen knowingly (README, "Async mode"); the notice would only puzzle the hall's staff.
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet
        eventlet.monkey_patch()
        # psycopg waits for PostgreSQL in C unless told otherwise (it notices gevent by itself):
        # under eventlet that would stop every greenlet of the process while a query runs.
        # eventlet's green select() waits through the hub, for any number of descriptors.
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")


def _hall_service(args):
    from .hall import load_hall
    from .service import HallService
    from .store import Database
    db = Database(db_url(args.db))
    db.create_all()
    service = HallService(db)
    service.seed(load_hall(args.hall))
    return db, service


def cmd_run(args) -> int:
    _patch(args.async_mode)
    from .hall import HallFileError, load_hall
    from .web import PROJECT_ROOT, Config, create_app
    try:
        hall_spec = load_hall(args.hall)
    except HallFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problem = _storage_problem(args.db)
    if problem:  # a read-only database would otherwise start and answer every write with an error
        print(problem, file=sys.stderr)
        return 2
    problem = _port_problem(args.host, args.port)
    if problem:  # eventlet listens with SO_REUSEPORT: a second server would share the port silently
        print(problem, file=sys.stderr)
        return 2
    problem = _queue_problem(args.message_queue)
    if problem:  # processes that cannot reach each other would each be a hall of their own
        print(problem, file=sys.stderr)
        return 2
    config = Config(db_url=db_url(args.db), hall=hall_spec, async_mode=args.async_mode,
                    ticket_rate_limit=args.ticket_rate_limit, message_queue=args.message_queue,
                    request_rate_limit=args.request_rate_limit,
                    proxy_hops=args.proxy_hops, https=args.https,
                    allowed_origins=tuple(args.allowed_origin),
                    max_connections_per_address=args.max_connections_per_address,
                    audio_dir=Path(args.audio_dir) if args.audio_dir else PROJECT_ROOT / "audio",
                    media_dir=Path(args.media_dir) if args.media_dir else _beside_db(args.db, "media"))
    app, socketio = create_app(config)
    accounts = app.extensions["signage"].accounts
    base = f"http://{_shown_host(args.host)}:{args.port}"
    if not accounts.has_manager():
        from .accounts_cli import first_start_lines
        password = secrets.token_urlsafe(9)
        accounts.add_user("manager", password, "manager", full_name="Pengelola MPP")
        print("\n".join(first_start_lines(base, password)))
    print(f"signage ({args.async_mode}) mendengarkan di {args.host}:{args.port}, basis data {config.db_url}")
    for label, path in (("kios", "/kiosk"), ("layar", "/display"), ("loket", "/counter"),
                        ("pengelola", "/manager"), ("api", "/api/openapi.json")):
        print(f"  {label:9} {base}{path}")
    sys.stdout.flush()
    _allow_open_files(args.max_connections)
    _freeze_startup_objects()
    if args.async_mode == "eventlet":
        # Not socketio.run: it listens with eventlet's backlog of 50, so a crowd of screens coming
        # back at once (a restart) overflows it and waits out TCP's retries with the CPU idle; and
        # eventlet's server holds 1024 connections unless told more (the next would wait unanswered).
        import eventlet
        import eventlet.wsgi
        listener = eventlet.listen((args.host, args.port), backlog=LISTEN_BACKLOG)
        eventlet.wsgi.server(listener, app, log_output=False, max_size=args.max_connections)
    else:
        extra = {"backlog": LISTEN_BACKLOG} if args.async_mode == "gevent" else {}
        socketio.run(app, host=args.host, port=args.port, log_output=False,
                     allow_unsafe_werkzeug=True, use_reloader=False, debug=False, **extra)
    return 0


def _freeze_startup_objects() -> None:
    """Leave what exists before the first request (~190,000 objects: the libraries, the app) out
    of the garbage collector's full passes. Each pass walked all of them on the only event loop:
    with 500 screens a pass took 100-190 ms every few seconds, the slowest calls' whole delay
    (benchmarks/README.md, issue 10). Objects made later are collected as before."""
    import gc
    gc.collect()
    gc.freeze()


def _allow_open_files(connections: int) -> None:
    """Each connection is a file: raise this process's soft limit (1024 by default) to fit them."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256          # the database, logs, clips, printers
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        if raised < wanted:
            print(f"warning: only {raised} open files allowed (LimitNOFILE); fewer than "
                  f"{connections} connections will fit", file=sys.stderr)


def _queue_problem(url: str | None) -> str | None:
    """Several processes must reach their Redis before serving anyone (cluster.py)."""
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "error: --message-queue: only Redis is supported, e.g. redis://127.0.0.1:6379/0"
    try:
        import redis
    except ImportError:
        return "error: --message-queue needs the Redis client: pip install -e '.[postgres]'"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        return f"error: Redis at {url} cannot be reached ({exc}); start redis-server or fix --message-queue"
    return None


def _storage_problem(db: str) -> str | None:
    """Can the database be written? Checked with a real write before the server starts."""
    from .store import Database
    from .store.health import startup_problem
    from .store.migrate import MigrationError
    try:
        url = db_url(db)
    except OSError as exc:  # its directory cannot even be created
        return f"error: database {db} is read-only / cannot be written: {exc.strerror or exc}"
    try:
        database = Database(url)
    except ImportError as exc:  # PostgreSQL without its driver (Database names the extra)
        return f"error: {exc}"
    try:
        return startup_problem(database)   # upgrades the schema first (Database.create_all)
    except MigrationError as exc:          # e.g. written by a newer version of signage
        return f"error: database {db}: {exc}"
    finally:
        database.dispose()


def _port_problem(host: str, port: int) -> str | None:
    """An error line if something already listens on host:port (checked without SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return (f"error: cannot listen on {host}:{port}: {exc.strerror or exc}. Is another "
                    f"signage server running? Stop it, or choose another --port.")
    return None


def _beside_db(db: str, name: str) -> Path:
    if "://" in db and not db.startswith("sqlite:///"):
        return Path.cwd() / name
    return Path(db.removeprefix("sqlite:///")).resolve().parent / name


def _shown_host(host: str) -> str:
    if host not in ("0.0.0.0", "::"):
        return host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent; picks the LAN address
            return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def cmd_token_create(args) -> int:
    from datetime import datetime, timedelta, timezone
    from .accounts import AccountError, Accounts
    if args.expires_days is not None and not 1 <= args.expires_days <= MAX_TOKEN_DAYS:
        print(f"error: --expires-days: 1–{MAX_TOKEN_DAYS}", file=sys.stderr)
        return 2
    from .accounts_cli import LookupProblem, resolve_counter_ids
    db, _ = _hall_service(args)
    expires = (datetime.now(timezone.utc) + timedelta(days=args.expires_days)
               if args.expires_days is not None else None)
    try:
        counter_id = resolve_counter_ids(db, [args.counter])[0] if args.counter else None
        token = Accounts(db).create_token(args.role, counter_id, args.label, expires_at=expires)
    except (AccountError, LookupProblem) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"token for {args.role}{' counter ' + str(args.counter) if args.counter else ''}:")
    print(token)
    return 0


def cmd_token_list(args) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from .accounts import Accounts
    db, service = _hall_service(args)
    zone = ZoneInfo(service.settings()["timezone"])

    def when(iso):
        return datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M") if iso else "-"
    rows = [(str(tk["id"]), tk["role"], tk["counter"] or "-", tk["label"] or "-", when(tk["created_at"]),
             when(tk["expires_at"]), when(tk["last_used_at"]), when(tk["revoked_at"]))
            for tk in Accounts(db).list_tokens()]
    head = ("id", "role", "counter", "label", "created", "expires", "last used", "revoked")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print(f"times in {zone.key}")
    for row in (head, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def cmd_token_revoke(args) -> int:
    from .accounts import Accounts
    db, _ = _hall_service(args)
    token = Accounts(db).revoke_token(args.id)
    if token is None:
        print(f"error: no token {args.id}", file=sys.stderr)
        return 2
    print(f"token {token['id']} ({token['role']}, {token['label'] or 'no label'}) revoked")
    return 0


def cmd_user_add(args) -> int:
    from .accounts import AccountError, Accounts
    from .accounts_cli import LookupProblem, resolve_counter_ids
    db, _ = _hall_service(args)
    password = args.password or secrets.token_urlsafe(9)
    try:
        Accounts(db).add_user(args.username, password, args.role, full_name=args.name,
                              counter_ids=resolve_counter_ids(db, args.counter),
                              service_code=args.service)
    except (AccountError, LookupProblem) as exc:
        print(f"Galat: {exc}", file=sys.stderr)
        return 2
    print(f"Akun {args.username.strip().lower()} ({args.role}) dibuat.")
    if not args.password:
        print("Kata sandinya hanya ditampilkan sekali, catat sekarang:")
        print(f"  kata sandi: {password}")
    return 0


def cmd_db_backup(args) -> int:
    from .store.backup import BackupError, backup
    try:
        written = backup(db_url(args.db), Path(args.target))
    except (BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"backup written: {written}")
    return 0


def cmd_db_restore(args) -> int:
    from .store.backup import BackupError, restore
    try:
        restore(db_url(args.db), Path(args.source))
    except (BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"restored {args.source} into {args.db}")
    return 0


def cmd_db_upgrade(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from .store import Database
    from .store.migrate import MigrationError
    db = Database(db_url(args.db))
    try:
        done = db.create_all()
    except (MigrationError, SQLAlchemyError) as exc:
        print(f"error: {args.db}: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print("\n".join(done.describe()))
    return 0


def cmd_db_current(args) -> int:
    from .store import Database
    from .store.migrate import status
    db = Database(db_url(args.db))
    try:
        print(status(db))
    finally:
        db.dispose()
    return 0


def cmd_audio_build(args) -> int:
    from .speech.build import build_audio
    from .speech.hall_speaker import DEFAULTS
    from .speech.lexicon import Lexicon
    from .web import PROJECT_ROOT
    _, service = _hall_service(args)
    speech = {**DEFAULTS, **(service.settings().get("speech") or {})}
    audio_dir = Path(args.audio_dir) if args.audio_dir else PROJECT_ROOT / "audio"
    result = build_audio(args.engine, audio_dir, [c["name"] for c in service.counters()],
                         progress=sys.stdout.isatty(),
                         templates=[speech["template"], *speech["service_templates"].values()],
                         services=[s["name"] for s in service.services()],
                         lexicon=Lexicon(speech["lexicon"]))
    print(result["message"])
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
