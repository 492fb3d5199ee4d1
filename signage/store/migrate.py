"""Schema migrations (Alembic): every start, and `signage db upgrade`, bring the database to head.

The revisions are in signage/store/migrations/versions/, oldest first: 0001 is the baseline, the
schema as the last version before migrations made it; each later one is a change. Alembic is
configured here, in code (no alembic.ini at run time), and runs on a connection this module hands
it: one transaction, under a lock, so the upgrade commits or rolls back as a whole (SQLite and
PostgreSQL both alter tables transactionally) and several processes starting at once on one
database upgrade it once: PostgreSQL takes an advisory lock, SQLite a BEGIN IMMEDIATE.

Three kinds of database come in:
- empty: every revision runs, from 0001;
- made before migrations (the hall's tables, no alembic_version): brought to the baseline as the
  old start did (missing tables made, missing nullable columns added), marked 0001, then upgraded;
- at a revision: the later revisions run. One this code does not know (a newer version of signage
  wrote it) stops the start: MigrationError.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from .db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
# The key of the PostgreSQL advisory lock held while the schema is upgraded (any fixed number,
# not db.EVENT_LOG_LOCK's; transaction-level: released by the commit or the rollback).
MIGRATION_LOCK = 0x5E9_0A1E


class MigrationError(RuntimeError):
    pass


@dataclass
class Upgrade:
    """What upgrade() did, for `signage db upgrade` to tell."""

    before: str | None            # the revision found; None: empty, or made before migrations
    after: str                    # the revision now (head)
    adopted: bool = False         # made before migrations: brought to the baseline and marked
    created_tables: list[str] = field(default_factory=list)   # while adopting
    added_columns: list[str] = field(default_factory=list)    # while adopting
    applied: list[str] = field(default_factory=list)          # "0002 (hall_duties: ...)", in order

    def describe(self) -> list[str]:
        if not self.applied and not self.adopted:
            return [f"the database is up to date: revision {self.after}, nothing to do"]
        lines = []
        if self.adopted:
            lines.append("the database was made before migrations: brought to the baseline "
                         f"and marked revision {BASELINE}")
            if self.created_tables:
                lines.append(f"  tables created: {', '.join(self.created_tables)}")
            if self.added_columns:
                lines.append(f"  columns added (empty in existing rows): {', '.join(self.added_columns)}")
        elif self.before is None:
            lines.append("the database was empty: schema created")
        else:
            lines.append(f"the database was at revision {self.before}")
        if self.applied:
            lines.append("revisions applied:")
            lines += [f"  {revision}" for revision in self.applied]
        lines.append(f"the database is at revision {self.after}")
        return lines


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    return scripts().get_current_head()


def baseline_schema() -> MetaData:
    """The baseline's tables (0001_baseline.schema()), frozen as they were before migrations."""
    return scripts().get_revision(BASELINE).module.schema()


def current(db: "Database") -> str | None:
    """The revision the database is at; None when it has none (empty, or made before migrations)."""
    with db.engine.connect() as connection:
        return _revision(connection)


def status(db: "Database") -> str:
    """The database's revision in plain words (`signage db current`)."""
    script = scripts()
    newest = script.get_current_head()
    with db.engine.connect() as connection:
        revision = _revision(connection)
        made_before = revision is None and _has_hall_tables(connection)
    if revision is None:
        if made_before:
            return (f"no revision: the database was made before migrations; `signage db upgrade` "
                    f"(or starting the server) brings it to {newest}")
        return f"no revision: the database is empty; `signage db upgrade` creates it at {newest}"
    known = _known(script, revision)
    if known is None:
        return (f"revision {revision}, unknown to this version of signage (newest it knows: "
                f"{newest}): a newer version wrote this database")
    if revision == newest:
        return f"revision {known}: up to date"
    return f"revision {known}; this version has up to {newest}: run `signage db upgrade`"


