"""evaluate_baseline@<corpus>-<model>: score one scikit-learn baseline on the raw test texts.

The same metrics and plots as `evaluate`, from the baseline's served scorer (no TensorFlow).
"""
from __future__ import annotations

from textlab.adapters import sklearn_scoring
from textlab.adapters.cli import run_stage
from textlab.adapters.evaluating import run_evaluation
from textlab.adapters.params import baseline_params, load_params


def main(key: str) -> None:
    params = load_params()
    hp = baseline_params(params, key)
    run_evaluation(f"evaluate_baseline@{key}", key, hp["corpus"], sklearn_scoring.load_scorer, params["gates"]["classifier"])


if __name__ == "__main__":
    run_stage("evaluate_baseline", main)
