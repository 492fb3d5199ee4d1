"""Real espeak-ng output and the synthesised chime, checked as WAV files."""

import io
import wave

import pytest

from signage.speech.chime import chime_wav
from signage.speech.engines import EngineError, EspeakEngine
from signage.speech.sentence import DEFAULT_TEMPLATE, call_sentence, free_text_sentence


def parse(data: bytes):
    with wave.open(io.BytesIO(data)) as w:
        params = w.getparams()
        frames = w.readframes(params.nframes)
    return params, frames


def assert_standard_wav(data: bytes, min_s: float, max_s: float) -> float:
    params, frames = parse(data)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 22050)
    # The header must be true (espeak's streamed header is not; it has to be rewritten).
    assert len(frames) == params.nframes * 2
    duration = params.nframes / params.framerate
    assert min_s <= duration <= max_s, duration
    assert max(abs(int.from_bytes(frames[i:i + 2], "little", signed=True))
               for i in range(0, len(frames), 2)) > 3000, "audio is (nearly) silent"
    return duration


SENTENCES = {
    "call, whole numbers": call_sentence(DEFAULT_TEMPLATE, ticket="B123", counter="Loket 12",
                                         service="", style="whole"),
    "call, digit by digit": call_sentence(DEFAULT_TEMPLATE, ticket="B123", counter="Loket 12",
                                          service="", style="digits"),
    "free announcement": free_text_sentence("Pelayanan hari ini ditutup pukul 15.00. Terima kasih."),
}


@pytest.mark.parametrize("kind", SENTENCES)
def test_espeak_speaks_each_kind_of_sentence(kind):
    clip = EspeakEngine().synthesize(SENTENCES[kind])
    assert clip.engine == "espeak" and clip.ext == "wav" and clip.mime == "audio/wav"
    assert_standard_wav(clip.data, 1.5, 10.0)


def test_longer_text_gives_longer_audio():
    engine = EspeakEngine()
    short = assert_standard_wav(engine.synthesize("Nomor antrian a satu.").data, 0.5, 10)
    long = assert_standard_wav(engine.synthesize(SENTENCES["call, digit by digit"]).data, 1.5, 10)
    assert long > short + 1.0


def test_speed_changes_duration():
    text = SENTENCES["call, whole numbers"]
    slow = assert_standard_wav(EspeakEngine(speed=110).synthesize(text).data, 1.5, 15)
    fast = assert_standard_wav(EspeakEngine(speed=220).synthesize(text).data, 1.0, 10)
    assert slow > fast * 1.4


def test_text_starting_with_dash_is_spoken_not_taken_as_option():
    assert_standard_wav(EspeakEngine().synthesize("-v en halo semua").data, 0.5, 10)


def test_missing_binary_raises_engine_error():
    engine = EspeakEngine(binary="/nonexistent/espeak-ng")
    with pytest.raises(EngineError):
        engine.synthesize("halo")
    assert EspeakEngine(binary=None).is_ready  # the real one is installed here


def test_chime_is_a_one_second_two_tone_wav():
    data = chime_wav()
    duration = assert_standard_wav(data, 0.9, 1.5)
    assert duration == pytest.approx(1.2, abs=0.05)
    params, frames = parse(data)
    samples = [int.from_bytes(frames[i:i + 2], "little", signed=True) for i in range(0, len(frames), 2)]
    # Ding then dong: the dominant pitch drops, seen as fewer zero crossings later.
    def crossings(part):
        return sum(1 for a, b in zip(part, part[1:]) if (a < 0) != (b < 0))
    early = crossings(samples[int(0.05 * 22050):int(0.35 * 22050)]) / 0.3
    late = crossings(samples[int(0.75 * 22050):int(1.05 * 22050)]) / 0.3
    assert early == pytest.approx(2 * 659.25, rel=0.08)
    assert late < early * 0.92
    # Fades out: no click at the end.
    assert max(abs(s) for s in samples[-50:]) < 500
