"""Pairing hall devices: the device asks for a code, a manager confirms it in the console."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import hall, limiter
from .api import json_body
from .auth import api_auth, current_principal, is_manager
from ..realtime import DEVICE_COOKIE as COOKIE, NAMESPACE, device_room, pending_device_room
from ..messages import N_

bp = Blueprint("devices", __name__, url_prefix="/api")
COOKIE_YEARS = 10


def device_secret() -> str | None:
    return request.cookies.get(COOKIE)


def current_device():
    """The paired or waiting device this browser is (by its cookie), or None."""
    if "device" not in request.__dict__:
        request.__dict__["device"] = hall().devices.identify(device_secret())
    return request.__dict__["device"]


@bp.post("/devices/pairing")
@limiter.limit("10 per minute")
def request_pairing():
    """Start (or continue) pairing this browser as a display or kiosk; returns the code to show."""
    body = json_body()
    unknown = set(body) - {"kind", "name"}
    if unknown:
        from ..service import InvalidRequest
        raise InvalidRequest(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
    mine, new_secret = hall().devices.request_pairing(body.get("kind"), body.get("name"),
                                                      device_secret(), request.remote_addr)
    response = jsonify(mine)
    if new_secret:
        response.set_cookie(COOKIE, new_secret, max_age=COOKIE_YEARS * 365 * 24 * 3600,
                            httponly=True, samesite="Lax", secure=hall().config.https)
    return response


@bp.get("/devices/me")
@limiter.limit("60 per minute")
def me():
    device = current_device()
    if device is None:
        return jsonify(paired=False, kind=None, name=None)
    return jsonify(paired=device.paired, kind=device.kind, name=device.name)


@bp.get("/manage/devices")
@api_auth(is_manager)
def list_devices():
    return jsonify(devices=hall().devices.list())


@bp.post("/manage/devices/pair")
@api_auth(is_manager)
def pair():
    body = json_body()
    h = hall()
    device = h.devices.confirm(current_principal(), body.get("code"), body.get("name"))
    # The waiting screen hears it at once and reloads as a paired device.
    h.socketio.emit("device", {"paired": True, "kind": device["kind"], "name": device["name"]},
                    room=pending_device_room(device["id"]), namespace=NAMESPACE)
    return jsonify(device), 201


@bp.patch("/manage/devices/<id:device_id>")
@api_auth(is_manager)
def rename(device_id: int):
    return jsonify(hall().devices.rename(current_principal(), device_id, json_body().get("name")))


@bp.delete("/manage/devices/<id:device_id>")
@api_auth(is_manager)
def revoke(device_id: int):
    h = hall()
    kind = h.devices.revoke(current_principal(), device_id)
    h.socketio.emit("device", {"paired": False, "kind": kind}, room=device_room(device_id),
                    namespace=NAMESPACE)
    return jsonify(ok=True)
