"""The audit log as sentences: "Budi mengubah jam layanan Sabtu: 08.00–12.00.",
"Sari menambah loket 'Loket 5' (layanan E)." - in the reader's language.

One function per kind of action (`@says("...")`), and a fallback for kinds without one, so a new
kind of change is still listed. Every sentence and every word in it is marked with N_()
(signage/messages.py; never one N_() inside another's arguments: pybabel would miss it). The
result is the Indonesian sentence, and the web edge says it in the reader's language from the
catalog (manage_api.audit). What people typed (names, running text, reasons) is a plain
parameter: quoted as it is, never translated, and the console shows it with textContent, never
as HTML.

`audit_view` reads the log for the console and the API, filtered by person and by service days.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .messages import NC_, Message, N_

DAY_NAMES = {"mon": N_("Senin"), "tue": N_("Selasa"), "wed": N_("Rabu"), "thu": N_("Kamis"),
             "fri": N_("Jumat"), "sat": N_("Sabtu"), "sun": N_("Minggu")}
ROLE_NAMES = {"staff": N_("petugas"), "supervisor": N_("supervisor"), "manager": N_("pengelola"),
              "counter": N_("loket"), "kiosk": N_("kios")}
DEVICE_NAMES = {"kiosk": N_("kios"), "display": N_("TV pemanggil"), "speaker": N_("TV pemanggil"),
                "feedback": N_("tablet survei"), "survey": N_("tablet survei")}
SERVICE_FIELDS = {"code": N_("prefiks"), "name": N_("nama"), "short_name": N_("nama singkat"),
                  "color": N_("warna"), "daily_limit": N_("kuota harian"), "hours": N_("jam layanan")}
USER_FIELDS = {"full_name": N_("nama"), "active": N_("status aktif"), "password": N_("kata sandi"),
               "counters": N_("loket"), "role": N_("peran"), "service": N_("instansi")}
MAX_LISTED = 5


@dataclass
class Names:
    """What the sentences name things by: agencies by code, counters by id (current names)."""
    services: dict[str, str] = field(default_factory=dict)
    counters: dict[int, str] = field(default_factory=dict)


Sentence = Callable[[str, dict, Names], Message]
_SENTENCES: dict[str, Sentence] = {}


def says(*actions: str):
    def register(fn: Sentence) -> Sentence:
        for action in actions:
            _SENTENCES[action] = fn
        return fn
    return register


def sentence(actor: str | None, action: str, detail: object, names: Names | None = None) -> Message:
    """One audit entry as a sentence (a Message: Indonesian, translatable). Never fails: an
    unknown kind or odd detail falls back."""
    who = (actor or "").strip() or N_("Seseorang")
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
            return text
    return N_("%(who)s melakukan perubahan lain (%(action)s).", who=who, action=action)


# ---- small helpers ------------------------------------------------------------------------------
def q(value: object) -> str:
    """A name or text someone typed, quoted as it is (a plain str: never translated)."""
    return f"'{'' if value is None else value}'"


def _word(value: object) -> object:
    """A message stays a message (translated where shown); anything else is said as it is."""
    return value if isinstance(value, Message) else str(value)


def _service(code: object, names: Names) -> object:
    code = str(code or "").upper()
    name = names.services.get(code)
    return f"{name} ({code})" if name else N_("layanan %(code)s", code=code)


def _commas(items: list, semicolons: bool = False) -> object:
    if len(items) == 1:
        return items[0]
    rest = _commas(items[1:], semicolons)
    if semicolons:
        return N_("%(first)s; %(rest)s", first=items[0], rest=rest)
    return N_("%(first)s, %(rest)s", first=items[0], rest=rest)


def _listing(items: list) -> object:
    """"A, B dan C" / "A, B and C"; more than MAX_LISTED: "A, ... E dan 3 lainnya"."""
    items = [_word(i) for i in items]
    if not items:
        return ""
    if len(items) > MAX_LISTED:
        return N_("%(items)s dan %(count)s lainnya", items=_commas(items[:MAX_LISTED]),
                  count=len(items) - MAX_LISTED)
    if len(items) > 1:
        return N_("%(items)s dan %(last)s", items=_commas(items[:-1]), last=items[-1])
    return items[0]


def _hhmm(value: object) -> object:
    """'08.00' / '08:00'."""
    parts = str(value).split(":")
    if len(parts) == 2:
        return N_("%(hour)s.%(minute)s", hour=parts[0], minute=parts[1])
    return str(value).replace(":", ".")


def _span(span: object) -> object:
    if not span:
        return NC_("audit: a closed day", "tutup")
    opens, closes = span
    if closes:
        return N_("%(opens)s–%(closes)s", opens=_hhmm(opens), closes=_hhmm(closes))
    return N_("mulai %(opens)s", opens=_hhmm(opens))


def _day(value: object) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    except ValueError:
        return str(value)


def _week(hours: dict) -> object:
    """Consecutive days with the same hours together: "Senin–Jumat 08.00–15.00; Sabtu tutup"."""
    parts, days = [], list(DAY_NAMES)
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and _span(hours.get(days[j + 1])) == _span(hours.get(days[i])):
            j += 1
        label = DAY_NAMES[days[i]] if i == j else N_("%(first)s–%(last)s", first=DAY_NAMES[days[i]],
                                                       last=DAY_NAMES[days[j]])
        parts.append(N_("%(days)s %(hours)s", days=label, hours=_span(hours.get(days[i]))))
        i = j + 1
    return _commas(parts, semicolons=True)


# ---- services and counters ---------------------------------------------------------------------
@says("service.save")
def _service_save(who, d, names):
    name = f"{d['name']} ({d['code']})" if d.get("name") else _service(d.get("code"), names)
    if d.get("new"):
        return N_("%(who)s menambah layanan %(name)s.", who=who, name=name)
    fields = [SERVICE_FIELDS.get(f, f) for f in d.get("fields") or []]
    if fields:
        return N_("%(who)s mengubah layanan %(name)s: %(fields)s.", who=who, name=name, fields=_listing(fields))
    return N_("%(who)s mengubah layanan %(name)s.", who=who, name=name)


@says("service.open")
def _service_open(who, d, names):
    return N_("%(who)s membuka kembali layanan %(service)s.", who=who, service=_service(d.get('code'), names))


@says("service.close")
def _service_close(who, d, names):
    until = N_(" sampai akhir hari ini") if d.get("rest_of_today") else ""
    reason = N_(" dengan alasan %(reason)s", reason=q(d["reason"])) if d.get("reason") else ""
    return N_("%(who)s menutup layanan %(service)s%(until)s%(reason)s.", who=who,
              service=_service(d.get('code'), names), until=until, reason=reason)


@says("counter.save")
def _counter_save(who, d, names):
    codes = d.get("services") or []
    served = N_(" (layanan %(codes)s)", codes=_listing(codes)) if codes else ""
    if d.get("new") is True:
        return N_("%(who)s menambah loket %(name)s%(served)s.", who=who, name=q(d.get('name')), served=served)
    if d.get("new") is False:
        return N_("%(who)s mengubah loket %(name)s%(served)s.", who=who, name=q(d.get('name')), served=served)
    return N_("%(who)s menyimpan loket %(name)s%(served)s.", who=who, name=q(d.get('name')), served=served)


# ---- accounts --------------------------------------------------------------------------------
@says("user.add")
def _user_add(who, d, names):
    role = ROLE_NAMES.get(d.get("role"), d.get("role") or N_("pengguna"))
    return N_("%(who)s menambah akun %(role)s %(username)s.", who=who, role=_word(role),
              username=q(d.get('username')))


@says("user.update")
def _user_update(who, d, names):
    fields = [USER_FIELDS.get(f, f) for f in d.get("fields") or []]
    if fields:
        return N_("%(who)s mengubah akun %(username)s: %(fields)s.", who=who, username=q(d.get('username')),
                  fields=_listing(fields))
    return N_("%(who)s mengubah akun %(username)s.", who=who, username=q(d.get('username')))


@says("user.password_reset")
def _user_password_reset(who, d, names):
    ended = d.get("sessions_ended") or 0
    if ended:
        return N_("%(who)s mengganti kata sandi akun %(username)s; %(count)s sesi yang masih masuk diakhiri.",
                  who=who, username=q(d.get('username')), count=ended)
    return N_("%(who)s mengganti kata sandi akun %(username)s.", who=who, username=q(d.get('username')))


@says("user.disable")
def _user_disable(who, d, names):
    return N_("%(who)s menonaktifkan akun %(username)s.", who=who, username=q(d.get('username')))


@says("user.enable")
def _user_enable(who, d, names):
    return N_("%(who)s mengaktifkan kembali akun %(username)s.", who=who, username=q(d.get('username')))


@says("user.import")
def _user_import(who, d, names):
    users = d.get("usernames") or []
    count = d.get('count', len(users))
    if users:
        return N_("%(who)s mengimpor %(count)s akun: %(users)s.", who=who, count=count, users=_listing(users))
    return N_("%(who)s mengimpor %(count)s akun.", who=who, count=count)


@says("token.create")
def _token_create(who, d, names):
    role = ROLE_NAMES.get(d.get("role"), d.get("role"))
    counter = N_(" untuk %(counter)s", counter=d['counter']) if d.get("counter") else ""
    label = f" {q(d['label'])}" if d.get("label") else ""
    return N_("%(who)s membuat token %(role)s%(label)s%(counter)s.", who=who, role=_word(role), label=label,
              counter=counter)


@says("token.revoke")
def _token_revoke(who, d, names):
    label = f" {q(d['label'])}" if d.get("label") else ""
    return N_("%(who)s mencabut token nomor %(id)s%(label)s.", who=who, id=d.get('id'), label=label)


@says("login.unlock")
def _login_unlock(who, d, names):
    key = str(d.get("key") or "")
    if key.startswith("user:"):
        return N_("%(who)s membuka kunci masuk akun %(username)s.", who=who, username=q(key[5:]))
    if key.startswith("addr:"):
        return N_("%(who)s membuka kunci masuk alamat %(address)s.", who=who, address=key[5:])
    return N_("%(who)s membuka kunci masuk %(key)s.", who=who, key=q(key))


# ---- devices and printers ----------------------------------------------------------------------
@says("device.pair")
def _device_pair(who, d, names):
    device = DEVICE_NAMES.get(d.get('kind')) or N_("perangkat")
    return N_("%(who)s memasangkan %(device)s %(name)s.", who=who, device=device, name=q(d.get('name')))


@says("device.rename")
def _device_rename(who, d, names):
    return N_("%(who)s mengganti nama perangkat nomor %(id)s menjadi %(name)s.", who=who, id=d.get('id'),
              name=q(d.get('name')))


@says("device.revoke")
def _device_revoke(who, d, names):
    device = DEVICE_NAMES.get(d.get('kind')) or N_("perangkat")
    return N_("%(who)s mencabut %(device)s %(name)s.", who=who, device=device, name=q(d.get('name')))


@says("kiosk.printer")
def _kiosk_printer(who, d, names):
    paper = N_(", kertas %(paper)s mm", paper=d['paper']) if d.get("paper") else ""
    printer = f"{d.get('kind')} {d.get('address') or ''}".rstrip()
    return N_("%(who)s mengatur printer kios nomor %(id)s: %(printer)s%(paper)s.", who=who, id=d.get('id'),
              printer=printer, paper=paper)


@says("kiosk.test_print")
def _kiosk_test_print(who, d, names):
    return N_("%(who)s mencoba mencetak di kios nomor %(id)s.", who=who, id=d.get('id'))


# ---- hall settings -----------------------------------------------------------------------------
@says("setting.hours")
def _hours(who, d, names):
    new, old = d.get("value") or {}, d.get("previous")
    if isinstance(old, dict):
        changed = [day for day in DAY_NAMES if _span(new.get(day)) != _span(old.get(day))]
        if not changed:
            return N_("%(who)s menyimpan jam layanan tanpa perubahan.", who=who)
        days = [N_("%(day)s: %(hours)s", day=DAY_NAMES[day], hours=_span(new.get(day))) for day in changed]
        return N_("%(who)s mengubah jam layanan %(days)s.", who=who, days=_commas(days, semicolons=True))
    return N_("%(who)s mengatur jam layanan: %(week)s.", who=who, week=_week(new))


@says("setting.holidays")
def _holidays(who, d, names):
    new, old = d.get("value") or {}, d.get("previous")
    if isinstance(old, dict):
        added = [f"{_day(k)} ({new[k]})" for k in new if k not in old or old[k] != new[k]]
        removed = [f"{_day(k)} ({old[k]})" for k in old if k not in new]
        if added and removed:
            return N_("%(who)s menambah hari libur %(added)s dan menghapus hari libur %(removed)s.",
                      who=who, added=_listing(added), removed=_listing(removed))
        if added:
            return N_("%(who)s menambah hari libur %(added)s.", who=who, added=_listing(added))
        if removed:
            return N_("%(who)s menghapus hari libur %(removed)s.", who=who, removed=_listing(removed))
        return N_("%(who)s menyimpan hari libur tanpa perubahan.", who=who)
    if not new:
        return N_("%(who)s mengosongkan daftar hari libur.", who=who)
    return N_("%(who)s mengatur hari libur: %(days)s.", who=who,
              days=_listing([f'{_day(k)} ({v})' for k, v in new.items()]))


@says("setting.running_text")
def _running_text(who, d, names):
    lines = d.get("value") or []
    if not lines:
        return N_("%(who)s mengosongkan teks berjalan.", who=who)
    return N_("%(who)s mengubah teks berjalan: %(lines)s.", who=who, lines=" / ".join(q(line) for line in lines))


@says("setting.running_text_speed")
def _running_text_speed(who, d, names):
    return N_("%(who)s mengubah kecepatan teks berjalan menjadi %(speed)s piksel per detik.", who=who,
              speed=d.get('value'))


@says("setting.hall_name")
def _hall_name(who, d, names):
    return N_("%(who)s mengubah nama MPP menjadi %(name)s.", who=who, name=q(d.get('value')))


@says("setting.skip_policy")
def _skip_policy(who, d, names):
    rule = {"requeue_once": N_("tiket yang dilewati masuk antrean lagi sekali"),
            "drop": N_("tiket yang dilewati langsung dicoret")}.get(d.get("value"), q(d.get("value")))
    return N_("%(who)s mengubah aturan lewati: %(rule)s.", who=who, rule=rule)


@says("setting.public_tickets")
def _public_tickets(who, d, names):
    if d.get('value'):
        return N_("%(who)s mengizinkan tiket tanpa kios.", who=who)
    return N_("%(who)s melarang tiket tanpa kios.", who=who)


@says("setting.speech")
def _speech(who, d, names):
    return N_("%(who)s mengubah pengaturan suara panggilan.", who=who)


@says("setting.speaker_zones")
def _zones(who, d, names):
    return N_("%(who)s mengubah zona pengeras suara.", who=who)


@says("setting.slip_footer")
def _slip_footer(who, d, names):
    return N_("%(who)s mengubah catatan di bawah tiket cetak menjadi %(text)s.", who=who, text=q(d.get('value')))


@says("setting.hall_logo")
def _hall_logo(who, d, names):
    return N_("%(who)s mengganti logo MPP.", who=who)


def _setting_other(who, d, names):
    return N_("%(who)s mengubah pengaturan %(name)s.", who=who, name=d['_action'].removeprefix('setting.'))


# ---- announcements, media, screens -------------------------------------------------------------
@says("announce")
def _announce(who, d, names):
    if d.get("zone"):
        return N_("%(who)s mengumumkan di zona %(zone)s: %(text)s.", who=who, zone=q(d['zone']),
                  text=q(d.get('text')))
    return N_("%(who)s mengumumkan: %(text)s.", who=who, text=q(d.get('text')))


@says("schedule.add")
def _schedule_add(who, d, names):
    days = d.get("days") or []
    if days:
        when = N_("pukul %(at)s (%(days)s)", at=_hhmm(d.get('at')),
                  days=_listing([DAY_NAMES.get(x, x) for x in days]))
    else:
        when = N_("pukul %(at)s setiap hari", at=_hhmm(d.get('at')))
    return N_("%(who)s menjadwalkan pengumuman %(when)s: %(text)s.", who=who, when=when, text=q(d.get('text')))


@says("schedule.delete")
def _schedule_delete(who, d, names):
    return N_("%(who)s menghapus pengumuman terjadwal %(text)s.", who=who, text=q(d.get('text')))


@says("media.add")
def _media_add(who, d, names):
    kind = {"video": N_("video"), "image": N_("gambar")}.get(d.get("kind"), N_("media"))
    return N_("%(who)s mengunggah %(kind)s %(title)s.", who=who, kind=kind, title=q(d.get('title')))


@says("media.delete")
def _media_delete(who, d, names):
    return N_("%(who)s menghapus media %(title)s.", who=who, title=q(d.get('title')))


@says("logo.set")
def _logo_set(who, d, names):
    if d.get("service"):
        return N_("%(who)s mengganti logo layanan %(service)s.", who=who, service=_service(d['service'], names))
    return N_("%(who)s mengganti logo MPP.", who=who)


@says("display_profile.save")
def _display_profile(who, d, names):
    codes = d.get("services") or []
    if codes:
        return N_("%(who)s menyimpan profil layar %(name)s (layanan %(codes)s).", who=who,
                  name=q(d.get('name')), codes=_listing(codes))
    return N_("%(who)s menyimpan profil layar %(name)s (semua layanan).", who=who, name=q(d.get('name')))


# ---- survey, notifications, the visitor's phone ------------------------------------------------
@says("survey.comment")
def _survey_comment(who, d, names):
    if d.get("followed_up"):
        return N_("%(who)s menandai komentar survei nomor %(id)s sudah ditindaklanjuti.", who=who, id=d.get('id'))
    return N_("%(who)s menandai komentar survei nomor %(id)s belum ditindaklanjuti.", who=who, id=d.get('id'))


@says("survey.question")
def _survey_question(who, d, names):
    return N_("%(who)s mengubah pertanyaan survei unsur %(element)s: %(question)s.", who=who,
              element=d.get('element'), question=q(d.get('question')))


@says("survey.hidden")
def _survey_hidden(who, d, names):
    hidden = d.get("hidden") or []
    what = (N_("menyembunyikan unsur %(elements)s", elements=_listing(hidden)) if hidden
            else N_("menampilkan semua unsur"))
    return N_("%(who)s mengatur survei %(service)s: %(what)s.", who=who,
              service=_service(d.get('service'), names), what=what)


@says("survey.display")
def _survey_display(who, d, names):
    return N_("%(who)s mengatur tampilan survei di layar %(profile)s: %(mode)s.", who=who,
              profile=q(d.get('profile')), mode=d.get('mode'))


@says("notify.settings")
def _notify(who, d, names):
    return N_("%(who)s mengubah pengaturan pesan WhatsApp.", who=who)


@says("visitor.settings")
def _visitor(who, d, names):
    return N_("%(who)s mengubah pengaturan halaman ponsel pengunjung.", who=who)


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
