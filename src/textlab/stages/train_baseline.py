"""train_baseline@<corpus>-<model>: fit one scikit-learn baseline from params.yaml `baselines`.

Reads the raw split texts (data/split/<corpus>); writes models/<key>/model.skops and
reports/train/<key>/ (see `textlab.adapters.training_run`). No TensorFlow in this process.
"""
from __future__ import annotations

from textlab.adapters import sklearn_training
from textlab.adapters.cli import run_stage
from textlab.adapters.params import baseline_params, load_params
from textlab.adapters.training_run import run_training


def main(key: str) -> None:
    hp = baseline_params(load_params(), key)
    run_training(f"train_baseline@{key}", hp, sklearn_training.fit, "sklearn")


if __name__ == "__main__":
    run_stage("train_baseline", main)
