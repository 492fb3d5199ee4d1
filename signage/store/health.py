"""Can the hall still write? Checked at start (`signage run` refuses a read-only database) and
by /healthz while running (a full disk or a filesystem remounted read-only after errors, which
is how SD cards and cheap SSDs in mini PCs tend to die).

Plain functions, no Flask: the CLI calls them before the web application exists.
"""
from __future__ import annotations

import errno
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, exc as sa_exc

from . import tables as t
from .db import Database

PROBE_KEY = "_health_probe"

# Below either of these the console warns (the hall still runs).
LOW_DISK_BYTES = 500 * 1024 * 1024
LOW_DISK_FRACTION = 0.05

# What SQLite and PostgreSQL say when the disk is full, and when they may not write.
_FULL_SQLITE = {"SQLITE_FULL"}
_FULL_PG = {"53100"}                       # disk_full
_READONLY_PG = {"25006"}                   # read_only_sql_transaction
_FULL_WORDS = ("database or disk is full", "no space left on device", "could not extend file")
_READONLY_WORDS = ("readonly database", "read-only database", "read-only file system",
                   "read-only transaction")


class NotWritable(Exception):
    """The database refused a write; `reason` is the database's own words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_writable(db: Database) -> None:
    """One real write transaction: insert a probe row and delete it again, then commit.

    The commit writes pages (the WAL on SQLite), so a read-only file, an unwritable directory
    (no room for the -wal/-shm files), a read-only filesystem or a full disk all fail here,
    and nothing is left behind when it succeeds. Raises NotWritable."""
    try:
        with db.write() as s:
            s.add(t.Setting(key=PROBE_KEY, value={"probe": True}))
            s.flush()
            s.execute(delete(t.Setting).where(t.Setting.key == PROBE_KEY))
    except (sa_exc.SQLAlchemyError, OSError) as exc:
        raise NotWritable(_reason(exc)) from exc


def database_location(db: Database) -> str:
    """What to name in a message: the file for SQLite, the URL without password otherwise."""
    path = sqlite_path(db)
    if path is not None:
        return str(path)
    return db.engine.url.render_as_string(hide_password=True)


def sqlite_path(db: Database) -> Path | None:
    name = db.engine.url.database if db.is_sqlite else None
    if not name or name == ":memory:":
        return None
    return Path(name).resolve()


@dataclass(frozen=True)
class DiskSpace:
    free_bytes: int
    total_bytes: int

    @property
    def low(self) -> bool:
        return (self.free_bytes < LOW_DISK_BYTES
                or (self.total_bytes > 0 and self.free_bytes < self.total_bytes * LOW_DISK_FRACTION))


def disk_free(path: str | Path) -> DiskSpace:
    """Free space on the filesystem holding `path` (or its nearest existing parent: the media
    directory may not exist yet). Free means usable by this process (not root's reserve)."""
    here = Path(path).resolve()
    while not here.exists() and here != here.parent:
        here = here.parent
    usage = shutil.disk_usage(here)
    return DiskSpace(free_bytes=usage.free, total_bytes=usage.total)


# ---- telling the storage failures apart -----------------------------------------------------------
def storage_failure(exc: BaseException) -> str | None:
    """'full' when `exc` (or what caused it) is a full disk, 'readonly' when the database or
    filesystem refuses writes, None for anything else."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        kind = _classify(exc)
        if kind:
            return kind
        exc = exc.__cause__ or exc.__context__
    return None


def _classify(exc: BaseException) -> str | None:
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "full"
        if exc.errno == errno.EROFS:
            return "readonly"
        return None
    if isinstance(exc, sa_exc.DBAPIError):
        orig = exc.orig
    elif isinstance(exc, sqlite3.Error):
        orig = exc
    else:
        return None
    name = getattr(orig, "sqlite_errorname", "") or ""
    pgcode = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)
    words = str(orig).lower()
    if name in _FULL_SQLITE or pgcode in _FULL_PG or any(w in words for w in _FULL_WORDS):
        return "full"
    if (name.startswith("SQLITE_READONLY") or pgcode in _READONLY_PG
            or any(w in words for w in _READONLY_WORDS)):
        return "readonly"
    return None


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) if isinstance(exc, sa_exc.DBAPIError) else None
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def startup_problem(db: Database) -> str | None:
    """The one line `signage run` prints before refusing to start, or None when the database
    can be written. Creates the tables first (a new database must be creatable, too)."""
    try:
        db.create_all()
        check_writable(db)
    except NotWritable as exc:
        reason = exc.reason
    except (sa_exc.SQLAlchemyError, OSError) as exc:
        reason = _reason(exc)
    else:
        return None
    return f"error: database {database_location(db)} is read-only / cannot be written: {reason}"
