"""Socket.IO: every committed event, in sequence order, to every screen.

The service only signals "something was committed". One background task reads the events after
the last one it sent from the database and emits them in order, so events committed by racing
requests still leave in sequence, and nothing depends on one request's memory. They leave as
`events`: a list of events (each with its `type` and `seq`), all that was committed since the
last frame, so a press's `finished` and `called` cost one frame per screen, not two. Clients get a full
snapshot (`state`) on connect and whenever they ask (`snapshot`), e.g. after seeing a gap in `seq`.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import request, session
from flask_socketio import ConnectionRefusedError, Namespace, SocketIO, emit, join_room

from .messages import N_
from .ratelimit import BucketTable, Rate, TokenBucket
from .service import HallService

log = logging.getLogger(__name__)
NAMESPACE = "/display"
CONSOLES = "consoles"   # room of manager pages, nudged when screens come, go or report sound
DEVICE_COOKIE = "signage_device"   # a paired device's secret (see devices.py)
SPOKEN = ("called", "announce")     # the events the hall's voice speaks
EVENTS = "events"   # the one Socket.IO event of the hall's history: a list of events in seq order
BATCH = 100         # events per frame at most (catching up after a restart sends several)
STALE_AFTER = timedelta(minutes=3)  # older than this when sent: shown, not spoken (Broadcaster)
RESTORE_SCAN = 1000                 # fresh calls to restore on start lie within this many events

Enricher = Callable[[list[dict]], list[dict]]   # a batch of events in, the same batch out


TOO_MANY_CONNECTIONS = N_("Terlalu banyak sambungan dari alamat ini. Coba lagi sebentar.")


def refused(message) -> ConnectionRefusedError:
    """Refuse a Socket.IO connection with `message` (an N_() message) in the reader's language,
    chosen as for HTTP from the handshake: ?lang= in the Socket.IO URL, the lang cookie, else
    Accept-Language (web/language.py). The client gets it as connect_error's `message`."""
    from .web.language import tr     # here: signage.web imports this module
    return ConnectionRefusedError(tr(message))


