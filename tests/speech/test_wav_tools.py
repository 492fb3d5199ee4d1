"""Conversions into the one audio format used downstream (16-bit mono 22050 Hz WAV)."""

import io
import struct
import wave

import pytest

from signage.speech import wav
from fake_google import speak_mp3


def wav_bytes(rate: int, seconds: float, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(wav.samples_to_frames([(i % 40 - 20) * 500 for i in range(int(rate * seconds) * channels)]))
    return buffer.getvalue()


def with_streamed_header(data: bytes) -> bytes:
    """Imitate espeak-ng --stdout: RIFF and data sizes set to 0x7fffffff placeholders."""
    patched = bytearray(data)
    patched[4:8] = struct.pack("<I", 0x7FFFFFFF)
    data_at = patched.index(b"data")
    patched[data_at + 4:data_at + 8] = struct.pack("<I", 0x7FFFFFFF)
    return bytes(patched)


def test_streamed_header_is_rewritten():
    fixed = wav.to_standard_wav(with_streamed_header(wav_bytes(22050, 1.0)))
    with wave.open(io.BytesIO(fixed)) as w:
        assert w.getnframes() == 22050


@pytest.mark.parametrize("rate, channels", [(16000, 1), (44100, 2), (24000, 1)])
def test_other_rates_are_resampled(rate, channels):
    fixed = wav.to_standard_wav(with_streamed_header(wav_bytes(rate, 1.0, channels)))
    params, _ = wav.read_frames(fixed)
    assert wav.is_standard(params)
    assert wav.duration_s(fixed) == pytest.approx(1.0, abs=0.02)


def test_mp3_is_decoded():
    mp3 = speak_mp3("nomor antrian a satu")
    assert mp3[:4] != b"RIFF"
    converted = wav.to_standard_wav(mp3)
    assert wav.is_standard(wav.read_frames(converted)[0])
    assert wav.duration_s(converted) > 0.8


def test_garbage_is_rejected():
    with pytest.raises(wav.AudioFormatError):
        wav.to_standard_wav(b"not audio at all" * 100)


def test_trim_and_normalize():
    frames = wav.silence(0.5) + wav.samples_to_frames([1000, -2000, 4000] * 100) + wav.silence(0.5)
    trimmed = wav.trim_silence(frames, keep_s=0)
    assert len(trimmed) == 300 * 2
    louder = wav._samples(wav.normalize_peak(trimmed, 0.8))
    assert max(louder) == int(0.8 * 32767)
    assert wav.trim_silence(wav.silence(1)) == b""
