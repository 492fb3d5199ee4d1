"""benchmarks/rush_bench.py stays runnable and keeps its promise: 13 counters calling 2 s apart,
real espeak-ng clips, every call spoken within 15 s of its press under the rush policy (and not
under the policy before it)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_rush_replay_meets_its_target(tmp_path):
    out = tmp_path / "rush.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "rush_bench.py"), "--json", str(out)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    before, after = json.loads(out.read_text())["results"]
    assert not before["meets_target"] and before["worst_s"] > 30
    assert after["meets_target"] and after["worst_s"] <= 15
    calls = after["calls"]
    assert len(calls) == 13 and [c["chime"] for c in calls].count(True) == 1
    assert all(c["short"] for c in calls[2:]) and all(c["rate"] > 1 for c in calls[1:])
    assert all(0.8 < c["clip_s"] < 8 for c in calls)     # real clips, measured from their files
