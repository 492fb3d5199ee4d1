"""The visitor's phone: a ticket's own link, its page's view, its estimate, and cancelling it.

Every ticket gets a random token when it is issued (TicketLink: 24 random bytes, nothing derived
from the number, valid through the ticket's service day in hall time). `/t/<token>` shows that
ticket and nothing else: its number and agency, its status, the people ahead of it, the agency's
queue length and the estimate (estimate.py), the counter once it is called, the survey link once
it is served. The token is also what lets the visitor cancel ("Batalkan antrian"): the ticket
leaves the queue as `cancelled`, a numbered event tells the screens, statistics count it.
"""
from __future__ import annotations

import secrets
import time as _time
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import estimate as est
from . import queue
from .queue import CounterState, TicketStatus
from .service import HallService, InvalidRequest
from .store import tables as t
from .messages import N_

TOKEN_BYTES = 24
TYPICAL_KEY = "estimate_typical"     # settings row: {agency code: typical service minutes}
HISTORY_WEEKS = 4
ESTIMATE_TTL = 5.0                   # seconds the per-agency figures are reused


class LinkNotFound(queue.QueueError):
    status = 404


class LinkExpired(queue.QueueError):
    status = 410


class NotCancellable(queue.QueueError):
    status = 409


def end_of_day(day, tz: str) -> datetime:
    """The first moment after service day `day` (hall midnight), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(tz)).astimezone(timezone.utc)


class Visitors:
    def __init__(self, hall: HallService, clock: Callable[[], datetime] | None = None):
        self.hall = hall
        self.clock = clock or hall.clock
        self._rates: tuple[float, str, dict] | None = None   # (monotonic, day, figures)

    # ---- links -------------------------------------------------------------------------------
    def link(self, ticket_id: int) -> dict:
        """The ticket's link, made on first use (a retried kiosk request gets the same one)."""
        for _attempt in range(3):
            try:
                with self.hall.db.write() as s:
                    row = s.scalar(select(t.TicketLink).where(t.TicketLink.ticket_id == ticket_id))
                    if row is None:
                        ticket = s.get(t.Ticket, ticket_id)
                        if ticket is None:
                            raise LinkNotFound(N_("Tiket tidak ada."))
                        tz = self.hall.settings(s)["timezone"]
                        row = t.TicketLink(ticket_id=ticket_id, token=secrets.token_urlsafe(TOKEN_BYTES),
                                           created_at=self.clock(), expires_at=end_of_day(ticket.day, tz))
                        s.add(row)
                        s.flush()
                    return {"token": row.token, "path": f"/t/{row.token}",
                            "expires_at": row.expires_at.isoformat()}
            except IntegrityError:   # another request made it a moment ago: take theirs
                continue
        raise LinkNotFound(N_("Tautan tiket tidak dapat dibuat."))

    def _by_token(self, s, token: object) -> tuple[t.TicketLink, t.Ticket]:
        if not isinstance(token, str) or not 20 <= len(token) <= 40:
            raise LinkNotFound(N_("Tautan tiket tidak dikenal."))
        row = s.scalar(select(t.TicketLink).where(t.TicketLink.token == token))
        if row is None:
            raise LinkNotFound(N_("Tautan tiket tidak dikenal."))
        if self.clock() >= row.expires_at:
            raise LinkExpired(N_("Tautan tiket ini sudah tidak berlaku (hanya untuk hari layanannya)."))
        return row, s.get(t.Ticket, row.ticket_id)

    def ticket_id(self, token: object) -> int:
        with self.hall.db.read() as s:
            return self._by_token(s, token)[1].id

    # ---- the page's view ---------------------------------------------------------------------
    def view(self, token: object) -> dict:
        with self.hall.db.read() as s:
            _row, ticket = self._by_token(s, token)
            return self._view(s, ticket)

    def view_of(self, ticket_id: int) -> dict | None:
        with self.hall.db.read() as s:
            ticket = s.get(t.Ticket, ticket_id)
            return None if ticket is None else self._view(s, ticket)

    def _view(self, s, ticket: t.Ticket) -> dict:
        settings = self.hall.settings(s)
        day = ticket.day
        waiting = s.scalar(select(func.count()).select_from(t.Ticket).where(
            t.Ticket.status == TicketStatus.WAITING, t.Ticket.day == day,
            t.Ticket.service_id == ticket.service_id))
        base = self.hall._ticket_view(s, ticket, day)
        view = {"number": ticket.number, "service": ticket.service.code,
                "service_name": ticket.service.name, "priority": ticket.priority,
                "status": str(ticket.status), "day": day.isoformat(),
                "issued_at": ticket.issued_at.isoformat(), "waiting": waiting,
                "ahead": None, "estimate": None, "counter": None, "calls": 0, "survey": None,
                "timezone": settings["timezone"]}
        if ticket.status == TicketStatus.WAITING:
            view["ahead"] = base["ahead"]
            view["estimate"] = self._estimate(s, ticket.service_id, base["ahead"], day).as_dict()
        if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVED) and ticket.counter_id:
            counter = s.get(t.Counter, ticket.counter_id)
            view["counter"] = counter.name if counter else None
        if ticket.status == TicketStatus.CALLED:
            view["calls"] = 1 + ticket.recall_count
            view["called_at"] = ticket.called_at.isoformat() if ticket.called_at else None
        if ticket.status == TicketStatus.SERVED:
            survey = s.scalar(select(t.SurveyToken.token).where(t.SurveyToken.ticket_id == ticket.id))
            view["survey"] = f"/survey/t/{survey}" if survey else None
        return view

    # ---- estimates ---------------------------------------------------------------------------
    def for_new_ticket(self, ticket: dict) -> dict:
        """What POST /api/tickets adds: the estimate for the ticket just issued."""
        with self.hall.db.read() as s:
            tk = s.get(t.Ticket, ticket["id"])
            if tk is None or tk.status != TicketStatus.WAITING:
                return {}
            return {"estimate": self._estimate(s, tk.service_id, ticket.get("ahead") or 0, tk.day).as_dict()}

    def estimate_for(self, ticket_id: int) -> est.Estimate | None:
        """The estimate of a waiting ticket now (the benchmark's probe)."""
        with self.hall.db.read() as s:
            tk = s.get(t.Ticket, ticket_id)
            if tk is None or tk.status != TicketStatus.WAITING:
                return None
            ahead = self.hall._ticket_view(s, tk, tk.day)["ahead"]
            return self._estimate(s, tk.service_id, ahead, tk.day, fresh=True)

    def agency_estimates(self) -> dict[str, dict]:
        """Per agency, for a ticket taken now: {code: estimate} (the hall display, the kiosk)."""
        now = self.clock()
        with self.hall.db.read() as s:
            tz = self.hall.settings(s)["timezone"]
            day = queue.service_day(now, tz)
            waiting = dict(s.execute(select(t.Ticket.service_id, func.count()).where(
                t.Ticket.status == TicketStatus.WAITING, t.Ticket.day == day)
                .group_by(t.Ticket.service_id)).all())
            return {sv.code: self._estimate(s, sv.id, waiting.get(sv.id, 0), day).as_dict()
                    for sv in s.scalars(select(t.Service).order_by(t.Service.position, t.Service.id))}

    def _estimate(self, s, service_id: int, ahead: int, day, fresh: bool = False) -> est.Estimate:
        figures = self._figures(s, day, fresh)
        today, weekday, counters, typical = figures.get(service_id, ([], [], 1.0, None))
        return est.estimate(ahead, counters, today, weekday, typical)

    def _figures(self, s, day, fresh: bool) -> dict:
        """Per service id: (today's service times, same weekday's, counter share, typical
        minutes). Reused for ESTIMATE_TTL seconds: a hundred phones cost one query."""
        mono = _time.monotonic()
        if not fresh and self._rates and self._rates[1] == day.isoformat() and mono - self._rates[0] < ESTIMATE_TTL:
            return self._rates[2]
        services = {sv.id: sv.code for sv in s.scalars(select(t.Service))}
        typical = self.typical(s)
        history_days = [day - timedelta(weeks=w) for w in range(1, HISTORY_WEEKS + 1)]
        served = s.execute(select(t.Ticket.service_id, t.Ticket.day, t.Ticket.called_at, t.Ticket.finished_at)
                           .where(t.Ticket.status == TicketStatus.SERVED,
                                  t.Ticket.day.in_([day, *history_days]))
                           .order_by(t.Ticket.finished_at)).all()
        today: dict[int, list[float]] = {sid: [] for sid in services}
        weekday: dict[int, list[float]] = {sid: [] for sid in services}
        for sid, d, called, finished in served:
            if called and finished and sid in today:
                (today if d == day else weekday)[sid].append((finished - called).total_seconds())
        shares: dict[int, list[tuple[bool, int]]] = {sid: [] for sid in services}
        for counter in s.scalars(select(t.Counter)):
            for sv in counter.services:
                shares[sv.id].append((counter.state == CounterState.PAUSED, len(counter.services)))
        figures = {sid: (today[sid], weekday[sid], est.counter_share(shares[sid]), typical.get(code))
                   for sid, code in services.items()}
        self._rates = (mono, day.isoformat(), figures)
        return figures

    def forget(self) -> None:
        """Something changed (a call, a pause): the next estimate reads the figures again."""
        self._rates = None

    # ---- typical service times (the console) -------------------------------------------------
    def typical(self, s=None) -> dict[str, float]:
        if s is None:
            with self.hall.db.read() as s:
                return self.typical(s)
        row = s.get(t.Setting, TYPICAL_KEY)
        return dict(row.value) if row and isinstance(row.value, dict) else {}

    def set_typical(self, body: object) -> dict:
        """{code: minutes (1..240) or null to use the default} for some agencies."""
        if not isinstance(body, dict) or not isinstance(body.get("minutes"), dict):
            raise InvalidRequest(N_("Field 'minutes' wajib: {kode layanan: menit}."))
        changes = body["minutes"]
        with self.hall.db.write() as s:
            codes = set(s.scalars(select(t.Service.code)))
            row = s.get(t.Setting, TYPICAL_KEY)
            current = dict(row.value) if row and isinstance(row.value, dict) else {}
            for code, minutes in changes.items():
                if code not in codes:
                    raise InvalidRequest(N_("Layanan tidak dikenal: %(code)s", code=repr(code)))
                if minutes is None:
                    current.pop(code, None)
                elif isinstance(minutes, (int, float)) and not isinstance(minutes, bool) and 1 <= minutes <= 240:
                    current[code] = round(float(minutes), 1)
                else:
                    raise InvalidRequest(N_("Waktu layanan khas: 1–240 menit."))
            if row is None:
                s.add(t.Setting(key=TYPICAL_KEY, value=current))
            else:
                row.value = current
        self.forget()
        return {"minutes": current, "default": est.DEFAULT_TYPICAL_MINUTES}

    # ---- cancelling --------------------------------------------------------------------------
    def cancel(self, token: object) -> dict:
        """The visitor leaves the queue. Only a waiting ticket; cancelling twice is no error."""
        now = self.clock()
        events = []
        with self.hall.db.write() as s:
            _row, ticket = self._by_token(s, token)
            ticket = s.get(t.Ticket, ticket.id, with_for_update=True)
            if ticket.status == TicketStatus.WAITING:
                settings = self.hall.settings(s)
                ticket.status = TicketStatus.CANCELLED
                ticket.finished_at = now
                s.flush()
                events = [self.hall._event(s, "cancelled", now, ticket.day, settings, ticket=ticket)]
            elif ticket.status != TicketStatus.CANCELLED:
                raise NotCancellable(N_("Tiket %(number)s sudah dipanggil atau selesai; tidak dapat dibatalkan.", number=ticket.number))
            view = self._view(s, ticket)
        if events:
            self.hall._publish(events)
        return view
