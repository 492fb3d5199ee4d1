"""Tables of the kiosks' printers and their print jobs (signage/printing/ uses them).

Kept beside the other tables, on the same metadata (a change to them needs a migration revision,
signage/store/migrations). Times in UTC.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base, UTCDateTime


class KioskPrinter(Base):
    """A paired kiosk's printer, as the manager set it up, and what the printer last said."""

    __tablename__ = "kiosk_printers"
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="browser")    # network, usb, serial, browser, none
    address: Mapped[str] = mapped_column(String(120), default="")       # 10.0.0.50:9100, 0416:5011, /dev/ttyUSB0:9600
    paper: Mapped[int] = mapped_column(Integer, default=80)             # 58 or 80 mm
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What the printer said the last time it was asked (worker): ok, paper_low, paper_out,
    # cover_open, offline, unknown; with the words for the console.
    state: Mapped[str] = mapped_column(String(12), default="unknown")
    detail: Mapped[str] = mapped_column(String(200), default="")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The kiosk's last ticket, for the console's live view.
    last_ticket: Mapped[str | None] = mapped_column(String(8), nullable=True)
    last_ticket_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PrintJob(Base):
    """One slip to print: its ESC/POS bytes are rendered once, at issue, and sent as they are,
    however many tries it takes. Survives a restart: the worker picks pending jobs up again."""

    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_pending", "status", "device_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    number: Mapped[str] = mapped_column(String(8), default="")          # "" for a test slip
    kind: Mapped[str] = mapped_column(String(10), default="ticket")     # ticket, reprint, test
    data: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, printed, expired
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
