"""`Voice`: the one object the server uses to turn announcement text into a playable file.

Live path, never on the network:
  engine "espeak": espeak-ng renders the whole sentence (~45 ms).
  engine "gtts":   the sentence is assembled from the gTTS voice library made by
                   `signage audio build --engine gtts`; any sentence the library
                   cannot cover is rendered by espeak-ng at once.
The result (chime + speech as one WAV) is stored in <audio_dir>/cache and
served by the web app under /audio/cache/.

The cache is content-addressed, so a clip's URL is known before it exists (`plan`). The server
uses `render_later`: the URL at once, the clip made beside it by a few workers (`workers`; espeak-ng
and sox are subprocesses, green under eventlet and gevent), and `wait_ready` lets the /audio route
wait briefly for a clip still being made instead of answering 404.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import wav
from .cache import AudioCache, cache_key, engine_key_parts
from .chime import chime_wav
from .engines import ENGINE_NAMES, EspeakEngine, FallbackEngine
from .library import VoiceLibrary

CACHE_URL_PREFIX = "/audio/cache/"
CHIME_GAP_S = 0.2
DEFAULT_CACHE_BYTES = 200 * 1024 * 1024
READY_WAIT_S = 5.0   # the longest the /audio route waits for a clip being made

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class PlannedClip:
    """Where a clip will be, before it is made: its cache file name and URL."""
    name: str
    url: str
    engine: str


class Voice:
    def __init__(self, audio_dir: Path, engine: str = "espeak", chime: bool = True,
                 cache_bytes: int = DEFAULT_CACHE_BYTES, espeak_speed: int = 150, workers: int = 0):
        """`workers` > 0: `render_later` makes clips in that many background threads at most
        (green ones under eventlet/gevent); 0: it renders before returning (tools, tests)."""
        self.audio_dir = Path(audio_dir)
        self.chime = chime
        self.workers = workers
        self._jobs: queue.Queue = queue.Queue()
        self._pending: dict[str, threading.Event] = {}
        self._aliases: dict[str, Path] = {}   # planned name -> the clip a fallback engine made
        self.cache = AudioCache(self.audio_dir / "cache", cache_bytes)
        self._espeak = EspeakEngine(speed=espeak_speed)
        self._lock = threading.Lock()
        self._requested = engine
        self._engine = make_live_engine(engine, self.audio_dir, self._espeak)
        if chime:
            chime_wav()  # synthesised once (~50 ms) here rather than during the first call
        # Started once, here: starting a thread waits until it runs, and under eventlet that wait
        # handed the broadcaster's turn to every other task in the middle of a batch of calls.
        for _ in range(workers):
            threading.Thread(target=self._work, name="voice-render", daemon=True).start()

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

    def _format(self, chime: bool | None):
        chime = self.chime if chime is None else chime
        return ("wav+chime", self._with_chime) if chime else ("wav", None)

    def plan(self, text: str, chime: bool | None = None) -> PlannedClip:
        """The URL the clip of `text` will have, without making it (the cache key of the engine
        that will make it: text, engine, voice, engine settings, chime or not)."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("teks kosong")
        engine = self._engine
        planned = engine.engine_for(text) if hasattr(engine, "engine_for") else engine
        name = cache_key(engine_key_parts(planned, text, self._format(chime)[0])) + ".wav"
        return PlannedClip(name=name, url=CACHE_URL_PREFIX + name, engine=planned.name)

    def render_later(self, text: str, chime: bool | None = None,
                     on_ready: Callable[[RenderedClip], None] | None = None) -> PlannedClip:
        """The clip's URL now; the clip is made beside it (at most `workers` at once). `on_ready`
        gets the finished clip (e.g. its real duration). Without workers: made before returning."""
        planned = self.plan(text, chime)

        def make() -> None:
            try:
                clip = self.render(text, chime)
            except Exception as exc:  # the event has left; a silent call beats a stuck worker
                log.error("no audio for %r: %s", text[:60], exc)
                return
            if clip.path.name != planned.name:   # a fallback engine made it: serve that one
                if len(self._aliases) > 1000:
                    self._aliases.clear()
                self._aliases[planned.name] = clip.path
            if on_ready is not None:
                on_ready(clip)

        if not self.workers:
            make()
            return planned
        with self._lock:
            if planned.name in self._pending:
                return planned
            if (self.cache.directory / planned.name).exists() and on_ready is None:
                return planned
            self._pending[planned.name] = threading.Event()
        self._jobs.put((planned.name, make))   # never blocks: the caller is the broadcaster
        return planned

    def _work(self) -> None:
        """A render worker: one clip after another, for as long as the server runs."""
        while True:
            name, make = self._jobs.get()
            try:
                make()
            except Exception:  # make() logs its own failures; nothing may end a worker
                log.exception("voice worker")
            finally:
                with self._lock:
                    done = self._pending.pop(name, None)
                if done is not None:
                    done.set()

    def wait_ready(self, name: str, timeout: float = READY_WAIT_S) -> Path | None:
        """The clip file `name` (a cache file name), waiting up to `timeout` s while it is being
        made; None if there is no such clip (or it did not come in time)."""
        with self._lock:
            pending = self._pending.get(name)
        if pending is not None:
            pending.wait(timeout)
        alias = self._aliases.get(name)
        if alias is not None and alias.exists():
            return alias
        path = self.cache.directory / name
        return path if path.is_file() else None

    def busy(self) -> int:
        """Clips being made right now or waiting for a worker."""
        with self._lock:
            return len(self._pending)

    def render(self, text: str, chime: bool | None = None) -> RenderedClip:
        """Chime + spoken `text` as one WAV file (cached). Raises EngineError if no
        engine can speak (espeak-ng missing and the library cannot cover the text).
        `chime` None: the voice's own setting."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("teks kosong")
        engine = self._engine
        fmt, finish = self._format(chime)
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
