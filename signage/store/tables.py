"""SQLAlchemy tables. Times are stored in UTC; the hall's zone is applied when shown or counted."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer, String,
                        Table, Text, TypeDecorator, UniqueConstraint, Index)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware times")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


counter_services = Table(
    "counter_services", Base.metadata,
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)

user_counters = Table(
    "user_counters", Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
)


class Service(Base):
    __tablename__ = "services"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(1), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    color: Mapped[str] = mapped_column(String(7), default="#1f4e9c")
    daily_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # "Close for the rest of today": closed through this service day, open again after it.
    closed_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    hours: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # None: the hall's hours
    logo: Mapped[str | None] = mapped_column(String(80), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # What the hall TV shows in place of a long name (issue 14); None: the name (migration 0003).
    short_name: Mapped[str | None] = mapped_column(String(24), nullable=True)


class Counter(Base):
    __tablename__ = "counters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="idle")
    current_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", use_alter=True, name="fk_counter_ticket"), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    short_name: Mapped[str | None] = mapped_column(String(24), nullable=True)  # the TV's; None: name
    services: Mapped[list[Service]] = relationship(secondary=counter_services,
                                                   order_by="Service.position", lazy="selectin")


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("issuing_service_id", "day", "seq", name="uq_ticket_day_seq"),
        Index("ix_ticket_waiting", "status", "service_id", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    issuing_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(8))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), nullable=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    skip_count: Mapped[int] = mapped_column(Integer, default=0)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    service: Mapped[Service] = relationship(foreign_keys=[service_id], lazy="joined")


class Event(Base):
    """Every state change, numbered. The sequence drives the screens and each ticket's timeline."""

    __tablename__ = "events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True, index=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), nullable=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    __table_args__ = ({"sqlite_autoincrement": True},)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(12))  # manager, supervisor, staff
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    counters: Mapped[list[Counter]] = relationship(secondary=user_counters, lazy="selectin")


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(12))  # manager, counter, kiosk
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    label: Mapped[str] = mapped_column(String(80), default="")
    # Added after halls had this table (before migrations): adopting such a database adds them.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # None: never
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # to the minute


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class IdempotentReply(Base):
    """The answer given to a counter request, replayed when the same request arrives again."""

    __tablename__ = "idempotent_replies"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Media(Base):
    """An image or video in the displays' playlist; stored under a generated file name."""

    __tablename__ = "media"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(10))  # image, video
    size: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(Integer, default=10)  # how long an image stays
    position: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisplayProfile(Base):
    __tablename__ = "display_profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    services: Mapped[list] = mapped_column(JSON, default=list)  # empty: all
    layout: Mapped[str] = mapped_column(String(20), default="calls_media")
    sound: Mapped[bool] = mapped_column(Boolean, default=False)


class ScheduledAnnouncement(Base):
    __tablename__ = "scheduled_announcements"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(300))
    at: Mapped[str] = mapped_column(String(5))  # HH:MM hall time, every service day
    days: Mapped[list] = mapped_column(JSON, default=list)  # mon..sun; empty: every day
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_run: Mapped[date | None] = mapped_column(Date, nullable=True)
    zone: Mapped[str | None] = mapped_column(String(40), nullable=True)  # speaker zone; None: all (0004)


