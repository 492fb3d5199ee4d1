"""People and machines that may act: staff, supervisors, managers and API tokens.

Passwords are hashed with werkzeug's scrypt; tokens are random and stored only as SHA-256.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .store import Database
from .store import tables as t

ROLES = ("manager", "supervisor", "staff")
TOKEN_ROLES = ("manager", "counter")


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    """Who is asking: a logged-in person or a machine token."""

    kind: str                     # "user" or "token"
    role: str                     # manager, supervisor, staff, counter
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
            raise AccountError("Nama pengguna: 1–40 huruf/angka, boleh titik atau garis bawah.")
        if role not in ROLES:
            raise AccountError(f"Peran tidak dikenal: {role}")
        if len(password or "") < 8:
            raise AccountError("Kata sandi minimal 8 karakter.")
        if role == "supervisor" and not service_code:
            raise AccountError("Supervisor harus punya instansi (service). / A supervisor needs an agency.")
        with self.db.write() as s:
            if s.scalar(select(t.User.id).where(t.User.username == username)):
                raise AccountError(f"Nama pengguna {username!r} sudah dipakai.")
            counters = [s.get(t.Counter, cid) for cid in counter_ids or []]
            if None in counters:
                raise AccountError("Loket tidak dikenal.")
            service_id = None
            if service_code:
                service_id = s.scalar(select(t.Service.id).where(t.Service.code == service_code.upper()))
                if service_id is None:
                    raise AccountError(f"Layanan tidak dikenal: {service_code}")
            user = t.User(username=username, full_name=full_name, role=role,
                          password_hash=generate_password_hash(password), counters=counters,
                          service_id=service_id)
            s.add(user)
            s.flush()
            return user.id

    def authenticate(self, username: str, password: str) -> Principal | None:
        with self.db.read() as s:
            user = s.scalar(select(t.User).where(t.User.username == (username or "").strip().lower()))
            if user is None or not user.active or not check_password_hash(user.password_hash, password or ""):
                return None
            return self._principal(user)

    def principal_for_user(self, user_id: int) -> Principal | None:
        with self.db.read() as s:
            user = s.get(t.User, user_id)
            return self._principal(user) if user and user.active else None

    @staticmethod
    def _principal(user: t.User) -> Principal:
        return Principal(kind="user", role=user.role, name=user.full_name or user.username,
                         user_id=user.id, service_id=user.service_id,
                         counter_ids=frozenset(c.id for c in user.counters))

    def create_token(self, role: str, counter_id: int | None = None, label: str = "") -> str:
        if role not in TOKEN_ROLES:
            raise AccountError(f"Peran token harus salah satu dari {', '.join(TOKEN_ROLES)}")
        if role == "counter" and counter_id is None:
            raise AccountError("Token loket butuh --counter ID")
        token = secrets.token_urlsafe(32)
        with self.db.write() as s:
            if role == "counter" and s.get(t.Counter, counter_id) is None:
                raise AccountError(f"Loket {counter_id} tidak ada")
            s.add(t.ApiToken(token_hash=_digest(token), role=role,
                             counter_id=counter_id if role == "counter" else None,
                             created_at=datetime.now(timezone.utc), label=label))
        return token

    def principal_for_token(self, token: str) -> Principal | None:
        with self.db.read() as s:
            row = s.scalar(select(t.ApiToken).where(t.ApiToken.token_hash == _digest(token)))
            if row is None:
                return None
            return Principal(kind="token", role=row.role, name=row.label or f"token {row.id}",
                             counter_ids=frozenset([row.counter_id]) if row.counter_id else frozenset())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