class DisplayNamespace(Namespace):
    """Every screen, tablet and console page of the hall, on one namespace.

    Anyone on the hall network may watch (the screens show it on the wall anyway); what a client
    *says* counts only when the server knows who it is: a logged-in session (counter tablets,
    consoles) or a paired device (speakers). Every incoming event passes `trigger_event` first,
    where per-connection and per-address token buckets drop floods before any work is done; a
    client that keeps flooding is disconnected. Snapshots come from a short-lived cache, so even
    allowed requests for one are cheap.
    """

    def __init__(self, hall: HallService, cluster, accounts, devices, *, max_per_address: int = 30):
        super().__init__(NAMESPACE)
        self.hall = hall
        self.cluster = cluster          # cluster.Cluster: presence and counts, hall-wide
        self.presence = cluster.presence
        self.accounts = accounts
        self.devices = devices
        self.max_per_address = max_per_address
        self.snapshots = SnapshotCache(hall)
        self.state_extras: list[Callable[[], dict]] = []   # e.g. the recent announcements
        self.on_played_hooks: list[Callable[[int, str], None]] = []
        self._clients: dict[str, _Client] = {}
        self._per_address: dict[str, int] = {}
        self._address_events = BucketTable(ADDRESS_EVENTS)
        self._nudge_due = False

    # ---- the gate ----------------------------------------------------------------------
    def trigger_event(self, event, *args):
        """Per event name, per connection and per address: what is over its rate is dropped."""
        if event not in ("connect", "disconnect") and args:
            client = self._clients.get(args[0])
            if client is None or not (client.allow(event) and self._address_events.take(client.address)):
                return None
        return super().trigger_event(event, *args)

    def on_connect(self, auth=None):
        address = request.remote_addr or "?"
        if self._per_address.get(address, 0) >= self.max_per_address:
            raise refused(TOO_MANY_CONNECTIONS)
        principal = None
        if isinstance(session.get("sid"), str):
            principal = self.accounts.principal_for_session(session["sid"])
        device = self.devices.identify(request.cookies.get(DEVICE_COOKIE))
        self._clients[request.sid] = _Client(address=address, principal=principal, device=device)
        self._per_address[address] = self._per_address.get(address, 0) + 1
        if device is not None:
            join_room(device_room(device.id) if device.paired else pending_device_room(device.id))
            emit("device", {"paired": device.paired, "kind": device.kind, "name": device.name})
        self._count_anonymous()
        emit("state", self._state())

    def on_disconnect(self, reason=None):
        client = self._clients.pop(request.sid, None)
        if client is not None:
            left = self._per_address.get(client.address, 1) - 1
            if left > 0:
                self._per_address[client.address] = left
            else:
                self._per_address.pop(client.address, None)
        if self.presence.leave(request.sid):
            self._presence_changed()
        self._count_anonymous()

    def on_snapshot(self, _data=None):
        emit("state", self._state())

    def on_hello(self, data):
        """A page introduces itself. Only known clients are listed in the console, under the
        name the server has for them (the device's or the account's), never one they send."""
        client = self._clients.get(request.sid)
        if not isinstance(data, dict) or client is None:
            return
        page = data.get("page") if data.get("page") in PAGES else ""
        principal, device = client.principal, client.device
        if device is not None and device.paired:
            self.presence.join(request.sid, name=device.name, page=page or device.kind,
                               speaker=bool(data.get("speaker")), device_id=device.id)
        elif principal is not None:
            self.presence.join(request.sid, name=principal.name, page=page, speaker=False,
                               user_id=principal.user_id, counter_id=session.get("counter_id"))
            if page == "manager" and principal.role in ("manager", "supervisor"):
                # Only a nudge to refetch the (authorised) overview goes to this room.
                join_room(CONSOLES)
        else:
            return
        self._count_anonymous()
        self._presence_changed()

    def on_sound(self, data):
        """A paired speaker reports whether its browser lets it play sound ('ok' or 'blocked')."""
        if self._speaker(request.sid) and isinstance(data, dict) and data.get("state") in ("ok", "blocked"):
            if self.presence.update(request.sid, sound=data["state"]):
                self._presence_changed()

    def on_played(self, data):
        """A paired speaker finished playing an announcement (by its seq)."""
        device = self._speaker(request.sid)
        seq = data.get("seq") if isinstance(data, dict) else None
        if device is None or not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2 ** 31:
            return
        self.presence.update(request.sid, last_played=seq, sound="ok")
        for hook in self.on_played_hooks:
            hook(seq, device.name)
        self._presence_changed()

    def on_speaking(self, data):
        """A paired speaker starts an announcement (`seq`; None: it fell silent) with `waiting`
        (the seqs still to play): relayed to every screen as `speaking` {zone, now, waiting}, so
        screens without a voice light the same call (display.js). No seq of its own: it is not
        part of the hall's history."""
        from .zones import zone_name
        if self._speaker(request.sid) is None or not isinstance(data, dict):
            return
        seq, waiting = data.get("seq"), data.get("waiting", [])
        if seq is not None and not _small_id(seq):
            return
        if not isinstance(waiting, list) or len(waiting) > 50 or not all(map(_small_id, waiting)):
            return
        try:
            zone = zone_name(data.get("zone"))
        except Exception:  # InvalidRequest: a bad zone name is simply not relayed
            return
        self.socketio.emit("speaking", {"zone": zone, "now": seq, "waiting": waiting},
                           namespace=self.namespace)

    # ---- helpers -----------------------------------------------------------------------
    def anonymous_count(self) -> int:
        """Screens connected without a name, in the whole hall."""
        return self.cluster.anonymous()

    def _count_anonymous(self) -> None:
        self.cluster.set_anonymous(max(0, len(self._clients) - self.presence.count()))

    def _speaker(self, sid: str):
        client = self._clients.get(sid)
        device = client.device if client else None
        return device if device is not None and device.paired and device.kind == "display" else None

    def _state(self) -> dict:
        state = dict(self.snapshots.get())
        for extra in self.state_extras:
            state |= extra()
        return state

    def _presence_changed(self) -> None:
        """Nudge the consoles at most once a second, however many screens come and go."""
        if self._nudge_due:
            return
        self._nudge_due = True

        def nudge():
            self.socketio.sleep(PRESENCE_NUDGE_S)
            self._nudge_due = False
            self.socketio.emit("presence", {}, room=CONSOLES, namespace=self.namespace)
        self.socketio.start_background_task(nudge)


def limit_incoming(socketio: SocketIO) -> None:
    """Guard every Engine.IO message of every connection, before it is even decoded as an event.

    A client that sends as fast as it can would otherwise keep the server's reader busy (a green
    socket that always has data never yields), so every message first yields to the rest of the
    hall, then takes a token from its connection's bucket; a connection that keeps sending past
    its rate is cut off. Hooked on Engine.IO's message handler, which python-socketio registers.
    """
    server = socketio.server
    handle_message = server._handle_eio_message
    handle_disconnect = server._handle_eio_disconnect
    buckets: dict[str, TokenBucket] = {}
    dropped: dict[str, int] = {}

    def on_message(eio_sid, data):
        socketio.sleep(0)
        bucket = buckets.get(eio_sid)
        if bucket is None:
            bucket = buckets[eio_sid] = TokenBucket(MESSAGES)
        if bucket.take():
            return handle_message(eio_sid, data)
        dropped[eio_sid] = dropped.get(eio_sid, 0) + 1
        if dropped[eio_sid] == MAX_DROPPED:
            log.warning("closing a connection that keeps flooding (%s messages over its rate)", MAX_DROPPED)
            server.eio.disconnect(eio_sid)
        return None

    def on_disconnect(eio_sid, *args):
        buckets.pop(eio_sid, None)
        dropped.pop(eio_sid, None)
        return handle_disconnect(eio_sid, *args)

    server.eio.on("message", on_message)
    server.eio.on("disconnect", on_disconnect)


