"""train@<corpus>-<architecture>: fit one Keras architecture from params.yaml `models`.

Reads data/<inputs> (a view, a bag-of-tokens mode or a pretrained folder); writes models/<key>/
and reports/train/<key>/ (see `textlab.adapters.training_run`).
"""
from __future__ import annotations

from textlab.adapters import keras_training
from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params, model_params, stage_name
from textlab.adapters.training_run import run_training


def main(key: str) -> None:
    hp = model_params(load_params(), key)
    run_training(stage_name("train", hp), hp, keras_training.fit, "keras")


if __name__ == "__main__":
    run_stage("train", main)
