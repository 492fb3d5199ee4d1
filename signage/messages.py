"""Messages for people, written in Indonesian and translated where they are shown.

The hall's rules (queue, service, admin, ...) know nothing of Flask or of who reads them: they
raise errors whose text is marked with `N_("Indonesian text %(name)s.", name=value)`. The result
*is* the Indonesian sentence (a str), so logs, the CLI and old callers keep working; it also
remembers its msgid and parameters, so the web edge (web/i18n.py) can say it in the reader's
language from the gettext catalog (signage/translations/<lang>/LC_MESSAGES/messages.po).

`pybabel extract -k N_ -k NC_:1c,2` finds the msgids (babel.cfg, README "Languages").
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
SOURCE_LANGUAGE = "id"


class Message(str):
    """An Indonesian sentence that still knows its msgid and parameters."""

    msgid: str
    params: dict
    context: str | None = None

    def __new__(cls, msgid: str, **params):
        text = msgid % params if params else msgid
        self = super().__new__(cls, text)
        self.msgid = msgid
        self.params = params
        return self

    def __str__(self) -> str:   # str(exc), f"{exc}" keep the marker
        return self

    def __reduce__(self):
        return (_rebuild, (self.msgid, self.params, self.context))


def _rebuild(msgid: str, params: dict, context: str | None = None) -> Message:
    message = Message(msgid, **params)
    message.context = context
    return message


def N_(msgid: str, **params) -> Message:
    """Mark a sentence for translation; format it with %(name)s parameters."""
    return Message(msgid, **params)


def NC_(context: str, msgid: str) -> Message:
    """A word whose English depends on where it stands ("Selesai": Done / Finish / Finished):
    the msgctxt tells the translator which one."""
    message = Message(msgid)
    message.context = context
    return message


def translate(text, gettext: Callable[[str], str], pgettext: Callable[[str, str], str] | None = None) -> str:
    """`text` in the language of `gettext`: a Message by its msgid (parameters that are Messages
    translated too; other parameters - names, numbers - stay as they are), any other text looked
    up as it is (text the catalog does not know stays as it is)."""
    if isinstance(text, Message):
        params = {k: translate(v, gettext, pgettext) if isinstance(v, Message) else v
                  for k, v in text.params.items()}
        if text.context is not None and pgettext is not None:
            translated = pgettext(text.context, text.msgid)
        else:
            translated = gettext(text.msgid)
        try:
            return translated % params if params else translated
        except (KeyError, ValueError, TypeError):   # a broken translation: say it in Indonesian
            return text.msgid % params
    if isinstance(text, str) and text:
        return gettext(text)
    return text


@lru_cache(maxsize=None)
def catalog(lang: str):
    """The gettext catalog of `lang` (babel.support.Translations); Indonesian, the source, needs none."""
    from babel.support import NullTranslations, Translations
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang], domain="messages")


def in_language(text, lang: str):
    """`text` (a Message or catalog text; None stays None) said in `lang`."""
    if text is None:
        return None
    translations = catalog(lang)
    return translate(text, translations.gettext, translations.pgettext)
