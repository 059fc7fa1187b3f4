"""Start-up cost of each pipeline stage: the median wall time to import its module in a fresh
process (which loads every library the stage uses), next to a bare interpreter, in one run.

    python benchmarks/stage_startup.py [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

STAGES = ["download", "split", "tokenize", "vectorize", "pretrained", "train", "train_baseline", "evaluate",
          "evaluate_baseline", "export_embeddings", "report"]


def median_seconds(code: str, runs: int) -> float:
    subprocess.run([sys.executable, "-c", code], check=True)  # warm-up: file cache, .pyc files
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    bare = median_seconds("pass", runs)
    print(f"{'stage':<20}{'median s':>10}{'× bare python':>16}")
    print(f"{'(bare python)':<20}{bare:>10.2f}{1.0:>16.1f}")
    for stage in STAGES:
        seconds = median_seconds(f"import textlab.stages.{stage}", runs)
        print(f"{stage:<20}{seconds:>10.2f}{seconds / bare:>16.1f}")


if __name__ == "__main__":
    main()
