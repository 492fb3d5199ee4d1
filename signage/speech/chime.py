"""The "ding-dong" played before each announcement, synthesised (no sound file)."""

from __future__ import annotations

import math
from functools import lru_cache

from .wav import SAMPLE_RATE, frames_to_wav, samples_to_frames

DING_HZ = 659.25  # E5
DONG_HZ = 523.25  # C5
DONG_START_S = 0.45
LENGTH_S = 1.2
PEAK = 0.6  # a little under speech (0.8) so the chime does not startle


def _bell(t: float, frequency: float) -> float:
    # A soft attack avoids a click; the octave partial makes it sound like a bell, not a beep.
    attack = min(1.0, t / 0.008)
    decay = math.exp(-3.2 * t)
    tone = math.sin(2 * math.pi * frequency * t) + 0.35 * math.sin(2 * math.pi * 2 * frequency * t)
    return attack * decay * tone


@lru_cache(maxsize=4)
def chime_wav(sample_rate: int = SAMPLE_RATE) -> bytes:
    """Two-tone chime, ~1.2 s, 16-bit mono WAV."""
    total = int(LENGTH_S * sample_rate)
    dong_start = int(DONG_START_S * sample_rate)
    fade = int(0.05 * sample_rate)
    raw = []
    for i in range(total):
        t = i / sample_rate
        value = _bell(t, DING_HZ)
        if i >= dong_start:
            value += _bell(t - DONG_START_S, DONG_HZ)
        if i > total - fade:
            value *= (total - i) / fade
        raw.append(value)
    loudest = max(abs(v) for v in raw)
    scale = PEAK * 32767 / loudest
    return frames_to_wav(samples_to_frames(int(v * scale) for v in raw), sample_rate)
