"""train_ngram@<corpus>-<model>: fit one counting language model from params.yaml `ngram_models`
(first-order Markov chain or interpolated Kneser–Ney) on a text view's training ids; writes
models/<key>/ and reports/train/<key>/ like every train stage."""
from __future__ import annotations

from textlab.adapters import ngram_training
from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params, ngram_params
from textlab.adapters.training_run import run_training


def main(key: str) -> None:
    run_training(f"train_ngram@{key}", ngram_params(load_params(), key), ngram_training.fit, "ngram")


if __name__ == "__main__":
    run_stage("train_ngram", main)
