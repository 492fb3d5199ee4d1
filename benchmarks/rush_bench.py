"""Rush hour: does the hall's voice keep up with the counters?

    .venv/bin/python benchmarks/rush_bench.py [--counters 13] [--apart 2] [--repeat 1] [--json FILE]

Replays the hall opening at 08:00: every counter presses call-next once, --apart seconds after
the one before (Loket 1 at 0 s, Loket 2 at 2 s, ... Loket 13 at 24 s), and reports when each
call is spoken. Two policies, each with REAL clips (espeak-ng renders every announcement into a
fresh audio directory; each clip's length is read from its WAV header and checked with sox's
`soxi -D`):

  before  today's policy (up to issue 10): every call in full, the chime before each, the
          manager's repeat, normal rate;
  after   the rush policy as the server runs it: each call goes through the real
          `HallSpeaker.enrich` (speech/hall_speaker.py, deciding with speech/rush.py), with the
          bench's clock set to the press time, so the form (chime, short, repeat, rate) is
          exactly what the server would send.

The speaker page then plays the queue one clip after another, as static/js/speaker.js does:
a clip starts when it has arrived (--deliver seconds after its press) and the clip before it
has ended (plus rush.PLAY_GAP_S to load and start), and lasts its duration x repeat / rate
(speaker.js sets playbackRate). "Spoken" below is when the call has been said in full (end of
its clip, repeats included); "starts" is when the visitor first hears it.

Target (issue 10): every call spoken within 15 s of its press.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signage.hall import load_hall  # noqa: E402
from signage.speech import rush, sentence, wav  # noqa: E402
from signage.speech.hall_speaker import DEFAULTS, HallSpeaker  # noqa: E402
from signage.speech.voice import Voice  # noqa: E402

TARGET_S = 15.0


@dataclass
class Spoken:
    ticket: str
    counter: str
    pressed: float
    seconds: float        # one playing of the clip at rate 1 (chime included)
    chime: bool
    short: bool
    repeat: int
    rate: float
    text: str
    start: float = 0.0
    end: float = 0.0


def soxi_seconds(path: Path) -> float | None:
    """The clip's length as sox reads it (None when sox is not installed)."""
    soxi = shutil.which("soxi")
    if not soxi:
        return None
    out = subprocess.run([soxi, "-D", str(path)], capture_output=True, text=True, timeout=10)
    return float(out.stdout.strip()) if out.returncode == 0 else None


def clip_seconds(path: Path) -> float:
    header = wav.duration_s(path)
    by_sox = soxi_seconds(path)
    if by_sox is not None and abs(by_sox - header) > 0.01:
        raise SystemExit(f"{path.name}: WAV header says {header:.3f} s, sox {by_sox:.3f} s")
    return header


def the_rush(counters: int, apart: float) -> list[dict]:
    """One call per counter, in counter order, `apart` seconds after each other."""
    hall = load_hall()
    names = {s.code: s.name for s in hall.services}
    numbers: dict[str, int] = {}
    calls = []
    for index, counter in enumerate(hall.counters[:counters]):
        code = counter.services[0]
        numbers[code] = numbers.get(code, 0) + 1
        calls.append({"pressed": index * apart, "counter": {"id": index + 1, "name": counter.name},
                      "service": code, "service_name": names[code],
                      "ticket": f"{code}{numbers[code]:03d}"})
    return calls


def play(spoken: list[Spoken], deliver: float) -> None:
    """The speaker page: one clip after another, in order."""
    previous_end = None
    for s in spoken:
        arrives = s.pressed + deliver
        s.start = arrives if previous_end is None else max(arrives, previous_end + rush.PLAY_GAP_S)
        s.end = s.start + s.seconds * s.repeat / s.rate
        previous_end = s.end


def before(calls: list[dict], speech: dict, audio_dir: Path) -> list[Spoken]:
    voice = Voice(audio_dir, chime=True)
    out = []
    for call in calls:
        template = speech["service_templates"].get(call["service"]) or speech["template"]
        text = sentence.call_sentence(template, ticket=call["ticket"], counter=call["counter"]["name"],
                                      service=call["service_name"], style=speech["style"])
        clip = voice.render(text, chime=speech["chime"])
        out.append(Spoken(call["ticket"], call["counter"]["name"], call["pressed"], clip_seconds(clip.path),
                          speech["chime"], False, speech["repeat"], 1.0, text))
    return out