PAGES = ("display", "kiosk", "counter", "manager")
PRESENCE_NUDGE_S = 1.0
MESSAGES = Rate(burst=30, per_second=5)   # all Socket.IO messages of one connection
MAX_DROPPED = 100          # messages refused to one connection before it is cut off
EVENT_RATES = {            # per connection
    "snapshot": Rate(burst=3, per_second=0.5),
    "hello": Rate(burst=3, per_second=1 / 30),
    "sound": Rate(burst=5, per_second=1),
    "played": Rate(burst=10, per_second=2),
    "speaking": Rate(burst=10, per_second=2),
}
OTHER_EVENTS = Rate(burst=5, per_second=1)
ADDRESS_EVENTS = Rate(burst=60, per_second=20)   # all connections of one address together


@dataclass
class _Client:
    address: str
    principal: object = None
    device: object = None
    dropped: int = 0
    buckets: dict = field(default_factory=dict)

    def allow(self, event: str) -> bool:
        bucket = self.buckets.get(event)
        if bucket is None:
            key = event if event in EVENT_RATES else "*"
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = TokenBucket(EVENT_RATES.get(key, OTHER_EVENTS))
        return bucket.take()


def _small_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 31


def device_room(device_id: int) -> str:
    return f"device-{device_id}"


def pending_device_room(device_id: int) -> str:
    return f"pairing-{device_id}"


class SnapshotCache:
    """The hall's snapshot, rebuilt at most once per `ttl` seconds and at once after a commit:
    a thousand screens reconnecting together (a process restarted) cost one query, not a
    thousand. Callers that arrive while it is being built wait for that build instead of
    starting their own (each would hold a database connection; the pool has a few)."""

    def __init__(self, hall: HallService, ttl: float = 1.0):
        self.hall = hall
        self.ttl = ttl
        self._value: dict | None = None
        self._built = 0.0
        self._generation = 0            # moves on every invalidate()
        self._building = threading.Lock()
        hall.subscribe(lambda _events: self.invalidate())

    def get(self) -> dict:
        value = self._fresh()
        if value is not None:
            return value
        with self._building:
            value = self._fresh()       # built by the caller we waited for
            if value is not None:
                return value
            generation = self._generation
            value = self.hall.snapshot()
            if generation == self._generation:   # no commit while it was read: keep it
                self._value, self._built = value, time.monotonic()
            return value

    def invalidate(self) -> None:
        self._generation += 1
        self._value = None

    def _fresh(self) -> dict | None:
        value = self._value
        return value if value is not None and time.monotonic() - self._built <= self.ttl else None


class Presence:
    """Which known screens and tablets are connected to this process right now (for the
    manager's live view). cluster.SharedPresence keeps the whole hall's list in Redis."""

    def __init__(self, process: str = ""):
        self.process = process
        self._clients: dict[str, dict] = {}

    def join(self, sid: str, *, name: str, page: str, speaker: bool, user_id: int | None = None,
             counter_id: int | None = None, device_id: int | None = None) -> None:
        earlier = self._clients.get(sid, {})
        self._clients[sid] = {"user_id": user_id, "counter_id": counter_id, "device_id": device_id,
                              "name": name, "page": page, "speaker": speaker,
                              "sound": earlier.get("sound", "unknown"),
                              "last_played": earlier.get("last_played")}

    def update(self, sid: str, **fields) -> bool:
        """Change a listed client; False (nothing done) for one that never said hello."""
        entry = self._clients.get(sid)
        if entry is None:
            return False
        entry.update(fields)
        return True

    def has(self, sid: str) -> bool:
        return sid in self._clients

    def count(self) -> int:
        """Named clients connected to this process."""
        return len(self._clients)

    def leave(self, sid: str) -> bool:
        return self._clients.pop(sid, None) is not None

    def list(self) -> list[dict]:
        return [dict(v, sid=k, process=self.process) for k, v in self._clients.items()]

    def _entries(self) -> dict[str, dict]:
        return self._clients


