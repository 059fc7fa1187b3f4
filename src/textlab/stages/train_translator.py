"""train_translator@<corpus>-<architecture>: fit one encoder–decoder from params.yaml `translation_models`
on a pairs view (teacher forcing); writes models/<key>/ and reports/train/<key>/ like every train stage."""
from __future__ import annotations

from textlab.adapters import seq2seq_training
from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params, translator_params
from textlab.adapters.training_run import run_training


def main(key: str) -> None:
    run_training(f"train_translator@{key}", translator_params(load_params(), key), seq2seq_training.fit, "seq2seq")


if __name__ == "__main__":
    run_stage("train_translator", main)
