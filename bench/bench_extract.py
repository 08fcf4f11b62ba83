"""Extraction speed: every letter of our corpus and the shipped examples, many rounds, per-letter times.

Run: .venv/bin/python bench/bench_extract.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.extraction.letter import extract_text  # noqa: E402


def main() -> None:
    """Time extract_text on each letter; print median, 95th percentile and the slowest letter."""
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    files = sorted((ROOT / "tests" / "data" / "letters").glob("*.txt")) + sorted((ROOT / "tracker" / "demo_data").glob("*.txt"))
    for kind in ("tasks-only", "real", "letters"):
        shared = ROOT.parent / "shared" / "examples" / kind
        files += sorted(shared.glob("*.txt")) if shared.is_dir() else []
    texts = [(f.name, f.read_text(encoding="utf-8", errors="replace")) for f in files]
    for _, text in texts:  # warm caches (compiled patterns, lexicon)
        extract_text(text)
    timings: dict[str, list[float]] = {name: [] for name, _ in texts}
    for _ in range(rounds):
        for name, text in texts:
            start = time.perf_counter()
            extract_text(text)
            timings[name].append((time.perf_counter() - start) * 1000)
    per_letter = sorted((statistics.median(v), name) for name, v in timings.items())
    all_times = sorted(t for v in timings.values() for t in v)
    print(f"letters={len(texts)} rounds={rounds} sizes={min(len(t) for _, t in texts)}..{max(len(t) for _, t in texts)} chars")
    print(f"per extraction: median={statistics.median(all_times):.1f} ms  "
          f"p95={all_times[int(len(all_times) * 0.95)]:.1f} ms  max={all_times[-1]:.1f} ms")
    print(f"slowest letter (median): {per_letter[-1][1]} {per_letter[-1][0]:.1f} ms")


if __name__ == "__main__":
    main()
