"""Turn tickets, counter names and announcements into text a voice engine reads.

Every function here returns *spoken* text: digits become Indonesian words and
single letters become their Indonesian names ("B" -> "be"), so no engine has
to guess how to read "A012" or "Loket 3B".  The display keeps its own form
(see `call_display_text`).
"""

from __future__ import annotations

import re
import string

from num2words import num2words
from ..messages import N_

LETTER_NAMES = {
    "a": "a", "b": "be", "c": "ce", "d": "de", "e": "e", "f": "ef", "g": "ge",
    "h": "ha", "i": "i", "j": "je", "k": "ka", "l": "el", "m": "em", "n": "en",
    "o": "o", "p": "pe", "q": "ki", "r": "er", "s": "es", "t": "te", "u": "u",
    "v": "fe", "w": "we", "x": "eks", "y": "ye", "z": "zet",
}

DIGIT_NAMES = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")

STYLES = ("whole", "digits")

TEMPLATE_FIELDS = {"nomor", "loket", "layanan"}
DEFAULT_TEMPLATE = "Nomor antrian {nomor}, silakan menuju {loket}."
MAX_TEMPLATE_LENGTH = 200
MAX_FREE_TEXT_LENGTH = 300

_FIELD_LIST = ", ".join("{" + name + "}" for name in ("nomor", "loket", "layanan"))
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_VOWELS = set("aeiou")


class TemplateError(ValueError):
    """A template or announcement text that cannot be spoken; message is for the manager."""


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"Gaya angka tidak dikenal: {style!r}. Gunakan 'whole' atau 'digits'.")


