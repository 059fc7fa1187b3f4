"""Start-up cost of each pipeline stage next to its floor, in one run: the median wall time to import the
stage module in a fresh process (which loads every library the stage uses) and the median time of a bare
`python -c "import <the heaviest framework it needs>"`, with their ratio and difference. The two are timed
in turns (floor, stage, floor, stage, ...) for each stage, so a slower minute of the machine lands on both.

    python benchmarks/stage_startup.py [--runs 5] [--stage split --stage train ...]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

# stage module -> the frameworks it cannot start without (MLflow for every stage: each logs a run; explain
# draws a picture of each explanation, and LIME's text explainer brings scikit-learn in; skops.io, which saves and
# loads the baselines, imports every scikit-learn estimator to list the types it trusts; every evaluate stage
# validates its model's outputs with GX, the quality gate's degenerate-output check)
FLOORS = {
    "download": "mlflow", "split": "mlflow, great_expectations", "tokenize": "mlflow, great_expectations",
    "vectorize": "mlflow, great_expectations", "pretrained": "mlflow", "train": "mlflow, keras",
    "train_baseline": "mlflow, skops.io", "evaluate": "mlflow, keras, great_expectations", "evaluate_baseline": "mlflow, skops.io, great_expectations",
    "export_embeddings": "mlflow, sklearn", "report": "mlflow", "promote": "mlflow",
    "train_lm": "mlflow, keras", "evaluate_lm": "mlflow, keras, great_expectations", "train_ngram": "mlflow",
    "evaluate_ngram": "mlflow, great_expectations", "train_embedding": "mlflow, keras", "evaluate_embedding": "mlflow, gensim, great_expectations",
    "train_translator": "mlflow, keras", "evaluate_translator": "mlflow, keras, great_expectations",
    "tune": "mlflow, keras", "explain": "mlflow, lime.lime_text, matplotlib.pyplot", "ensemble": "mlflow, sklearn",
    "evaluate_ensemble": "mlflow, sklearn, great_expectations", "leaderboard": "mlflow",
}


def seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def paired_medians(floor_code: str, stage_code: str, runs: int) -> tuple[float, float]:
    """Median seconds of the floor and of the stage, timed in turns after one warm-up of each (file cache)."""
    seconds(floor_code)
    seconds(stage_code)
    floors, stages = [], []
    for _ in range(runs):
        floors.append(seconds(floor_code))
        stages.append(seconds(stage_code))
    return statistics.median(floors), statistics.median(stages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stage", action="append", choices=sorted(FLOORS), help="default: every stage")
    args = parser.parse_args()
    print("| stage | start-up s | floor s (import of) | ratio | over floor s |\n|---|---|---|---|---|")
    for stage in args.stage or list(FLOORS):
        frameworks = FLOORS[stage]
        floor, startup = paired_medians(f"import {frameworks}", f"import textlab.stages.{stage}", args.runs)
        print(f"| {stage} | {startup:.2f} | {floor:.2f} ({frameworks}) | {startup / floor:.2f} | {startup - floor:+.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