def upgrade(db: "Database") -> Upgrade:
    """Bring the database to head (see the module's notes). A database already there costs one
    query and takes no lock."""
    script = scripts()
    newest = script.get_current_head()
    with db.engine.connect() as connection:
        found = _revision(connection)
    if found == newest:
        return Upgrade(before=found, after=newest)
    with _migrating(db) as connection:
        found = _revision(connection)     # again, under the lock: another process starting
        if found == newest:               # at the same time may have upgraded it meanwhile
            return Upgrade(before=found, after=newest)
        if found is not None and _known(script, found) is None:
            raise MigrationError(
                f"the database is at revision {found}, unknown to this version of signage "
                f"(newest it knows: {newest}): a newer version wrote it. Install that version, "
                "or restore a backup taken before it ran (signage db restore).")
        done = Upgrade(before=found, after=newest)
        config = alembic_config()
        config.attributes["connection"] = connection
        start = found
        if found is None and _has_hall_tables(connection):
            done.created_tables, done.added_columns = adopt(connection)
            command.stamp(config, BASELINE)
            done.adopted, start = True, BASELINE
        done.applied = [_named(s) for s in
                        reversed(list(script.iterate_revisions(newest, start or "base")))]
        command.upgrade(config, "head")
        if _revision(connection) != newest:
            raise MigrationError(f"upgrade stopped at revision {_revision(connection)}, not {newest}")
    return done


def adopt(connection: Connection) -> tuple[list[str], list[str]]:
    """A database made before migrations, brought to the baseline the way every start brought it
    then: the missing tables made, the missing (nullable) columns added. Returns both lists."""
    schema = baseline_schema()
    present = set(inspect(connection).get_table_names())
    created = [table.name for table in schema.sorted_tables if table.name not in present]
    schema.create_all(connection, checkfirst=True)
    return created, add_missing_columns(connection, schema)


def add_missing_columns(bind: Engine | Connection, metadata: MetaData) -> list[str]:
    """Add each column `metadata` has and its table lacks: `ALTER TABLE ... ADD COLUMN`, old rows
    read NULL. Only NULLABLE columns can be added this way; a missing NOT NULL column is refused
    with a message naming it. Returns "table.column" added. Used to adopt a database made before
    migrations (adopt); later changes are revisions."""
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            return add_missing_columns(connection, metadata)
    inspector = inspect(bind)
    missing = []
    for table in metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [(table, column) for column in table.columns if column.name not in present]
    blocked = [f"{table.name}.{column.name}" for table, column in missing
               if not column.nullable or column.primary_key]
    if blocked:
        raise MigrationError(f"database is older than the code: {', '.join(blocked)} missing and "
                             "not nullable, needs a migration")
    preparer = bind.dialect.identifier_preparer
    for table, column in missing:
        bind.exec_driver_sql(
            f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN "
            f"{preparer.format_column(column)} {column.type.compile(dialect=bind.dialect)}")
    return [f"{table.name}.{column.name}" for table, column in missing]


@contextmanager
def _migrating(db: "Database") -> Iterator[Connection]:
    """A connection in a transaction that holds the migration lock; committed at the end.

    SQLite: BEGIN IMMEDIATE (one writer; another process starting waits on busy_timeout), and
    foreign keys off for the time of it, as Alembic's batch mode needs: it copies a table and
    drops the old one, which with foreign keys on would delete (ON DELETE CASCADE) the rows
    that point at it. No new dangling reference may come out of it (foreign_key_check)."""
    with db.engine.connect() as connection:
        if db.is_sqlite:
            raw = connection.connection.dbapi_connection   # outside any transaction: a PRAGMA
            raw.execute("PRAGMA foreign_keys=OFF")         # inside one is ignored
            try:
                with connection.execution_options(begin_mode="IMMEDIATE").begin():
                    dangling = _dangling(connection)
                    yield connection
                    if _dangling(connection) > dangling:
                        raise MigrationError("the upgrade would leave rows pointing at nothing "
                                             "(PRAGMA foreign_key_check): not applied")
            finally:
                raw.execute("PRAGMA foreign_keys=ON")
        else:
            with connection.begin():
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                yield connection


def _dangling(connection: Connection) -> int:
    return len(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall())


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _has_hall_tables(connection: Connection) -> bool:
    return bool(set(inspect(connection).get_table_names()) & set(baseline_schema().tables))


def _known(script: ScriptDirectory, revision: str) -> str | None:
    """'0002 (doc)' for a revision of this code, None for one it does not know."""
    try:
        found = script.get_revision(revision)
    except (CommandError, RevisionError):   # an id it cannot locate
        return None
    return None if found is None else _named(found)


def _named(script) -> str:
    """'0002 (hall_duties: ...)': the revision and the first paragraph of its docstring."""
    return f"{script.revision} ({script.doc})" if script.doc else script.revision
