"""The kiosks' printers: set up per kiosk by the manager, a print job per ticket, retried until
the printer is back, and each printer's state for the console.

A ticket never waits for paper. Issuing commits the ticket first (HallService); then a print job
with the slip's ESC/POS bytes is written here and the worker (worker.py) is woken. Paper out,
the cover open or the printer unreachable: the job stays pending and is tried again, with a
short back-off, until it prints or is too old to matter (JOB_TTL: the visitor has long gone).
Jobs live in the database, so a restart in between loses none.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update

from .. import audit, queue
from ..queue import opening
from ..store import Database
from ..store import tables as t
from ..store.printing import KioskPrinter, PrintJob
from . import slip as slips
from .transport import DEVICE_KINDS, KINDS, AddressError, Status, check_address
from ..messages import N_

JOB_TTL = timedelta(minutes=15)     # a slip nobody is waiting for any more is not printed
KEEP_DONE = timedelta(days=2)       # printed and expired jobs (their bytes) are then deleted
PRUNE_EVERY = timedelta(hours=1)
BACKOFF = (2, 3, 5, 5, 10)           # seconds before the 1st, 2nd, ... retry; then the last
MAX_REPRINTS = 3                     # per ticket, from the kiosk's "Cetak ulang"
FOOTER_KEY = "slip_footer"
DEFAULT_FOOTER = "Terima kasih atas kunjungan Anda."
MAX_FOOTER = 300
STATE_WORDS = {"ok": "Siap", "paper_low": "Kertas hampir habis", "paper_out": "Kertas habis",
               "cover_open": "Tutup terbuka", "offline": "Tidak terjangkau", "unknown": "Belum diperiksa"}


class PrintingError(queue.QueueError):
    status = 400


class UnknownKiosk(queue.QueueError):
    status = 404


@dataclass(frozen=True)
class Job:
    id: int
    device_id: int
    kind: str
    address: str
    data: bytes
    number: str


class Printing:
    def __init__(self, db: Database, clock: Callable[[], datetime], settings: Callable[[], dict],
                 media_dir: Path):
        self.db = db
        self.clock = clock
        self.settings = settings
        self.media_dir = Path(media_dir)
        self.wake: Callable[[], None] = lambda: None                 # set by the worker
        self.notify: Callable[[int, dict], None] = lambda device_id, info: None
        self._pruned_at: datetime | None = None

    # ---- the manager's side -------------------------------------------------------------
    def kiosks(self, presence: list[dict]) -> list[dict]:
        """Every paired kiosk: connected now?, its printer, the printer's state, its last ticket."""
        up = {p["device_id"] for p in presence if p.get("device_id") and p.get("page") == "kiosk"}
        with self.db.read() as s:
            devices = s.scalars(select(t.Device).where(
                t.Device.kind == "kiosk", t.Device.paired_at.is_not(None), t.Device.revoked_at.is_(None))
                .order_by(t.Device.name, t.Device.id)).all()
            printers = {p.device_id: p for p in s.scalars(select(KioskPrinter))}
            counts: dict[int, int] = {}
            for device_id in s.scalars(select(PrintJob.device_id).where(PrintJob.status == "pending")):
                counts[device_id] = counts.get(device_id, 0) + 1
            return [_kiosk_view(d, printers.get(d.id), d.id in up, counts.get(d.id, 0)) for d in devices]

    def configure(self, actor, device_id: int, body: dict) -> dict:
        unknown = set(body) - {"kind", "address", "paper"}
        if unknown:
            raise PrintingError(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
        kind = body.get("kind")
        if kind not in KINDS:
            raise PrintingError(N_("Jenis printer: %(names)s.", names=', '.join(KINDS)))
        paper = body.get("paper", 80)
        if paper not in slips.PAPERS or isinstance(paper, bool):
            raise PrintingError(N_("Lebar kertas: 58 atau 80 (mm)."))
        address = body.get("address", "")
        if not isinstance(address, str) or len(address) > 120:
            raise PrintingError(N_("Alamat printer: teks, paling panjang 120 karakter."))
        try:
            address = check_address(kind, address)
        except AddressError as exc:
            raise PrintingError(str(exc)) from exc
        now = self.clock()
        with self.db.write() as s:
            self._kiosk(s, device_id)
            row = self._printer(s, device_id)
            changed = (row.kind, row.address) != (kind, address)
            row.kind, row.address, row.paper, row.updated_at = kind, address, paper, now
            if changed:
                row.state, row.detail, row.checked_at = "unknown", "", None
            audit.record(s, now, actor, "kiosk.printer", id=device_id, kind=kind, address=address, paper=paper)
            view = _printer_view(row)
        self.notify(device_id, {"printer": view})
        self.wake()
        return view

    def footer(self) -> str:
        value = self.settings().get(FOOTER_KEY)
        return DEFAULT_FOOTER if value is None else value

    def set_footer(self, actor, text: object) -> str:
        if not isinstance(text, str) or len(text) > MAX_FOOTER:
            raise PrintingError(N_("Catatan kaki tiket: teks, paling panjang %(max_footer)s karakter.", max_footer=MAX_FOOTER))
        text = "\n".join(" ".join(line.split()) for line in text.strip().splitlines())[:MAX_FOOTER]
        now = self.clock()
        with self.db.write() as s:
            row = s.get(t.Setting, FOOTER_KEY) or t.Setting(key=FOOTER_KEY)
            row.value = text
            s.merge(row)
            audit.record(s, now, actor, "setting.slip_footer", value=text)
        return text

    def test_print(self, actor, device_id: int) -> dict:
        now = self.clock()
        settings = self.settings()
        with self.db.write() as s:
            device = self._kiosk(s, device_id)
            row = self._printer(s, device_id)
            if row.kind not in DEVICE_KINDS:
                raise PrintingError(N_("Kios ini tidak memakai printer ESC/POS (jaringan, USB atau serial)."))
            data = slips.trial_page(settings["hall_name"], device.name, row.paper,
                                   issued_text(now, settings["timezone"]), self.footer())
            job = PrintJob(device_id=device_id, kind="test", number="", data=data, created_at=now,
                           next_try_at=now)
            s.add(job)
            s.flush()
            audit.record(s, now, actor, "kiosk.test_print", id=device_id)
            job_id = job.id
        self.wake()
        return {"job": job_id, "state": "queued"}

    # ---- the kiosk's side ----------------------------------------------------------------
    def config_for(self, device_id: int) -> dict:
        with self.db.read() as s:
            row = s.get(KioskPrinter, device_id)
            return _printer_view(row) if row else _printer_view(None)

    def on_ticket(self, device_id: int, ticket: dict) -> dict:
        """A kiosk issued `ticket`: remember it, and queue its slip when the kiosk's printer is
        the server's to drive. Returns what the kiosk should do about paper."""
        now = self.clock()
        settings = self.settings()
        with self.db.write() as s:
            row = self._printer(s, device_id)
            row.last_ticket, row.last_ticket_at = ticket["number"], now
            if row.kind not in DEVICE_KINDS:
                return {"mode": row.kind, "paper": row.paper}
            ticket_id = ticket.get("id")
            existing = s.scalar(select(PrintJob).where(
                PrintJob.device_id == device_id, PrintJob.ticket_id == ticket_id,
                PrintJob.kind == "ticket")) if ticket_id else None
            if existing is not None:          # the same tap again (a retry after a time-out)
                return _job_answer(existing, row)
            job = PrintJob(device_id=device_id, ticket_id=ticket_id, number=ticket["number"], kind="ticket",
                           data=self._slip(ticket, row.paper, settings), created_at=now, next_try_at=now)
            s.add(job)
            s.flush()
            answer = _job_answer(job, row)
        self.wake()
        return answer

    def reprint(self, device_id: int, job_id: object) -> dict:
        """The kiosk's "Cetak ulang": the same slip again, only its own, a few times at most."""
        # Up to 2**31 - 1, the ids' column (INTEGER): PostgreSQL refuses a larger one outright.
        if not isinstance(job_id, int) or isinstance(job_id, bool) or not 1 <= job_id <= 2**31 - 1:
            raise PrintingError(N_("Field 'job': nomor pekerjaan cetak."))
        now = self.clock()
        with self.db.write() as s:
            original = s.get(PrintJob, job_id)
            if original is None or original.device_id != device_id or original.kind != "ticket":
                raise UnknownKiosk(N_("Pekerjaan cetak tidak ada."))
            copies = s.scalars(select(PrintJob.id).where(
                PrintJob.device_id == device_id, PrintJob.ticket_id == original.ticket_id,
                PrintJob.kind == "reprint")).all()
            if len(copies) >= MAX_REPRINTS:
                raise PrintingError(N_("Tiket ini sudah dicetak ulang %(max_reprints)s kali.", max_reprints=MAX_REPRINTS))
            job = PrintJob(device_id=device_id, ticket_id=original.ticket_id, number=original.number,
                           kind="reprint", data=original.data, created_at=now, next_try_at=now)
            s.add(job)
            s.flush()
            answer = _job_answer(job, self._printer(s, device_id))
        self.wake()
        return answer

    # ---- the worker's side ---------------------------------------------------------------
    def due(self) -> list[Job]:
        """Pending jobs of every printer that has one whose time has come: all of that printer's
        pending jobs, oldest first, so slips come out in ticket order. Expired ones are closed."""
        now = self.clock()
        with self.db.write() as s:
            s.execute(update(PrintJob).where(PrintJob.status == "pending",
                                             PrintJob.created_at < now - JOB_TTL)
                      .values(status="expired", last_error="Terlalu lama menunggu printer."))
            if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
                s.execute(delete(PrintJob).where(PrintJob.status != "pending",
                                                 PrintJob.created_at < now - KEEP_DONE))
                self._pruned_at = now
            rows = s.execute(select(PrintJob, KioskPrinter).join(
                KioskPrinter, KioskPrinter.device_id == PrintJob.device_id).where(
                PrintJob.status == "pending").order_by(PrintJob.id)).all()
            due_devices = {job.device_id for job, _ in rows if job.next_try_at <= now}
            jobs = []
            for job, printer in rows:
                if job.device_id not in due_devices:
                    continue
                if printer.kind not in DEVICE_KINDS:
                    job.status, job.last_error = "expired", "Kios tidak lagi memakai printer ini."
                    continue
                jobs.append(Job(job.id, job.device_id, printer.kind, printer.address, job.data, job.number))
            return jobs

    def next_due_in(self) -> float | None:
        """Seconds until the next pending job is due (None: nothing pending)."""
        with self.db.read() as s:
            first = s.scalar(select(PrintJob.next_try_at).where(PrintJob.status == "pending")
                             .order_by(PrintJob.next_try_at).limit(1))
        return None if first is None else max(0.0, (first - self.clock()).total_seconds())

    def probes(self, every: timedelta) -> list[tuple[int, str, str]]:
        """Printers not asked for `every` (device_id, kind, address): the console stays true."""
        now = self.clock()
        with self.db.read() as s:
            rows = s.scalars(select(KioskPrinter).where(KioskPrinter.kind.in_(DEVICE_KINDS))).all()
            return [(r.device_id, r.kind, r.address) for r in rows
                    if r.checked_at is None or now - r.checked_at >= every]

    def record(self, device_id: int, status: Status, job: Job | None = None, printed: bool = False) -> None:
        """What one try found: the printer's state, and the job printed or due again later."""
        now = self.clock()
        outcome = None
        with self.db.write() as s:
            printer = s.get(KioskPrinter, device_id)
            if printer is None:
                return
            changed = (printer.state, printer.detail) != (status.state, status.detail)
            printer.state, printer.detail, printer.checked_at = status.state, status.detail, now
            if job is not None:
                row = s.get(PrintJob, job.id)
                if row is not None and row.status == "pending":
                    row.attempts += 1
                    if printed:
                        row.status, row.printed_at, row.last_error = "printed", now, ""
                        printer.last_printed_at = now
                    else:
                        row.last_error = status.detail or STATE_WORDS.get(status.state, status.state)
                        row.next_try_at = now + timedelta(seconds=BACKOFF[min(row.attempts, len(BACKOFF)) - 1])
                        # the printer's other slips wait as long: they come out after this one
                        s.execute(update(PrintJob).where(
                            PrintJob.device_id == device_id, PrintJob.status == "pending",
                            PrintJob.id != row.id, PrintJob.next_try_at < row.next_try_at)
                            .values(next_try_at=row.next_try_at))
                    outcome = {"job": row.id, "number": row.number,
                               "state": "printed" if printed else "waiting",
                               "printer": status.state, "detail": row.last_error}
            view = _printer_view(printer)
        if changed or outcome:
            self.notify(device_id, {"printer": view, **({"print": outcome} if outcome else {})})

    # ---- helpers ------------------------------------------------------------------------------
    def _slip(self, ticket: dict, paper: int, settings: dict) -> bytes:
        issued = ticket.get("issued_at")
        moment = datetime.fromisoformat(issued) if isinstance(issued, str) else self.clock()
        logo = settings.get("hall_logo")
        return slips.render(slips.Slip(
            hall=settings["hall_name"], service=ticket.get("service_name") or ticket.get("service", ""),
            number=ticket["number"], issued=issued_text(moment, settings["timezone"]),
            priority=bool(ticket.get("priority")), ahead=ticket.get("ahead"),
            estimate=estimate_text(ticket.get("estimate")), qr=ticket.get("url") or ticket.get("link"),
            footer=self.footer(), logo=self.media_dir / logo if logo else None), paper)

    @staticmethod
    def _printer(s, device_id: int) -> KioskPrinter:
        row = s.get(KioskPrinter, device_id)
        if row is None:
            row = KioskPrinter(device_id=device_id, kind="browser", address="", paper=80, state="unknown",
                               detail="")
            s.add(row)
            s.flush()
        return row

    @staticmethod
    def _kiosk(s, device_id: int) -> t.Device:
        device = s.get(t.Device, device_id)
        if device is None or device.kind != "kiosk" or device.paired_at is None or device.revoked_at:
            raise UnknownKiosk(N_("Kios tidak ada (atau belum dipasangkan)."))
        return device


def issued_text(moment: datetime, tz: str) -> str:
    """'Senin, 30 November 2026, 10.24 WITA': what the slip says, in hall time."""
    local = moment.astimezone(ZoneInfo(tz))
    return (f"{opening.DAYS_ID[local.weekday()]}, {local.day} {opening.MONTHS_ID[local.month - 1]} "
            f"{local.year}, {local:%H.%M} {opening.ZONES.get(tz, tz)}")


def estimate_text(estimate: object) -> str | None:
    """An estimate as a ticket may carry it: text as it is, or {"min": 35, "max": 50} minutes."""
    if isinstance(estimate, str) and estimate.strip():
        return estimate.strip()[:60]
    if isinstance(estimate, dict) and isinstance(estimate.get("text"), str) and estimate["text"].strip():
        return estimate["text"].strip()[:60]      # estimate.py's own words ("kurang dari 5 menit")
    if isinstance(estimate, dict):
        low, high = estimate.get("min"), estimate.get("max")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            return f"sekitar {int(low)}–{int(high)} menit" if high > low else f"sekitar {int(low)} menit"
    if isinstance(estimate, (int, float)) and not isinstance(estimate, bool) and estimate > 0:
        return f"sekitar {int(estimate)} menit"
    return None


def _printer_view(row: KioskPrinter | None) -> dict:
    if row is None:
        return {"kind": "browser", "address": "", "paper": 80, "state": "unknown", "detail": "",
                "checked_at": None, "last_printed_at": None}
    return {"kind": row.kind, "address": row.address, "paper": row.paper,
            "state": row.state if row.kind in DEVICE_KINDS else "unknown", "detail": row.detail,
            "checked_at": row.checked_at and row.checked_at.isoformat(),
            "last_printed_at": row.last_printed_at and row.last_printed_at.isoformat()}


def _kiosk_view(device: t.Device, printer: KioskPrinter | None, up: bool, pending: int) -> dict:
    return {"id": device.id, "name": device.name, "up": up,
            "last_seen_at": device.last_seen_at and device.last_seen_at.isoformat(),
            "printer": _printer_view(printer), "pending_prints": pending,
            "last_ticket": printer.last_ticket if printer else None,
            "last_ticket_at": printer.last_ticket_at.isoformat() if printer and printer.last_ticket_at else None}


def _job_answer(job: PrintJob, printer: KioskPrinter) -> dict:
    problem = printer.state not in ("ok", "paper_low", "unknown")
    return {"mode": "server", "paper": printer.paper, "job": job.id,
            "state": "printed" if job.status == "printed" else ("waiting" if problem else "queued"),
            "printer": printer.state, "detail": printer.detail if problem else ""}
