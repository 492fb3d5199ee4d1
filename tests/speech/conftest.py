"""Fixtures for the speech tests.

espeak-ng and sox are real and required here (apt: espeak-ng sox libsox-fmt-mp3):
a machine without them must fail these tests, not skip them.
"""

from __future__ import annotations

import threading
import time

import pytest

from signage.speech import wav
from signage.speech.engines import AudioClip, EngineError
from fake_google import FakeGoogleTTS

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # The fake Google endpoint is on 127.0.0.1; a proxy must not intercept it.
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_google():
    """Start a fake Google TTS endpoint; gTTS is pointed at it while the test runs."""
    servers = []

    def start(mode: str = "ok", delay_s: float = 0.0) -> FakeGoogleTTS:
        fake = FakeGoogleTTS(mode=mode, delay_s=delay_s).start()
        servers.append(fake)
        return fake

    yield start
    for fake in servers:
        fake.stop()


def tone_wav(seconds: float = 0.3) -> bytes:
    return wav.frames_to_wav(wav.samples_to_frames(
        int(8000 * ((i // 20) % 2 * 2 - 1)) for i in range(int(seconds * wav.SAMPLE_RATE))))


class CountingEngine:
    """A fast fake engine that counts how often it is asked to synthesise."""

    def __init__(self, name: str = "counting", delay_s: float = 0.0, fail: bool = False, seconds: float = 0.3):
        self.name = name
        self.voice = "id"
        self.settings = ""
        self.delay_s = delay_s
        self.fail = fail
        self.seconds = seconds
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> AudioClip:
        with self._lock:
            self.calls.append(text)
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail:
            raise EngineError(f"{self.name} rusak")
        return AudioClip(tone_wav(self.seconds), self.name, self.voice)


@pytest.fixture
def counting_engine():
    return CountingEngine