def after(calls: list[dict], speech: dict, audio_dir: Path) -> list[Spoken]:
    clock = {"now": 0.0}
    voice = Voice(audio_dir, chime=True)    # workers=0: each clip is made (and settled) at once
    speaker = HallSpeaker(voice, lambda: {"speech": speech}, clock=lambda: clock["now"])
    out = []
    for seq, call in enumerate(calls, start=1):
        clock["now"] = call["pressed"]
        event = {"type": "called", "seq": seq, **{k: v for k, v in call.items() if k != "pressed"}}
        sent = speaker.enrich(event)
        path = voice.wait_ready(sent["audio"].rsplit("/", 1)[1])
        if path is None:
            raise SystemExit(f"no clip for {call['ticket']}")
        out.append(Spoken(call["ticket"], call["counter"]["name"], call["pressed"], clip_seconds(path),
                          sent["chime"], sent["short"], sent["repeat"], sent["rate"], sent["text"]))
    planned = {slot["id"]: slot for slot in speaker.planner.timeline("")}
    play(out, 0.0)
    for seq, s in enumerate(out, start=1):   # the server's plan is the page's playback
        if abs(planned[seq]["end"] - s.end) > 0.01:
            raise SystemExit(f"planner and playback disagree on {s.ticket}: "
                             f"{planned[seq]['end']:.2f} vs {s.end:.2f}")
    return out


def report(name: str, spoken: list[Spoken]) -> dict:
    print(f"\n{name}")
    print("| ticket | counter | pressed s | clip s | chime | short | repeat | rate | starts s | spoken s | press→spoken s |")
    print("| --- | --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for s in spoken:
        print(f"| {s.ticket} | {s.counter} | {s.pressed:.0f} | {s.seconds:.2f} | {'ya' if s.chime else '-'} | "
              f"{'ya' if s.short else '-'} | {s.repeat} | {s.rate:g} | {s.start:.1f} | {s.end:.1f} | "
              f"{s.end - s.pressed:.1f} |")
    worst = max(s.end - s.pressed for s in spoken)
    last = spoken[-1]
    print(f"worst press→spoken {worst:.1f} s; last call pressed at {last.pressed:.0f} s, spoken by "
          f"{last.end:.1f} s; {'MEETS' if worst <= TARGET_S else 'MISSES'} the {TARGET_S:g} s target")
    return {"policy": name, "worst_s": round(worst, 2), "last_spoken_s": round(last.end, 2),
            "meets_target": worst <= TARGET_S,
            "calls": [{"ticket": s.ticket, "counter": s.counter, "pressed": s.pressed,
                       "clip_s": round(s.seconds, 3), "chime": s.chime, "short": s.short,
                       "repeat": s.repeat, "rate": s.rate, "start": round(s.start, 2),
                       "spoken": round(s.end, 2), "text": s.text} for s in spoken]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--counters", type=int, default=13, choices=range(1, 14), metavar="1..13")
    p.add_argument("--apart", type=float, default=2.0, help="seconds between two counters' presses")
    p.add_argument("--repeat", type=int, default=1, choices=(1, 2), help="the manager's repeat setting")
    p.add_argument("--deliver", type=float, default=0.0,
                   help="seconds from press to the speaker having the event (0: the p50 is ~0.1)")
    p.add_argument("--short-after", type=int, default=DEFAULTS["rush_short_after"])
    p.add_argument("--fast-after", type=int, default=DEFAULTS["rush_fast_after"])
    p.add_argument("--rate", type=float, default=DEFAULTS["rush_rate"])
    p.add_argument("--json", metavar="FILE")
    args = p.parse_args()
    speech = dict(DEFAULTS, repeat=args.repeat, rush_short_after=args.short_after,
                  rush_fast_after=args.fast_after, rush_rate=args.rate)
    calls = the_rush(args.counters, args.apart)
    with tempfile.TemporaryDirectory(prefix="rushbench-") as tmp:
        results = [report("before (chime before each, full form, normal rate)",
                          _played(before(calls, speech, Path(tmp) / "before"), args.deliver)),
                   report(f"after (rush policy: short from {args.short_after} waiting, rate {args.rate:g} "
                          f"from {args.fast_after} waiting)",
                          _played(after(calls, speech, Path(tmp) / "after"), args.deliver))]
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "results": results}, indent=1))
    return 0 if results[-1]["meets_target"] else 1


def _played(spoken: list[Spoken], deliver: float) -> list[Spoken]:
    play(spoken, deliver)
    return spoken


if __name__ == "__main__":
    raise SystemExit(main())
