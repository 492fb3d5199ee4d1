"""GET /healthz: can the hall still write, is there room on disk, can it speak.

For a monitor and for the manager console's warning banner. Public, so it says only what is
safe to say (no paths, no versions, no error texts), and cheap: the answer is kept for
CACHE_SECONDS, so a flood of probes costs at most one small write transaction per interval.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify

from ..store.health import NotWritable, check_writable, disk_free, sqlite_path, storage_failure
from . import hall

bp = Blueprint("health", __name__)

CACHE_SECONDS = 2.0


class _Cached:
    def __init__(self):
        self.lock = threading.Lock()
        self.at = float("-inf")
        self.body: dict | None = None


@bp.get("/healthz")
def healthz():
    cached = current_app.extensions.setdefault("signage_health", _Cached())
    body = cached.body
    if body is None or time.monotonic() - cached.at >= CACHE_SECONDS:
        # One probe at a time; while it runs, others get the previous answer (or wait for the first).
        if cached.lock.acquire(blocking=body is None):
            try:
                if cached.body is None or time.monotonic() - cached.at >= CACHE_SECONDS:
                    cached.body = _probe()
                    cached.at = time.monotonic()
            finally:
                cached.lock.release()
        body = cached.body
    response = jsonify(body)
    response.status_code = 503 if body["status"] == "fail" else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def _probe() -> dict:
    h = hall()
    database = _database(h.service.db)
    disk = _disk(h)
    voice = _voice(h)
    printers = _printers()
    if not database["ok"]:
        status = "fail"
    elif not disk["ok"] or not voice["ok"] or not all(p["ok"] for p in printers):
        status = "degraded"
    else:
        status = "ok"
    return {
        "status": status,
        "database": database,
        "disk": disk,
        "voice": voice,
        "printers": printers,
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }


def _printers() -> list[dict]:
    """Each kiosk's ESC/POS printer as it last answered (no names or addresses: this is public)."""
    printing = current_app.extensions.get("signage.printing")
    if printing is None:
        return []
    try:
        kiosks = printing.kiosks([])
    except Exception:
        current_app.logger.exception("health: printer states failed")
        return []
    return [{"kiosk": k["id"], "state": k["printer"]["state"], "pending": k["pending_prints"],
             "ok": k["printer"]["state"] in ("ok", "paper_low", "unknown")}
            for k in kiosks if k["printer"]["kind"] in ("network", "usb", "serial")]


def _database(db) -> dict:
    started = time.perf_counter()
    try:
        check_writable(db)
        ok, problem = True, None
    except NotWritable as exc:
        ok, problem = False, storage_failure(exc) or "unavailable"
        current_app.logger.error("health: database not writable: %s", exc.reason)
    result = {"ok": ok, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    if problem:
        result["problem"] = problem   # "full", "readonly" or "unavailable"
    return result


def _disk(h) -> dict:
    places = {"audio": h.config.audio_dir, "media": h.config.media_dir}
    db_file = sqlite_path(h.service.db)
    if db_file is not None:
        places = {"database": db_file.parent, **places}
    locations = {}
    for name, path in places.items():
        try:
            space = disk_free(path)
            locations[name] = {"free_bytes": space.free_bytes, "ok": not space.low}
        except OSError:
            locations[name] = {"free_bytes": None, "ok": False}
    known = [v["free_bytes"] for v in locations.values() if v["free_bytes"] is not None]
    return {"free_bytes": min(known) if known else None,
            "ok": all(v["ok"] for v in locations.values()),
            "locations": locations}


def _voice(h) -> dict:
    try:
        status = h.speaker.status()
    except Exception:  # the probe must answer even if the voice is broken
        current_app.logger.exception("health: voice status failed")
        return {"ok": False}
    can_speak = bool(status.get("espeak_installed") or status.get("library_clips"))
    return {"ok": can_speak,
            "requested": status.get("requested"),
            "active": status.get("active"),
            "espeak_installed": bool(status.get("espeak_installed")),
            "library_clips": status.get("library_clips"),
            "had_error": status.get("last_error") is not None}
