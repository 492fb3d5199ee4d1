"""Engine, sessions and write transactions.

Writes are serialised twice: a process-wide lock keeps greenlets and threads of this process
from interleaving, and SQLite's BEGIN IMMEDIATE (or row locks with FOR UPDATE on PostgreSQL)
keeps other processes out. Inside that, the queue rules read and decide, so two kiosks or two
counters pressing at the same instant can never take the same number or ticket.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import MetaData, create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .tables import Base


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
            self.engine = create_engine(url, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock()

    def create_all(self) -> None:
        """Create the missing tables, then add the missing nullable columns (add_missing_columns)."""
        Base.metadata.create_all(self.engine)
        add_missing_columns(self.engine, Base.metadata)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session
            session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One committed transaction; on any exception nothing is written."""
        with self._write_lock, self._sessions() as session:
            session.connection(execution_options={"begin_mode": "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def add_missing_columns(engine: Engine, metadata: MetaData) -> list[str]:
    """Bring existing tables up to the code: add each column the code has and the table lacks.

    Until migrations arrive (Alembic, signage/store/migrations/), this is how a hall's database
    follows a new version: `ALTER TABLE ... ADD COLUMN` (SQLite and PostgreSQL), old rows read
    NULL. Only NULLABLE columns can be added this way; a missing NOT NULL column stops the start
    with a message naming it, instead of failing on first use. Returns "table.column" added.
    """
    inspector = inspect(engine)
    missing = []
    for table in metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [(table, column) for column in table.columns if column.name not in present]
    blocked = [f"{table.name}.{column.name}" for table, column in missing
               if not column.nullable or column.primary_key]
    if blocked:
        raise RuntimeError(f"database is older than the code: {', '.join(blocked)} missing and not "
                           "nullable, needs a migration")
    preparer = engine.dialect.identifier_preparer
    added = []
    for table, column in missing:
        ddl = (f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN "
               f"{preparer.format_column(column)} {column.type.compile(dialect=engine.dialect)}")
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql(ddl)
        except Exception:
            # Another process starting on the same database may have added it a moment ago.
            if column.name not in {c["name"] for c in inspect(engine).get_columns(table.name)}:
                raise
        added.append(f"{table.name}.{column.name}")
    return added


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
