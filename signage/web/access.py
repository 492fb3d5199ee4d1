"""Who is locked out of logging in, and lifting a lock (managers only)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from .. import audit
from ..service import InvalidRequest
from . import hall
from .api import json_body
from .auth import api_auth, current_principal, is_manager
from ..messages import N_
from .language import tr

bp = Blueprint("access", __name__, url_prefix="/api/manage")


@bp.get("/lockouts")
@api_auth(is_manager)
def lockouts():
    return jsonify(lockouts=hall().login_guard.locks())


@bp.post("/lockouts/lift")
@api_auth(is_manager)
def lift():
    key = json_body().get("key")
    if not isinstance(key, str) or not key.startswith(("user:", "addr:")) or len(key) > 120:
        raise InvalidRequest(N_("key: 'user:NAMA' atau 'addr:ALAMAT' dari daftar kunci."))
    h = hall()
    if not h.login_guard.lift(key):
        return jsonify(error=tr(N_("Tidak ada kunci untuk itu."))), 404
    with h.service.db.write() as s:
        audit.record(s, h.service.clock(), current_principal(), "login.unlock", key=key)
    return jsonify(ok=True)
