"""Voice engines: espeak-ng (local) and gTTS (Google, network), plus a fallback chain.

Every engine returns an `AudioClip` holding standard WAV (16-bit mono 22050 Hz,
see `wav.py`); gTTS's MP3 is converted with sox/ffmpeg.  One format everywhere
lets the chime and library clips be joined into one file with the stdlib.

No call waits on the network: `GttsEngine` talks to Google and is meant only
for `signage audio build`, which stores phrase clips in the voice library.
The live path (`voice.Voice`) uses the library (offline) and espeak-ng, never
`GttsEngine`; see `voice.make_live_engine`.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence, TypeVar

from ..offload import off_loop
from . import wav

ENGINE_NAMES = ("gtts", "espeak")

T = TypeVar("T")


class EngineError(Exception):
    """The engine could not make audio for this text (missing, failed, timed out)."""


class UnsupportedText(EngineError):
    """This engine is healthy but cannot say this text (e.g. words missing from the library)."""


@dataclass(frozen=True)
class AudioClip:
    data: bytes  # standard WAV
    engine: str
    voice: str
    mime: str = "audio/wav"
    ext: str = "wav"


class Engine(Protocol):
    name: str
    voice: str
    settings: str  # anything else that changes the sound; part of cache keys

    def synthesize(self, text: str) -> AudioClip: ...


def run_with_deadline(work: Callable[[], T], timeout: float, label: str) -> T:
    """Run `work` in a daemon thread; raise EngineError if it has not finished
    within `timeout` seconds.  The thread may linger until its own I/O gives
    up; the caller never waits longer than `timeout`."""
    outcome: dict = {}
    done = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name=f"{label}-deadline", daemon=True).start()
    if not done.wait(timeout):
        raise EngineError(f"{label} tidak menjawab dalam {timeout:g} detik")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, EngineError):
            raise error
        raise EngineError(f"{label} gagal: {type(error).__name__}: {error}") from error
    return outcome["value"]


def polish(wav_bytes: bytes) -> bytes:
    """Standard format, edges trimmed, peak-normalised."""
    frames = wav.standard_frames(wav.to_standard_wav(wav_bytes))
    frames = wav.trim_silence(frames, keep_s=0.03)
    if not frames:
        raise EngineError("mesin suara menghasilkan audio hening")
    return wav.frames_to_wav(wav.normalize_peak(frames))


class EspeakEngine:
    name = "espeak"

    def __init__(self, voice: str = "id", speed: int = 150, binary: str | None = None, timeout: float = 10.0):
        self.voice = voice
        self.speed = int(speed)
        self.timeout = timeout
        self.binary = binary or shutil.which("espeak-ng") or shutil.which("espeak")
        self.settings = f"speed={self.speed}"

    @property
    def is_ready(self) -> bool:
        return bool(self.binary)

    def synthesize(self, text: str) -> AudioClip:
        if not self.binary:
            raise EngineError("espeak-ng tidak terpasang (apt-get install espeak-ng)")
        if not text.strip():
            raise EngineError("teks kosong")
        # Text goes through stdin so a leading "-" is never taken as an option.
        command = [self.binary, "-v", self.voice, "-s", str(self.speed), "--stdout", "--stdin"]
        try:
            result = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                    timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"espeak-ng melebihi batas waktu {self.timeout} detik") from exc
        except OSError as exc:
            raise EngineError(f"espeak-ng tidak bisa dijalankan: {exc}") from exc
        if result.returncode != 0 or not result.stdout:
            message = result.stderr.decode("utf-8", "replace").strip()[:200]
            raise EngineError(f"espeak-ng gagal (kode {result.returncode}): {message}")
        try:
            return AudioClip(off_loop(polish, result.stdout), self.name, self.voice)
        except wav.AudioFormatError as exc:
            raise EngineError(f"keluaran espeak-ng tidak valid: {exc}") from exc


class GttsEngine:
    """Google Translate's voice via gTTS.  Needs the network; never use it on the live path."""

    name = "gtts"

    def __init__(self, lang: str = "id", tld: str = "co.id", timeout: float = 5.0):
        self.voice = lang
        self.tld = tld
        self.timeout = float(timeout)
        self.settings = f"tld={tld}"

    def _fetch_mp3(self, text: str) -> bytes:
        from gtts import gTTS  # imported here: pulls in requests, only needed when building

        # gTTS passes `timeout` to requests, but that bounds each socket wait,
        # not the whole download; run_with_deadline in `synthesize` bounds that.
        tts = gTTS(text, lang=self.voice, tld=self.tld, lang_check=False, timeout=self.timeout)
        return b"".join(tts.stream())

    def synthesize(self, text: str) -> AudioClip:
        if not text.strip():
            raise EngineError("teks kosong")
        mp3 = run_with_deadline(lambda: self._fetch_mp3(text), self.timeout, "gTTS")
        if not mp3:
            raise EngineError("gTTS tidak mengirim audio")
        try:
            return AudioClip(polish(mp3), self.name, self.voice)
        except wav.AudioFormatError as exc:
            raise EngineError(f"audio gTTS tidak bisa dipakai: {exc}") from exc


