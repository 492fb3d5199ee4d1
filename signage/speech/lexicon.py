"""Words the voice gets wrong: how a written word is spoken.

Two sources, applied to the *written* text before numbers and letters are spelled (sentence.py):

* the hall's pronunciation list, edited by the manager (speech setting `lexicon`: a list of
  {"written": "Dukcapil", "spoken": "duk capil"}), matched as whole words, any case;
* acronyms every hall has that are spelled letter by letter ("KIA" -> "ka i a", NIK, KTP, BPJS,
  ...), and "&" read "dan".

The spoken form is plain lower-case words, so both engines get the same text: espeak-ng reads it,
and `signage audio build` fetches its words for the gTTS library (library.library_phrases).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from ..messages import N_

MAX_ENTRIES = 200
MAX_WRITTEN = 40
MAX_SPOKEN = 100

# Read letter by letter in Indonesian speech; the rest of the all-caps rule is in sentence.py
# (short or vowel-less words are spelled there already: KTP, BPJS, KK).
SPELLED_ACRONYMS = frozenset({
    "KIA", "NIK", "KTP", "BPJS", "KK", "NPWP", "SKCK", "STNK", "BPKB", "PBB", "NIB", "UMKM",
    "PDAM", "BPN", "KUA", "IMB", "PBG", "SIUP", "TDP", "PLN", "KTP-EL", "SKTM", "NIP", "ATM",
})
_SPOKEN_OK = re.compile(r"^[^\W\d_]+(?:[ '\-,.]+[^\W\d_]+)*[.,]?$")
_SYMBOLS = {"&": " dan "}


class LexiconError(ValueError):
    """A pronunciation entry that cannot be used; the message is for the manager (Indonesian)."""


def validate_entries(data: object) -> list[dict]:
    """The manager's list, checked: [{"written": str, "spoken": str}, ...]."""
    if not isinstance(data, list):
        raise LexiconError(N_("Daftar pelafalan harus berupa daftar {written, spoken}."))
    if len(data) > MAX_ENTRIES:
        raise LexiconError(N_("Daftar pelafalan terlalu panjang (maksimal %(max_entries)s entri).", max_entries=MAX_ENTRIES))
    entries, seen = [], set()
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or set(entry) - {"written", "spoken"}:
            raise LexiconError(N_("Entri %(index)s: harus objek {written, spoken}.", index=index))
        written, spoken = entry.get("written"), entry.get("spoken")
        if not isinstance(written, str) or not isinstance(spoken, str):
            raise LexiconError(N_("Entri %(index)s: tulisan dan ucapan harus teks.", index=index))
        written, spoken = " ".join(written.split()), " ".join(spoken.split())
        if not written or len(written) > MAX_WRITTEN or "{" in written or "}" in written:
            raise LexiconError(N_("Entri %(index)s: tulisan 1–%(max_written)s karakter, tanpa kurung kurawal.", index=index, max_written=MAX_WRITTEN))
        if not re.search(r"[^\W_]|&", written):
            raise LexiconError(N_("Entri %(index)s: tulisan harus memuat huruf atau angka.", index=index))
        if not spoken or len(spoken) > MAX_SPOKEN or not _SPOKEN_OK.match(spoken):
            raise LexiconError(N_("Entri %(index)s (%(written)s): ucapan hanya huruf dan spasi (1–%(max_spoken)s karakter, angka ditulis sebagai kata), mis. \"ka i a\".", index=index, written=written, max_spoken=MAX_SPOKEN))
        key = written.casefold()
        if key in seen:
            raise LexiconError(N_("Entri %(index)s: \"%(written)s\" sudah ada di daftar.", index=index, written=written))
        seen.add(key)
        entries.append({"written": written, "spoken": spoken})
    return entries


class Lexicon:
    """Replaces written words by their spoken form (whole words, any case, longest first)."""

    def __init__(self, entries: Iterable[dict] = ()):
        self.entries = [dict(e) for e in entries]
        self._spoken = {e["written"].casefold(): e["spoken"].lower() for e in self.entries}
        if self._spoken:
            alternatives = sorted(self._spoken, key=len, reverse=True)
            self._pattern = re.compile(
                r"(?<![^\W_])(?:" + "|".join(re.escape(w) for w in alternatives) + r")(?![^\W_])",
                re.IGNORECASE)
        else:
            self._pattern = None

    def apply(self, text: str) -> str:
        """'Layanan KIA & KK' -> 'Layanan ka i a dan KK' (KK is spelled later, by sentence.py)."""
        text = text or ""
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: f" {self._spoken[m.group(0).casefold()]} ", text)
        text = _ACRONYM.sub(lambda m: " " + spell_letters(m.group(0)) + " ", text)
        for symbol, spoken in _SYMBOLS.items():
            text = text.replace(symbol, spoken)
        return text

    def words(self) -> list[str]:
        """Every spoken form (for the gTTS library)."""
        return [e["spoken"] for e in self.entries]


def spell_letters(word: str) -> str:
    from .sentence import letter_names
    return letter_names(word.replace("-", ""))


_ACRONYM = re.compile(r"(?<![^\W_])(?:" + "|".join(
    re.escape(a) for a in sorted(SPELLED_ACRONYMS, key=len, reverse=True)) + r")(?![^\W_])")
DEFAULT = Lexicon()
