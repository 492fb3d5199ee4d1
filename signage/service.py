"""The use cases of a hall: issue a ticket, call next, recall, skip, finish, transfer, pause.

Each use case is one write transaction: the store loads the facts, the queue rules decide, the
change and its numbered event are committed together, and only then are the events published
(to the screens, to the voice). A crash before the commit leaves nothing; after it, everything.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, delete
from sqlalchemy.orm import Session

from . import queue
from .hall import HallSpec
from .queue import TicketStatus, CounterState
from .queue import opening
from .store import Database
from .store import tables as t
from .messages import N_, in_language

Publisher = Callable[[list[dict]], None]
COUNTER_ACTIONS = ("call-next", "recall", "skip", "finish", "transfer", "pause", "resume")
DEFAULT_SETTINGS = {
    "hall_name": "Mal Pelayanan Publik",
    "timezone": "Asia/Makassar",
    "hours": {},
    "holidays": {},
    "skip_policy": "requeue_once",
    "running_text": [],
    "running_text_speed": 60,
    "public_tickets": False,   # may a client that is no paired kiosk take a ticket (its own small limit)
}
IDEMPOTENCY_WINDOW = timedelta(hours=12)
LAST_CALLS = 10
BROADCAST_KEY = "broadcast_seq"   # settings row: how far the broadcaster has sent (realtime.py)


class InvalidRequest(queue.QueueError):
    status = 400


class HallService:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = queue.rules.utcnow,
                 publish: Publisher | None = None):
        self.db = db
        self.clock = clock
        self._subscribers: list[Publisher] = [publish] if publish else []

    def subscribe(self, subscriber: Publisher) -> None:
        self._subscribers.append(subscriber)

    def _publish(self, events: list[dict]) -> None:
        for subscriber in self._subscribers:
            subscriber(events)

    def changed_elsewhere(self) -> None:
        """Another process of the hall committed something (cluster.py): subscribers look again.
        They get no events: what was committed is read from the database, by `seq`."""
        self._publish([])

    # ---- setup -------------------------------------------------------------------------
    def seed(self, hall: HallSpec) -> bool:
        """Load a hall file into an empty database. Returns False when it was already set up."""
        with self.db.write() as s:
            if s.scalar(select(func.count()).select_from(t.Service)):
                return False
            services = {}
            for position, spec in enumerate(hall.services):
                services[spec.code] = t.Service(code=spec.code, name=spec.name, color=spec.color,
                                                daily_limit=spec.daily_limit, position=position)
                s.add(services[spec.code])
            for position, spec in enumerate(hall.counters):
                s.add(t.Counter(name=spec.name, position=position,
                                services=[services[c] for c in spec.services]))
            settings = dict(DEFAULT_SETTINGS, hall_name=hall.name, timezone=hall.timezone,
                            hours={d: list(span) for d, span in hall.hours.items()},
                            holidays=hall.holidays, **hall.settings)
            for key, value in settings.items():
                s.add(t.Setting(key=key, value=value))
            return True

    def settings(self, s: Session | None = None) -> dict:
        if s is None:
            with self.db.read() as s:
                return self.settings(s)
        # The broadcaster's position shares the table but is no setting: it moves after every
        # event, a moment after the change's answer (the console's settings changed by themselves).
        stored = {row.key: row.value for row in s.scalars(select(t.Setting).where(
            t.Setting.key != BROADCAST_KEY))}
        return {**DEFAULT_SETTINGS, **stored}

    # ---- kiosk ------------------------------------------------------------------------
    def issue_ticket(self, service_code: object, priority: object = False, *,
                     idempotency_key: str | None = None) -> dict:
        """A new ticket. The same idempotency key (a kiosk retrying after a time-out) returns the
        ticket issued the first time instead of a second one."""
        if not isinstance(service_code, str) or not service_code.strip():
            raise InvalidRequest(N_("Field 'service' wajib diisi (kode layanan, mis. \"A\")."))
        if not isinstance(priority, bool):
            raise InvalidRequest(N_("Field 'priority' harus true atau false."))
        now = self.clock()
        key = _reply_key(f"ticket:{idempotency_key}") if idempotency_key else None
        with self.db.write(events=True) as s:
            if key:
                replay = s.get(t.IdempotentReply, key)
                if replay and now - replay.created_at < IDEMPOTENCY_WINDOW:
                    return replay.body
            settings = self.settings(s)
            service = self._service(s, service_code, lock=True)  # numbering is per service
            open_, reason = self._open_state(s, service, settings, now)
            if not open_:
                raise queue.ServiceClosed(N_("%(name)s: %(reason)s", name=service.name, reason=reason))
            day = queue.service_day(now, settings["timezone"])
            seq = (s.scalar(select(func.max(t.Ticket.seq)).where(
                t.Ticket.issuing_service_id == service.id, t.Ticket.day == day)) or 0) + 1
            ticket = t.Ticket(day=day, issuing_service_id=service.id, service_id=service.id,
                              seq=seq, number=queue.format_number(service.code, seq),
                              priority=priority, status=TicketStatus.WAITING,
                              issued_at=now, enqueued_at=now)
            s.add(ticket)
            s.flush()
            ticket_view = self._ticket_view(s, ticket, day)
            events = [self._event(s, "issued", now, day, settings, ticket=ticket, service=service)]
            if key:
                self._remember_reply(s, key, ticket_view, now)
        self._publish(events)
        return ticket_view

    # ---- counters ---------------------------------------------------------------------
    def counter_action(self, counter_id: int, action: str, *, staff_id: int | None = None,
                       service_code: object = None, idempotency_key: str | None = None) -> dict:
        """Run one counter button. The same idempotency key returns the first answer again."""
        if action not in COUNTER_ACTIONS:
            raise InvalidRequest(N_("Aksi tidak dikenal: %(action)s", action=action))
        now = self.clock()
        key = _reply_key(f"{counter_id}:{action}:{idempotency_key}") if idempotency_key else None
        with self.db.write(events=True) as s:
            if key:
                replay = s.get(t.IdempotentReply, key)
                if replay and now - replay.created_at < IDEMPOTENCY_WINDOW:
                    return replay.body
            counter = s.get(t.Counter, counter_id, with_for_update=True)
            if counter is None:
                raise queue.UnknownCounter(N_("Loket %(counter_id)s tidak ada.", counter_id=counter_id))
            settings = self.settings(s)
            day = queue.service_day(now, settings["timezone"])
            handler = getattr(self, "_" + action.replace("-", "_"))
            args = (service_code,) if action == "transfer" else ()
            events = handler(s, counter, now, day, settings, staff_id, *args)
            body = self.counter_view(counter.id, s=s, day=day)
            if key:
                self._remember_reply(s, key, body, now)
        self._publish(events)
        return body

    @staticmethod
    def _remember_reply(s, key: str, body: dict, now: datetime) -> None:
        s.execute(delete(t.IdempotentReply).where(t.IdempotentReply.created_at < now - IDEMPOTENCY_WINDOW))
        s.merge(t.IdempotentReply(key=key, status=200, body=body, created_at=now))

    def _call_next(self, s, counter, now, day, settings, staff_id):
        if counter.state == CounterState.PAUSED:
            raise queue.CounterPaused(N_("%(name)s sedang istirahat. Lanjutkan dulu.", name=counter.name))
        events = []
        if counter.current_ticket_id:
            events += self._close_current(s, counter, now, day, settings, staff_id)
        service_ids = [sv.id for sv in counter.services]
        # Lock the waiting tickets only (OF tickets); the agencies are only read here. Only the
        # columns the queue rules need: at rush hour hundreds wait, and whole ORM rows for each
        # cost milliseconds of every press. The chosen one is then loaded (locked already).
        rows = s.execute(select(
            t.Ticket.id, t.Ticket.number, t.Service.code, t.Ticket.priority, t.Ticket.enqueued_at,
            t.Ticket.skip_count).join(t.Service, t.Ticket.service_id == t.Service.id).where(
            t.Ticket.status == TicketStatus.WAITING, t.Ticket.day == day,
            t.Ticket.service_id.in_(service_ids)).with_for_update(of=t.Ticket)).all()
        chosen = s.get(t.Ticket, queue.pick_next(
            queue.Ticket(id=r.id, number=r.number, service_code=r.code, priority=r.priority,
                         enqueued_at=r.enqueued_at, skip_count=r.skip_count) for r in rows).id)
        chosen.status = TicketStatus.CALLED
        chosen.called_at = now
        chosen.counter_id = counter.id
        chosen.staff_id = staff_id
        counter.current_ticket_id = chosen.id
        counter.state = CounterState.SERVING
        s.flush()
        return events + [self._event(s, "called", now, day, settings, ticket=chosen,
                                     counter=counter, staff_id=staff_id, recall=False)]

    def _recall(self, s, counter, now, day, settings, staff_id):
        ticket = self._current(s, counter)
        ticket.recall_count += 1
        return [self._event(s, "called", now, day, settings, ticket=ticket, counter=counter,
                            staff_id=staff_id, recall=True)]

    def _skip(self, s, counter, now, day, settings, staff_id):
        ticket = self._current(s, counter)
        outcome = queue.skip_outcome(ticket.skip_count, settings["skip_policy"])
        ticket.skip_count += 1
        ticket.status = outcome
        if outcome == TicketStatus.WAITING:
            ticket.enqueued_at = now
            ticket.counter_id = None
        else:
            ticket.finished_at = now
        self._free(counter)
        return [self._event(s, "skipped", now, day, settings, ticket=ticket, counter=counter,
                            staff_id=staff_id, requeued=outcome == TicketStatus.WAITING)]

    def _finish(self, s, counter, now, day, settings, staff_id):
        self._current(s, counter)
        return self._close_current(s, counter, now, day, settings, staff_id)

    def _close_current(self, s, counter, now, day, settings, staff_id):
        ticket = s.get(t.Ticket, counter.current_ticket_id)
        ticket.status = TicketStatus.SERVED
        ticket.finished_at = now
        self._free(counter)
        return [self._event(s, "finished", now, day, settings, ticket=ticket, counter=counter,
                            staff_id=staff_id)]

    def _transfer(self, s, counter, now, day, settings, staff_id, service_code):
        if not isinstance(service_code, str) or not service_code.strip():
            raise InvalidRequest(N_("Field 'service' wajib diisi: layanan tujuan transfer."))
        target = self._service(s, service_code)
        ticket = self._current(s, counter)
        if target.id == ticket.service_id:
            raise InvalidRequest(N_("Tiket %(number)s sudah di layanan %(code)s.", number=ticket.number, code=target.code))
        source = ticket.service
        ticket.service_id = target.id
        ticket.status = TicketStatus.WAITING
        ticket.enqueued_at = now
        ticket.counter_id = None
        self._free(counter)
        s.flush()
        s.refresh(ticket, ["service"])
        return [self._event(s, "transferred", now, day, settings, ticket=ticket, counter=counter,
                            staff_id=staff_id, source=source.code)]

    def _pause(self, s, counter, now, day, settings, staff_id):
        if counter.current_ticket_id:
            raise queue.QueueError(N_("Selesaikan atau lewati tiket yang sedang dilayani sebelum istirahat."))
        if counter.state == CounterState.PAUSED:
            return []
        counter.state = CounterState.PAUSED
        return [self._event(s, "paused", now, day, settings, counter=counter, staff_id=staff_id)]

    def _resume(self, s, counter, now, day, settings, staff_id):
        if counter.state != CounterState.PAUSED:
            return []
        counter.state = CounterState.IDLE
        return [self._event(s, "resumed", now, day, settings, counter=counter, staff_id=staff_id)]

    @staticmethod
    def _free(counter) -> None:
        counter.current_ticket_id = None
        counter.state = CounterState.IDLE

    @staticmethod
    def _current(s, counter) -> t.Ticket:
        if not counter.current_ticket_id:
            raise queue.NoCurrentTicket(N_("%(name)s tidak sedang melayani tiket.", name=counter.name))
        return s.get(t.Ticket, counter.current_ticket_id)

    # ---- reading ---------------------------------------------------------------------
    def snapshot(self) -> dict:
        """What a screen needs to draw the hall from nothing; `seq` is the last event in it."""
        now = self.clock()
        with self.db.read() as s:
            settings = self.settings(s)
            day = queue.service_day(now, settings["timezone"])
            seq = s.scalar(select(func.max(t.Event.seq))) or 0
            calls = s.scalars(select(t.Event).where(t.Event.type == "called")
                              .order_by(t.Event.seq.desc()).limit(LAST_CALLS)).all()
            return {
                "seq": seq,
                "now": now.isoformat(),
                "day": day.isoformat(),
                "hall": {"name": settings["hall_name"], "timezone": settings["timezone"],
                         "logo": _media_url(settings.get("hall_logo")),
                         "hours": opening.weekly_hours(settings["hours"]),
                         "holidays": _upcoming(settings["holidays"], day)},
                "services": self._services_view(s, now, day, settings),
                "counters": [self._counter_dict(s, c) for c in self._counters(s)],
                "last_calls": [c.payload | {"seq": c.seq} for c in calls
                               if queue.service_day(c.at, settings["timezone"]) == day],
                "running_text": {"lines": settings["running_text"],
                                 "speed": settings["running_text_speed"]},
                "media": [{"id": m.id, "url": _media_url(m.filename), "kind": m.kind,
                           "title": m.title, "seconds": m.seconds}
                          for m in s.scalars(select(t.Media).order_by(t.Media.position, t.Media.id))],
            }

    def services(self) -> list[dict]:
        now = self.clock()
        with self.db.read() as s:
            settings = self.settings(s)
            return self._services_view(s, now, queue.service_day(now, settings["timezone"]), settings)

    def counters(self) -> list[dict]:
        with self.db.read() as s:
            return [self._counter_dict(s, c) for c in self._counters(s)]

    def counter_view(self, counter_id: int, *, s: Session | None = None, day=None) -> dict:
        """A counter's state with its current ticket, waiting per service, and recent history."""
        if s is None:
            with self.db.read() as s:
                return self.counter_view(counter_id, s=s)
        counter = s.get(t.Counter, counter_id)
        if counter is None:
            raise queue.UnknownCounter(N_("Loket %(counter_id)s tidak ada.", counter_id=counter_id))
        if day is None:
            day = queue.service_day(self.clock(), self.settings(s)["timezone"])
        waiting = self._waiting(s, day)
        history = s.scalars(select(t.Event).where(
            t.Event.counter_id == counter.id, t.Event.ticket_id.is_not(None))
            .order_by(t.Event.seq.desc()).limit(10)).all()
        view = self._counter_dict(s, counter)
        view["waiting"] = {sv.code: waiting.get(sv.id, 0) for sv in counter.services}
        view["history"] = [{"seq": e.seq, "type": e.type, "at": e.at.isoformat(),
                            "ticket": e.payload.get("ticket"), "recall": e.payload.get("recall")}
                           for e in history]
        return view

    def ticket_timeline(self, number: str, day=None) -> list[dict]:
        with self.db.read() as s:
            if day is None:
                day = queue.service_day(self.clock(), self.settings(s)["timezone"])
            ticket = s.scalar(select(t.Ticket).where(t.Ticket.number == number, t.Ticket.day == day))
            if ticket is None:
                return []
            return [{"seq": e.seq, "type": e.type, "at": e.at.isoformat(),
                     "counter_id": e.counter_id, "staff_id": e.staff_id}
                    for e in s.scalars(select(t.Event).where(t.Event.ticket_id == ticket.id)
                                       .order_by(t.Event.seq))]

    def statistics(self, first_day, last_day, service_codes: list[str] | None = None) -> dict:
        """Figures for service days first_day..last_day (hall time), optionally some services."""
        from . import stats
        with self.db.read() as s:
            tz = self.settings(s)["timezone"]
            codes = dict(s.execute(select(t.Service.id, t.Service.code)).all())
            counters = dict(s.execute(select(t.Counter.id, t.Counter.name)
                                      .order_by(t.Counter.position)).all())
            first_calls = dict(s.execute(
                select(t.Event.ticket_id, func.min(t.Event.at))
                .join(t.Ticket, t.Ticket.id == t.Event.ticket_id)
                .where(t.Event.type == "called", t.Ticket.day >= first_day, t.Ticket.day <= last_day)
                .group_by(t.Event.ticket_id)).all())
            tickets = s.scalars(select(t.Ticket).where(t.Ticket.day >= first_day,
                                                       t.Ticket.day <= last_day)).all()
            names = dict(s.execute(select(t.Service.code, t.Service.name)).all())
            visit_events = s.execute(
                select(t.Event.ticket_id, t.Event.counter_id, t.Event.type, t.Event.at, t.Event.payload)
                .join(t.Ticket, t.Ticket.id == t.Event.ticket_id)
                .where(t.Event.type.in_(("called", "finished", "skipped", "transferred")),
                       t.Ticket.day >= first_day, t.Ticket.day <= last_day)
                .order_by(t.Event.seq)).all()
            ticket_codes = {tk.id: (codes[tk.issuing_service_id], codes[tk.service_id]) for tk in tickets}
            facts = [stats.TicketFacts(
                number=tk.number, issuing_service=codes[tk.issuing_service_id],
                service=codes[tk.service_id], status=tk.status, issued_at=tk.issued_at,
                first_called_at=first_calls.get(tk.id), called_at=tk.called_at,
                finished_at=tk.finished_at, counter=counters.get(tk.counter_id))
                for tk in tickets]
        wanted = list(codes.values()) if service_codes is None else service_codes
        facts = [f for f in facts if f.issuing_service in wanted or f.service in wanted]
        visits = stats.counter_visits(
            (ticket, counters.get(counter), type_, at, (payload or {}).get("recall"))
            for ticket, counter, type_, at, payload in visit_events
            if set(ticket_codes.get(ticket, ())) & set(wanted))
        result = stats.compute(facts, wanted, list(counters.values()), tz, visits)
        result["services"] = [r | {"name": names.get(r["code"], r["code"])}
                              for r in result["services"] if r["code"] in wanted]
        result["from"], result["to"] = first_day.isoformat(), last_day.isoformat()
        return result

    def live_overview(self) -> dict:
        """For the manager: waiting and longest wait per service, each counter's state."""
        now = self.clock()
        with self.db.read() as s:
            settings = self.settings(s)
            day = queue.service_day(now, settings["timezone"])
            oldest = dict(s.execute(select(t.Ticket.service_id, func.min(t.Ticket.enqueued_at)).where(
                t.Ticket.status == TicketStatus.WAITING, t.Ticket.day == day)
                .group_by(t.Ticket.service_id)).all())
            waiting = self._waiting(s, day)
            services = []
            for sv in s.scalars(select(t.Service).order_by(t.Service.position)):
                open_, reason = self._open_state(s, sv, settings, now)
                services.append({"code": sv.code, "name": sv.name, "waiting": waiting.get(sv.id, 0),
                                 "longest_wait_seconds": int((now - oldest[sv.id]).total_seconds())
                                 if sv.id in oldest else 0,
                                 "open": open_, "closed_reason": reason,
                                 # what a person typed when closing it (not hours or holidays)
                                 "manual_reason": _manual_closure(sv, day)})
            return {"services": services,
                    "counters": [self._counter_dict(s, c) for c in self._counters(s)]}

    def events_after(self, seq: int, limit: int = 500) -> list[dict]:
        with self.db.read() as s:
            return [e.payload | {"seq": e.seq} for e in s.scalars(
                select(t.Event).where(t.Event.seq > seq).order_by(t.Event.seq).limit(limit))]

    def events_between(self, after_seq: int, through_seq: int, types: tuple[str, ...],
                       since: datetime) -> list[dict]:
        """Events of these types with after_seq < seq <= through_seq committed at `since` or later."""
        with self.db.read() as s:
            return [e.payload | {"seq": e.seq} for e in s.scalars(
                select(t.Event).where(t.Event.seq > after_seq, t.Event.seq <= through_seq,
                                      t.Event.type.in_(types), t.Event.at >= since)
                .order_by(t.Event.seq))]

    def broadcast_position(self) -> int:
        """The last event seq the broadcaster has sent (settings row BROADCAST_KEY).

        A database that has no such row yet (new, or from before the row existed) starts at
        its newest event: there is nothing to replay from before anyone kept count."""
        with self.db.write() as s:
            row = s.get(t.Setting, BROADCAST_KEY)
            if row is None:
                row = t.Setting(key=BROADCAST_KEY, value=s.scalar(select(func.max(t.Event.seq))) or 0)
                s.add(row)
            return int(row.value)

    def save_broadcast_position(self, seq: int) -> None:
        """One small write per emitted batch; never moves back (two processes may both send)."""
        with self.db.write() as s:
            row = s.get(t.Setting, BROADCAST_KEY)
            if row is None:
                s.add(t.Setting(key=BROADCAST_KEY, value=seq))
            elif int(row.value) < seq:
                row.value = seq

    # ---- helpers ----------------------------------------------------------------------
    @staticmethod
    def _service(s, code, lock: bool = False) -> t.Service:
        query = select(t.Service).where(t.Service.code == code.strip().upper())
        service = s.scalar(query.with_for_update() if lock else query)
        if service is None:
            raise queue.UnknownService(N_("Layanan tidak dikenal: %(code)s", code=repr(code)))
        return service

    @staticmethod
    def _counters(s) -> list[t.Counter]:
        return s.scalars(select(t.Counter).order_by(t.Counter.position, t.Counter.id)).all()

    @staticmethod
    def _waiting(s, day) -> dict[int, int]:
        return dict(s.execute(select(t.Ticket.service_id, func.count()).where(
            t.Ticket.status == TicketStatus.WAITING, t.Ticket.day == day)
            .group_by(t.Ticket.service_id)).all())

    def _open_state(self, s, service, settings, now) -> tuple[bool, str | None]:
        day = queue.service_day(now, settings["timezone"])
        closed = _manual_closure(service, day)
        open_, reason = queue.is_open(now, settings["timezone"], service.hours or settings["hours"],
                                      settings["holidays"], closed)
        if open_ and service.daily_limit:
            issued = s.scalar(select(func.count()).select_from(t.Ticket).where(
                t.Ticket.issuing_service_id == service.id, t.Ticket.day == day))
            if issued >= service.daily_limit:
                return False, N_("Kuota hari ini (%(limit)s) sudah habis", limit=service.daily_limit)
        return open_, reason

    def _services_view(self, s, now, day, settings) -> list[dict]:
        waiting = self._waiting(s, day)
        views = []
        for sv in s.scalars(select(t.Service).order_by(t.Service.position, t.Service.id)):
            open_, reason = self._open_state(s, sv, settings, now)
            views.append({"code": sv.code, "name": sv.name, "short_name": sv.short_name,
                          "prefix": sv.code, "color": sv.color,
                          "logo": _media_url(sv.logo), "daily_limit": sv.daily_limit,
                          "hours": sv.hours, "closed_until": sv.closed_until and sv.closed_until.isoformat(),
                          "open": open_, "closed_reason": reason,
                          "closed_reason_en": in_language(reason, "en"),   # the English kiosk's
                          "opens": None if open_ else _opens(sv, day, settings, now, reason),
                          "waiting": waiting.get(sv.id, 0)})
        return views

    @staticmethod
    def _counter_dict(s, counter: t.Counter) -> dict:
        ticket = s.get(t.Ticket, counter.current_ticket_id) if counter.current_ticket_id else None
        return {"id": counter.id, "name": counter.name, "short_name": counter.short_name,
                "state": str(counter.state),
                "services": [sv.code for sv in counter.services],
                "ticket": ticket and {"number": ticket.number, "service": ticket.service.code,
                                      "priority": ticket.priority,
                                      "called_at": ticket.called_at.isoformat()}}

    def _ticket_view(self, s, ticket: t.Ticket, day) -> dict:
        ahead = s.scalar(select(func.count()).select_from(t.Ticket).where(
            t.Ticket.status == TicketStatus.WAITING, t.Ticket.day == day,
            t.Ticket.service_id == ticket.service_id, t.Ticket.id != ticket.id,
            t.Ticket.priority.is_(True) if ticket.priority else t.Ticket.id.is_not(None),
            (t.Ticket.enqueued_at <= ticket.enqueued_at) | t.Ticket.priority.is_(not ticket.priority)))
        return {"id": ticket.id, "number": ticket.number, "service": ticket.service.code,
                "service_name": ticket.service.name, "priority": ticket.priority,
                "status": str(ticket.status), "issued_at": ticket.issued_at.isoformat(),
                "day": day.isoformat(), "ahead": ahead, "position": ahead + 1}

    def _event(self, s, type_, now, day, settings, *, ticket=None, counter=None, service=None,
               staff_id=None, **extra) -> dict:
        """Append the numbered event in this transaction and return what the screens get.
        Its seq comes from Database.next_event_seq: gap-free and in commit order, on PostgreSQL
        too, provided the transaction was opened with `db.write(events=True)`."""
        s.flush()
        service = service or (ticket.service if ticket else None)
        waiting = self._waiting(s, day)
        payload = {
            "type": type_, "at": now.isoformat(),
            "ticket": ticket.number if ticket else None,
            "priority": ticket.priority if ticket else None,
            "service": service.code if service else None,
            "service_name": service.name if service else None,
            "counter": self._counter_dict(s, counter) if counter else None,
            "waiting": {code: waiting.get(sid, 0) for sid, code in
                        s.execute(select(t.Service.id, t.Service.code)).all()},
            **extra,
        }
        row = t.Event(seq=self.db.next_event_seq(s), type=type_, at=now,
                      ticket_id=ticket.id if ticket else None,
                      counter_id=counter.id if counter else None, staff_id=staff_id,
                      payload=payload)
        s.add(row)
        s.flush()
        return payload | {"seq": row.seq}

    def record_event(self, type_: str, payload: dict) -> dict:
        """A numbered event that is not a queue change (settings, running text, hall edits)."""
        now = self.clock()
        with self.db.write(events=True) as s:
            row = t.Event(seq=self.db.next_event_seq(s), type=type_, at=now,
                          payload={"type": type_, "at": now.isoformat(), **payload})
            s.add(row)
            s.flush()
            event = row.payload | {"seq": row.seq}
        self._publish([event])
        return event


