"""The audit log as Indonesian sentences: "Budi mengubah jam layanan Sabtu: 08.00–12.00.",
"Sari menambah loket 'Loket 5' (layanan E)."

One function per kind of action (`@says("...")`), and a fallback for kinds without one, so a new
kind of change is still listed. The sentences are plain text: what people typed (names, running
text, reasons) is quoted as it is and the console shows it with textContent, never as HTML.

`audit_view` reads the log for the console and the API, filtered by person and by service days.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = {"mon": "Senin", "tue": "Selasa", "wed": "Rabu", "thu": "Kamis", "fri": "Jumat",
             "sat": "Sabtu", "sun": "Minggu"}
ROLE_NAMES = {"staff": "petugas", "supervisor": "supervisor", "manager": "pengelola",
              "counter": "loket", "kiosk": "kios"}
DEVICE_NAMES = {"kiosk": "kios", "display": "TV pemanggil", "speaker": "TV pemanggil",
                "feedback": "tablet survei", "survey": "tablet survei"}
SERVICE_FIELDS = {"code": "prefiks", "name": "nama", "short_name": "nama singkat", "color": "warna",
                  "daily_limit": "kuota harian", "hours": "jam layanan"}
USER_FIELDS = {"full_name": "nama", "active": "status aktif", "password": "kata sandi",
               "counters": "loket", "role": "peran", "service": "instansi"}
MAX_LISTED = 5


@dataclass
class Names:
    """What the sentences name things by: agencies by code, counters by id (current names)."""
    services: dict[str, str] = field(default_factory=dict)
    counters: dict[int, str] = field(default_factory=dict)


Sentence = Callable[[str, dict, Names], str]
_SENTENCES: dict[str, Sentence] = {}


def says(*actions: str):
    def register(fn: Sentence) -> Sentence:
        for action in actions:
            _SENTENCES[action] = fn
        return fn
    return register


def sentence(actor: str | None, action: str, detail: object, names: Names | None = None) -> str:
    """One audit entry as a sentence. Never fails: an unknown kind or odd detail falls back."""
    who = (actor or "").strip() or "Seseorang"
    names = names or Names()
    detail = detail if isinstance(detail, dict) else {}
    fn = _SENTENCES.get(action)
    if fn is None and action.startswith("setting."):
        fn = _setting_other
    if fn is not None:
        try:
            text = fn(who, detail | {"_action": action}, names)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            text = None
        if text:
            return text if text.endswith((".", "!", "?")) else text + "."
    return f"{who} melakukan perubahan lain ({action})."


# ---- small helpers ------------------------------------------------------------------------------
def q(value: object) -> str:
    """A name or text someone typed, quoted as it is."""
    return f"'{'' if value is None else value}'"


def _service(code: object, names: Names) -> str:
    code = str(code or "").upper()
    name = names.services.get(code)
    return f"{name} ({code})" if name else f"layanan {code}"


def _listing(items: list[str]) -> str:
    items = [str(i) for i in items]
    if len(items) > MAX_LISTED:
        return ", ".join(items[:MAX_LISTED]) + f" dan {len(items) - MAX_LISTED} lainnya"
    if len(items) > 1:
        return ", ".join(items[:-1]) + " dan " + items[-1]
    return items[0] if items else ""


def _hhmm(value: object) -> str:
    return str(value).replace(":", ".")


def _span(span: object) -> str:
    if not span:
        return "tutup"
    opens, closes = span
    return f"{_hhmm(opens)}–{_hhmm(closes)}" if closes else f"mulai {_hhmm(opens)}"


def _day(value: object) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    except ValueError:
        return str(value)


def _week(hours: dict) -> str:
    """Consecutive days with the same hours together: "Senin–Jumat 08.00–15.00; Sabtu tutup"."""
    parts, days = [], list(DAY_NAMES)
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and _span(hours.get(days[j + 1])) == _span(hours.get(days[i])):
            j += 1
        label = DAY_NAMES[days[i]] if i == j else f"{DAY_NAMES[days[i]]}–{DAY_NAMES[days[j]]}"
        parts.append(f"{label} {_span(hours.get(days[i]))}")
        i = j + 1
    return "; ".join(parts)


# ---- services and counters ---------------------------------------------------------------------
@says("service.save")
def _service_save(who, d, names):
    name = f"{d['name']} ({d['code']})" if d.get("name") else _service(d.get("code"), names)
    if d.get("new"):
        return f"{who} menambah layanan {name}"
    fields = [SERVICE_FIELDS.get(f, f) for f in d.get("fields") or []]
    return f"{who} mengubah layanan {name}" + (f": {_listing(fields)}" if fields else "")


@says("service.open")
def _service_open(who, d, names):
    return f"{who} membuka kembali layanan {_service(d.get('code'), names)}"


@says("service.close")
def _service_close(who, d, names):
    until = " sampai akhir hari ini" if d.get("rest_of_today") else ""
    reason = f" dengan alasan {q(d['reason'])}" if d.get("reason") else ""
    return f"{who} menutup layanan {_service(d.get('code'), names)}{until}{reason}"


@says("counter.save")
def _counter_save(who, d, names):
    verb = {True: "menambah", False: "mengubah"}.get(d.get("new"), "menyimpan")
    codes = d.get("services") or []
    served = f" (layanan {_listing(codes)})" if codes else ""
    return f"{who} {verb} loket {q(d.get('name'))}{served}"


# ---- accounts --------------------------------------------------------------------------------
@says("user.add")
def _user_add(who, d, names):
    role = ROLE_NAMES.get(d.get("role"), d.get("role") or "pengguna")
    return f"{who} menambah akun {role} {q(d.get('username'))}"


@says("user.update")
def _user_update(who, d, names):
    fields = [USER_FIELDS.get(f, f) for f in d.get("fields") or []]
    return f"{who} mengubah akun {q(d.get('username'))}" + (f": {_listing(fields)}" if fields else "")


@says("user.password_reset")
def _user_password_reset(who, d, names):
    ended = d.get("sessions_ended") or 0
    return (f"{who} mengganti kata sandi akun {q(d.get('username'))}"
            + (f"; {ended} sesi yang masih masuk diakhiri" if ended else ""))


@says("user.disable")
def _user_disable(who, d, names):
    return f"{who} menonaktifkan akun {q(d.get('username'))}"


@says("user.enable")
def _user_enable(who, d, names):
    return f"{who} mengaktifkan kembali akun {q(d.get('username'))}"


@says("user.import")
def _user_import(who, d, names):
    users = d.get("usernames") or []
    return f"{who} mengimpor {d.get('count', len(users))} akun" + (f": {_listing(users)}" if users else "")


@says("token.create")
def _token_create(who, d, names):
    role = ROLE_NAMES.get(d.get("role"), d.get("role"))
    counter = f" untuk {d['counter']}" if d.get("counter") else ""
    label = f" {q(d['label'])}" if d.get("label") else ""
    return f"{who} membuat token {role}{label}{counter}"


@says("token.revoke")
def _token_revoke(who, d, names):
    label = f" {q(d['label'])}" if d.get("label") else ""
    return f"{who} mencabut token nomor {d.get('id')}{label}"


@says("login.unlock")
def _login_unlock(who, d, names):
    key = str(d.get("key") or "")
    if key.startswith("user:"):
        return f"{who} membuka kunci masuk akun {q(key[5:])}"
    if key.startswith("addr:"):
        return f"{who} membuka kunci masuk alamat {key[5:]}"
    return f"{who} membuka kunci masuk {q(key)}"


# ---- devices and printers ----------------------------------------------------------------------
@says("device.pair")
def _device_pair(who, d, names):
    return f"{who} memasangkan {DEVICE_NAMES.get(d.get('kind'), 'perangkat')} {q(d.get('name'))}"


@says("device.rename")
def _device_rename(who, d, names):
    return f"{who} mengganti nama perangkat nomor {d.get('id')} menjadi {q(d.get('name'))}"


@says("device.revoke")
def _device_revoke(who, d, names):
    return f"{who} mencabut {DEVICE_NAMES.get(d.get('kind'), 'perangkat')} {q(d.get('name'))}"


@says("kiosk.printer")
def _kiosk_printer(who, d, names):
    paper = f", kertas {d['paper']} mm" if d.get("paper") else ""
    return f"{who} mengatur printer kios nomor {d.get('id')}: {d.get('kind')} {d.get('address') or ''}".rstrip() + paper


@says("kiosk.test_print")
def _kiosk_test_print(who, d, names):
    return f"{who} mencoba mencetak di kios nomor {d.get('id')}"


# ---- hall settings -----------------------------------------------------------------------------
@says("setting.hours")
def _hours(who, d, names):
    new, old = d.get("value") or {}, d.get("previous")
    if isinstance(old, dict):
        changed = [day for day in DAY_NAMES if _span(new.get(day)) != _span(old.get(day))]
        if not changed:
            return f"{who} menyimpan jam layanan tanpa perubahan"
        return f"{who} mengubah jam layanan " + "; ".join(
            f"{DAY_NAMES[day]}: {_span(new.get(day))}" for day in changed)
    return f"{who} mengatur jam layanan: {_week(new)}"


@says("setting.holidays")
def _holidays(who, d, names):
    new, old = d.get("value") or {}, d.get("previous")
    if isinstance(old, dict):
        added = [f"{_day(k)} ({new[k]})" for k in new if k not in old or old[k] != new[k]]
        removed = [f"{_day(k)} ({old[k]})" for k in old if k not in new]
        parts = ([f"menambah hari libur {_listing(added)}"] if added else []) + \
                ([f"menghapus hari libur {_listing(removed)}"] if removed else [])
        return f"{who} " + (" dan ".join(parts) if parts else "menyimpan hari libur tanpa perubahan")
    if not new:
        return f"{who} mengosongkan daftar hari libur"
    return f"{who} mengatur hari libur: {_listing([f'{_day(k)} ({v})' for k, v in new.items()])}"


@says("setting.running_text")
def _running_text(who, d, names):
    lines = d.get("value") or []
    if not lines:
        return f"{who} mengosongkan teks berjalan"
    return f"{who} mengubah teks berjalan: " + " / ".join(q(line) for line in lines)


@says("setting.running_text_speed")
def _running_text_speed(who, d, names):
    return f"{who} mengubah kecepatan teks berjalan menjadi {d.get('value')} piksel per detik"


@says("setting.hall_name")
def _hall_name(who, d, names):
    return f"{who} mengubah nama MPP menjadi {q(d.get('value'))}"


@says("setting.skip_policy")
def _skip_policy(who, d, names):
    rule = {"requeue_once": "tiket yang dilewati masuk antrean lagi sekali",
            "drop": "tiket yang dilewati langsung dicoret"}.get(d.get("value"), q(d.get("value")))
    return f"{who} mengubah aturan lewati: {rule}"


@says("setting.public_tickets")
def _public_tickets(who, d, names):
    return f"{who} {'mengizinkan' if d.get('value') else 'melarang'} tiket tanpa kios"


@says("setting.speech")
def _speech(who, d, names):
    return f"{who} mengubah pengaturan suara panggilan"


@says("setting.speaker_zones")
def _zones(who, d, names):
    return f"{who} mengubah zona pengeras suara"


@says("setting.slip_footer")
def _slip_footer(who, d, names):
    return f"{who} mengubah catatan di bawah tiket cetak menjadi {q(d.get('value'))}"


@says("setting.hall_logo")
def _hall_logo(who, d, names):
    return f"{who} mengganti logo MPP"


def _setting_other(who, d, names):
    return f"{who} mengubah pengaturan {d['_action'].removeprefix('setting.')}"


# ---- announcements, media, screens -------------------------------------------------------------
@says("announce")
def _announce(who, d, names):
    zone = f" di zona {q(d['zone'])}" if d.get("zone") else ""
    return f"{who} mengumumkan{zone}: {q(d.get('text'))}"


@says("schedule.add")
def _schedule_add(who, d, names):
    days = d.get("days") or []
    when = f"pukul {_hhmm(d.get('at'))}" + (f" ({_listing([DAY_NAMES.get(x, x) for x in days])})"
                                            if days else " setiap hari")
    return f"{who} menjadwalkan pengumuman {when}: {q(d.get('text'))}"


@says("schedule.delete")
def _schedule_delete(who, d, names):
    return f"{who} menghapus pengumuman terjadwal {q(d.get('text'))}"


@says("media.add")
def _media_add(who, d, names):
    kind = {"video": "video", "image": "gambar"}.get(d.get("kind"), "media")
    return f"{who} mengunggah {kind} {q(d.get('title'))}"


@says("media.delete")
def _media_delete(who, d, names):
    return f"{who} menghapus media {q(d.get('title'))}"


@says("logo.set")
def _logo_set(who, d, names):
    if d.get("service"):
        return f"{who} mengganti logo layanan {_service(d['service'], names)}"
    return f"{who} mengganti logo MPP"


@says("display_profile.save")
def _display_profile(who, d, names):
    codes = d.get("services") or []
    shown = f" (layanan {_listing(codes)})" if codes else " (semua layanan)"
    return f"{who} menyimpan profil layar {q(d.get('name'))}{shown}"


# ---- survey, notifications, the visitor's phone ------------------------------------------------
@says("survey.comment")
def _survey_comment(who, d, names):
    state = "sudah ditindaklanjuti" if d.get("followed_up") else "belum ditindaklanjuti"
    return f"{who} menandai komentar survei nomor {d.get('id')} {state}"


@says("survey.question")
def _survey_question(who, d, names):
    return f"{who} mengubah pertanyaan survei unsur {d.get('element')}: {q(d.get('question'))}"


@says("survey.hidden")
def _survey_hidden(who, d, names):
    hidden = d.get("hidden") or []
    what = f"menyembunyikan unsur {_listing(hidden)}" if hidden else "menampilkan semua unsur"
    return f"{who} mengatur survei {_service(d.get('service'), names)}: {what}"


@says("survey.display")
def _survey_display(who, d, names):
    return f"{who} mengatur tampilan survei di layar {q(d.get('profile'))}: {d.get('mode')}"


@says("notify.settings")
def _notify(who, d, names):
    return f"{who} mengubah pengaturan pesan WhatsApp"


@says("visitor.settings")
def _visitor(who, d, names):
    return f"{who} mengubah pengaturan halaman ponsel pengunjung"


KNOWN_ACTIONS = tuple(sorted(_SENTENCES))


# ---- reading the log -----------------------------------------------------------------------------
MAX_AUDIT = 500


def day_bounds(first: date | None, last: date | None, tz: str) -> tuple[datetime | None, datetime | None]:
    """The instants that start `first` and end `last` in hall time."""
    zone = ZoneInfo(tz)
    # Days before there were halls or past any log are no limit (and keep UTC in range).
    start = datetime.combine(first, time(0), zone) if first and first.year >= 2000 else None
    end = (datetime.combine(max(last, date(1999, 12, 31)) + timedelta(days=1), time(0), zone)
           if last and last.year < 9000 else None)
    return start, end


def audit_view(db, tz: str, *, person: str | None = None, first: date | None = None,
               last: date | None = None, limit: int = 200) -> dict:
    """Entries newest first (at most `limit`), each with its sentence; `people`: everyone who
    appears in the log, for the console's filter."""
    from sqlalchemy import select
    from .store import tables as t
    start, end = day_bounds(first, last, tz)
    zone = ZoneInfo(tz)
    with db.read() as s:
        names = Names(services=dict(s.execute(select(t.Service.code, t.Service.name)).all()),
                      counters=dict(s.execute(select(t.Counter.id, t.Counter.name)).all()))
        query = select(t.AuditEntry).order_by(t.AuditEntry.id.desc()).limit(limit)
        if person:
            query = query.where(t.AuditEntry.actor == person)
        if start is not None:
            query = query.where(t.AuditEntry.at >= start)
        if end is not None:
            query = query.where(t.AuditEntry.at < end)
        entries = [{"at": r.at.astimezone(zone).isoformat(), "actor": r.actor, "action": r.action,
                    "detail": r.detail, "text": sentence(r.actor, r.action, r.detail, names)}
                   for r in s.scalars(query)]
        people = sorted(set(s.scalars(select(t.AuditEntry.actor).distinct())), key=str.casefold)
    return {"entries": entries, "people": people}
