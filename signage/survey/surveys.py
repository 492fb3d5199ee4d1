"""The survey's use cases: a token per served ticket, one response per ticket, the reports.

Proof of service: a response is accepted only with the token made when the ticket was finished
(shown as a QR at the counter, or fetched by the counter's paired feedback tablet for the ticket
just finished there). The UNIQUE ticket_id of survey_responses makes it one response per ticket
even when two submissions race; the loser gets a clear 409. Responses are anonymous: only the
answers, the optional profile bands and the free text are kept, with the ticket they answer.
Days are the hall's service days (the ticket's `day`, hall time); times are stored in UTC.
"""
from __future__ import annotations

import calendar
import re
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import audit, queue
from ..accounts import Principal
from ..queue import TicketStatus
from ..service import HallService
from ..store import tables as t
from ..textcheck import is_clean
from . import ikm
from .questionnaire import DEFAULTS, PROFILE, PROFILE_FIELDS, element_view
from ..messages import N_, in_language

TOKEN_LIFETIME = timedelta(days=7)     # a phone may answer at home, not months later
TABLET_WINDOW = timedelta(minutes=30)  # the feedback tablet offers the ticket just finished
MAX_COMMENT = 1000
MAX_RANGE_DAYS = 366
PERIODS = ("day", "month", "semester", "range")
DISPLAY_MODES = ("off", "ticker", "panel")
TREND_MONTHS = 12
SUBMIT_FIELDS = {"token", "answers", "comment", *PROFILE}
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")   # YYYY-MM-DD only (not 2026-W48-1, 20261129)


class SurveyError(queue.QueueError):
    status = 400


class SurveyNotFound(queue.QueueError):
    status = 404


class SurveyConflict(queue.QueueError):
    status = 409


class SurveyForbidden(queue.QueueError):
    status = 403


def period_range(period: object, on: object, first: object, last: object, today: date) -> tuple[date, date]:
    """(first, last) service day of a day, month, semester (Jan–Jun, Jul–Dec) or range."""
    if period is None:
        period = "range" if first is not None else "month"
    if period not in PERIODS:
        raise SurveyError(N_("period: day, month, semester atau range."))
    parsed = {}
    for name, value in (("date", on), ("from", first), ("to", last)):
        if value is None:
            continue
        try:
            if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
                raise ValueError(value)
            parsed[name] = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise SurveyError(N_("%(name)s: tanggal YYYY-MM-DD.", name=name)) from None
        if not 1970 <= parsed[name].year <= 9000:
            raise SurveyError(N_("%(name)s: tahun 1970–9000.", name=name))
    if period == "range":
        start = parsed.get("from", today)
        end = parsed.get("to", start)
    else:
        day = parsed.get("date", today)
        if period == "day":
            start = end = day
        elif period == "month":
            start = day.replace(day=1)
            end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        else:
            half = 0 if day.month <= 6 else 6
            start = date(day.year, half + 1, 1)
            end = date(day.year, half + 6, 30 if half == 0 else 31)
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise SurveyError(N_("Rentang tanggal tidak valid (maks. %(max_range_days)s hari).", max_range_days=MAX_RANGE_DAYS))
    return start, end


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


