"""Hall devices (TVs that speak, kiosks that issue tickets), paired by a manager.

A device that is not paired yet asks for pairing: it gets a random secret (kept in an HttpOnly
cookie, stored here only as SHA-256) and a six-digit code it shows on its screen. A manager types
that code in the console, names the device, and from then on the secret identifies it: a kiosk
may issue tickets, a speaker's "played" and "sound" reports count. A manager can revoke a device
at any time. Nothing is trusted by network address.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from . import audit, queue
from .accounts import Principal, secret_digest
from .store import Database
from .store import tables as t
from .messages import N_

KINDS = ("display", "kiosk", "survey")   # survey: a counter-facing feedback tablet
CODE_LIFETIME = timedelta(minutes=15)
MAX_PENDING = 200          # unpaired requests kept at once; more is refused, so none can fill the table
TOUCH_EVERY = timedelta(minutes=5)


class DeviceError(queue.QueueError):
    status = 400


class UnknownDevice(queue.QueueError):
    status = 404


class TooManyPending(queue.QueueError):
    status = 429


@dataclass(frozen=True)
class DeviceIdentity:
    id: int
    kind: str
    name: str
    paired: bool


class Devices:
    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self.db = db
        self.clock = clock

    # ---- the device's side -----------------------------------------------------------
    def request_pairing(self, kind: object, name: object, secret: str | None,
                        address: str | None) -> tuple[dict, str | None]:
        """(what the device shows, a new secret for its cookie or None to keep the old one)."""
        if kind not in KINDS:
            raise DeviceError(N_("kind: %(names)s.", names=', '.join(KINDS)))
        label = _name(name, required=False)
        now = self.clock()
        with self.db.write() as s:
            row = s.scalar(select(t.Device).where(t.Device.secret_hash == secret_digest(secret))) \
                if secret else None
            if row is not None and row.revoked_at is None and row.paired_at is not None:
                return _mine(row), None
            new_secret = None
            if row is None or row.revoked_at is not None or row.kind != kind:
                s.execute(delete(t.Device).where(t.Device.paired_at.is_(None),
                                                 t.Device.code_expires_at < now - timedelta(days=1)))
                pending = s.scalar(select(func.count()).select_from(t.Device).where(
                    t.Device.paired_at.is_(None), t.Device.code_expires_at > now))
                if pending >= MAX_PENDING:
                    raise TooManyPending(N_("Terlalu banyak perangkat menunggu dipasangkan. Coba lagi nanti."))
                new_secret = secrets.token_urlsafe(32)
                row = t.Device(kind=kind, secret_hash=secret_digest(new_secret), created_at=now)
                s.add(row)
            if row.code is None or row.code_expires_at <= now:
                row.code = self._free_code(s, now)
                row.code_expires_at = now + CODE_LIFETIME
            row.name = label or row.name
            row.address = (address or "")[:64]
            s.flush()
            return _mine(row), new_secret

    def identify(self, secret: str | None) -> DeviceIdentity | None:
        """The device behind a cookie secret: paired or waiting; None if unknown or revoked."""
        if not secret or len(secret) > 100:
            return None
        now = self.clock()
        with self.db.read() as s:
            row = s.scalar(select(t.Device).where(t.Device.secret_hash == secret_digest(secret)))
            if row is None or row.revoked_at is not None:
                return None
            identity = DeviceIdentity(id=row.id, kind=row.kind, name=row.name,
                                      paired=row.paired_at is not None)
            stale = identity.paired and (row.last_seen_at is None or now - row.last_seen_at > TOUCH_EVERY)
        if stale:
            with self.db.write() as s:
                s.execute(update(t.Device).where(t.Device.id == identity.id).values(last_seen_at=now))
        return identity

    # ---- the manager's side ----------------------------------------------------------
    def confirm(self, actor: Principal, code: object, name: object) -> dict:
        if not isinstance(code, str) or not code.strip().replace(" ", "").isdigit():
            raise DeviceError(N_("Kode pemasangan: 6 angka yang tampil di layar perangkat."))
        code = code.strip().replace(" ", "")
        label = _name(name, required=True)
        now = self.clock()
        with self.db.write() as s:
            row = s.scalar(select(t.Device).where(t.Device.code == code, t.Device.paired_at.is_(None),
                                                  t.Device.revoked_at.is_(None)))
            if row is None or row.code_expires_at <= now:
                raise UnknownDevice(N_("Kode tidak dikenal atau sudah kedaluwarsa. Muat ulang layar "
                                    "perangkat untuk kode baru."))
            row.name, row.paired_at, row.paired_by = label, now, actor.name
            row.code, row.code_expires_at = None, None
            audit.record(s, now, actor, "device.pair", id=row.id, kind=row.kind, name=label)
            return _view(row)

    def list(self) -> list[dict]:
        """Paired and revoked devices. Waiting ones are not listed with their codes: the manager
        must read the code off the device itself."""
        with self.db.read() as s:
            rows = s.scalars(select(t.Device).where(t.Device.paired_at.is_not(None))
                             .order_by(t.Device.kind, t.Device.name, t.Device.id)).all()
            return [_view(r) for r in rows]

    def rename(self, actor: Principal, device_id: int, name: object) -> dict:
        label = _name(name, required=True)
        with self.db.write() as s:
            row = self._get(s, device_id)
            row.name = label
            audit.record(s, self.clock(), actor, "device.rename", id=row.id, name=label)
            return _view(row)

    def revoke(self, actor: Principal, device_id: int) -> str:
        """Revoke a device; returns its kind."""
        now = self.clock()
        with self.db.write() as s:
            row = self._get(s, device_id)
            if row.revoked_at is None:
                row.revoked_at, row.code, row.code_expires_at = now, None, None
                audit.record(s, now, actor, "device.revoke", id=row.id, kind=row.kind, name=row.name)
            return row.kind

    @staticmethod
    def _get(s, device_id: int) -> t.Device:
        row = s.get(t.Device, device_id)
        if row is None:
            raise UnknownDevice(N_("Perangkat tidak ada."))
        return row

    @staticmethod
    def _free_code(s, now) -> str:
        while True:
            code = f"{secrets.randbelow(10 ** 6):06d}"
            taken = s.scalar(select(t.Device.id).where(t.Device.code == code))
            if taken is None:
                return code


def _name(value: object, *, required: bool) -> str:
    if value is not None and not isinstance(value, str):
        raise DeviceError(N_("Nama perangkat harus teks."))
    value = " ".join((value or "").split())
    if not value:
        if required:
            raise DeviceError(N_("Nama perangkat wajib diisi (mis. \"TV Lobi\")."))
        return ""
    if len(value) > 60:
        raise DeviceError(N_("Nama perangkat paling panjang 60 karakter."))
    return value


def _mine(row: t.Device) -> dict:
    """What the device itself may know about itself."""
    paired = row.paired_at is not None
    return {"kind": row.kind, "name": row.name, "paired": paired,
            "code": None if paired else row.code,
            "code_expires_at": None if paired else row.code_expires_at.isoformat()}


def _view(row: t.Device) -> dict:
    return {"id": row.id, "kind": row.kind, "name": row.name,
            "state": "revoked" if row.revoked_at else ("paired" if row.paired_at else "waiting"),
            "paired_at": row.paired_at and row.paired_at.isoformat(), "paired_by": row.paired_by,
            "last_seen_at": row.last_seen_at and row.last_seen_at.isoformat(),
            "address": row.address}