def digit_words(digits: str) -> str:
    """'012' -> 'nol satu dua' (keeps leading zeros)."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(f"bukan deretan angka: {digits!r}")
    return " ".join(DIGIT_NAMES[int(d)] for d in digits)


def number_words(n: int, style: str) -> str:
    _check_style(style)
    if n < 0:
        raise ValueError("angka negatif tidak didukung")
    if style == "digits":
        return digit_words(str(n))
    return num2words(n, lang="id")


def _digit_run_words(run: str, style: str) -> str:
    return digit_words(run) if style == "digits" else number_words(int(run), "whole")


def letter_names(letters: str) -> str:
    """'AB' -> 'a be'; characters without an Indonesian name are kept lowercased."""
    return " ".join(LETTER_NAMES.get(ch, ch) for ch in letters.lower())


def spell_ticket(number: str, style: str) -> str:
    """'A012' -> 'a dua belas' (whole) or 'a nol satu dua' (digits)."""
    _check_style(style)
    tokens = _TOKEN.findall(number or "")
    if not tokens:
        raise ValueError(f"nomor antrian kosong atau tidak valid: {number!r}")
    parts = [_digit_run_words(tok, style) if tok.isdigit() else letter_names(tok) for tok in tokens]
    return " ".join(parts)


def _is_acronym(word: str) -> bool:
    # Short all-caps words ("AB") and vowel-less ones ("KTP", "BPJS") cannot be
    # read as words, so they are spelled; "SIM" or "DUKCAPIL" are read as words.
    if not word.isupper() or not word.isalpha():
        return False
    return len(word) <= 2 or not (_VOWELS & set(word.lower()))


def spell_words(text: str, style_for_numbers: str = "whole") -> str:
    """Spoken form of a name: words stay words, single letters and acronyms are
    spelled, digit runs become number words, symbols disappear."""
    _check_style(style_for_numbers)
    parts = []
    for tok in _TOKEN.findall(text or ""):
        if tok.isdigit():
            parts.append(_digit_run_words(tok, style_for_numbers))
        elif len(tok) == 1 or _is_acronym(tok):
            parts.append(letter_names(tok))
        else:
            parts.append(tok.lower())
    return " ".join(parts)


def spell_counter(name: str, style_for_numbers: str = "whole") -> str:
    """'Loket 3' -> 'loket tiga', 'Loket A2' -> 'loket a dua', '3B' -> 'tiga be'."""
    return spell_words(name, style_for_numbers)


# --- templates ---------------------------------------------------------------

def _template_parts(template: str) -> list[tuple[str, str | None]]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise TemplateError(
            N_("Kurung kurawal tidak seimbang. Tulis placeholder lengkap seperti {nomor}.")
        ) from None
    parts = []
    for literal, field, spec, conversion in parsed:
        if "{" in literal or "}" in literal:
            raise TemplateError(N_("Kurung kurawal hanya boleh dipakai untuk placeholder seperti {nomor}."))
        if field is None:
            parts.append((literal, None))
            continue
        if field not in TEMPLATE_FIELDS:
            shown = "{" + field + "}"
            raise TemplateError(N_("Placeholder tidak dikenal: %(shown)s. Gunakan %(field_list)s.", shown=shown, field_list=_FIELD_LIST))
        if spec or conversion:
            raise TemplateError(N_("Placeholder {%(field)s} tidak boleh memakai format tambahan. Tulis {%(field)s} saja.", field=field))
        parts.append((literal, field))
    return parts


def validate_template(template: str) -> str:
    """Return the stripped template, or raise TemplateError explaining what is wrong."""
    if template is not None and not isinstance(template, str):
        raise TemplateError(N_("Templat harus teks."))
    text = (template or "").strip()
    if not text:
        raise TemplateError(N_("Templat kosong. Contoh: %(default_template)s", default_template=DEFAULT_TEMPLATE))
    if len(text) > MAX_TEMPLATE_LENGTH:
        raise TemplateError(N_("Templat terlalu panjang (%(count)s karakter, maksimal %(max_template_length)s).", count=len(text), max_template_length=MAX_TEMPLATE_LENGTH))
    fields = {field for _, field in _template_parts(text) if field}
    if "nomor" not in fields:
        raise TemplateError(N_("Templat harus memuat {nomor} agar nomor antrian disebutkan."))
    return text


def _fill(template: str, values: dict[str, str], literal_filter) -> str:
    out = []
    for literal, field in _template_parts(validate_template(template)):
        out.append(literal_filter(literal))
        if field:
            out.append(values[field])
    return _tidy("".join(out))


def call_sentence(template: str, *, ticket: str, counter: str, service: str, style: str,
                  lexicon=None) -> str:
    """The spoken call, e.g. 'Nomor antrian a dua belas, silakan menuju loket tiga.'

    `lexicon` (lexicon.Lexicon; default: the built-in acronyms and "&") says how written words
    of the template, the counter and the service are spoken."""
    lex = lexicon or _default_lexicon()
    values = {
        "nomor": spell_ticket(ticket, style),
        "loket": spell_counter(lex.apply(counter)),
        "layanan": spell_words(lex.apply(service)),
    }
    return _fill(template, values, lambda literal: spell_numbers_in_text(lex.apply(literal)))


SHORT_TEMPLATE = "{nomor}, {loket}."   # the rush form: "a dua belas, loket dua."


def _default_lexicon():
    from .lexicon import DEFAULT
    return DEFAULT


def call_display_text(template: str, *, ticket: str, counter: str, service: str) -> str:
    """The same call as written on screen: 'Nomor antrian A012, silakan menuju Loket 3.'"""
    values = {"nomor": ticket.strip(), "loket": counter.strip(), "layanan": service.strip()}
    return _fill(template, values, lambda literal: literal)


# --- free text ---------------------------------------------------------------

_TIME_RANGE_DASH = re.compile(r"(?<=\d)\s*[-–]\s*(?=\d)")
_SPACED_DASH = re.compile(r"\s+[-–]+\s+")
_RUPIAH = re.compile(r"\bRp\.?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,-)?", re.IGNORECASE)
_TIME = re.compile(r"(?<![\d.,])([01]?\d|2[0-4])[.:]([0-5]\d)(?![\d]|[.,]\d)")
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d]|[.,]\d)")
_DECIMAL = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d]|[.,]\d)")
_CODE = re.compile(r"\b([A-Za-z]{1,3})-?(\d+)\b")
_NUMBER_THEN_LETTERS = re.compile(r"\b(\d+)([A-Za-z]{1,2})\b")
_INTEGER = re.compile(r"\d+")
_UPPER_WORD = re.compile(r"\b[A-Z]+\b")
_SYMBOLS = {"%": " persen ", "&": " dan ", "+": " tambah ", "/": " ", "#": " ", "@": " ", "*": " ", "_": " "}


def _integer_words(digits: str) -> str:
    # Phone numbers and codes with a leading zero are read digit by digit.
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > 9:
        return digit_words(digits)
    return number_words(int(digits), "whole")


def _time_words(match: re.Match) -> str:
    hour, minute = match.group(1), match.group(2)
    words = number_words(int(hour), "whole")
    if minute != "00":
        words += " " + (digit_words(minute) if minute.startswith("0") else number_words(int(minute), "whole"))
    return words


def spell_numbers_in_text(text: str) -> str:
    """Spell times (13.30), rupiah, thousands (1.500), decimals (2,5), codes (A12)
    and plain integers in Indonesian; drop symbols an engine would read oddly."""
    text = _TIME_RANGE_DASH.sub(" sampai ", text)
    text = _SPACED_DASH.sub(", ", text)
    text = _RUPIAH.sub(lambda m: number_words(int(m.group(1).replace(".", "")), "whole") + " rupiah", text)
    text = _TIME.sub(_time_words, text)
    text = _THOUSANDS.sub(lambda m: _integer_words(m.group(0).replace(".", "")), text)
    text = _DECIMAL.sub(lambda m: f"{_integer_words(m.group(1))} koma {digit_words(m.group(2))}", text)
    text = _CODE.sub(lambda m: f" {spell_ticket(m.group(0), 'whole')} ", text)
    text = _NUMBER_THEN_LETTERS.sub(lambda m: f" {_integer_words(m.group(1))} {letter_names(m.group(2))} ", text)
    text = _INTEGER.sub(lambda m: f" {_integer_words(m.group(0))} ", text)
    text = _UPPER_WORD.sub(lambda m: letter_names(m.group(0)) if _is_acronym(m.group(0)) else m.group(0), text)
    for symbol, replacement in _SYMBOLS.items():
        text = text.replace(symbol, replacement)
    return text


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,.;:!?])\1+", r"\1", text)
    return text.strip()


def free_text_sentence(text: str, lexicon=None) -> str:
    """A manager's free announcement, validated and with numbers spelled (and words spoken as
    the pronunciation list says)."""
    stripped = (text or "").strip()
    if not stripped:
        raise TemplateError(N_("Teks pengumuman kosong."))
    if len(stripped) > MAX_FREE_TEXT_LENGTH:
        raise TemplateError(
            N_("Teks pengumuman terlalu panjang (%(count)s karakter, maksimal %(max_free_text_length)s).", count=len(stripped), max_free_text_length=MAX_FREE_TEXT_LENGTH)
        )
    spoken = _tidy(spell_numbers_in_text((lexicon or _default_lexicon()).apply(stripped)))
    if not re.search(r"[^\W\d_]", spoken):
        raise TemplateError(N_("Teks pengumuman harus berisi kata yang bisa diucapkan."))
    return spoken
