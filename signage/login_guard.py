"""Log-in throttling: per account name and per address, kept in the database.

Checked before any password is hashed, so a locked name or address costs one small read. A name
that does not exist is counted and locked exactly like a real one: the answers do not tell which
names exist. Managers see the locks in the console and can lift them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from .store import Database
from .store import tables as t


@dataclass(frozen=True)
class Policy:
    failures: int
    window: timedelta
    lock: timedelta


ACCOUNT = Policy(failures=5, window=timedelta(minutes=15), lock=timedelta(minutes=15))
ADDRESS = Policy(failures=20, window=timedelta(minutes=15), lock=timedelta(minutes=15))
MAX_NAME = 40


def account_key(username: str) -> str:
    return "user:" + (username or "").strip().lower()[:MAX_NAME]


def address_key(address: str | None) -> str:
    return "addr:" + (address or "?")[:64]


class LoginGuard:
    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self.db = db
        self.clock = clock
        self._checking: set[str] = set()   # addresses with a password check under way

    def begin_check(self, address: str | None) -> bool:
        """One password check at a time per address: a flood from one device cannot fill the
        hashing queue ahead of the staff at the other tablets. False: refuse this attempt."""
        key = address_key(address)
        if key in self._checking:
            return False
        self._checking.add(key)
        return True

    def end_check(self, address: str | None) -> None:
        self._checking.discard(address_key(address))

    def locked_until(self, username: str, address: str | None) -> datetime | None:
        """The later lock of this name or this address, if either is locked now."""
        now = self.clock()
        with self.db.read() as s:
            locks = [r.locked_until for r in s.scalars(select(t.LoginFailure).where(
                t.LoginFailure.key.in_([account_key(username), address_key(address)])))
                if r.locked_until and r.locked_until > now]
        return max(locks) if locks else None

    def failed(self, username: str, address: str | None) -> None:
        now = self.clock()
        with self.db.write() as s:
            s.execute(delete(t.LoginFailure).where(
                t.LoginFailure.last_at < now - max(ACCOUNT.window, ADDRESS.window) - ACCOUNT.lock,
                (t.LoginFailure.locked_until.is_(None)) | (t.LoginFailure.locked_until < now)))
            for key, policy in ((account_key(username), ACCOUNT), (address_key(address), ADDRESS)):
                row = s.get(t.LoginFailure, key)
                if row is None or now - row.first_at > policy.window:
                    row = s.merge(t.LoginFailure(key=key, failures=0, first_at=now, last_at=now,
                                                 locked_until=None))
                row.failures += 1
                row.last_at = now
                if row.failures >= policy.failures:
                    row.locked_until = now + policy.lock

    def succeeded(self, username: str) -> None:
        with self.db.write() as s:
            s.execute(delete(t.LoginFailure).where(t.LoginFailure.key == account_key(username)))

    def locks(self) -> list[dict]:
        """Names and addresses locked right now, for the console."""
        now = self.clock()
        with self.db.read() as s:
            rows = s.scalars(select(t.LoginFailure).where(t.LoginFailure.locked_until > now)
                             .order_by(t.LoginFailure.locked_until)).all()
            return [{"key": r.key, "kind": "account" if r.key.startswith("user:") else "address",
                     "value": r.key.split(":", 1)[1], "failures": r.failures,
                     "locked_until": r.locked_until.isoformat()} for r in rows]

    def lift(self, key: str) -> bool:
        with self.db.write() as s:
            return s.execute(delete(t.LoginFailure).where(t.LoginFailure.key == key)).rowcount > 0
