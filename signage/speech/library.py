"""The voice library: one prepared clip per phrase, joined into sentences offline.

Why two strategies exist (benchmarks/audio_bench.py, 2-core dev machine, 30
different calls like "Nomor antrian a dua belas, silakan menuju loket tiga.",
time until chime + speech is one WAV file on disk):

    espeak, whole sentence            cold 43 ms median / 57 ms max, cached 0.2 ms
    espeak, assembled clips           cold  3 ms median /  5 ms max, cached 0.1 ms
    gtts (fake endpoint), whole       cold 140 ms + real network round trip
    gtts library, assembled offline   cold  2 ms median /  3 ms max, cached 0.3 ms

* espeak-ng speaks whole sentences: 43 ms is far under the 1 s budget, and
  the sentence gets one natural intonation with a real comma pause.  Joined
  espeak clips are each spoken as a separate utterance (own falling
  end-pitch, five joins in a call, 0.6 s longer), which sounds choppy, and
  would need a library for no audible gain.  So espeak has no library.
* gTTS cannot render a whole sentence offline: calls are ticket x counter
  combinations (~10^5 sentences) and Google is on the network.  So for gTTS
  the live path assembles prepared clips and `signage audio build --engine
  gtts` fetches them beforehand (~1,040 clips: letter names, numbers 0-999,
  the template's fixed phrases, counter and service names; 85 s against the
  local fake, several minutes against Google).  Number clips are whole
  numbers ("dua ratus lima belas"), not word parts, so each keeps Google's
  own intonation.  A sentence with a word missing from the library (a free
  announcement, a renamed counter) is spoken by espeak-ng instead: nothing
  waits for the network.

Layout: <audio_dir>/library/<engine>/<words_joined_by_underscore>.wav, all in
the standard format of `wav.py`.  The file name is the phrase, so the library
needs no index file and a half-finished build simply resumes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

from tqdm import tqdm

from . import wav
from .engines import AudioClip, EngineError, UnsupportedText, run_with_deadline
from .sentence import (
    DEFAULT_TEMPLATE, LETTER_NAMES, _template_parts, number_words, spell_counter,
    spell_numbers_in_text, spell_words,
)

log = logging.getLogger(__name__)

WORD_GAP_S = 0.05
PAUSE_GAP_S = {",": 0.25, ";": 0.3, ":": 0.3, ".": 0.4, "!": 0.4, "?": 0.4}
MAX_NUMBER_CLIP = 999

_WORD = re.compile(r"[^\W\d_]+")
_CHUNK = re.compile(r"([^,.;:!?]*)([,.;:!?]*)")


def phrase_key(text: str) -> str:
    """'Silakan  menuju,' -> 'silakan menuju' (the form clips are named and matched by)."""
    return " ".join(_WORD.findall(text.lower()))


def clip_filename(phrase: str) -> str:
    return phrase_key(phrase).replace(" ", "_") + ".wav"


def _chunks(text: str) -> list[tuple[list[str], float]]:
    """Words between punctuation, each with the pause that follows it."""
    chunks = []
    for words_part, punctuation in _CHUNK.findall(text.lower()):
        words = _WORD.findall(words_part)
        pause = max((PAUSE_GAP_S.get(p, 0.0) for p in punctuation), default=0.0)
        if words:
            chunks.append((words, pause))
        elif chunks and pause:
            chunks[-1] = (chunks[-1][0], max(chunks[-1][1], pause))
    return chunks


class VoiceLibrary:
    """Prepared clips used as an engine: `synthesize` assembles, never synthesises."""

    def __init__(self, directory: Path, engine_name: str = "gtts", voice: str = "id"):
        self.directory = Path(directory)
        self.name = engine_name
        self.voice = voice
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._index: dict[str, Path] = {}
        self._fingerprint = "empty"
        self._longest = 1
        self._frames: dict[Path, bytes] = {}

    # --- index -------------------------------------------------------------

    def _refresh(self) -> None:
        # Adding or replacing a clip changes the directory's mtime, so one stat
        # per call tells whether the index is stale.
        try:
            stamp = self.directory.stat().st_mtime_ns
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp == self._stamp and stamp is not None:
                return
            index, signature = {}, hashlib.sha256()
            if stamp is not None:
                for entry in sorted(os.scandir(self.directory), key=lambda e: e.name):
                    if entry.name.startswith(".") or not entry.name.endswith(".wav"):
                        continue
                    stat = entry.stat()
                    index[entry.name[:-4].replace("_", " ")] = Path(entry.path)
                    signature.update(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
            self._index = index
            self._fingerprint = signature.hexdigest()[:16] if index else "empty"
            self._longest = max((len(p.split()) for p in index), default=1)
            self._frames = {}
            self._stamp = stamp

    @property
    def settings(self) -> str:
        self._refresh()
        return f"library={self._fingerprint}"

    @property
    def clip_count(self) -> int:
        self._refresh()
        return len(self._index)

    @property
    def is_ready(self) -> bool:
        return self.clip_count > 0

    def phrases(self) -> set[str]:
        self._refresh()
        return set(self._index)

    # --- matching ----------------------------------------------------------

    def _cover(self, words: list[str]) -> list[str] | None:
        """Fewest library phrases that spell out `words` exactly (None if impossible)."""
        best: list[list[str] | None] = [None] * (len(words) + 1)
        best[0] = []
        for end in range(1, len(words) + 1):
            for size in range(1, min(self._longest, end) + 1):
                start = end - size
                prior = best[start]
                phrase = " ".join(words[start:end])
                if prior is not None and phrase in self._index:
                    if best[end] is None or len(prior) + 1 < len(best[end]):
                        best[end] = prior + [phrase]
        return best[-1]

    def plan(self, text: str) -> list[tuple[list[str], float]] | None:
        """[(phrases, pause after), ...] for the text, or None if a word is missing."""
        self._refresh()
        chunks = _chunks(text)
        if not chunks:
            return None
        plan = []
        for words, pause in chunks:
            phrases = self._cover(words)
            if phrases is None:
                return None
            plan.append((phrases, pause))
        return plan

    def covers(self, text: str) -> bool:
        return self.plan(text) is not None

    def missing_words(self, text: str) -> list[str]:
        self._refresh()
        missing = []
        for words, _ in _chunks(text):
            for word in words:
                if word not in self._index and word not in missing:
                    missing.append(word)
        return missing

    # --- assembling --------------------------------------------------------

    def _clip_frames(self, phrase: str) -> bytes:
        path = self._index[phrase]
        frames = self._frames.get(path)
        if frames is None:
            frames = wav.standard_frames(path.read_bytes())
            self._frames[path] = frames
        return frames

    def assemble(self, sentence: str) -> bytes:
        """One continuous WAV of the sentence from clips; raises UnsupportedText."""
        plan = self.plan(sentence)
        if plan is None:
            missing = ", ".join(self.missing_words(sentence)) or "teks kosong"
            raise UnsupportedText(f"belum ada di pustaka suara: {missing}")
        pieces = []
        for chunk_index, (phrases, pause) in enumerate(plan):
            for i, phrase in enumerate(phrases):
                try:
                    pieces.append(self._clip_frames(phrase))
                except (OSError, wav.AudioFormatError) as exc:
                    raise EngineError(f"klip pustaka rusak: {phrase!r}: {exc}") from exc
                if i < len(phrases) - 1:
                    pieces.append(wav.silence(WORD_GAP_S))
            if chunk_index < len(plan) - 1:
                pieces.append(wav.silence(max(pause, WORD_GAP_S)))
        return wav.frames_to_wav(b"".join(pieces))

    def synthesize(self, text: str) -> AudioClip:
        return AudioClip(self.assemble(text), self.name, self.voice)


# --- building ------------------------------------------------------------------

def _phrase_and_words(spoken: str) -> list[str]:
    out = []
    for words, _ in _chunks(spoken):
        out.append(" ".join(words))
        out.extend(words)
    return out


def library_phrases(counters: Iterable[str] = (), templates: Iterable[str] = (DEFAULT_TEMPLATE,),
                    services: Iterable[str] = (), lexicon=None) -> list[str]:
    """Every phrase a call needs: letter names, numbers 0-999, the templates'
    fixed words, and counter and service names (whole, plus each word so a
    renamed counter can still be assembled), all as the pronunciation list
    (`lexicon`, speech/lexicon.py) says them, plus each of its spoken forms and
    the short rush form's words (sentence.SHORT_TEMPLATE)."""
    from .lexicon import DEFAULT
    from .sentence import SHORT_TEMPLATE
    lex = lexicon or DEFAULT
    phrases = list(LETTER_NAMES.values())
    phrases += [number_words(n, "whole") for n in range(MAX_NUMBER_CLIP + 1)]
    for template in (*templates, SHORT_TEMPLATE):
        for literal, _field in _template_parts(template):
            phrases += _phrase_and_words(spell_numbers_in_text(lex.apply(literal)))
    for counter in counters:
        phrases += _phrase_and_words(spell_counter(lex.apply(counter)))
    for service in services:
        phrases += _phrase_and_words(spell_words(lex.apply(service)))
    for spoken in lex.words():
        phrases += _phrase_and_words(spoken)
    unique = []
    seen = set()
    for phrase in map(phrase_key, phrases):
        if phrase and phrase not in seen:
            seen.add(phrase)
            unique.append(phrase)
    return unique


