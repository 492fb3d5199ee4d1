"""The outbox: which messages a ticket with a WhatsApp number gets, and how they leave.

A number is given for one ticket (at the kiosk, optional). Then:
- `issued`: at once, with the ticket's link and estimate;
- `near`: once, when `near` (console, default 3) or fewer people are ahead of it;
- `called`: when a counter calls it (not on a recall).
Each is a row in `outbox_messages`, written in its own transaction after the queue change has
committed (by the worker, never by the counter's request: a call is never delayed by a
message). The worker sends what is due; a failure that is worth another try waits BACKOFF
(10 s, 30 s, 1, 2, then every 5 minutes) until `give_up_minutes` (console, default 30) after
the message was made, then it is `failed` and listed in the console. Rows live in the database:
a restart sends what was pending. At the end of the ticket's service day its number and every
message that carried it are deleted (UU 27/2022: personal data kept no longer than needed).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ..queue import TicketStatus
from ..service import HallService, InvalidRequest
from ..store import tables as t
from ..visitor import end_of_day
from . import senders
from .phone import masked, normalise
from ..messages import N_

CONFIG_KEY = "notify"
BACKOFF = (10, 30, 60, 120, 300)    # seconds before the 1st, 2nd, ... retry; then the last again
SENDERS = ("off", "log", "http")
DEFAULTS = {"sender": "log", "url": "", "token": "", "header": "Authorization",
            "template": senders.DEFAULT_TEMPLATE, "near": 3, "give_up_minutes": 30}


class Outbox:
    def __init__(self, hall: HallService, clock: Callable[[], datetime] | None = None):
        self.hall = hall
        self.db = hall.db
        self.clock = clock or hall.clock
        self.wake: Callable[[], None] = lambda: None   # the worker's (worker.py)

    # ---- the console -------------------------------------------------------------------------
    def config(self, s=None) -> dict:
        if s is None:
            with self.db.read() as s:
                return self.config(s)
        row = s.get(t.Setting, CONFIG_KEY)
        stored = row.value if row is not None and isinstance(row.value, dict) else {}
        return {**DEFAULTS, **stored}

    def public_config(self) -> dict:
        """The settings without the gateway's token (only whether one is set)."""
        config = self.config()
        token = config.pop("token")
        return config | {"token_set": bool(token)}

    def set_config(self, body: dict) -> dict:
        unknown = set(body) - set(DEFAULTS)
        if unknown:
            raise InvalidRequest(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
        with self.db.write() as s:
            config = self.config(s)
            if "sender" in body:
                if body["sender"] not in SENDERS:
                    raise InvalidRequest(N_("sender: off, log atau http."))
                config["sender"] = body["sender"]
            if "url" in body:
                url = body["url"]
                if not isinstance(url, str) or len(url) > 300 or (url and not url.startswith(("http://", "https://"))):
                    raise InvalidRequest(N_("URL gateway: alamat http(s):// hingga 300 karakter."))
                config["url"] = url.strip()
            for name, limit in (("token", 300), ("header", 60)):
                if name in body:
                    if not isinstance(body[name], str) or len(body[name]) > limit:
                        raise InvalidRequest(N_("%(name)s: teks hingga %(limit)s karakter.", name=name, limit=limit))
                    config[name] = body[name].strip()
            if not config["header"] or not config["header"].replace("-", "").isalnum():
                raise InvalidRequest(N_("header: nama header HTTP, mis. Authorization."))
            if "template" in body:
                config["template"] = senders.check_template(body["template"])
            for name, low, high in (("near", 1, 20), ("give_up_minutes", 1, 24 * 60)):
                if name in body:
                    value = body[name]
                    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                        raise InvalidRequest(N_("%(name)s: bilangan bulat %(low)s–%(high)s.", name=name, low=low, high=high))
                    config[name] = value
            if config["sender"] == "http" and not config["url"]:
                raise InvalidRequest(N_("Pengirim http memerlukan URL gateway."))
            row = s.get(t.Setting, CONFIG_KEY)
            if row is None:
                s.add(t.Setting(key=CONFIG_KEY, value=config))
            else:
                row.value = config
        return self.public_config()

    def sender(self):
        config = self.config()
        if config["sender"] == "http" and config["url"]:
            return senders.HttpGateway(config["url"], config["token"], config["template"], config["header"])
        if config["sender"] == "off":
            return None
        return senders.LogSender()

    def report(self, limit: int = 50) -> dict:
        """For the console: counts of today's messages and the latest failures (numbers masked)."""
        with self.db.read() as s:
            counts = dict(s.execute(select(t.OutboxMessage.status, func.count())
                                    .group_by(t.OutboxMessage.status)).all())
            failed = s.scalars(select(t.OutboxMessage).where(t.OutboxMessage.status == "failed")
                               .order_by(t.OutboxMessage.id.desc()).limit(limit)).all()
            retrying = s.scalars(select(t.OutboxMessage).where(t.OutboxMessage.status == "pending",
                                                               t.OutboxMessage.attempts > 0)
                                 .order_by(t.OutboxMessage.id.desc()).limit(limit)).all()
            contacts = s.scalar(select(func.count()).select_from(t.NotifyContact))
            return {"counts": {k: counts.get(k, 0) for k in ("pending", "sent", "failed")},
                    "contacts": contacts,
                    "failures": [_row_view(m) for m in failed],
                    "retrying": [_row_view(m) for m in retrying]}

    # ---- a number for a ticket ---------------------------------------------------------------
    def add_contact(self, ticket_id: int, phone: object, url: str, estimate: str | None) -> dict:
        """The visitor's number for this ticket; the `issued` message is queued at once."""
        number = normalise(phone)
        now = self.clock()
        with self.db.write() as s:
            ticket = s.get(t.Ticket, ticket_id)
            if ticket is None or ticket.status != TicketStatus.WAITING:
                raise InvalidRequest(N_("Nomor WhatsApp hanya untuk tiket yang masih menunggu."))
            settings = self.hall.settings(s)
            config = self.config(s)
            expires = end_of_day(ticket.day, settings["timezone"])
            contact = s.scalar(select(t.NotifyContact).where(t.NotifyContact.ticket_id == ticket_id))
            if contact is None:
                contact = t.NotifyContact(ticket_id=ticket_id, phone=number, created_at=now,
                                          expires_at=expires, near_sent=False, called_sent=False)
                s.add(contact)
            else:
                contact.phone = number
            ahead = self.hall._ticket_view(s, ticket, ticket.day)["ahead"]
            text = (f"{settings['hall_name']}: nomor antrian Anda {ticket.number} ({ticket.service.name}). "
                    f"Di depan Anda: {ahead} orang"
                    + (f", perkiraan dipanggil {estimate}" if estimate else "")
                    + f". Pantau antrian Anda: {url}")
            self._enqueue(s, ticket, number, "issued", text, now, expires, config)
            if ahead < config["near"]:
                contact.near_sent = True    # already near: no "N lagi" on top of this one
        self.wake()
        return {"phone": masked(number), "expires_at": expires.isoformat()}

    def _enqueue(self, s, ticket, phone, kind, text, now, expires, config) -> None:
        s.add(t.OutboxMessage(ticket_id=ticket.id, number=ticket.number, kind=kind, phone=phone,
                              body=text[:1000], status="pending", attempts=0, created_at=now,
                              next_try_at=now, give_up_at=now + timedelta(minutes=config["give_up_minutes"]),
                              expires_at=expires, last_error=""))

    def on_change(self) -> int:
        """After queue changes (the worker calls it): `near` and `called` for tickets with a
        number. Returns how many messages were queued."""
        now = self.clock()
        made = 0
        with self.db.write() as s:
            config = self.config(s)
            contacts = s.scalars(select(t.NotifyContact).where(
                t.NotifyContact.called_sent.is_(False), t.NotifyContact.expires_at > now)).all()
            for contact in contacts:
                ticket = s.get(t.Ticket, contact.ticket_id)
                if ticket is None:
                    continue
                if ticket.status == TicketStatus.CALLED:
                    counter = s.get(t.Counter, ticket.counter_id) if ticket.counter_id else None
                    where = counter.name if counter else "loket"
                    self._enqueue(s, ticket, contact.phone, "called",
                                  f"{ticket.number}: silakan menuju {where} sekarang.", now,
                                  contact.expires_at, config)
                    contact.called_sent = contact.near_sent = True
                    made += 1
                elif ticket.status == TicketStatus.WAITING and not contact.near_sent:
                    ahead = self.hall._ticket_view(s, ticket, ticket.day)["ahead"]
                    if ahead <= config["near"]:
                        text = (f"{ticket.number}: {ahead} lagi sebelum giliran Anda. Mohon kembali ke "
                                f"ruang tunggu {ticket.service.name}." if ahead else
                                f"{ticket.number}: Anda berikutnya. Mohon kembali ke ruang tunggu.")
                        self._enqueue(s, ticket, contact.phone, "near", text, now, contact.expires_at, config)
                        contact.near_sent = True
                        made += 1
                elif ticket.status != TicketStatus.WAITING:
                    contact.called_sent = True      # served, skipped or cancelled: nothing more to say
        if made:
            self.wake()
        return made

    # ---- sending -----------------------------------------------------------------------------
    def due(self, limit: int = 20) -> list[tuple[int, str, str]]:
        """(id, phone, body) of pending messages whose time has come, oldest first."""
        now = self.clock()
        with self.db.read() as s:
            return [(m.id, m.phone, m.body) for m in s.scalars(
                select(t.OutboxMessage).where(t.OutboxMessage.status == "pending",
                                              t.OutboxMessage.next_try_at <= now)
                .order_by(t.OutboxMessage.next_try_at, t.OutboxMessage.id).limit(limit))]

    def next_due_in(self) -> float | None:
        with self.db.read() as s:
            first = s.scalar(select(func.min(t.OutboxMessage.next_try_at))
                             .where(t.OutboxMessage.status == "pending"))
        return None if first is None else (first - self.clock()).total_seconds()

    def send_one(self, message_id: int, phone: str, body: str, sender) -> str:
        """Try one message with `sender`; record the outcome. Returns sent, pending or failed."""
        error: senders.SendFailed | None = None
        if sender is None:
            error = senders.SendFailed("pengiriman WhatsApp dimatikan di konsol", retry=False)
        else:
            try:
                sender.send(phone, body)
            except senders.SendFailed as exc:
                error = exc
            except Exception as exc:   # a sender's bug must not stop the outbox
                error = senders.SendFailed(f"kesalahan pengirim: {type(exc).__name__}")
        now = self.clock()
        with self.db.write() as s:
            row = s.get(t.OutboxMessage, message_id)
            if row is None or row.status != "pending":
                return row.status if row else "gone"
            row.attempts += 1
            if error is None:
                row.status, row.sent_at, row.last_error = "sent", now, ""
            else:
                row.last_error = error.detail
                wait = timedelta(seconds=BACKOFF[min(row.attempts, len(BACKOFF)) - 1])
                if not error.retry or now + wait > row.give_up_at:
                    row.status = "failed"
                else:
                    row.next_try_at = now + wait
            return row.status

    def erase_expired(self) -> int:
        """Numbers and their messages after the end of their service day (UU 27/2022)."""
        now = self.clock()
        with self.db.write() as s:
            gone = s.execute(delete(t.NotifyContact).where(t.NotifyContact.expires_at <= now)).rowcount
            gone += s.execute(delete(t.OutboxMessage).where(t.OutboxMessage.expires_at <= now)).rowcount
        return gone


def _row_view(m: t.OutboxMessage) -> dict:
    return {"id": m.id, "number": m.number, "kind": m.kind, "phone": masked(m.phone),
            "attempts": m.attempts, "created_at": m.created_at.isoformat(),
            "next_try_at": m.next_try_at.isoformat() if m.status == "pending" else None,
            "error": m.last_error}
