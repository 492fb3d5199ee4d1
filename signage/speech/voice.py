"""`Voice`: the one object the server uses to turn announcement text into a playable file.

Live path, never on the network:
  engine "espeak": espeak-ng renders the whole sentence (~45 ms).
  engine "gtts":   the sentence is assembled from the gTTS voice library made by
                   `signage audio build --engine gtts`; any sentence the library
                   cannot cover is rendered by espeak-ng at once.
The result (chime + speech as one WAV) is stored in <audio_dir>/cache and
served by the web app under /audio/cache/.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from . import wav
from .cache import AudioCache
from .chime import chime_wav
from .engines import ENGINE_NAMES, EspeakEngine, FallbackEngine
from .library import VoiceLibrary

CACHE_URL_PREFIX = "/audio/cache/"
CHIME_GAP_S = 0.2
DEFAULT_CACHE_BYTES = 200 * 1024 * 1024


def library_dir(audio_dir: Path, engine: str) -> Path:
    return Path(audio_dir) / "library" / engine


def make_live_engine(preferred: str, audio_dir: Path, espeak: EspeakEngine | None = None) -> FallbackEngine:
    """Offline chain for calls: the prepared gTTS library (if chosen), then espeak-ng."""
    espeak = espeak or EspeakEngine()
    if preferred == "gtts":
        return FallbackEngine([VoiceLibrary(library_dir(audio_dir, "gtts"), "gtts"), espeak])
    if preferred == "espeak":
        return FallbackEngine([espeak])
    raise ValueError(f"Mesin suara tidak dikenal: {preferred!r}. Pilih {' atau '.join(ENGINE_NAMES)}.")


@dataclass(frozen=True)
class RenderedClip:
    path: Path
    url: str
    duration_s: float
    engine: str


class Voice:
    def __init__(self, audio_dir: Path, engine: str = "espeak", chime: bool = True,
                 cache_bytes: int = DEFAULT_CACHE_BYTES, espeak_speed: int = 150):
        self.audio_dir = Path(audio_dir)
        self.chime = chime
        self.cache = AudioCache(self.audio_dir / "cache", cache_bytes)
        self._espeak = EspeakEngine(speed=espeak_speed)
        self._lock = threading.Lock()
        self._requested = engine
        self._engine = make_live_engine(engine, self.audio_dir, self._espeak)
        if chime:
            chime_wav()  # synthesised once (~50 ms) here rather than during the first call

    @property
    def requested_engine(self) -> str:
        return self._requested

    @property
    def active_engine(self) -> str:
        """The voice actually heard: 'gtts' only while its library serves the calls."""
        return self._engine.active_name

    def set_engine(self, engine: str) -> None:
        replacement = make_live_engine(engine, self.audio_dir, self._espeak)
        with self._lock:
            self._engine, self._requested = replacement, engine

    def status(self) -> dict:
        """For the manager page."""
        engine = self._engine
        library = next((e for e in engine.engines if isinstance(e, VoiceLibrary)), None)
        return {
            "requested": self._requested,
            "active": engine.active_name,
            "espeak_installed": self._espeak.is_ready,
            "library_clips": library.clip_count if library else None,
            "last_error": engine.last_error,
            "cache_bytes": self.cache.total_bytes(),
        }

    def _with_chime(self, speech: bytes) -> bytes:
        frames = wav.standard_frames(chime_wav()) + wav.silence(CHIME_GAP_S) + wav.standard_frames(speech)
        return wav.frames_to_wav(frames)

    def render(self, text: str) -> RenderedClip:
        """Chime + spoken `text` as one WAV file (cached). Raises EngineError if no
        engine can speak (espeak-ng missing and the library cannot cover the text)."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("teks kosong")
        engine = self._engine
        fmt, finish = ("wav+chime", self._with_chime) if self.chime else ("wav", None)
        for attempt in range(2):
            result = self.cache.fetch(text, engine, fmt, finish)
            try:
                duration = wav.duration_s(result.path)
                break
            except FileNotFoundError:  # evicted between fetch and read: make it again
                if attempt:
                    raise
        return RenderedClip(
            path=result.path,
            url=CACHE_URL_PREFIX + result.path.name,
            duration_s=round(duration, 3),
            engine=result.engine,
        )