@dataclass
class BuildResult:
    made: int = 0
    skipped: int = 0
    failed: int = 0
    aborted: bool = False
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _valid_clip(path: Path) -> bool:
    try:
        return len(wav.standard_frames(path.read_bytes())) > 0
    except (OSError, wav.AudioFormatError):
        return False


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def build_library(engine, directory: Path, phrases: Iterable[str], progress: bool = True,
                  timeout: float = 15.0, max_consecutive_failures: int = 5) -> BuildResult:
    """Make a clip for each phrase not yet in `directory` (so an interrupted build resumes).

    Each clip gets at most `timeout` seconds; after `max_consecutive_failures`
    failures in a row (e.g. no internet) the build stops instead of waiting
    out every remaining phrase.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    todo = list(dict.fromkeys(p for p in map(phrase_key, phrases) if p))
    result = BuildResult()
    started = time.monotonic()
    streak = 0
    with tqdm(total=len(todo), disable=not progress, unit="klip", desc=f"pustaka {engine.name}") as bar:
        for phrase in todo:
            path = directory / clip_filename(phrase)
            if path.exists() and _valid_clip(path):
                result.skipped += 1
                bar.update()
                continue
            try:
                clip = run_with_deadline(lambda: engine.synthesize(phrase), timeout, engine.name)
                if clip.engine != engine.name:  # a fallback's voice must not enter this library
                    raise EngineError(f"klip dibuat oleh {clip.engine}, bukan {engine.name}")
                _write_atomically(path, clip.data)
            except (EngineError, OSError) as exc:
                result.failed += 1
                result.failures.append((phrase, str(exc)))
                log.warning("klip %r gagal: %s", phrase, exc)
                streak += 1
                if streak >= max_consecutive_failures:
                    result.aborted = True
                    bar.write(f"Berhenti: {streak} klip berturut-turut gagal. Terakhir: {exc}")
                    break
            else:
                result.made += 1
                streak = 0
            bar.update()
            bar.set_postfix(baru=result.made, gagal=result.failed, refresh=False)
    result.seconds = round(time.monotonic() - started, 2)
    return result
