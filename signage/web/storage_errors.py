"""A full disk or a read-only database, said plainly instead of "Internal error".

Flask picks the error handler of the most specific class in the exception's MRO, so these
handlers (OSError, SQLAlchemy's DBAPIError, sqlite3.Error) win over the catch-all
`errorhandler(Exception)` in create_app. Errors of those classes that are not a storage failure
(a reset connection, a syntax error) are handed back to that catch-all unchanged.
"""
from __future__ import annotations

import sqlite3

from flask import Flask, jsonify, request
from markupsafe import escape
from sqlalchemy import exc as sa_exc

from ..messages import N_
from ..store.health import storage_failure
from .language import current as current_language, tr

FULL_MESSAGE = N_("Penyimpanan server penuh. Hubungi teknisi.")
READONLY_MESSAGE = N_("Basis data tidak dapat ditulis. Hubungi teknisi.")

_PAGES = {"full": (507, FULL_MESSAGE), "readonly": (503, READONLY_MESSAGE)}
_PAGE = ("<!doctype html><html lang=\"{lang}\"><meta charset=\"utf-8\"><title>{text}</title>"
         "<h1>{text}</h1></html>")


def register(app: Flask) -> None:
    def storage_error(exc: Exception):
        kind = storage_failure(exc)
        if kind is None:
            fallback = app.error_handler_spec.get(None, {}).get(None, {}).get(Exception)
            if fallback is None:
                raise exc
            return fallback(exc)
        status, message = _PAGES[kind]
        text = tr(message)   # the reader's language (web/language.py)
        # One line, no traceback: every write fails the same way until someone frees the disk.
        app.logger.error("storage %s on %s %s: %s", kind, request.method, request.path,
                         str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        if request.path.startswith("/api/"):
            return jsonify(error=text), status
        return _PAGE.format(lang=current_language(), text=escape(text)), status, \
            {"Content-Type": "text/html; charset=utf-8"}

    for cls in (OSError, sa_exc.DBAPIError, sqlite3.Error):
        app.register_error_handler(cls, storage_error)
