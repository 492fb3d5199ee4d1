"""The outbox's background task: off the path of every call, across restarts.

Woken when a message is queued or the queue changed (the broadcaster's relay), and every
IDLE_WAIT seconds anyway: it first turns queue changes into messages (Outbox.on_change), then
sends what is due, one at a time, each bounded by the sender's time-out, and erases the numbers
whose service day has ended. Nothing here runs in a counter's request.
"""
from __future__ import annotations

import logging
import time

from .outbox import Outbox

log = logging.getLogger(__name__)
IDLE_WAIT = 5.0
ERASE_EVERY = 60.0


class NotifyWorker:
    def __init__(self, outbox: Outbox, socketio, duties=None):
        self.outbox = outbox
        self.socketio = socketio
        self.duties = duties       # store/duties.py: one process of the hall sends (None: this one)
        self._wake = socketio.server.eio.create_event()
        self._changed = True             # a pass right after start: what changed while down
        self._erased_at = 0.0
        outbox.wake = self._wake.set

    def queue_changed(self, _event: dict | None = None) -> None:
        """The broadcaster's relay: cheap, only marks work for the task."""
        self._changed = True
        self._wake.set()

    def start(self) -> None:
        self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            wait = IDLE_WAIT
            try:
                wait = self.pass_once()
            except Exception:   # messages must never stop the hall, nor this loop
                log.exception("outbox pass failed")
            self._wake.wait(timeout=wait)
            self._wake.clear()

    def pass_once(self) -> float:
        if self.duties is not None and not self.duties.held:
            self._changed = True   # whoever holds the duties now looks at everything
            return IDLE_WAIT
        if self._changed:
            self._changed = False
            self.outbox.on_change()
        sender = None
        due = self.outbox.due()
        if due:
            sender = self.outbox.sender()
        for message_id, phone, body in due:
            self.outbox.send_one(message_id, phone, body, sender)
            self.socketio.sleep(0)
        if time.monotonic() - self._erased_at >= ERASE_EVERY:
            self._erased_at = time.monotonic()
            self.outbox.erase_expired()
        left = self.outbox.next_due_in()
        return IDLE_WAIT if left is None else min(IDLE_WAIT, max(left, 0.2))
