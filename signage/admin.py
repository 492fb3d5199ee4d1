"""What hall managers (and agency supervisors) change: services, counters, staff, hours,
running text, display settings. Every change is validated first, logged (who, when, what),
and announced to the screens as a numbered event so they update without a reload.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from . import queue
from .accounts import AccountError, Accounts, Principal
from .hall import validate_hours
from .passwords import hash_password
from .service import HallService, InvalidRequest
from .store import tables as t
from .messages import N_

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CODE = re.compile(r"^[A-Z]$")
MAX_RUNNING_LINES = 10
MAX_LINE = 200


class Forbidden(queue.QueueError):
    status = 403


class NotFound(queue.QueueError):
    status = 404


def _agency_counter(counter: t.Counter, service_id: int | None) -> bool:
    """A counter is an agency's own when every service it serves is that agency: a counter shared
    with another agency belongs to no supervisor."""
    return service_id is not None and bool(counter.services) and all(
        sv.id == service_id for sv in counter.services)


def _text(value: object, field: str, *, max_len: int, required: bool = True) -> str:
    if value is None:
        if required:
            raise InvalidRequest(N_("%(field)s: wajib diisi.", field=field))
        return ""
    if not isinstance(value, str):
        raise InvalidRequest(N_("%(field)s: harus teks.", field=field))
    value = " ".join(value.split())
    if required and not value:
        raise InvalidRequest(N_("%(field)s: wajib diisi.", field=field))
    if len(value) > max_len:
        raise InvalidRequest(N_("%(field)s: paling panjang %(max_len)s karakter.", field=field, max_len=max_len))
    return value


SHORT_NAME_MAX = 24   # tables.Service.short_name, tables.Counter.short_name


def _short_name(value: object, field: str) -> str | None:
    """The name the hall TV shows in place of a long one; empty or null: none (the TV shows the name)."""
    return _text(value, field, max_len=SHORT_NAME_MAX, required=False) or None


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # True is an int to Python


class HallAdmin:
    def __init__(self, hall: HallService, accounts: Accounts):
        self.hall = hall
        self.db = hall.db
        self.accounts = accounts

    # ---- permissions ---------------------------------------------------------------
    @staticmethod
    def require_manager(actor: Principal) -> None:
        if not actor.is_manager:
            raise Forbidden(N_("Hanya pengelola MPP."))

    def require_service(self, actor: Principal, s, service: t.Service) -> None:
        if actor.is_manager:
            return
        if actor.role == "supervisor" and actor.service_id == service.id:
            return
        raise Forbidden(N_("Hanya pengelola atau supervisor instansi ini."))

    def _log(self, s, actor: Principal, action: str, **detail) -> None:
        s.add(t.AuditEntry(at=self.hall.clock(), user_id=actor.user_id, actor=actor.name,
                           action=action, detail=detail))

    def _changed(self, kind: str, **payload) -> None:
        self.hall.record_event(kind, payload)

    # ---- services -----------------------------------------------------------------
    def save_service(self, actor: Principal, data: dict, code: str | None = None) -> dict:
        """Add (code None) or edit a service. Fields: code, name, short_name, color, daily_limit, hours."""
        if not isinstance(data, dict):
            raise InvalidRequest(N_("Data layanan harus objek."))
        with self.db.write() as s:
            if code is None:
                self.require_manager(actor)
                service = t.Service(position=(s.scalar(select(func.max(t.Service.position))) or 0) + 1)
            else:
                service = self._service(s, code)
                self.require_service(actor, s, service)
                if not actor.is_manager and set(data) - {"daily_limit", "hours"}:
                    raise Forbidden(N_("Supervisor hanya boleh mengubah kuota dan jam layanan."))
            if "code" in data or code is None:
                new_code = _text(data.get("code"), N_("Prefiks"), max_len=1).upper()
                if not _CODE.match(new_code):
                    raise InvalidRequest(N_("Prefiks: satu huruf A–Z."))
                clash = s.scalar(select(t.Service).where(t.Service.code == new_code))
                if clash is not None and clash is not service:
                    raise InvalidRequest(N_("Prefiks %(new_code)s sudah dipakai %(name)s.", new_code=new_code, name=clash.name))
                service.code = new_code
            if "name" in data or code is None:
                service.name = _text(data.get("name"), N_("Nama layanan"), max_len=120)
            if "short_name" in data:
                service.short_name = _short_name(data["short_name"], N_("Nama singkat layanan"))
            if "color" in data:
                if not isinstance(data["color"], str) or not _COLOR.match(data["color"]):
                    raise InvalidRequest(N_("Warna: format #RRGGBB."))
                service.color = data["color"]
            if "daily_limit" in data:
                limit = data["daily_limit"]
                if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                                          or not 1 <= limit <= 9999):
                    raise InvalidRequest(N_("Kuota harian: bilangan 1–9999, atau kosong."))
                service.daily_limit = limit
            if "hours" in data:
                try:
                    service.hours = None if data["hours"] is None else \
                        {d: list(v) for d, v in validate_hours(data["hours"]).items()}
                except ValueError as exc:
                    raise InvalidRequest(N_("Jam layanan: %(exc)s", exc=str(exc))) from exc
            if code is None:
                s.add(service)
            s.flush()
            self._log(s, actor, "service.save", code=service.code, fields=sorted(data), new=code is None,
                      name=service.name)   # new, name: for the audit sentence (audit_sentences.py)
            result = {"code": service.code, "name": service.name}
        self._changed("hall")
        return result

    def set_service_open(self, actor: Principal, code: str, open_: object, reason: object = None,
                         rest_of_today: object = False) -> None:
        if not isinstance(open_, bool) or not isinstance(rest_of_today, bool):
            raise InvalidRequest(N_("open dan rest_of_today harus true/false."))
        with self.db.write() as s:
            service = self._service(s, code)
            self.require_service(actor, s, service)
            if open_:
                service.closed_reason, service.closed_until = None, None
            else:
                service.closed_reason = _text(reason, N_("Alasan tutup"), max_len=200)
                settings = self.hall.settings(s)
                service.closed_until = (queue.service_day(self.hall.clock(), settings["timezone"])
                                        if rest_of_today else None)
            self._log(s, actor, "service.open" if open_ else "service.close", code=service.code,
                      reason=service.closed_reason, rest_of_today=rest_of_today)
        self._changed("hall")

    # ---- counters -----------------------------------------------------------------
    def save_counter(self, actor: Principal, data: dict, counter_id: int | None = None) -> dict:
        self.require_manager(actor)
        if not isinstance(data, dict):
            raise InvalidRequest(N_("Data loket harus objek."))
        with self.db.write() as s:
            counter = t.Counter(position=(s.scalar(select(func.max(t.Counter.position))) or 0) + 1) \
                if counter_id is None else s.get(t.Counter, counter_id)
            if counter is None:
                raise queue.UnknownCounter(N_("Loket %(counter_id)s tidak ada.", counter_id=counter_id))
            if "name" in data or counter_id is None:
                name = _text(data.get("name"), N_("Nama loket"), max_len=60)
                clash = s.scalar(select(t.Counter).where(t.Counter.name == name))
                if clash is not None and clash is not counter:
                    raise InvalidRequest(N_("Nama loket %(name)s sudah dipakai.", name=repr(name)))
                counter.name = name
            if "short_name" in data:
                counter.short_name = _short_name(data["short_name"], N_("Nama singkat loket"))
            if "services" in data or counter_id is None:
                codes = data.get("services")
                if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
                    raise InvalidRequest(N_("Loket harus melayani minimal satu layanan."))
                counter.services = [self._service(s, c) for c in dict.fromkeys(codes)]
            if counter_id is None:
                s.add(counter)
            s.flush()
            self._log(s, actor, "counter.save", id=counter.id, name=counter.name,
                      services=[sv.code for sv in counter.services], new=counter_id is None)
            result = {"id": counter.id, "name": counter.name}
        self._changed("hall")
        return result

    # ---- staff --------------------------------------------------------------------
    def list_staff(self, actor: Principal) -> list[dict]:
        with self.db.read() as s:
            users = s.scalars(select(t.User).order_by(t.User.role, t.User.username)).all()
            return [self._user_view(u) for u in users if self._may_manage_user(actor, u)]

    def add_staff(self, actor: Principal, data: dict) -> dict:
        if not isinstance(data, dict):
            raise InvalidRequest(N_("Data pengguna harus objek."))
        role = data.get("role", "staff")
        if role != "staff":
            self.require_manager(actor)
        counters = data.get("counters", [])
        if not isinstance(counters, list) or not all(_is_id(c) for c in counters):
            raise InvalidRequest(N_("counters: daftar nomor id loket."))
        if data.get("service") is not None and not isinstance(data["service"], str):
            raise InvalidRequest(N_("service: kode layanan (teks)."))
        self._check_counters_in_scope(actor, counters)
        try:
            user_id = self.accounts.add_user(
                data.get("username") if isinstance(data.get("username"), str) else "",
                data.get("password") if isinstance(data.get("password"), str) else "",
                role, full_name=_text(data.get("full_name", ""), N_("Nama"), max_len=80, required=False),
                counter_ids=counters,
                service_code=data.get("service"))
        except AccountError as exc:
            raise InvalidRequest(str(exc)) from exc
        with self.db.write() as s:
            self._log(s, actor, "user.add", id=user_id, username=data.get("username"), role=role)
        return {"id": user_id}

    def update_staff(self, actor: Principal, user_id: int, data: dict) -> dict:
        if not isinstance(data, dict):
            raise InvalidRequest(N_("Data pengguna harus objek."))
        new_hash = None
        if "password" in data:
            if not isinstance(data["password"], str) or not 8 <= len(data["password"]) <= 200:
                raise InvalidRequest(N_("Kata sandi: 8–200 karakter."))
            new_hash = hash_password(data["password"])   # before the transaction: it takes a while
        with self.db.write() as s:
            user = s.get(t.User, user_id)
            if user is None or not self._may_manage_user(actor, user):
                raise NotFound(N_("Pengguna tidak ada.")) if user is None else \
                    Forbidden(N_("Bukan staf instansi Anda."))
            if "full_name" in data:
                user.full_name = _text(data["full_name"], N_("Nama"), max_len=80, required=False)
            if "active" in data:
                if not isinstance(data["active"], bool):
                    raise InvalidRequest(N_("active: true/false."))
                if user.id == actor.user_id and not data["active"]:
                    raise InvalidRequest(N_("Tidak dapat menonaktifkan akun sendiri."))
                user.active = data["active"]
                if not user.active:
                    self.accounts.end_sessions_in(s, user.id)
            if new_hash is not None:
                user.password_hash = new_hash
                self.accounts.end_sessions_in(s, user.id)
            if "counters" in data:
                ids = data["counters"]
                if not isinstance(ids, list) or not all(_is_id(c) for c in ids):
                    raise InvalidRequest(N_("counters: daftar nomor id loket."))
                self._check_counters_in_scope(actor, ids)
                counters = [s.get(t.Counter, c) for c in ids]
                if None in counters:
                    raise InvalidRequest(N_("Loket tidak dikenal."))
                user.counters = counters
            self._log(s, actor, "user.update", id=user.id, username=user.username,
                      fields=sorted(k for k in data if k != "password") + (["password"] if "password" in data else []))
            return self._user_view(user)

    def _may_manage_user(self, actor: Principal, user: t.User) -> bool:
        """A manager manages everyone. A supervisor manages only staff whose every counter is
        their agency's (see _agency_counter); staff with no counter are the manager's."""
        if actor.is_manager:
            return True
        if actor.role != "supervisor" or user.role != "staff" or not user.counters:
            return False
        return all(_agency_counter(c, actor.service_id) for c in user.counters)

    def _check_counters_in_scope(self, actor: Principal, counter_ids: list[int]) -> None:
        """A supervisor hands out only their agency's own counters, and at least one of them."""
        if actor.is_manager:
            return
        if actor.role != "supervisor":
            raise Forbidden(N_("Tidak diizinkan."))
        if not counter_ids:
            raise InvalidRequest(N_("Pilih minimal satu loket instansi Anda."))
        with self.db.read() as s:
            for cid in counter_ids:
                counter = s.get(t.Counter, cid)
                if counter is None or not _agency_counter(counter, actor.service_id):
                    raise Forbidden(N_("Loket %(cid)s bukan loket instansi Anda.", cid=cid))

    @staticmethod
    def _user_view(user: t.User) -> dict:
        return {"id": user.id, "username": user.username, "full_name": user.full_name,
                "role": user.role, "active": user.active,
                "counters": [c.id for c in user.counters], "service_id": user.service_id}

    # ---- hours, holidays, running text, settings ------------------------------------
    def set_hours(self, actor: Principal, hours: object) -> None:
        self.require_manager(actor)
        try:
            clean = validate_hours(hours)
        except ValueError as exc:
            raise InvalidRequest(N_("Jam layanan: %(exc)s", exc=str(exc))) from exc
        self._set(actor, "hours", {d: list(v) for d, v in clean.items()})
        self._changed("hall")

    def set_holidays(self, actor: Principal, holidays: object) -> None:
        self.require_manager(actor)
        if not isinstance(holidays, dict):
            raise InvalidRequest(N_("Hari libur: objek {\"YYYY-MM-DD\": \"nama\"}."))
        clean = {}
        for day, name in holidays.items():
            try:
                date.fromisoformat(day)
            except (TypeError, ValueError) as exc:
                raise InvalidRequest(N_("Tanggal tidak valid: %(day)s (YYYY-MM-DD).", day=repr(day))) from exc
            clean[day] = _text(name, N_("Nama libur %(day)s", day=day), max_len=100)
        self._set(actor, "holidays", dict(sorted(clean.items())))
        self._changed("hall")

    def set_running_text(self, actor: Principal, lines: object, speed: object = None) -> dict:
        self.require_manager(actor)
        if not isinstance(lines, list) or len(lines) > MAX_RUNNING_LINES:
            raise InvalidRequest(N_("lines: daftar teks, paling banyak %(max_running_lines)s baris.", max_running_lines=MAX_RUNNING_LINES))
        clean = [_text(line, N_("Baris %(line)s", line=i + 1), max_len=MAX_LINE) for i, line in enumerate(lines)]
        if speed is not None and (not isinstance(speed, int) or isinstance(speed, bool)
                                  or not 20 <= speed <= 300):
            raise InvalidRequest(N_("speed: 20–300 piksel per detik."))
        self._set(actor, "running_text", clean)
        if speed is not None:
            self._set(actor, "running_text_speed", speed)
        settings = self.hall.settings()
        text = {"lines": settings["running_text"], "speed": settings["running_text_speed"]}
        self._changed("running_text", running_text=text)
        return text

    def set_hall_name(self, actor: Principal, name: object) -> None:
        self.require_manager(actor)
        self._set(actor, "hall_name", _text(name, N_("Nama MPP"), max_len=120))
        self._changed("hall")

    def set_public_tickets(self, actor: Principal, allowed: object) -> None:
        """Whether a client that is no paired kiosk may take a ticket (under its own small limit)."""
        self.require_manager(actor)
        if not isinstance(allowed, bool):
            raise InvalidRequest(N_("public_tickets: true atau false."))
        self._set(actor, "public_tickets", allowed)

    def set_skip_policy(self, actor: Principal, policy: object) -> None:
        self.require_manager(actor)
        if policy not in ("requeue_once", "drop"):
            raise InvalidRequest(N_("skip_policy: 'requeue_once' atau 'drop'."))
        self._set(actor, "skip_policy", policy)

    def _set(self, actor: Principal, key: str, value) -> None:
        with self.db.write() as s:
            row = s.get(t.Setting, key)
            previous = None if row is None else row.value
            if row is None:
                s.add(t.Setting(key=key, value=value))
            else:
                row.value = value
            # hours and holidays keep what they replace: the audit sentence names what changed
            self._log(s, actor, f"setting.{key}", value=value,
                      **({"previous": previous} if key in ("hours", "holidays") else {}))

    # ---- voice ------------------------------------------------------------------------
    def set_speech(self, actor: Principal, data: object) -> dict:
        from .speech.hall_speaker import validate_settings
        from .speech.sentence import TemplateError
        self.require_manager(actor)
        try:
            speech = validate_settings(data, self.hall.settings().get("speech") or {})
        except TemplateError as exc:
            raise InvalidRequest(str(exc)) from exc
        self._set(actor, "speech", speech)
        return speech

    def announce(self, actor: Principal, text: object, zone: object = None) -> dict:
        """A free announcement spoken now, through the same queue as the calls, in one speaker
        zone (zones.py) or, `zone` None, in all. Only a manager may make one."""
        from .speech.sentence import TemplateError, free_text_sentence
        from .zones import zone_name
        self.require_manager(actor)
        message = _text(text, N_("Pengumuman"), max_len=300)
        try:
            free_text_sentence(message)
        except TemplateError as exc:
            raise InvalidRequest(str(exc)) from exc
        payload = {"message": message}
        if zone is not None:
            payload["zone"] = zone_name(zone)
        with self.db.write() as s:
            self._log(s, actor, "announce", text=message,
                      **({"zone": payload["zone"]} if "zone" in payload else {}))
        return self.hall.record_event("announce", payload)

    def list_schedule(self) -> list[dict]:
        with self.db.read() as s:
            return [{"id": a.id, "text": a.text, "at": a.at, "days": a.days, "active": a.active,
                     "zone": a.zone}
                    for a in s.scalars(select(t.ScheduledAnnouncement).order_by(t.ScheduledAnnouncement.at))]

    def add_schedule(self, actor: Principal, data: object) -> dict:
        from .hall import WEEKDAYS, parse_hhmm
        from .speech.sentence import TemplateError, free_text_sentence
        self.require_manager(actor)
        if not isinstance(data, dict):
            raise InvalidRequest(N_("Data jadwal harus objek."))
        message = _text(data.get("text"), N_("Pengumuman"), max_len=300)
        try:
            free_text_sentence(message)
            if not isinstance(data.get("at"), str) or parse_hhmm(data["at"]) is None:
                raise ValueError(N_("jam HH:MM"))
        except (TemplateError, ValueError) as exc:
            raise InvalidRequest(N_("Jadwal: %(exc)s", exc=str(exc))) from exc
        from .zones import zone_name
        zone = None if data.get("zone") is None else zone_name(data["zone"])   # None: every zone
        days = data.get("days", [])
        if not isinstance(days, list) or not all(isinstance(d, str) and d in WEEKDAYS for d in days):
            raise InvalidRequest(N_("days: daftar dari %(names)s (kosong: setiap hari).", names=', '.join(WEEKDAYS)))
        with self.db.write() as s:
            row = t.ScheduledAnnouncement(text=message, at=data["at"], days=days, zone=zone)
            s.add(row)
            s.flush()
            self._log(s, actor, "schedule.add", id=row.id, text=message, at=row.at, days=days,
                      **({"zone": zone} if zone is not None else {}))
            return {"id": row.id}

    def delete_schedule(self, actor: Principal, schedule_id: int) -> None:
        self.require_manager(actor)
        with self.db.write() as s:
            row = s.get(t.ScheduledAnnouncement, schedule_id)
            if row is None:
                raise NotFound(N_("Jadwal tidak ada."))
            s.delete(row)
            self._log(s, actor, "schedule.delete", id=schedule_id, text=row.text)

    def run_due_announcements(self, grace_minutes: int = 10) -> int:
        """Speak the scheduled announcements that fell due in the last few minutes, once a day."""
        from .hall import WEEKDAYS
        now = self.hall.clock()
        tz = ZoneInfo(self.hall.settings()["timezone"])
        local = now.astimezone(tz)
        today, weekday = local.date(), WEEKDAYS[local.weekday()]
        due = []
        with self.db.write() as s:
            # Locked rows: two processes that both look (a lease changing hands) speak it once.
            for row in s.scalars(select(t.ScheduledAnnouncement)
                                 .where(t.ScheduledAnnouncement.active).with_for_update()):
                h, m = map(int, row.at.split(":"))
                at = local.replace(hour=h, minute=m, second=0, microsecond=0)
                if (row.last_run != today and (not row.days or weekday in row.days)
                        and at <= local < at + timedelta(minutes=grace_minutes)):
                    row.last_run = today
                    due.append((row.text, row.zone))
        for text, zone in due:
            self.hall.record_event("announce", {"message": text, "scheduled": True,
                                                **({"zone": zone} if zone is not None else {})})
        return len(due)

    # ---- media, logos, display profiles ---------------------------------------------
    def list_media(self) -> list[dict]:
        with self.db.read() as s:
            return [{"id": m.id, "url": f"/media/{m.filename}", "kind": m.kind, "title": m.title,
                     "seconds": m.seconds, "size": m.size}
                    for m in s.scalars(select(t.Media).order_by(t.Media.position, t.Media.id))]

    def add_media(self, actor: Principal, stream, media_dir, title: object, seconds: object) -> dict:
        from .media import UploadError, save_upload
        self.require_manager(actor)
        title = _text(title or "", N_("Judul"), max_len=120, required=False)
        try:
            seconds = int(seconds or 10)
        except (TypeError, ValueError):
            raise InvalidRequest(N_("Durasi gambar: 3–120 detik."))
        if not 3 <= seconds <= 120:
            raise InvalidRequest(N_("Durasi gambar: 3–120 detik."))
        try:
            name, kind, size = save_upload(stream, media_dir)
        except UploadError as exc:
            raise InvalidRequest(str(exc)) from exc
        with self.db.write() as s:
            row = t.Media(filename=name, title=title, kind=kind, size=size, seconds=seconds,
                          position=(s.scalar(select(func.max(t.Media.position))) or 0) + 1,
                          uploaded_at=self.hall.clock())
            s.add(row)
            s.flush()
            self._log(s, actor, "media.add", id=row.id, title=title, kind=kind, size=size)
            result = {"id": row.id, "url": f"/media/{name}", "kind": kind}
        self._changed("media")
        return result

    def delete_media(self, actor: Principal, media_id: int, media_dir) -> None:
        self.require_manager(actor)
        with self.db.write() as s:
            row = s.get(t.Media, media_id)
            if row is None:
                raise NotFound(N_("Media tidak ada."))
            s.delete(row)
            self._log(s, actor, "media.delete", id=media_id, title=row.title)
            (media_dir / row.filename).unlink(missing_ok=True)
        self._changed("media")

    def set_logo(self, actor: Principal, stream, media_dir, service_code: str | None = None) -> str:
        """Store a new hall (or agency) logo; the one it replaces is deleted once nothing uses it."""
        from .media import UploadError, save_upload

        def allowed(s) -> t.Service | None:
            service = self._service(s, service_code) if service_code else None
            if service is None:
                self.require_manager(actor)
            else:
                self.require_service(actor, s, service)
            return service

        with self.db.read() as s:  # refuse early, and decode the image outside the write lock
            allowed(s)
        try:
            name, _, _ = save_upload(stream, media_dir, images_only=True)
        except UploadError as exc:
            raise InvalidRequest(str(exc)) from exc
        try:
            with self.db.write() as s:
                service = allowed(s)
                if service is None:
                    row = s.get(t.Setting, "hall_logo") or t.Setting(key="hall_logo")
                    old, row.value = row.value, name
                    s.add(row)
                else:
                    old, service.logo = service.logo, name
                self._log(s, actor, "logo.set", service=service_code, file=name)
                s.flush()
                ours = isinstance(old, str) and re.fullmatch(r"[0-9a-f]{24}\.(png|jpg|webp|gif)", old)
                still_used = ours and (
                    old in (v for v in s.scalars(select(t.Setting.value)) if isinstance(v, str))
                    or s.scalar(select(t.Service.id).where(t.Service.logo == old).limit(1)) is not None
                    or s.scalar(select(t.Media.id).where(t.Media.filename == old).limit(1)) is not None)
        except BaseException:
            (media_dir / name).unlink(missing_ok=True)  # not committed: the new file is nobody's
            raise
        if ours and not still_used:  # only a name we made, and used nowhere else
            (media_dir / old).unlink(missing_ok=True)
        self._changed("hall")
        return f"/media/{name}"

    def list_profiles(self) -> list[dict]:
        with self.db.read() as s:
            return [self._profile_view(p) for p in s.scalars(select(t.DisplayProfile).order_by(t.DisplayProfile.name))]

    def profile(self, name: str) -> dict | None:
        with self.db.read() as s:
            row = s.scalar(select(t.DisplayProfile).where(t.DisplayProfile.name == name))
            return self._profile_view(row) if row else None

    def save_profile(self, actor: Principal, data: object) -> dict:
        self.require_manager(actor)
        if not isinstance(data, dict):
            raise InvalidRequest(N_("Data profil harus objek."))
        name = _text(data.get("name"), N_("Nama profil"), max_len=60)
        services = data.get("services", [])
        if not isinstance(services, list) or not all(isinstance(c, str) for c in services):
            raise InvalidRequest(N_("services: daftar kode layanan (kosong: semua)."))
        layout = data.get("layout", "calls_media")
        if layout not in ("calls_media", "calls_only"):
            raise InvalidRequest(N_("layout: 'calls_media' atau 'calls_only'."))
        if not isinstance(data.get("sound", False), bool):
            raise InvalidRequest(N_("sound: true atau false."))
        with self.db.write() as s:
            codes = [self._service(s, c).code for c in services]
            row = s.scalar(select(t.DisplayProfile).where(t.DisplayProfile.name == name)) or \
                t.DisplayProfile(name=name)
            row.services, row.layout, row.sound = codes, layout, data.get("sound", False)
            s.add(row)
            s.flush()
            self._log(s, actor, "display_profile.save", name=name, services=codes, layout=layout,
                      sound=row.sound)
            result = self._profile_view(row)
        self._changed("hall")
        return result

    @staticmethod
    def _profile_view(row) -> dict:
        return {"id": row.id, "name": row.name, "services": row.services, "layout": row.layout,
                "sound": row.sound, "url": "/display?" + urlencode({"profile": row.name})}

    # ---- audit log ------------------------------------------------------------------
    def audit_log(self, actor: Principal, limit: int = 200) -> list[dict]:
        self.require_manager(actor)
        with self.db.read() as s:
            tz = ZoneInfo(self.hall.settings(s)["timezone"])
            rows = s.scalars(select(t.AuditEntry).order_by(t.AuditEntry.id.desc()).limit(limit))
            return [{"at": r.at.astimezone(tz).isoformat(), "actor": r.actor, "action": r.action,
                     "detail": r.detail} for r in rows]

    @staticmethod
    def _service(s, code) -> t.Service:
        if not isinstance(code, str):
            raise InvalidRequest(N_("Kode layanan harus teks."))
        service = s.scalar(select(t.Service).where(t.Service.code == code.strip().upper()))
        if service is None:
            raise queue.UnknownService(N_("Layanan tidak dikenal: %(code)s", code=repr(code)))
        return service
