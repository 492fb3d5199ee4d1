"""How long a call's audio takes to be ready: each engine, cold and cached, whole sentence vs assembled clips.

    .venv/bin/python benchmarks/audio_bench.py [--calls 20] [--full-library] [--json out.json]

espeak-ng is real.  "gtts" rows run against a FAKE Google endpoint on
127.0.0.1 (tests/fake_google.py): Google is unreachable here, so those
figures exclude the real network round trip (add it yourself: typically
0.2-1 s per request from Indonesia) and the fake's audio is espeak speech
encoded as MP3.  Every row includes the chime, exactly as a call is served.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))   # the fake Google endpoint

from signage.speech import wav  # noqa: E402
from signage.speech.cache import AudioCache  # noqa: E402
from signage.speech.chime import chime_wav  # noqa: E402
from signage.speech.engines import EspeakEngine, FallbackEngine, GttsEngine  # noqa: E402
from fake_google import FakeGoogleTTS  # noqa: E402
from signage.speech.library import VoiceLibrary, build_library, library_phrases  # noqa: E402
from signage.speech.sentence import (  # noqa: E402
    DEFAULT_TEMPLATE, call_sentence, letter_names, number_words, spell_counter,
)
from signage.speech.voice import CHIME_GAP_S, Voice, library_dir  # noqa: E402

SAMPLE = "Nomor antrian a dua belas, silakan menuju loket tiga."


def sample_calls(count: int, seed: int = 1) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    calls = {("A012", "Loket 3")}
    while len(calls) < count:
        calls.add((f"{rng.choice('ABCDEFGH')}{rng.randint(1, 999):03d}", f"Loket {rng.randint(1, 12)}"))
    return sorted(calls)


def needed_phrases(calls) -> list[str]:
    wanted = {"nomor antrian", "silakan menuju"}
    for ticket, counter in calls:
        wanted |= {letter_names(ticket[0]), number_words(int(ticket[1:]), "whole"), spell_counter(counter)}
    counters = sorted({counter for _, counter in calls})
    return [p for p in library_phrases(counters=counters) if p in wanted]


def with_chime(speech: bytes) -> bytes:
    frames = wav.standard_frames(chime_wav()) + wav.silence(CHIME_GAP_S) + wav.standard_frames(speech)
    return wav.frames_to_wav(frames)


def timed(render, sentences) -> tuple[list[float], list]:
    times, results = [], []
    for sentence in sentences:
        started = time.perf_counter()
        results.append(render(sentence))
        times.append(time.perf_counter() - started)
    return times, results


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def run_row(label, strategy, render, sentences, speech_duration) -> dict:
    cold, _ = timed(render, sentences)
    cached, _ = timed(render, sentences)
    return {"engine": label, "strategy": strategy, "cold": summary(cold), "cached": summary(cached),
            "sample_clip_s": round(speech_duration(), 2)}


def cache_render(cache: AudioCache, engine):
    return lambda text: cache.fetch(text, engine, "wav+chime", with_chime)


def measure(work: Path, sentences: list[str], phrases: list[str], full_library: bool) -> tuple[list, list]:
    rows, builds = [], []
    # 1. espeak-ng, whole sentence: the live path for engine "espeak".
    voice = Voice(work / "espeak-whole", engine="espeak")
    rows.append(run_row("espeak", "whole sentence", voice.render, sentences,
                        lambda: voice.render(SAMPLE).duration_s))

    # 2. espeak-ng, assembled from clips (needs a library; shown for comparison).
    started = time.perf_counter()
    built = build_library(EspeakEngine(), work / "espeak-lib", phrases, progress=False)
    builds.append({"engine": "espeak", "clips": built.made,
                   "per_clip_ms": round((time.perf_counter() - started) / max(built.made, 1) * 1000, 1)})
    espeak_library = VoiceLibrary(work / "espeak-lib", "espeak")
    cache = AudioCache(work / "espeak-assembled")
    render = cache_render(cache, FallbackEngine([espeak_library]))
    rows.append(run_row("espeak", "assembled clips", render, sentences,
                        lambda: wav.duration_s(render(SAMPLE).path)))

    with FakeGoogleTTS() as fake, fake.patched():
        # 3. gTTS over the (fake) network, whole sentence: NOT used live (needs the network).
        cache = AudioCache(work / "gtts-whole")
        render = cache_render(cache, GttsEngine(timeout=10))
        rows.append(run_row("gtts (FAKE endpoint)", "whole sentence, network", render, sentences,
                            lambda: wav.duration_s(render(SAMPLE).path)))

        # 4. gTTS library built from the fake endpoint, assembled offline: the live path for "gtts".
        audio_dir = work / "gtts-live"
        started = time.perf_counter()
        built = build_library(GttsEngine(timeout=10), library_dir(audio_dir, "gtts"), phrases, progress=False)
        builds.append({"engine": "gtts (FAKE endpoint)", "clips": built.made,
                       "per_clip_ms": round((time.perf_counter() - started) / max(built.made, 1) * 1000, 1)})
        requests_before = fake.request_count
        voice = Voice(audio_dir, engine="gtts")
        row = run_row("gtts (FAKE library)", "assembled clips, offline", voice.render, sentences,
                      lambda: voice.render(SAMPLE).duration_s)
        row["network_requests_during_calls"] = fake.request_count - requests_before
        rows.append(row)

        if full_library:
            phrases_all = library_phrases(counters=[f"Loket {i}" for i in range(1, 13)])
            started = time.perf_counter()
            built = build_library(GttsEngine(timeout=10), work / "gtts-full", phrases_all, progress=True)
            builds.append({"engine": "gtts (FAKE endpoint), full library", "clips": built.made,
                           "seconds": round(time.perf_counter() - started, 1)})

    return rows, builds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20, help="different call sentences per row")
    parser.add_argument("--full-library", action="store_true",
                        help="also time building the full gTTS library (~1,000 clips) against the fake")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    args = parser.parse_args()

    calls = sample_calls(args.calls)
    sentences = [call_sentence(DEFAULT_TEMPLATE, ticket=t, counter=c, service="", style="whole") for t, c in calls]
    phrases = needed_phrases(calls)
    with tempfile.TemporaryDirectory(prefix="audio-bench-") as tmp:
        rows, builds = measure(Path(tmp), sentences, phrases, args.full_library)

    print(f"\nTime until a call's audio (chime + speech, one WAV) is ready; {len(sentences)} different calls.")
    print("gtts rows use a FAKE local Google endpoint: no real network latency included.\n")
    header = f"{'engine':<22} {'strategy':<27} {'cold median':>11} {'cold p95':>9} {'cold max':>9} " \
             f"{'cached med':>10} {'clip s':>7}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['engine']:<22} {r['strategy']:<27} {r['cold']['median_ms']:>9.1f}ms "
              f"{r['cold']['p95_ms']:>7.1f}ms {r['cold']['max_ms']:>7.1f}ms {r['cached']['median_ms']:>8.2f}ms "
              f"{r['sample_clip_s']:>7.2f}")
    print(f"\nclip s = length of the sample call ({SAMPLE!r}) incl. 1.2 s chime + {CHIME_GAP_S} s gap.")
    print(f"network requests to the fake endpoint while serving gtts calls: "
          f"{rows[-1]['network_requests_during_calls']}")
    print("\nLibrary builds (phrases for these calls only unless 'full'):")
    for b in builds:
        extra = f"{b['per_clip_ms']} ms/clip" if "per_clip_ms" in b else f"{b['seconds']} s total"
        print(f"  {b['engine']:<38} {b['clips']:>5} clips  {extra}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "builds": builds}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
