"""One language per answer, the reader's (Flask-Babel, gettext catalogs).

Indonesian is the source language: every msgid is the Indonesian sentence, and English lives in
signage/translations/en/LC_MESSAGES/messages.po (compiled to messages.mo beside it; README,
"Translations"). Who reads decides:

1. the page's explicit choice: `?lang=id|en`, else the `lang` cookie the pages keep
   (the kiosk never keeps one: every visitor starts in Indonesian);
2. else the best of the browser's / client's Accept-Language among (id, en);
3. else Indonesian.

API errors, page words (`strings(lang)` in i18n.py, the pages' `t`), and the dates, times and
numbers the server writes all follow that choice.
"""
from __future__ import annotations

from datetime import date, datetime, time

from babel import dates as babel_dates, numbers as babel_numbers
from flask import Flask, has_request_context, request
from flask_babel import Babel

from ..messages import TRANSLATIONS, in_language

LANGUAGES = ("id", "en")
DEFAULT = "id"
_LOCALES = {"id": "id_ID", "en": "en_GB"}   # en_GB: 24-hour clock, day before month


def explicit_choice() -> str | None:
    """?lang= or the lang cookie, if it names one of our languages."""
    for chosen in (request.args.get("lang"), request.cookies.get("lang")):
        if chosen in LANGUAGES:
            return chosen
    return None


def from_accept_language() -> str | None:
    """The reader's first language we speak, by its primary tag: "id-ID,en;q=0.8" is Indonesian
    (werkzeug's best_match would prefer the exact "en"); "in" is Indonesian's old code."""
    for value, quality in request.accept_languages:   # highest quality first
        primary = value.split("-")[0].split("_")[0].lower()
        primary = "id" if primary == "in" else primary
        if quality > 0 and primary in LANGUAGES:
            return primary
    return None


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT
    return explicit_choice() or from_accept_language() or DEFAULT


def current() -> str:
    """The reader's language for this request ('id' or 'en')."""
    return select_locale()


def tr(text, lang: str | None = None) -> str:
    """A message (signage.messages.N_) or catalog text, in the reader's language."""
    lang = lang or current()
    return in_language(text, lang if lang in LANGUAGES else DEFAULT)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_domain="messages",
          default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.filters.update(hall_date=format_day, hall_time=format_clock, number=format_number)


# ---- dates, times and numbers in the reader's locale -----------------------------------------
def format_day(value: date | datetime, lang: str | None = None) -> str:
    """'Senin, 30 November 2026' / 'Monday, 30 November 2026'."""
    return babel_dates.format_date(value, "EEEE, d MMMM y", locale=_LOCALES[lang or current()])


def format_clock(value: time | datetime, lang: str | None = None) -> str:
    """'08.00' / '08:00' (24-hour clock in both)."""
    return babel_dates.format_time(value, "HH.mm" if (lang or current()) == "id" else "HH:mm",
                                   locale=_LOCALES[lang or current()])


def format_number(value: int | float, lang: str | None = None) -> str:
    """'1.234' / '1,234'."""
    return babel_numbers.format_decimal(value, locale=_LOCALES[lang or current()])
