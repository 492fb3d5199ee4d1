"""Hall duties: work that must be done by one process of the hall at a time.

Scheduled announcements, opening-hours events, the kiosks' printers and the WhatsApp outbox
must not be done twice when several processes serve one hall (cluster.py). The process that
holds the lease (a row in `hall_duties`) does them; it renews the lease every RENEW_S, and if
it dies another process takes the row over once it has expired (LEASE_S). The database
decides, so two processes never both believe they hold it, whatever Redis does.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from . import tables as t
from .db import Database

log = logging.getLogger(__name__)
LEASE_S = 20.0
RENEW_S = 5.0
HALL = "hall"


class Duties:
    """The lease of one named duty, for this process."""

    def __init__(self, db: Database, holder: str, clock: Callable[[], datetime], name: str = HALL):
        self.db = db
        self.holder = holder
        self.clock = clock
        self.name = name
        self.held = False
        self.on_taken: list[Callable[[], None]] = []   # e.g. wake the workers at once

    def claim(self) -> bool:
        """Take or renew the lease; True while this process holds it."""
        now = self.clock()
        until = now + timedelta(seconds=LEASE_S)
        try:
            with self.db.write() as s:
                row = s.get(t.HallDuty, self.name, with_for_update=True)
                if row is None:
                    s.add(t.HallDuty(name=self.name, holder=self.holder, expires_at=until))
                    held = True
                elif row.holder == self.holder or row.expires_at <= now:
                    row.holder, row.expires_at = self.holder, until
                    held = True
                else:
                    held = False
        except IntegrityError:   # another process inserted the row first
            held = False
        was, self.held = self.held, held
        if held and not was:
            log.info("this process (%s) now does the hall's duties", self.holder)
            for hook in self.on_taken:
                hook()
        elif was and not held:
            log.warning("hall duties passed to another process")
        return held

    def release(self) -> None:
        with self.db.write() as s:
            row = s.get(t.HallDuty, self.name, with_for_update=True)
            if row is not None and row.holder == self.holder:
                s.delete(row)
        self.held = False

    def follow(self, sleep: Callable[[float], None]) -> None:
        """Keep claiming, forever (a background task)."""
        while True:
            try:
                self.claim()
            except Exception:   # database away: stop doing the duties until it is back
                log.exception("could not renew the hall duties lease")
                self.held = False
            sleep(RENEW_S)


class AlwaysHeld:
    """A hall of one process does every duty itself."""

    held = True

    def __init__(self):
        self.on_taken: list[Callable[[], None]] = []

    def follow(self, sleep: Callable[[float], None]) -> None:
        return None
