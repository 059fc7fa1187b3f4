"""Start-up cost of each pipeline stage next to its floor, in one run: the median wall time to import the
stage module in a fresh process (which loads every library the stage uses) and the median time of a bare
`python -c "import <the heaviest framework it needs>"`, with their ratio and difference.

    python benchmarks/stage_startup.py [--runs 5] [--stage split --stage train ...]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

# stage module -> the frameworks it cannot start without (MLflow for every stage: each logs a run)
FLOORS = {
    "download": "mlflow", "split": "mlflow, great_expectations", "tokenize": "mlflow, great_expectations",
    "vectorize": "mlflow, great_expectations", "pretrained": "mlflow", "train": "mlflow, keras",
    "train_baseline": "mlflow, sklearn", "evaluate": "mlflow, keras", "evaluate_baseline": "mlflow, sklearn",
    "export_embeddings": "mlflow, sklearn", "report": "mlflow", "promote": "mlflow",
    "train_lm": "mlflow, keras", "evaluate_lm": "mlflow, keras", "train_ngram": "mlflow",
    "evaluate_ngram": "mlflow", "train_embedding": "mlflow, keras", "evaluate_embedding": "mlflow, gensim",
    "train_translator": "mlflow, keras", "evaluate_translator": "mlflow, keras",
    "tune": "mlflow, keras", "explain": "mlflow, lime", "ensemble": "mlflow, sklearn",
    "evaluate_ensemble": "mlflow, sklearn", "leaderboard": "mlflow",
}


def median_seconds(code: str, runs: int) -> float:
    subprocess.run([sys.executable, "-c", code], check=True)  # warm-up: file cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stage", action="append", choices=sorted(FLOORS), help="default: every stage")
    args = parser.parse_args()
    floors: dict[str, float] = {}
    print("| stage | start-up s | floor s (import of) | ratio | over floor s |\n|---|---|---|---|---|")
    for stage in args.stage or list(FLOORS):
        frameworks = FLOORS[stage]
        if frameworks not in floors:
            floors[frameworks] = median_seconds(f"import {frameworks}", args.runs)
        seconds = median_seconds(f"import textlab.stages.{stage}", args.runs)
        floor = floors[frameworks]
        print(f"| {stage} | {seconds:.2f} | {floor:.2f} ({frameworks}) | {seconds / floor:.2f} | {seconds - floor:+.2f} |")


if __name__ == "__main__":
    main()
