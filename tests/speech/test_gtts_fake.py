"""gTTS against a FAKE Google endpoint on 127.0.0.1.

Google's TTS cannot be reached from the dev machines or CI (no internet), so
these tests cannot prove that Google still answers.  They prove our side:
gTTS's real request code is pointed (via `gtts.tts._translate_url`) at a local
server answering in Google's batchexecute format, and we check that the MP3 is
turned into standard WAV, that a hanging endpoint costs no more than the
timeout, and that the fallback chain then speaks with espeak-ng.
"""

import io
import threading
import time
import wave

import pytest

from signage.speech import wav
from signage.speech.engines import EngineError, EspeakEngine, FallbackEngine, GttsEngine, make_engine

SENTENCE = "Nomor antrian a dua belas, silakan menuju loket tiga."


def test_gtts_success_returns_standard_wav(fake_google):
    fake = fake_google("ok")
    with fake.patched():
        clip = GttsEngine(timeout=5).synthesize(SENTENCE)
    assert fake.texts == [SENTENCE]  # the request really reached the fake, with our text
    assert clip.engine == "gtts" and clip.voice == "id"
    with wave.open(io.BytesIO(clip.data)) as w:  # a true header, not the piped placeholder
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        assert len(w.readframes(w.getnframes() + 1000)) == w.getnframes() * 2
    assert 1.5 < wav.duration_s(clip.data) < 10


def test_gtts_sends_language_id(fake_google):
    fake = fake_google("ok")
    with fake.patched():
        GttsEngine(lang="id").synthesize("halo")
    assert fake.langs == ["id"]


def test_gtts_timeout_when_endpoint_hangs(fake_google):
    fake = fake_google("hang")
    with fake.patched():
        started = time.monotonic()
        with pytest.raises(EngineError) as caught:
            GttsEngine(timeout=0.5).synthesize(SENTENCE)
        elapsed = time.monotonic() - started
    assert fake.request_count == 1
    assert elapsed < 0.5 + 0.4, elapsed
    assert "0.5 detik" in str(caught.value)


def test_gtts_request_thread_ends_after_a_timeout(fake_google):
    """The caller returns at the deadline; the request thread must not hang on forever either."""
    fake = fake_google("hang")
    with fake.patched():
        with pytest.raises(EngineError):
            GttsEngine(timeout=0.3).synthesize("halo")
        deadline = time.monotonic() + 2.0
        while any(t.name == "gTTS-deadline" for t in threading.enumerate()) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not any(t.name == "gTTS-deadline" for t in threading.enumerate())


def test_gtts_slow_but_within_timeout_succeeds(fake_google):
    fake = fake_google("ok", delay_s=0.3)
    with fake.patched():
        clip = GttsEngine(timeout=3).synthesize("halo")
    assert clip.engine == "gtts"


@pytest.mark.parametrize("mode", ["error", "no_audio"])
def test_gtts_bad_answers_raise_engine_error(fake_google, mode):
    fake = fake_google(mode)
    with fake.patched(), pytest.raises(EngineError):
        GttsEngine(timeout=3).synthesize("halo")


def test_gtts_unreachable_host_raises_quickly():
    import socket
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from unittest import mock
    with mock.patch("gtts.tts._translate_url", lambda tld="com", path="": f"http://127.0.0.1:{port}/{path}"):
        started = time.monotonic()
        with pytest.raises(EngineError):
            GttsEngine(timeout=2).synthesize("halo")
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("mode", ["hang", "error"])
def test_fallback_to_espeak_when_gtts_fails(fake_google, mode):
    fake = fake_google(mode)
    chain = FallbackEngine([GttsEngine(timeout=0.5), EspeakEngine()], retry_after_s=60)
    with fake.patched():
        started = time.monotonic()
        clip = chain.synthesize(SENTENCE)
        first = time.monotonic() - started
        assert clip.engine == "espeak"
        assert chain.active_name == "espeak"
        assert chain.last_error.startswith("gtts:")
        assert first < 0.5 + 1.0
        # The failed engine is skipped for a while: the next call costs no timeout.
        started = time.monotonic()
        assert chain.synthesize("halo").engine == "espeak"
        assert time.monotonic() - started < 0.4
    assert fake.request_count == 1


def test_fallback_returns_to_gtts_after_retry_period(fake_google):
    broken = fake_google("error")
    chain = FallbackEngine([GttsEngine(timeout=2), EspeakEngine()], retry_after_s=0.2)
    with broken.patched():
        assert chain.synthesize("halo").engine == "espeak"
    healthy = fake_google("ok")
    with healthy.patched():
        assert chain.synthesize("halo").engine == "espeak"  # still cooling down
        time.sleep(0.25)
        assert chain.synthesize("halo").engine == "gtts"
        assert chain.active_name == "gtts"


def test_fallback_raises_when_every_engine_fails():
    chain = FallbackEngine([EspeakEngine(binary="/nonexistent/espeak")])
    with pytest.raises(EngineError):
        chain.synthesize("halo")


def test_make_engine_chains():
    gtts_chain = make_engine("gtts")
    assert [e.name for e in gtts_chain.engines] == ["gtts", "espeak"]
    assert gtts_chain.engines[0].tld == "co.id"
    assert [e.name for e in make_engine("espeak").engines] == ["espeak"]
    with pytest.raises(ValueError):
        make_engine("azure")
