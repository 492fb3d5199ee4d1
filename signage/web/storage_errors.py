"""A full disk or a read-only database, said plainly instead of "Internal error".

Flask picks the error handler of the most specific class in the exception's MRO, so these
handlers (OSError, SQLAlchemy's DBAPIError, sqlite3.Error) win over the catch-all
`errorhandler(Exception)` in create_app. Errors of those classes that are not a storage failure
(a reset connection, a syntax error) are handed back to that catch-all unchanged.
"""
from __future__ import annotations

import sqlite3

from flask import Flask, jsonify, request
from sqlalchemy import exc as sa_exc

from ..store.health import storage_failure

FULL_MESSAGE = "Penyimpanan server penuh. Hubungi teknisi."
READONLY_MESSAGE = "Basis data tidak dapat ditulis. Hubungi teknisi."

_PAGES = {
    "full": (507, FULL_MESSAGE, "The server's storage is full. Please contact the technician."),
    "readonly": (503, READONLY_MESSAGE, "The database cannot be written. Please contact the technician."),
}
_PAGE = ("<!doctype html><html lang=\"id\"><meta charset=\"utf-8\"><title>{id}</title>"
         "<h1>{id}</h1><p>{en}</p></html>")


def register(app: Flask) -> None:
    def storage_error(exc: Exception):
        kind = storage_failure(exc)
        if kind is None:
            fallback = app.error_handler_spec.get(None, {}).get(None, {}).get(Exception)
            if fallback is None:
                raise exc
            return fallback(exc)
        status, message, english = _PAGES[kind]
        # One line, no traceback: every write fails the same way until someone frees the disk.
        app.logger.error("storage %s on %s %s: %s", kind, request.method, request.path,
                         str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        if request.path.startswith("/api/"):
            return jsonify(error=message), status
        return _PAGE.format(id=message, en=english), status, {"Content-Type": "text/html; charset=utf-8"}

    for cls in (OSError, sa_exc.DBAPIError, sqlite3.Error):
        app.register_error_handler(cls, storage_error)
