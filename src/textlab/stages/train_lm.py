"""train_lm@<corpus>-<architecture>: fit one Keras language model from params.yaml `language_models`.

Reads a text view (data/features/<view>: windows and next ids); writes models/<key>/ and
reports/train/<key>/ like every train stage (see `textlab.adapters.training_run`), with samples
at each epoch's end in the MLflow run.
"""
from __future__ import annotations

from textlab.adapters import keras_lm_training
from textlab.adapters.cli import run_stage
from textlab.adapters.params import language_model_params, load_params
from textlab.adapters.training_run import run_training


def main(key: str) -> None:
    hp = language_model_params(load_params(), key)
    run_training(f"train_lm@{key}", hp, keras_lm_training.fit, "keras_lm")


if __name__ == "__main__":
    run_stage("train_lm", main)