class UserSession(Base):
    """A logged-in browser. The cookie holds a random id; only its SHA-256 is kept here, so a
    log-out, a password reset or a disabled account ends the session on the server side."""

    __tablename__ = "user_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    """Failed log-ins per account name ("user:siti") or per address ("addr:10.0.0.7")."""

    __tablename__ = "login_failures"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Device(Base):
    """A hall TV or kiosk that a manager paired by the code it showed. The device keeps a random
    secret in a cookie; only its SHA-256 is stored."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))           # display, kiosk
    name: Mapped[str] = mapped_column(String(60), default="")
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str | None] = mapped_column(String(6), nullable=True, unique=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="")
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paired_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# ---- Survei Kepuasan Masyarakat (signage/survey/) --------------------------------------------
class SurveyToken(Base):
    """The proof that a ticket was served: made when it is finished, shown as a QR at the counter.
    Kept as is (not hashed) so the counter can show it again; it opens one survey of one served
    ticket, once, for a few days, which is all anyone holding the database could do anyway."""

    __tablename__ = "survey_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyResponse(Base):
    """One visitor's answers for one served ticket; anonymous (no name, no phone). The UNIQUE
    ticket_id is what makes it one response per ticket, whatever races."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("ticket_id", name="uq_survey_response_ticket"),
                      Index("ix_survey_response_day", "day", "service_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), nullable=True)
    day: Mapped[date] = mapped_column(Date)                 # the ticket's service day (hall time)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(10))        # phone, tablet
    answers: Mapped[dict] = mapped_column(JSON)             # {element: 1..4}
    gender: Mapped[str | None] = mapped_column(String(2), nullable=True)
    age: Mapped[str | None] = mapped_column(String(8), nullable=True)
    education: Mapped[str | None] = mapped_column(String(10), nullable=True)
    occupation: Mapped[str | None] = mapped_column(String(12), nullable=True)
    comment: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    followed_up_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    reply: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SurveyQuestion(Base):
    """A manager's wording of one element (laid over the regulation's default)."""

    __tablename__ = "survey_questions"
    element: Mapped[str] = mapped_column(String(20), primary_key=True)
    question: Mapped[str] = mapped_column(String(300))
    answers: Mapped[list] = mapped_column(JSON)
    question_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    answers_en: Mapped[list | None] = mapped_column(JSON, nullable=True)


class SurveyHiddenElement(Base):
    """An element that does not apply to an agency (e.g. biaya for a free service)."""

    __tablename__ = "survey_hidden_elements"
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    element: Mapped[str] = mapped_column(String(20), primary_key=True)


class SurveyDisplay(Base):
    """Whether a display profile shows the current IKM: off, ticker (running text) or panel."""

    __tablename__ = "survey_displays"
    profile_id: Mapped[int] = mapped_column(ForeignKey("display_profiles.id", ondelete="CASCADE"),
                                            primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default="off")


# ---- The visitor's phone (signage/visitor.py) -------------------------------------------------
class TicketLink(Base):
    """A ticket's own page: /t/<token>. Random (not derived from the number), valid through the
    ticket's service day. Kept as is, like the survey token: it opens one ticket's page and its
    cancel button for one day, which is all anyone holding the database could do anyway."""

    __tablename__ = "ticket_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)   # the end of its service day


# ---- WhatsApp messages (signage/notify/) ------------------------------------------------------
class NotifyContact(Base):
    """A visitor's WhatsApp number for one ticket, given at the kiosk (optional). Personal data
    (UU 27/2022): kept only until the end of the ticket's service day, then erased with the
    messages that carried it (Outbox.erase_expired)."""

    __tablename__ = "notify_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    phone: Mapped[str] = mapped_column(String(16))             # 628xxxxxxxxx
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the end of its service day
    near_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    called_sent: Mapped[bool] = mapped_column(Boolean, default=False)


class OutboxMessage(Base):
    """A message waiting to leave, sent, or given up. Written in the database so a restart
    loses none; the worker retries with backoff until `give_up_at`."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_try_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True)
    number: Mapped[str] = mapped_column(String(8), default="")   # the ticket's number, for the console
    kind: Mapped[str] = mapped_column(String(10))                # issued, near, called
    phone: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default="pending")   # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)    # erased with the phone number
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")


# ---- Several server processes on one database -------------------------------------------------
class HallDuty(Base):
    """A duty only one process of the hall may do at a time (scheduled announcements, printers), held by
    `holder` until `expires_at` unless renewed (store/duties.py). Added by migration 0002."""

    __tablename__ = "hall_duties"
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    holder: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
