"""Backups a technician can take while the hall is open, and put back when it is closed.

SQLite: the online backup API copies a consistent snapshot page by page while the server keeps
writing (WAL), then the copy is checked with `PRAGMA integrity_check`. PostgreSQL: `pg_dump`
in its custom format, restored with `pg_restore --clean`.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def backup(db_url: str, target: Path) -> Path:
    url = make_url(db_url)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        partial = target.with_name(target.name + ".part")
        partial.unlink(missing_ok=True)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as src, \
                sqlite3.connect(partial) as dst:
            src.backup(dst, pages=256)
            _check(dst)
        os.replace(partial, target)
        return target
    if url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)])
        return target
    raise BackupError(f"tidak tahu cara mencadangkan {url.get_backend_name()}")


def restore(db_url: str, source: Path) -> None:
    """Put a backup back. The server must be stopped: a running one would keep old pages."""
    url = make_url(db_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"berkas cadangan tidak ada: {source}")
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
            _check(check)
        target = _sqlite_path(url)
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        return
    if url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_libpq(url)}", str(source)])
        return
    raise BackupError(f"tidak tahu cara memulihkan {url.get_backend_name()}")


def _sqlite_path(url) -> Path:
    if not url.database:
        raise BackupError("basis data SQLite tanpa berkas")
    return Path(url.database).resolve()


def _check(connection: sqlite3.Connection) -> None:
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"bukan basis data yang utuh: {exc}") from exc
    if result != "ok":
        raise BackupError(f"salinan rusak: {result}")


def _libpq(url) -> str:
    """The SQLAlchemy URL as a libpq connection string (pg_dump and pg_restore take these)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} tidak ada: pasang paket postgresql-client") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} gagal: {done.stderr.strip()[-500:]}")
