"""benchmarks/estimate_bench.py stays runnable and the estimate stays honest on its scripted days:
the actual call falls inside the shown range for most tickets, the centre is close on a steady day."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_scripted_days_keep_the_estimate_honest(tmp_path):
    out = tmp_path / "estimate.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "estimate_bench.py"), "--weeks", "2",
                          "--json", str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    rows = {r["scenario"]: r for r in json.loads(out.read_text())}
    assert set(rows) == {"steady", "morning rush", "lunch pause"}
    assert all(r["tickets"] > 200 and r["inside_range"] >= 85 for r in rows.values()), rows
    assert rows["steady"]["median_error_min"] <= 3 and rows["steady"]["p90_error_min"] <= 10
    assert all(r["by_basis"]["typical"] > 0 and r["by_basis"]["weekday"] > 0 for r in rows.values())
