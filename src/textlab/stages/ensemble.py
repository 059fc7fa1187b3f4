"""ensemble@<corpus>-<name>: fit a stacking ensemble of classifiers on their validation predictions.

Reads data/predictions/<corpus>/ (each member's evaluate stage writes its validation probabilities
there) and the members' model folders; writes models/<key>/ (members inside, ensemble.json) and
reports/train/<key>/ like any train stage, and logs the served model (raw text in) to MLflow.
The test split is never read here: `evaluate_ensemble@<key>` scores it.
"""
from __future__ import annotations

from textlab.adapters import ensemble_training
from textlab.adapters.cli import run_stage
from textlab.adapters.params import ensemble_params, load_params
from textlab.adapters.training_run import run_training


def main(key: str) -> None:
    hp = ensemble_params(load_params(), key)
    run_training(f"ensemble@{key}", hp, ensemble_training.fit, "ensemble")


if __name__ == "__main__":
    run_stage("ensemble", main)
