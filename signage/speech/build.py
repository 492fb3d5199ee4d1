"""Entry point for `signage audio build`: prepare the voice library ahead of time.

Only this step talks to Google; the live path then assembles calls offline
(see library.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from . import wav
from .engines import EspeakEngine, GttsEngine
from .library import build_library, library_phrases
from .sentence import DEFAULT_TEMPLATE
from .voice import library_dir

MAX_FAILURES_REPORTED = 10


def build_audio(engine: str, audio_dir: Path, hall_counters: list[str], progress: bool = True, *,
                templates: Iterable[str] = (DEFAULT_TEMPLATE,), services: Iterable[str] = (),
                timeout: float = 8.0, lexicon=None) -> dict:
    """Build the clip library for `engine` ("gtts"; "espeak" needs none and is only checked).

    Returns a summary: ok, message (Indonesian, for the terminal), engine,
    directory, phrases, made, skipped, failed, aborted, seconds, failures
    (first few (phrase, error) pairs).  Safe to run again: finished clips are skipped.
    """
    audio_dir = Path(audio_dir)
    if engine == "espeak":
        ready = EspeakEngine().is_ready
        return {
            "ok": ready, "engine": "espeak", "directory": None, "phrases": 0, "made": 0, "skipped": 0,
            "failed": 0, "aborted": False, "seconds": 0.0, "failures": [],
            "message": "espeak-ng membaca kalimat utuh secara langsung; tidak perlu pustaka suara."
            if ready else "espeak-ng tidak terpasang: jalankan apt-get install espeak-ng.",
        }
    if engine != "gtts":
        raise ValueError(f"Mesin suara tidak dikenal: {engine!r}. Pilih 'gtts' atau 'espeak'.")

    directory = library_dir(audio_dir, "gtts")
    phrases = library_phrases(counters=hall_counters, templates=templates, services=services,
                              lexicon=lexicon)   # the hall's pronunciation list (speech/lexicon.py)
    summary = {"engine": "gtts", "directory": str(directory), "phrases": len(phrases)}
    if not wav.converter_available():
        return {**summary, "ok": False, "made": 0, "skipped": 0, "failed": 0, "aborted": True,
                "seconds": 0.0, "failures": [],
                "message": "sox atau ffmpeg dibutuhkan untuk mengubah MP3 gTTS (apt-get install sox libsox-fmt-mp3)."}

    result = build_library(GttsEngine(timeout=timeout), directory, phrases, progress=progress,
                           timeout=timeout + 10.0)
    complete = result.failed == 0 and not result.aborted
    if complete:
        message = f"Pustaka suara gTTS lengkap: {result.made} klip baru, {result.skipped} sudah ada."
    elif result.aborted:
        message = (f"Dihentikan setelah {result.failed} kegagalan berturut-turut (cek internet). "
                   f"{result.made} klip baru tersimpan; jalankan lagi untuk melanjutkan.")
    else:
        message = f"{result.failed} klip gagal; jalankan lagi untuk mencoba ulang. Panggilan tetap bersuara lewat espeak-ng."
    return {**summary, **result.as_dict(), "failures": result.failures[:MAX_FAILURES_REPORTED],
            "ok": complete, "message": message}
