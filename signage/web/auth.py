"""Who is calling: a Bearer token (machines) or the browser session (people)."""
from __future__ import annotations

from functools import wraps

from flask import abort, g, jsonify, redirect, request, session, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..accounts import Principal
from ..messages import N_
from .language import tr


def current_principal() -> Principal | None:
    if "principal" in g:
        return g.principal
    from . import hall
    principal = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        principal = hall().accounts.principal_for_token(header[7:].strip())
        g.via_session = False
    elif isinstance(session.get("sid"), str):
        # The cookie alone is not enough: the session must still be open on the server.
        principal = hall().accounts.principal_for_session(session["sid"])
        g.via_session = True
    g.principal = principal
    return principal


def api_auth(check):
    """Guard an API view: 401 without credentials, 403 when `check(principal, **kwargs)` fails.

    A browser session must also send the CSRF token (X-CSRFToken) on writes; tokens need not.
    """
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                return jsonify(error=tr(N_("Perlu masuk atau token."))), 401
            if g.get("via_session") and request.method not in ("GET", "HEAD", "OPTIONS"):
                try:
                    validate_csrf(request.headers.get("X-CSRFToken"))
                except ValidationError as exc:
                    raise CSRFError(str(exc)) from exc
            if not check(principal, **kwargs):
                return jsonify(error=tr(N_("Tidak diizinkan."))), 403
            return view(*args, **kwargs)
        return wrapper
    return decorator


def page_login_required(*roles):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None or g.get("via_session") is False:
                return redirect(url_for("pages.login", next=request.full_path))
            if roles and principal.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def is_manager(principal: Principal, **_) -> bool:
    return principal.is_manager


def operates_counter(principal: Principal, counter_id: int, **_) -> bool:
    return principal.may_operate(counter_id)
