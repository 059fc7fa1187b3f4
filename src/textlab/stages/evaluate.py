"""evaluate@<corpus>-<architecture>: score one trained Keras model on the raw test texts.

It scores with the served MLflow model's own scorer, so these are the served model's metrics;
see `textlab.adapters.evaluating` for what it writes.
"""
from __future__ import annotations

from textlab.adapters import keras_scoring
from textlab.adapters.cli import run_stage
from textlab.adapters.evaluating import run_evaluation
from textlab.adapters.params import load_params, model_params, stage_name


def main(key: str) -> None:
    params = load_params()
    hp = model_params(params, key)
    run_evaluation(stage_name("evaluate", hp), key, hp["corpus"], keras_scoring.load_scorer, params["gates"]["classifier"])


if __name__ == "__main__":
    run_stage("evaluate", main)
