"""Socket.IO: every committed event, in sequence order, to every screen.

The service only signals "something was committed". One background task reads the events after
the last one it sent from the database and emits them in order, so events committed by racing
requests still leave in sequence, and nothing depends on one request's memory. Clients get a full
snapshot (`state`) on connect and whenever they ask (`snapshot`), e.g. after seeing a gap in `seq`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import request, session
from flask_socketio import Namespace, SocketIO, emit, join_room

from .service import HallService

log = logging.getLogger(__name__)
NAMESPACE = "/display"
CONSOLES = "consoles"   # room of manager pages, nudged when screens come, go or report sound

Enricher = Callable[[dict], dict]


class DisplayNamespace(Namespace):
    def __init__(self, hall: HallService, presence: "Presence"):
        super().__init__(NAMESPACE)
        self.hall = hall
        self.presence = presence
        self.state_extras: list[Callable[[], dict]] = []   # e.g. the recent announcements
        self.on_played_hooks: list[Callable[[int, str], None]] = []

    def _state(self) -> dict:
        state = self.hall.snapshot()
        for extra in self.state_extras:
            state |= extra()
        return state

    def on_connect(self, auth=None):
        emit("state", self._state())

    def on_disconnect(self, reason=None):
        self.presence.leave(request.sid)
        self._presence_changed()

    def on_snapshot(self, _data=None):
        emit("state", self._state())

    def on_hello(self, data):
        """A screen introduces itself: its name, which page, whether it is a speaker."""
        if isinstance(data, dict):
            # Who is behind a counter tablet comes from the log-in session, not from the client.
            self.presence.join(request.sid, data, user_id=session.get("user_id"),
                               counter_id=session.get("counter_id"))
            if data.get("page") == "manager":
                # Only a nudge to refetch the (authorised) overview goes to this room.
                join_room(CONSOLES)
            self._presence_changed()

    def on_sound(self, data):
        """A speaker reports whether the browser lets it play sound ('ok' or 'blocked')."""
        if isinstance(data, dict) and data.get("state") in ("ok", "blocked"):
            self.presence.update(request.sid, sound=data["state"])
            self._presence_changed()

    def on_played(self, data):
        """A speaker finished playing an announcement (by its seq)."""
        if isinstance(data, dict) and isinstance(data.get("seq"), int):
            name = self.presence.name(request.sid)
            self.presence.update(request.sid, last_played=data["seq"], sound="ok")
            for hook in self.on_played_hooks:
                hook(data["seq"], name)
            self._presence_changed()

    def _presence_changed(self) -> None:
        self.emit("presence", {}, room=CONSOLES)


class Presence:
    """Which screens are connected right now (for the manager's live view)."""

    def __init__(self):
        self._clients: dict[str, dict] = {}

    def join(self, sid: str, data: dict, *, user_id: int | None = None,
             counter_id: int | None = None) -> None:
        earlier = self._clients.get(sid, {})
        self._clients[sid] = {
            "user_id": user_id,
            "counter_id": counter_id,
            "name": str(data.get("name", ""))[:60],
            "page": str(data.get("page", ""))[:20],
            "speaker": bool(data.get("speaker")),
            "sound": earlier.get("sound") or str(data.get("sound", "unknown"))[:20],
            "last_played": earlier.get("last_played"),
        }

    def update(self, sid: str, **fields) -> None:
        # A report may overtake the client's hello; keep it rather than lose it.
        self._clients.setdefault(sid, {"name": "", "page": "", "speaker": True, "sound": "unknown",
                                       "user_id": None, "counter_id": None}).update(fields)

    def name(self, sid: str) -> str:
        return self._clients.get(sid, {}).get("name") or sid

    def leave(self, sid: str) -> None:
        self._clients.pop(sid, None)

    def list(self) -> list[dict]:
        return [dict(v, sid=k) for k, v in self._clients.items()]


class Broadcaster:
    """Sends committed events to the namespace in sequence order, from one background task."""

    def __init__(self, socketio: SocketIO, hall: HallService):
        self.socketio = socketio
        self.hall = hall
        self.enrichers: list[Enricher] = []
        self._wake = socketio.server.eio.create_event()
        self._last_sent = hall.snapshot()["seq"]
        self._task = None

    def start(self) -> None:
        hall = self.hall
        hall.subscribe(lambda _events: self._wake.set())
        self._task = self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            self._wake.wait(timeout=5)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # a bad event must not stop the hall's screens
                log.exception("broadcast failed; will retry")
                self.socketio.sleep(0.5)

    def flush(self) -> None:
        while True:
            events = self.hall.events_after(self._last_sent)
            if not events:
                return
            for event in events:
                for enrich in self.enrichers:
                    event = enrich(event)
                self.socketio.emit(event["type"], event, namespace=NAMESPACE)
                self._last_sent = event["seq"]