class Surveys:
    def __init__(self, hall: HallService, clock: Callable[[], datetime] | None = None):
        self.hall = hall
        self.db = hall.db
        self.clock = clock or hall.clock
        self._display_cache: dict[str | None, tuple[float, dict]] = {}

    # ---- tokens ------------------------------------------------------------------------
    def on_events(self, events: list[dict]) -> None:
        """Subscriber of the hall service: a finished ticket gets its survey token at once."""
        seqs = [e["seq"] for e in events if e.get("type") == "finished" and e.get("seq")]
        if not seqs:
            return
        now = self.clock()
        with self.db.write() as s:
            for ticket_id in s.scalars(select(t.Event.ticket_id).where(t.Event.seq.in_(seqs))):
                if ticket_id is not None:
                    self._token_for(s, ticket_id, now)

    @staticmethod
    def _token_for(s, ticket_id: int, now: datetime) -> t.SurveyToken:
        row = s.scalar(select(t.SurveyToken).where(t.SurveyToken.ticket_id == ticket_id))
        if row is None:
            row = t.SurveyToken(ticket_id=ticket_id, token=secrets.token_urlsafe(18), created_at=now,
                                expires_at=now + TOKEN_LIFETIME)
            s.add(row)
            s.flush()
        return row

    def latest_for_counter(self, counter_id: int) -> dict:
        """The ticket just finished at this counter (within TABLET_WINDOW) with its token, if
        nobody has answered for it yet; {"ticket": None} otherwise. The token is normally made
        when the ticket was finished (on_events); if that failed, it is made here."""
        try:
            return self._latest_for_counter(counter_id)
        except IntegrityError:      # another process made the token a moment ago: take theirs
            return self._latest_for_counter(counter_id)

    def _latest_for_counter(self, counter_id: int) -> dict:
        now = self.clock()
        with self.db.write() as s:
            counter = s.get(t.Counter, counter_id)
            if counter is None:
                raise SurveyNotFound(N_("Loket %(counter_id)s tidak ada.", counter_id=counter_id))
            event = s.scalar(select(t.Event).where(t.Event.type == "finished", t.Event.counter_id == counter_id)
                             .order_by(t.Event.seq.desc()).limit(1))
            empty = {"ticket": None, "counter": counter.name}
            if event is None or event.ticket_id is None or now - event.at > TABLET_WINDOW:
                return empty
            ticket = s.get(t.Ticket, event.ticket_id)
            if ticket.status != TicketStatus.SERVED or self._answered(s, ticket.id):
                return empty
            token = self._token_for(s, ticket.id, now)
            return {"ticket": ticket.number, "service": ticket.service.code,
                    "service_name": ticket.service.name, "counter": counter.name,
                    "finished_at": event.at.isoformat(), "token": token.token,
                    "expires_at": token.expires_at.isoformat()}

    @staticmethod
    def _answered(s, ticket_id: int) -> bool:
        return s.scalar(select(t.SurveyResponse.id).where(t.SurveyResponse.ticket_id == ticket_id)) is not None

    def _by_token(self, s, token: object) -> tuple[t.SurveyToken, t.Ticket]:
        if not isinstance(token, str) or not 10 <= len(token) <= 64:
            raise SurveyNotFound(N_("Tautan survei tidak dikenal."))
        row = s.scalar(select(t.SurveyToken).where(t.SurveyToken.token == token))
        if row is None:
            raise SurveyNotFound(N_("Tautan survei tidak dikenal."))
        return row, s.get(t.Ticket, row.ticket_id)

    def ticket(self, token: object, lang: str = "id") -> dict:
        """What a survey link opens: the ticket, whether it was answered (and any reply), and the
        questionnaire of its agency."""
        with self.db.read() as s:
            row, ticket = self._by_token(s, token)
            response = s.scalar(select(t.SurveyResponse).where(t.SurveyResponse.ticket_id == ticket.id))
            counter = s.get(t.Counter, ticket.counter_id) if ticket.counter_id else None
            return {"ticket": ticket.number, "service": ticket.service.code,
                    "service_name": ticket.service.name, "counter": counter.name if counter else None,
                    "expired": self.clock() >= row.expires_at, "answered": response is not None,
                    "reply": response.reply if response else None,
                    "questions": self.questions(s, ticket.service_id, lang)}

    # ---- the questionnaire ----------------------------------------------------------------
    def questions(self, s, service_id: int, lang: str = "id") -> list[dict]:
        hidden = self._hidden(s).get(service_id, set())
        stored = self._wording(s)
        return [element_view(code, stored.get(code), lang) for code in ikm.ELEMENTS if code not in hidden]

    def questionnaires(self, lang: str = "id") -> dict:
        """Every agency's questionnaire, by service code (for the feedback tablet)."""
        with self.db.read() as s:
            return {sv.code: {"name": sv.name, "questions": self.questions(s, sv.id, lang)}
                    for sv in s.scalars(select(t.Service).order_by(t.Service.position))}

    @staticmethod
    def _hidden(s) -> dict[int, set[str]]:
        hidden: dict[int, set[str]] = {}
        for row in s.scalars(select(t.SurveyHiddenElement)):
            hidden.setdefault(row.service_id, set()).add(row.element)
        return hidden

    @staticmethod
    def _wording(s) -> dict[str, dict]:
        return {row.element: {"question": row.question, "answers": row.answers,
                              "question_en": row.question_en, "answers_en": row.answers_en}
                for row in s.scalars(select(t.SurveyQuestion))}

    # ---- answering -------------------------------------------------------------------------
    def submit(self, body: dict, channel: str) -> dict:
        unknown = set(body) - SUBMIT_FIELDS
        if unknown:
            raise SurveyError(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
        answers = body.get("answers")
        if not isinstance(answers, dict) or not answers:
            raise SurveyError(N_("answers: objek {unsur: nilai 1–4}."))
        for code, value in answers.items():
            if code not in ikm.ELEMENTS:
                raise SurveyError(N_("Unsur tidak dikenal: %(code)s. Unsur: %(names)s.", code=repr(code[:40]), names=', '.join(ikm.ELEMENTS)))
            if not isinstance(value, int) or isinstance(value, bool) or value not in ikm.SCORES:
                raise SurveyError(N_("Jawaban untuk %(code)s: angka 1, 2, 3 atau 4.", code=code))
        profile = {}
        for field, options in PROFILE.items():
            value = body.get(field)
            if value is not None and (not isinstance(value, str) or value not in options):  # {} is unhashable
                raise SurveyError(N_("%(field)s: salah satu dari %(names)s (atau kosong).", field=field, names=', '.join(options)))
            profile[field] = value
        comment = body.get("comment")
        if comment is not None:
            if not isinstance(comment, str) or not is_clean(comment):
                raise SurveyError(N_("comment: teks."))
            if len(comment) > MAX_COMMENT:
                raise SurveyError(N_("Saran/pengaduan paling panjang %(max_comment)s karakter.", max_comment=MAX_COMMENT))
            comment = "\n".join(" ".join(line.split()) for line in comment.strip().splitlines()).strip() or None
            if comment and len(comment) > MAX_COMMENT:
                raise SurveyError(N_("Saran/pengaduan paling panjang %(max_comment)s karakter.", max_comment=MAX_COMMENT))
        now = self.clock()
        try:
            with self.db.write() as s:
                token, ticket = self._by_token(s, body.get("token"))
                if now >= token.expires_at:
                    raise SurveyConflict(N_("Tautan survei sudah kedaluwarsa."))
                hidden = self._hidden(s).get(ticket.service_id, set())
                not_here = sorted(set(answers) & hidden)
                if not_here:
                    raise SurveyError(N_("Unsur tidak berlaku untuk layanan ini: %(names)s.", names=', '.join(not_here)))
                missing = [code for code in ikm.ELEMENTS if code not in hidden and code not in answers]
                if missing:
                    raise SurveyError(N_("Belum dijawab: %(names)s.", names=', '.join(missing)))
                row = t.SurveyResponse(ticket_id=ticket.id, service_id=ticket.service_id,
                                       counter_id=ticket.counter_id, day=ticket.day, submitted_at=now,
                                       channel=channel, answers=dict(answers), comment=comment, **profile)
                s.add(row)
                s.flush()       # the UNIQUE ticket_id decides here, also against another process
                response_id = row.id
        except IntegrityError:
            raise SurveyConflict(N_("Survei untuk tiket ini sudah diisi. Terima kasih!")) from None
        self._display_cache.clear()
        return {"id": response_id, "ok": True}

    # ---- reports ---------------------------------------------------------------------------
    def _scope(self, s, actor: Principal, service_code: object, counter_id: object):
        service = None
        if service_code is not None:
            if not isinstance(service_code, str):
                raise SurveyError(N_("service: kode layanan."))
            service = s.scalar(select(t.Service).where(t.Service.code == service_code.strip().upper()))
            if service is None:
                raise SurveyError(N_("Layanan tidak dikenal: %(service_code)s", service_code=repr(service_code[:10])))
        if actor.role == "supervisor":
            if actor.service_id is None:
                raise SurveyForbidden(N_("Akun supervisor ini belum terhubung ke instansi."))
            if service is not None and service.id != actor.service_id:
                raise SurveyForbidden(N_("Hanya instansi Anda."))
            service = s.get(t.Service, actor.service_id)
        elif not actor.is_manager:
            raise SurveyForbidden(N_("Tidak diizinkan."))
        counter = None
        if counter_id is not None:
            counter = s.get(t.Counter, counter_id)
            if counter is None:
                raise SurveyError(N_("Loket %(counter_id)s tidak ada.", counter_id=counter_id))
        return service, counter

    def report(self, actor: Principal, *, period=None, on=None, first=None, last=None,
               service_code=None, counter_id=None) -> dict:
        now = self.clock()
        with self.db.read() as s:
            settings = self.hall.settings(s)
            today = queue.service_day(now, settings["timezone"])
            start, end = period_range(period, on, first, last, today)
            service, counter = self._scope(s, actor, service_code, counter_id)
            hidden = self._hidden(s)
            services = s.scalars(select(t.Service).order_by(t.Service.position)).all()
            counters = s.scalars(select(t.Counter).order_by(t.Counter.position, t.Counter.id)).all()
            trend_start = _month_start(end, TREND_MONTHS - 1)
            rows = self._responses(s, min(start, trend_start), end, service, counter)
            served = self._served(s, start, end, service, counter)
            in_range = [r for r in rows if start <= r["day"] <= end]
            summary = self._unit(in_range, sum(served.values()), hidden, profile=True)
            by_service = []
            for sv in services:
                if service is not None and sv.id != service.id:
                    continue
                mine = [r for r in in_range if r["service_id"] == sv.id]
                pop = sum(n for (sid, _), n in served.items() if sid == sv.id)
                by_service.append({"code": sv.code, "name": sv.name, "hidden": sorted(hidden.get(sv.id, ())),
                                   **self._unit(mine, pop, hidden)})
            by_counter = []
            for c in counters:
                if counter is not None and c.id != counter.id:
                    continue
                mine = [r for r in in_range if r["counter_id"] == c.id]
                pop = sum(n for (_, cid), n in served.items() if cid == c.id)
                if service is not None and not mine and not pop and service not in c.services:
                    continue
                by_counter.append({"id": c.id, "name": c.name, **self._unit(mine, pop, hidden)})
            trend = []
            for back in range(TREND_MONTHS - 1, -1, -1):
                month = _month_start(end, back)
                mine = [r for r in rows if (r["day"].year, r["day"].month) == (month.year, month.month)]
                unit = ikm.compute([self._applicable(r, hidden) for r in mine])
                trend.append({"month": month.strftime("%Y-%m"), "respondents": unit["respondents"],
                              "ikm": unit["ikm"], "mutu": unit["mutu"]})
            return {"from": start.isoformat(), "to": end.isoformat(),
                    "scope": {"service": service.code if service else None,
                              "service_name": service.name if service else None,
                              "counter": counter.id if counter else None,
                              "counter_name": counter.name if counter else None,
                              "hall": settings["hall_name"]},
                    "elements": [{"code": code, "u": DEFAULTS[code]["u"],
                                  "label": in_language(DEFAULTS[code]["label"], "id"),
                                  "label_en": in_language(DEFAULTS[code]["label"], "en")} for code in ikm.ELEMENTS],
                    "profile_labels": {field: {"label": in_language(PROFILE_FIELDS[field], "id"),
                                               "label_en": in_language(PROFILE_FIELDS[field], "en"),
                                               "options": {code: in_language(words, "id")
                                                           for code, words in options.items()}}
                                       for field, options in PROFILE.items()},
                    "summary": summary, "services": by_service, "counters": by_counter, "trend": trend}

    @staticmethod
    def _applicable(row: dict, hidden: dict[int, set[str]]) -> dict:
        """A response's answers to the elements that apply to its agency now: hiding an element
        takes it out of the computation, also for answers given before."""
        gone = hidden.get(row["service_id"], set())
        return {code: value for code, value in row["answers"].items() if code not in gone}

    def _unit(self, rows: list[dict], population: int, hidden, *, profile: bool = False) -> dict:
        result = ikm.compute([self._applicable(r, hidden) for r in rows])
        need = ikm.minimum_sample(population)
        result |= {"population": population, "min_sample": need,
                   "sample_ok": result["respondents"] >= need}
        if profile:
            result["profile"] = {field: {option: sum(1 for r in rows if r[field] == option)
                                         for option in options} | {"": sum(1 for r in rows if r[field] is None)}
                                 for field, options in PROFILE.items()}
        return result

    @staticmethod
    def _responses(s, start: date, end: date, service, counter) -> list[dict]:
        query = select(t.SurveyResponse).where(t.SurveyResponse.day >= start, t.SurveyResponse.day <= end)
        if service is not None:
            query = query.where(t.SurveyResponse.service_id == service.id)
        if counter is not None:
            query = query.where(t.SurveyResponse.counter_id == counter.id)
        return [{"day": r.day, "service_id": r.service_id, "counter_id": r.counter_id,
                 "answers": r.answers if isinstance(r.answers, dict) else {},
                 "gender": r.gender, "age": r.age, "education": r.education, "occupation": r.occupation}
                for r in s.scalars(query)]

    @staticmethod
    def _served(s, start: date, end: date, service, counter) -> dict[tuple[int, int | None], int]:
        """Served tickets (the survey's population) per (service, counter)."""
        query = (select(t.Ticket.service_id, t.Ticket.counter_id, func.count())
                 .where(t.Ticket.status == TicketStatus.SERVED, t.Ticket.day >= start, t.Ticket.day <= end)
                 .group_by(t.Ticket.service_id, t.Ticket.counter_id))
        if service is not None:
            query = query.where(t.Ticket.service_id == service.id)
        if counter is not None:
            query = query.where(t.Ticket.counter_id == counter.id)
        return {(sid, cid): n for sid, cid, n in s.execute(query)}

    # ---- free texts ------------------------------------------------------------------------
    def comments(self, actor: Principal, *, period=None, on=None, first=None, last=None,
                 service_code=None, status="all", limit: int = 300) -> dict:
        if status not in ("all", "open", "followed"):
            raise SurveyError(N_("status: all, open atau followed."))
        now = self.clock()
        with self.db.read() as s:
            settings = self.hall.settings(s)
            start, end = period_range(period, on, first, last, queue.service_day(now, settings["timezone"]))
            service, _ = self._scope(s, actor, service_code, None)
            query = (select(t.SurveyResponse).where(t.SurveyResponse.comment.is_not(None),
                                                    t.SurveyResponse.day >= start, t.SurveyResponse.day <= end)
                     .order_by(t.SurveyResponse.submitted_at.desc(), t.SurveyResponse.id.desc()).limit(limit))
            if service is not None:
                query = query.where(t.SurveyResponse.service_id == service.id)
            if status == "open":
                query = query.where(t.SurveyResponse.followed_up_at.is_(None))
            elif status == "followed":
                query = query.where(t.SurveyResponse.followed_up_at.is_not(None))
            codes = {sv.id: sv for sv in s.scalars(select(t.Service))}
            names = dict(s.execute(select(t.Counter.id, t.Counter.name)).all())
            return {"from": start.isoformat(), "to": end.isoformat(),
                    "comments": [self._comment_view(r, codes, names) for r in s.scalars(query)]}

    @staticmethod
    def _comment_view(r: t.SurveyResponse, services: dict, counters: dict) -> dict:
        values = [v for v in (r.answers or {}).values() if v in ikm.SCORES]
        return {"id": r.id, "day": r.day.isoformat(), "submitted_at": r.submitted_at.isoformat(),
                "service": services[r.service_id].code, "service_name": services[r.service_id].name,
                "counter": counters.get(r.counter_id), "comment": r.comment,
                "score": round(sum(values) / len(values), 2) if values else None,
                "followed_up_at": r.followed_up_at and r.followed_up_at.isoformat(),
                "followed_up_by": r.followed_up_by, "reply": r.reply,
                "replied_at": r.replied_at and r.replied_at.isoformat()}

    def update_comment(self, actor: Principal, response_id: int, body: dict) -> dict:
        unknown = set(body) - {"followed_up", "reply"}
        if unknown:
            raise SurveyError(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
        if not body:
            raise SurveyError(N_("Isi followed_up dan/atau reply."))
        followed = body.get("followed_up")
        if "followed_up" in body and not isinstance(followed, bool):
            raise SurveyError(N_("followed_up: true atau false."))
        reply = body.get("reply")
        if reply is not None:
            if not isinstance(reply, str) or not is_clean(reply):
                raise SurveyError(N_("reply: teks."))
            if len(reply) > MAX_COMMENT:
                raise SurveyError(N_("Tanggapan paling panjang %(max_comment)s karakter.", max_comment=MAX_COMMENT))
            reply = reply.strip() or None
        now = self.clock()
        with self.db.write() as s:
            row = s.get(t.SurveyResponse, response_id)
            if row is None or row.comment is None:
                raise SurveyNotFound(N_("Saran/pengaduan tidak ada."))
            if not actor.is_manager and not (actor.role == "supervisor" and actor.service_id == row.service_id):
                raise SurveyForbidden(N_("Hanya instansi Anda."))
            if "followed_up" in body:
                row.followed_up_at, row.followed_up_by = (now, actor.name) if followed else (None, None)
            if "reply" in body:
                row.reply, row.replied_at = reply, now if reply else None
                if reply and row.followed_up_at is None:    # answering is following up
                    row.followed_up_at, row.followed_up_by = now, actor.name
            audit.record(s, now, actor, "survey.comment", id=row.id, followed_up=row.followed_up_at is not None,
                         replied=row.reply is not None)
            services = {sv.id: sv for sv in s.scalars(select(t.Service))}
            names = dict(s.execute(select(t.Counter.id, t.Counter.name)).all())
            return self._comment_view(row, services, names)

    # ---- settings: wording, hidden elements, the display switch -------------------------------
    def settings(self, actor: Principal) -> dict:
        with self.db.read() as s:
            stored = self._wording(s)
            hidden = self._hidden(s)
            services = s.scalars(select(t.Service).order_by(t.Service.position)).all()
            if actor.role == "supervisor":
                services = [sv for sv in services if sv.id == actor.service_id]
            modes = {row.profile_id: row.mode for row in s.scalars(select(t.SurveyDisplay))}
            profiles = s.scalars(select(t.DisplayProfile).order_by(t.DisplayProfile.name)).all()
            return {
                "elements": [{**element_view(code, stored.get(code), "id"),
                              "question_en": element_view(code, stored.get(code), "en")["question"],
                              "answers_en": element_view(code, stored.get(code), "en")["answers"],
                              "label_en": in_language(DEFAULTS[code]["label"], "en"), "edited": code in stored}
                             for code in ikm.ELEMENTS],
                "hidden": {sv.code: sorted(hidden.get(sv.id, ())) for sv in services},
                "displays": [{"profile_id": p.id, "name": p.name, "mode": modes.get(p.id, "off")}
                             for p in profiles] if actor.is_manager else [],
            }

    def set_question(self, actor: Principal, element: str, body: dict) -> dict:
        if not actor.is_manager:
            raise SurveyForbidden(N_("Hanya pengelola MPP."))
        if element not in ikm.ELEMENTS:
            raise SurveyNotFound(N_("Unsur tidak dikenal: %(element)s", element=repr(element[:40])))
        unknown = set(body) - {"question", "answers", "question_en", "answers_en"}
        if unknown:
            raise SurveyError(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
        question = _line(body.get("question"), "question", required=True)
        answers = _answers(body.get("answers"), "answers", required=True)
        question_en = _line(body.get("question_en"), "question_en", required=False)
        answers_en = _answers(body.get("answers_en"), "answers_en", required=False)
        with self.db.write() as s:
            row = s.get(t.SurveyQuestion, element) or t.SurveyQuestion(element=element)
            row.question, row.answers, row.question_en, row.answers_en = question, answers, question_en, answers_en
            s.add(row)
            audit.record(s, self.clock(), actor, "survey.question", element=element, question=question)
            return element_view(element, {"question": question, "answers": answers}, "id")

    def set_hidden(self, actor: Principal, service_code: str, elements: object) -> dict:
        if not actor.is_manager:
            raise SurveyForbidden(N_("Hanya pengelola MPP."))
        if not isinstance(elements, list) or not all(isinstance(e, str) for e in elements):
            raise SurveyError(N_("hidden: daftar kode unsur."))
        wrong = [e for e in elements if e not in ikm.ELEMENTS]
        if wrong:
            raise SurveyError(N_("Unsur tidak dikenal: %(wrong)s", wrong=repr(wrong[0][:40])))
        chosen = sorted(set(elements))
        if len(elements) >= len(ikm.ELEMENTS):
            raise SurveyError(N_("Minimal satu unsur harus tetap ditanyakan."))
        with self.db.write() as s:
            service = s.scalar(select(t.Service).where(t.Service.code == service_code.upper())) \
                if len(service_code) == 1 and service_code.isascii() and service_code.isalpha() else None
            if service is None:
                raise SurveyNotFound(N_("Layanan tidak dikenal: %(service_code)s", service_code=repr(service_code[:10])))
            for row in s.scalars(select(t.SurveyHiddenElement).where(
                    t.SurveyHiddenElement.service_id == service.id)):
                s.delete(row)
            s.flush()
            for element in chosen:
                s.add(t.SurveyHiddenElement(service_id=service.id, element=element))
            audit.record(s, self.clock(), actor, "survey.hidden", service=service.code, hidden=chosen)
        self._display_cache.clear()
        return {"service": service.code, "hidden": chosen}

    def set_display(self, actor: Principal, profile_id: int, mode: object) -> dict:
        if not actor.is_manager:
            raise SurveyForbidden(N_("Hanya pengelola MPP."))
        if mode not in DISPLAY_MODES:
            raise SurveyError(N_("mode: %(names)s.", names=', '.join(DISPLAY_MODES)))
        with self.db.write() as s:
            profile = s.get(t.DisplayProfile, profile_id)
            if profile is None:
                raise SurveyNotFound(N_("Profil layar tidak ada."))
            row = s.get(t.SurveyDisplay, profile_id) or t.SurveyDisplay(profile_id=profile_id)
            row.mode = mode
            s.add(row)
            audit.record(s, self.clock(), actor, "survey.display", profile=profile.name, mode=mode)
        self._display_cache.clear()
        return {"profile_id": profile_id, "name": profile.name, "mode": mode}

    def display(self, profile_name: object) -> dict:
        """What a hall display shows of the survey: the IKM of this semester so far, of the
        profile's one agency or the whole hall; mode "off" when its profile does not show it.
        Cached for a minute (a response clears it): every TV may ask."""
        key = profile_name if isinstance(profile_name, str) else None
        cached = self._display_cache.get(key)
        if cached and time.monotonic() - cached[0] < 60:
            return cached[1]
        now = self.clock()
        with self.db.read() as s:
            settings = self.hall.settings(s)
            today = queue.service_day(now, settings["timezone"])
            profile = s.scalar(select(t.DisplayProfile).where(t.DisplayProfile.name == key)) if key else None
            row = s.get(t.SurveyDisplay, profile.id) if profile else None
            mode = row.mode if row else "off"
            service = None
            if profile is not None and len(profile.services) == 1:
                service = s.scalar(select(t.Service).where(t.Service.code == profile.services[0]))
            start, _ = period_range("semester", today.isoformat(), None, None, today)
            rows = self._responses(s, start, today, service, None)
            hidden = self._hidden(s)
            name, code = (service.name, service.code) if service else (settings["hall_name"], None)
        unit = ikm.compute([self._applicable(r, hidden) for r in rows])
        result = {"mode": mode, "name": name, "service": code, "from": start.isoformat(),
                  "to": today.isoformat(), "respondents": unit["respondents"], "ikm": unit["ikm"],
                  "mutu": unit["mutu"], "kinerja": unit["kinerja"], "kinerja_en": unit["kinerja_en"]}
        if len(self._display_cache) > 200:
            self._display_cache.clear()
        self._display_cache[key] = (time.monotonic(), result)
        return result


def _line(value: object, field: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not " ".join(value.split()):
        raise SurveyError(N_("%(field)s: wajib diisi (teks).", field=field))
    if len(value) > 300:
        raise SurveyError(N_("%(field)s: paling panjang 300 karakter.", field=field))
    return " ".join(value.split())


def _answers(value: object, field: str, *, required: bool) -> list[str] | None:
    if value is None and not required:
        return None
    if not isinstance(value, list) or len(value) != 4:
        raise SurveyError(N_("%(field)s: empat pilihan jawaban (nilai 1 sampai 4).", field=field))
    out = []
    for item in value:
        if not isinstance(item, str) or not " ".join(item.split()) or len(item) > 80:
            raise SurveyError(N_("%(field)s: tiap jawaban teks 1–80 karakter.", field=field))
        out.append(" ".join(item.split()))
    return out
