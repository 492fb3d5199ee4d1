"""Alembic's entry: runs the revisions on the connection signage/store/migrate.py hands over.

migrate.py passes `config.attributes["connection"]`: a connection already inside its transaction
and holding the migration lock, so the whole upgrade commits or rolls back as one. Without one
(a developer's `alembic -c signage/store/migrations/alembic.ini -x db=PATH_OR_URL ...`), this
opens the database named by `-x db=` or $SIGNAGE_DB.
"""
from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from signage.store import tables
from signage.store import printing  # noqa: F401  (its tables are on the same metadata)

config = context.config
target_metadata = tables.Base.metadata


def render_item(type_, obj, autogen_context):
    """Revisions are frozen: they spell the stored type (sa.DateTime), never the code's
    UTCDateTime, so a later change to tables.py cannot change what an old revision does."""
    if type_ == "type" and isinstance(obj, tables.UTCDateTime):
        return "sa.DateTime()"
    return False


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True,   # SQLite alters a table by copying it (rows kept)
                      render_item=render_item, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) mode is not supported: upgrade the database itself "
                     "(signage db upgrade)")

given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    from signage.cli import db_url
    name = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("SIGNAGE_DB")
    if not name:
        raise SystemExit("which database? -x db=PATH_OR_URL (or SIGNAGE_DB)")
    engine = create_engine(db_url(name))
    try:
        with engine.begin() as connection:
            run(connection)
    finally:
        engine.dispose()
