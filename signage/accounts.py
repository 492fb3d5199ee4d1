"""People and machines that may act: staff, supervisors, managers and API tokens.

Passwords are hashed with werkzeug's scrypt (off the event loop, see passwords.py); tokens and
session ids are random and stored only as SHA-256.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from .passwords import hash_password, verify_password
from .store import Database
from .store import tables as t
from .messages import N_

ROLES = ("manager", "supervisor", "staff")
TOKEN_ROLES = ("manager", "counter", "kiosk")   # kiosk: a machine that issues tickets
SESSION_TOUCH = timedelta(minutes=5)   # last_seen_at is written at most this often
TOKEN_TOUCH = timedelta(minutes=1)     # a token's last_used_at, likewise
log = logging.getLogger(__name__)


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    """Who is asking: a logged-in person or a machine token."""

    kind: str                     # "user" or "token"
    role: str                     # manager, supervisor, staff, counter, kiosk
    name: str
    user_id: int | None = None
    service_id: int | None = None
    counter_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    def may_operate(self, counter_id: int) -> bool:
        return self.role in ("staff", "counter") and counter_id in self.counter_ids


class Accounts:
    def __init__(self, db: Database):
        self.db = db

    def has_manager(self) -> bool:
        with self.db.read() as s:
            return s.scalar(select(t.User.id).where(t.User.role == "manager").limit(1)) is not None

    def add_user(self, username: str, password: str, role: str, *, full_name: str = "",
                 counter_ids: list[int] | None = None, service_code: str | None = None) -> int:
        username = (username or "").strip().lower()
        if not username or len(username) > 40 or not username.replace(".", "").replace("_", "").isalnum():
            raise AccountError(N_("Nama pengguna: 1–40 huruf/angka, boleh titik atau garis bawah."))
        if role not in ROLES:
            raise AccountError(N_("Peran tidak dikenal: %(role)s", role=role))
        if not 8 <= len(password or "") <= 200:
            raise AccountError(N_("Kata sandi: 8–200 karakter."))
        if role == "supervisor" and not service_code:
            raise AccountError(N_("Supervisor harus punya instansi (kode layanan, mis. --service E)."))
        password_hash = hash_password(password)
        with self.db.write() as s:
            if s.scalar(select(t.User.id).where(t.User.username == username)):
                raise AccountError(N_("Nama pengguna %(username)s sudah dipakai.", username=repr(username)))
            counters = [s.get(t.Counter, cid) for cid in counter_ids or []]
            if None in counters:
                raise AccountError(N_("Loket tidak dikenal."))
            service_id = None
            if service_code:
                service_id = s.scalar(select(t.Service.id).where(t.Service.code == service_code.upper()))
                if service_id is None:
                    raise AccountError(N_("Layanan tidak dikenal: %(service_code)s", service_code=service_code))
            user = t.User(username=username, full_name=full_name, role=role,
                          password_hash=password_hash, counters=counters,
                          service_id=service_id)
            s.add(user)
            s.flush()
            return user.id

    def authenticate(self, username: str, password: str) -> Principal | None:
        """The user for these credentials, or None. Costs one hash whether or not the name exists;
        may raise passwords.Busy when too many checks are queued."""
        with self.db.read() as s:
            user = s.scalar(select(t.User).where(t.User.username == (username or "").strip().lower()[:40]))
            stored = user.password_hash if user is not None and user.active else None
            principal = self._principal(user) if stored else None
        return principal if verify_password(stored, password) else None

    def set_password(self, user_id: int, password: str) -> None:
        """A new password (e.g. from the command line); every session of that user ends."""
        password_hash = hash_password(password)
        with self.db.write() as s:
            user = s.get(t.User, user_id)
            if user is None:
                raise AccountError(N_("Pengguna tidak ada."))
            user.password_hash = password_hash
            self.end_sessions_in(s, user_id)

    # ---- sessions of logged-in people ------------------------------------------------------
    def open_session(self, user_id: int, lifetime: timedelta, address: str | None = None) -> str:
        """A new server-side session; returns the id for the cookie (only its hash is kept)."""
        session_id = secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc)
        with self.db.write() as s:
            s.execute(delete(t.UserSession).where(t.UserSession.expires_at < now))
            s.add(t.UserSession(id_hash=secret_digest(session_id), user_id=user_id, created_at=now,
                                last_seen_at=now, expires_at=now + lifetime,
                                address=(address or "")[:64]))
        return session_id

    def principal_for_session(self, session_id: str) -> Principal | None:
        """The active user behind a session id, if the session is still open."""
        now = datetime.now(timezone.utc)
        with self.db.read() as s:
            row = s.get(t.UserSession, secret_digest(session_id))
            if row is None or row.expires_at <= now:
                return None
            user = s.get(t.User, row.user_id)
            principal = self._principal(user) if user is not None and user.active else None
            stale = now - row.last_seen_at > SESSION_TOUCH
        if principal is not None and stale:
            with self.db.write() as s:
                s.execute(update(t.UserSession).where(t.UserSession.id_hash == secret_digest(session_id))
                          .values(last_seen_at=now))
        return principal

    def end_session(self, session_id: str) -> None:
        with self.db.write() as s:
            s.execute(delete(t.UserSession).where(t.UserSession.id_hash == secret_digest(session_id)))

    def end_sessions(self, user_id: int) -> int:
        """Log a user out everywhere (password reset, account disabled)."""
        with self.db.write() as s:
            return self.end_sessions_in(s, user_id)

    @staticmethod
    def end_sessions_in(s, user_id: int) -> int:
        """The same, inside the caller's transaction."""
        return s.execute(delete(t.UserSession).where(t.UserSession.user_id == user_id)).rowcount

    def principal_for_user(self, user_id: int) -> Principal | None:
        with self.db.read() as s:
            user = s.get(t.User, user_id)
            return self._principal(user) if user and user.active else None

    @staticmethod
    def _principal(user: t.User) -> Principal:
        return Principal(kind="user", role=user.role, name=user.full_name or user.username,
                         user_id=user.id, service_id=user.service_id,
                         counter_ids=frozenset(c.id for c in user.counters))

    # ---- API tokens of machines ---------------------------------------------------------------
    def create_token(self, role: str, counter_id: int | None = None, label: str = "", *,
                     expires_at: datetime | None = None) -> str:
        """A new token for a machine; only its hash is kept, so this is the one time it is seen."""
        return self.issue_token(role, counter_id, label, expires_at=expires_at)["token"]

    def issue_token(self, role: str, counter_id: int | None = None, label: str = "", *,
                    expires_at: datetime | None = None) -> dict:
        """Like create_token, with the token's listing (id, role, ...) beside the token itself."""
        if role not in TOKEN_ROLES:
            raise AccountError(N_("Peran token harus salah satu dari %(names)s", names=', '.join(TOKEN_ROLES)))
        if role == "counter" and counter_id is None:
            raise AccountError(N_("Token loket butuh --counter ID"))
        if role != "counter" and counter_id is not None:
            raise AccountError(N_("Hanya token loket (role counter) yang punya loket."))
        if expires_at is not None and expires_at.tzinfo is None:
            raise AccountError(N_("expires_at: waktu UTC (dengan zona waktu)."))
        token = secrets.token_urlsafe(32)
        with self.db.write() as s:
            if role == "counter" and s.get(t.Counter, counter_id) is None:
                raise AccountError(N_("Loket %(counter_id)s tidak ada", counter_id=counter_id))
            row = t.ApiToken(token_hash=secret_digest(token), role=role, counter_id=counter_id,
                             created_at=datetime.now(timezone.utc), label=label or "",
                             expires_at=expires_at)
            s.add(row)
            s.flush()
            return self._token_view(s, row) | {"token": token}

    def principal_for_token(self, token: str) -> Principal | None:
        """The machine behind a token, unless it is unknown, revoked or expired. Notes when it
        was last used, to the minute (so a busy counter does not write on every request)."""
        if not token:
            return None
        now = datetime.now(timezone.utc)
        with self.db.read() as s:
            row = s.scalar(select(t.ApiToken).where(t.ApiToken.token_hash == secret_digest(token)))
            if row is None or row.revoked_at is not None or (
                    row.expires_at is not None and row.expires_at <= now):
                return None
            token_id = row.id
            touch = row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH
            principal = Principal(kind="token", role=row.role, name=row.label or f"token {row.id}",
                                  counter_ids=frozenset([row.counter_id]) if row.counter_id else frozenset())
        if touch:
            try:
                with self.db.write() as s:
                    s.execute(update(t.ApiToken).where(t.ApiToken.id == token_id).values(last_used_at=now))
            except SQLAlchemyError:  # a busy or full disk must not refuse a good token
                log.warning("could not note the use of token %s", token_id, exc_info=True)
        return principal

    def list_tokens(self) -> list[dict]:
        """Every token ever issued, newest first, with its state; never the token itself."""
        with self.db.read() as s:
            return [self._token_view(s, row) for row in
                    s.scalars(select(t.ApiToken).order_by(t.ApiToken.id.desc()))]

    def revoke_token(self, token_id: int) -> dict | None:
        """Refuse this token from now on (kept in the list, marked revoked). None: no such token."""
        with self.db.write() as s:
            row = s.get(t.ApiToken, token_id)
            if row is None:
                return None
            if row.revoked_at is None:
                row.revoked_at = datetime.now(timezone.utc)
            s.flush()
            return self._token_view(s, row)

    @staticmethod
    def _token_view(s, row: t.ApiToken) -> dict:
        now = datetime.now(timezone.utc)
        counter = s.get(t.Counter, row.counter_id) if row.counter_id else None
        state = ("revoked" if row.revoked_at is not None else
                 "expired" if row.expires_at is not None and row.expires_at <= now else "active")
        return {"id": row.id, "role": row.role, "counter_id": row.counter_id,
                "counter": counter.name if counter else None, "label": row.label,
                "created_at": _iso(row.created_at), "expires_at": _iso(row.expires_at),
                "last_used_at": _iso(row.last_used_at), "revoked_at": _iso(row.revoked_at),
                "state": state}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def secret_digest(token: str) -> str:
    """How tokens, session ids and device secrets are kept: only their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
