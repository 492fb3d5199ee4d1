"""Engine, sessions and write transactions.

Writes are serialised twice: a process-wide lock keeps greenlets and threads of this process
from interleaving, and SQLite's BEGIN IMMEDIATE (or row locks with FOR UPDATE on PostgreSQL)
keeps other processes out. Inside that, the queue rules read and decide, so two kiosks or two
counters pressing at the same instant can never take the same number or ticket. On PostgreSQL,
transactions that append events also take the event log's advisory lock, so events commit in
seq order without gaps (next_event_seq says why).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from . import migrate
from .tables import Event

# The key of the PostgreSQL advisory lock that serialises appends to the event log (any fixed
# number; transaction-level, so a commit, a rollback or a dropped connection releases it).
EVENT_LOG_LOCK = 0x5E9_1065
_EVENT_LOG_LOCKED = "event_log_locked"   # Session.info: this transaction holds the lock


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


class Database:
    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
        else:
            try:
                self.engine = create_engine(url, pool_pre_ping=True)
            except ImportError as exc:
                raise ImportError(f"{exc}: the PostgreSQL driver comes with the `postgres` extra, "
                                  "pip install -e \".[postgres]\" (README, PostgreSQL)") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock()

    def create_all(self) -> "migrate.Upgrade":
        """Bring the schema to the code's: Alembic's upgrade to head, under a lock (migrate.py).
        An empty database is created, one made before migrations adopted, an older one upgraded."""
        return migrate.upgrade(self)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session
            session.rollback()

    @contextmanager
    def write(self, *, events: bool = False) -> Iterator[Session]:
        """One committed transaction; on any exception nothing is written.

        `events=True` for a use case that appends to the event log (next_event_seq): it takes
        the log's lock first, before any row lock, so such transactions all lock in one order
        (the log, then rows) and two of them can never deadlock on PostgreSQL."""
        with self._write_lock, self._sessions() as session:
            session.connection(execution_options={"begin_mode": "IMMEDIATE"})
            try:
                if events:
                    self.lock_event_log(session)
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def lock_event_log(self, session: Session) -> None:
        """Hold the event log until this transaction ends (PostgreSQL: pg_advisory_xact_lock;
        SQLite: already held, BEGIN IMMEDIATE lets one writer in at a time)."""
        if session.info.get(_EVENT_LOG_LOCKED):
            return
        if self.engine.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_LOG_LOCK})
        session.info[_EVENT_LOG_LOCKED] = True

    def next_event_seq(self, session: Session) -> int:
        """The seq for an event appended in this transaction: one more than the last committed.

        Screens, the broadcaster and the catch-up after a crash read the log in seq order and
        keep only the last seq they have (`events_after(last)`). That is right only if events
        become visible in seq order with no holes. SQLite gives this for free: one writer at a
        time. PostgreSQL runs writers side by side, and a SERIAL column numbers a row when it is
        inserted, not when it commits: A takes 41, B takes 42 and commits first, the broadcaster
        sends 42 and saves its position, and A's event, committed a moment later, is never
        sent; a rolled-back insert leaves a hole for ever, and every screen resyncs over it.
        So the number is taken under the event log's lock (lock_event_log), held to the commit:
        transactions that append events commit one after another, each seeing the one before,
        numbered max(seq)+1 without gaps, on both databases. Writes that append no event
        (sessions, the broadcaster's position, print jobs) do not wait for it."""
        self.lock_event_log(session)
        return (session.scalar(select(func.max(Event.seq))) or 0) + 1

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN (IMMEDIATE for writes) instead of pysqlite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(connection) -> None:
    mode = connection.get_execution_options().get("begin_mode", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