def _reply_key(key: str) -> str:
    """The stored form of an idempotency key: its SHA-256, 64 characters whatever the client
    sent. The kiosk's own name and a 100-character key can pass the column's 120, which SQLite
    never checks and PostgreSQL refuses (a 500 instead of the ticket)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _manual_closure(service, day) -> str | None:
    """The reason a person closed the service, unless it was only for a day that has passed."""
    if service.closed_until is None or day <= service.closed_until:
        return service.closed_reason
    return None


def _opens(service, day, settings, now, reason) -> dict | None:
    """When a closed service opens next (hours, holidays, "rest of today", a used-up quota), in
    both languages for the kiosk; None when only a person can open it again."""
    if service.closed_reason and _manual_closure(service, day) and service.closed_until is None:
        return None
    through = service.closed_until if _manual_closure(service, day) else None
    if reason and reason.startswith("Kuota"):
        through = day
    moment = opening.next_opening(now, settings["timezone"], service.hours or settings["hours"],
                                  settings["holidays"], closed_through=through)
    if moment is None:
        return None
    words = opening.describe(moment, settings["timezone"], None)   # the kiosk switches language itself
    return {"at": moment.isoformat(), "id": in_language(words, "id"), "en": in_language(words, "en")}


def _upcoming(holidays: dict, day, days: int = 45) -> list[dict]:
    """Holidays from today on, for the visitors' hours panel."""
    last = (day + timedelta(days=days)).isoformat()
    return [{"date": d, "name": name} for d, name in sorted(holidays.items())
            if day.isoformat() <= d <= last]


def _media_url(filename: str | None) -> str | None:
    return f"/media/{filename}" if filename else None