class Broadcaster:
    """Sends committed events to the namespace in sequence order, from one background task.

    What was committed is announced, also across a crash. After each emitted batch the seq of
    its last event is saved (settings row "broadcast_seq", one small write per batch), and
    `start()` first catches up from there, synchronously, before the server accepts connections:
    a call answered 200 just before a `kill -9` is sent and queued for speech on restart, so a
    reconnecting speaker's first `state` already holds it (`HallSpeaker.recent()`). A crash
    between the emit and the save sends that batch once more: at least once, never lost.

    The stale rule: a `called` or `announce` event that leaves more than STALE_AFTER (3 minutes)
    after it was committed (in practice: when catching up after a restart) is sent with
    `"stale": true`, without audio, and is not queued for speech: a visitor who waited ten
    minutes must not hear a call for someone long gone. Screens still get it, so their state
    is right. Fresher ones are sent and spoken normally. Calls already sent before the restart
    that are still fresh are handed to the enrichers again (not sent again), so the voice's queue
    holds them as before and a speaker cut off by the crash still finds them in `state`.
    """

    def __init__(self, socketio: SocketIO, hall: HallService, poll_s: float = 5.0,
                 snapshots: "SnapshotCache | None" = None):
        self.socketio = socketio
        self.hall = hall
        # Dropped before each frame of events leaves: a screen connecting while it is sent must
        # not get a snapshot from before it (with several processes the broadcaster may find an event by
        # its poll before the commit's nudge has reached the cache).
        self.snapshots = snapshots
        self.poll_s = poll_s   # a look at the database even without a nudge (cluster.py)
        self.enrichers: list[Enricher] = []
        self.relays: list[Callable[[dict], None]] = []   # each event, after its frame (web/visitor.py)
        self._wake = socketio.server.eio.create_event()
        self._last_sent: int | None = None   # read from the database by catch_up()
        self._task = None

    def start(self) -> None:
        """Catch up (before returning), then follow new commits from one background task."""
        try:
            self.catch_up()
        except Exception:  # the loop below retries; the hall must still start
            log.exception("catching up after start failed; will retry")
        hall = self.hall
        hall.subscribe(lambda _events: self._wake.set())
        self._task = self.socketio.start_background_task(self._run)

    def catch_up(self) -> int:
        """Restore the fresh announcements already sent, then send everything committed since
        the saved position. Returns the number of events sent."""
        self._last_sent = self.hall.broadcast_position()
        since = self.hall.clock() - STALE_AFTER
        self._enrich(self.hall.events_between(max(0, self._last_sent - RESTORE_SCAN), self._last_sent,
                                              SPOKEN, since))
        before = self._last_sent
        sent = self.flush()
        log.info("broadcaster caught up from seq %s: %s events sent", before, sent)
        return sent

    def _run(self) -> None:
        while True:
            self._wake.wait(timeout=self.poll_s)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # a bad event must not stop the hall's screens
                log.exception("broadcast failed; will retry")
                self.socketio.sleep(0.5)

    def flush(self) -> int:
        if self._last_sent is None:
            self._last_sent = self.hall.broadcast_position()
        sent = 0
        while True:
            events = self.hall.events_after(self._last_sent, limit=BATCH)
            if not events:
                return sent
            now = self.hall.clock()
            batch = self._enrich([_stale_marked(event, now) for event in events])
            if self.snapshots is not None:
                self.snapshots.invalidate()
            # All of them in one frame: a call-next commits `finished` and `called` together, and
            # at rush hour several presses land between two flushes. Each frame costs the server
            # a queue, a task switch and a send per screen, whatever its size.
            # To this process's own connections only: with several processes (cluster.py) each
            # has its own broadcaster reading the same events, so a screen gets each event once,
            # from the process it is attached to.
            self.socketio.emit(EVENTS, batch, namespace=NAMESPACE, ignore_queue=True)
            for event in batch:
                for relay in self.relays:
                    relay(event)
            self._last_sent = batch[-1]["seq"]
            sent += len(batch)
            # Let the screens' writers send the frames before the position's write (a blocking
            # SQLite commit with fsync); a crash in between still sends the batch again.
            time.sleep(0)
            self.hall.save_broadcast_position(self._last_sent)

    def _enrich(self, events: list[dict]) -> list[dict]:
        for enrich in self.enrichers:
            events = enrich(events)
        return events


def _stale_marked(event: dict, now: datetime) -> dict:
    if event.get("type") in SPOKEN and _age(event, now) > STALE_AFTER:
        return event | {"stale": True}
    return event


def _age(event: dict, now: datetime) -> timedelta:
    try:
        return now - datetime.fromisoformat(event["at"])
    except (KeyError, TypeError, ValueError):
        return timedelta(0)
