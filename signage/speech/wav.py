"""Small WAV helpers (the standard library's wave, numpy for the samples) so every clip
downstream has one format.

All audio in signage.speech is 16-bit mono PCM at 22050 Hz (espeak-ng's native
rate), which lets the chime, library clips and speech be joined by simply
concatenating frames.  Audio in any other format (e.g. gTTS MP3) goes through
`to_standard_wav`, which uses sox or ffmpeg.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 22050
SAMPLE_WIDTH = 2
CHANNELS = 1
MAX_AMPLITUDE = 32767


class AudioFormatError(ValueError):
    pass


def read_frames(data: bytes) -> tuple[wave._wave_params, bytes]:
    """Parameters and PCM frames of a WAV.

    Tolerates the placeholder sizes espeak-ng writes when streaming to stdout
    (0x7fffffff): frames are read up to the end of the data instead.
    """
    try:
        with wave.open(io.BytesIO(data)) as w:
            params = w.getparams()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioFormatError(f"bukan WAV yang valid: {exc}") from exc
    frame_size = params.sampwidth * params.nchannels
    frames = frames[: len(frames) - len(frames) % frame_size]
    return params, frames


def _wav_with_params(frames: bytes, params) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(params.nchannels)
        w.setsampwidth(params.sampwidth)
        w.setframerate(params.framerate)
        w.writeframes(frames)
    return buffer.getvalue()


def is_standard(params) -> bool:
    return (params.framerate, params.sampwidth, params.nchannels) == (SAMPLE_RATE, SAMPLE_WIDTH, CHANNELS)


def frames_to_wav(frames: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Standard-format frames -> WAV bytes with a correct header."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(sample_rate)
        w.writeframes(frames)
    return buffer.getvalue()


def standard_frames(data: bytes) -> bytes:
    """PCM frames in the standard format; raises AudioFormatError otherwise."""
    params, frames = read_frames(data)
    if not is_standard(params):
        raise AudioFormatError(
            f"format WAV {params.framerate} Hz/{params.sampwidth * 8} bit/{params.nchannels} kanal, "
            f"diharapkan {SAMPLE_RATE} Hz/16 bit/mono"
        )
    return frames


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * int(round(seconds * SAMPLE_RATE))


def _samples(frames: bytes) -> np.ndarray:
    """16-bit little-endian PCM as int32 samples (abs(-32768) must not wrap)."""
    return np.frombuffer(frames, dtype="<i2").astype(np.int32)


def _to_bytes(samples: np.ndarray) -> bytes:
    return samples.astype("<i2").tobytes()


def samples_to_frames(samples) -> bytes:
    """Any iterable of ints in the 16-bit range -> PCM frames."""
    return _to_bytes(np.fromiter(samples, dtype=np.int32))


# Trimming and normalising touch every sample of a clip (~100,000 for a call): with numpy it is
# well under a millisecond, where a Python loop took 10-15 ms of the server's only event loop.
def trim_silence(frames: bytes, threshold: float = 0.02, keep_s: float = 0.01) -> bytes:
    """Cut leading/trailing samples quieter than `threshold` (fraction of full scale)."""
    samples = _samples(frames)
    loud = np.flatnonzero(np.abs(samples) > int(threshold * MAX_AMPLITUDE))
    if not loud.size:
        return b""
    keep = int(keep_s * SAMPLE_RATE)
    return _to_bytes(samples[max(0, loud[0] - keep): loud[-1] + 1 + keep])


def normalize_peak(frames: bytes, peak: float = 0.8) -> bytes:
    """Scale so the loudest sample is `peak` of full scale: every clip plays at
    the same level on the hall speakers whichever engine made it."""
    if not 0 < peak <= 1:
        raise ValueError("peak must be in (0, 1]")
    samples = _samples(frames)
    if not samples.size:
        return frames
    loudest = int(np.abs(samples).max())
    if loudest == 0:
        return frames
    gain = peak * MAX_AMPLITUDE / loudest
    if abs(gain - 1.0) < 0.05:
        return frames
    # peak <= 1 keeps every scaled sample inside the 16-bit range; truncation toward zero
    return _to_bytes(np.trunc(samples * gain))


def duration_s(data_or_path: bytes | Path) -> float:
    if isinstance(data_or_path, (str, Path)):
        with wave.open(str(data_or_path)) as w:
            return w.getnframes() / w.getframerate()
    params, frames = read_frames(data_or_path)
    return len(frames) / (params.sampwidth * params.nchannels) / params.framerate


def converter_available() -> bool:
    return bool(shutil.which("sox") or shutil.which("ffmpeg"))


def to_standard_wav(data: bytes, timeout: float = 10.0) -> bytes:
    """Any audio sox/ffmpeg understands (MP3 from gTTS, other WAV rates) ->
    standard WAV bytes with a correct header."""
    if data[:4] == b"RIFF":
        params, frames = read_frames(data)
        if is_standard(params):
            return frames_to_wav(frames)
        # sox runs out of memory on espeak's placeholder sizes; give it a true header.
        data = _wav_with_params(frames, params)
        kind = "wav"
    else:
        kind = "mp3"
    sox, ffmpeg = shutil.which("sox"), shutil.which("ffmpeg")
    if sox:
        command = [sox, "-q", "-t", kind, "-", "-t", "wav", "-r", str(SAMPLE_RATE),
                   "-c", str(CHANNELS), "-b", "16", "-e", "signed-integer", "-"]
    elif ffmpeg:
        command = [ffmpeg, "-loglevel", "error", "-f", kind, "-i", "pipe:0", "-ar", str(SAMPLE_RATE),
                   "-ac", str(CHANNELS), "-acodec", "pcm_s16le", "-f", "wav", "pipe:1"]
    else:
        raise AudioFormatError("sox atau ffmpeg tidak terpasang; audio MP3 tidak bisa diubah ke WAV")
    try:
        result = subprocess.run(command, input=data, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioFormatError(f"konversi audio melebihi {timeout} detik") from exc
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode("utf-8", "replace").strip()[:200]
        raise AudioFormatError(f"konversi audio gagal: {message or 'tanpa keluaran'}")
    # Output to a pipe has placeholder sizes in its header; rewrite it.
    return frames_to_wav(standard_frames(result.stdout))