class FallbackEngine:
    """Try engines in order.  An engine that fails (other than `UnsupportedText`)
    is skipped for `retry_after_s`, so a dead engine costs at most one timeout
    per period instead of one per call.  The last engine is the last resort and
    is always tried."""

    def __init__(self, engines: Sequence[Engine], retry_after_s: float = 30.0):
        if not engines:
            raise ValueError("FallbackEngine butuh minimal satu mesin suara")
        self.engines = list(engines)
        self.retry_after_s = retry_after_s
        self.name = self.engines[0].name
        self.voice = self.engines[0].voice
        self._lock = threading.Lock()
        self._failed_until: dict[int, float] = {}
        self._last_used: str | None = None
        self._last_error: str | None = None

    @property
    def active_name(self) -> str:
        with self._lock:
            if self._last_used:
                return self._last_used
        for engine in self.engines:
            if getattr(engine, "is_ready", True) and not self._cooling(engine):
                return engine.name
        return self.engines[-1].name

    @property
    def last_error(self) -> str | None:
        with self._lock:
            return self._last_error

    def _cooling(self, engine: Engine) -> bool:
        return self._failed_until.get(id(engine), 0.0) > time.monotonic()

    def _can_say(self, engine: Engine, text: str) -> bool:
        covers = getattr(engine, "covers", None)
        return covers(text) if covers else True

    def candidates(self, text: str) -> list[Engine]:
        """Engines worth trying for this text, in order."""
        with self._lock:
            chosen = [e for e in self.engines[:-1] if not self._cooling(e) and self._can_say(e, text)]
        return chosen + [self.engines[-1]]

    def engine_for(self, text: str) -> Engine:
        """The engine that will most likely make this text (used for cache keys)."""
        return self.candidates(text)[0]

    def synthesize(self, text: str) -> AudioClip:
        errors = []
        for engine in self.candidates(text):
            try:
                clip = engine.synthesize(text)
            except Exception as exc:  # any engine failure means: try the next one
                message = f"{engine.name}: {exc}"
                errors.append(message)
                with self._lock:
                    self._last_error = message
                    if not isinstance(exc, UnsupportedText):
                        self._failed_until[id(engine)] = time.monotonic() + self.retry_after_s
                continue
            with self._lock:
                self._last_used = clip.engine
                self._failed_until.pop(id(engine), None)
            return clip
        raise EngineError("semua mesin suara gagal: " + "; ".join(errors))


def make_engine(preferred: str) -> FallbackEngine:
    """Network chain for tools (build, manager's "test voice"): gTTS then espeak."""
    if preferred == "gtts":
        return FallbackEngine([GttsEngine(), EspeakEngine()])
    if preferred == "espeak":
        return FallbackEngine([EspeakEngine()])
    raise ValueError(f"Mesin suara tidak dikenal: {preferred!r}. Pilih 'gtts' atau 'espeak'.")
