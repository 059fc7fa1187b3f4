"""evaluate_ngram@<corpus>-<model>: the same held-out scores and samples for a counting language model
(Markov chain or Kneser–Ney n-gram), on the same test text and positions as the Keras models."""
from __future__ import annotations

from textlab.adapters import ngram_scoring
from textlab.adapters.cli import run_stage
from textlab.adapters.lm_evaluating import run_lm_evaluation
from textlab.adapters.params import load_params, ngram_params


def main(key: str) -> None:
    params = load_params()
    run_lm_evaluation(f"evaluate_ngram@{key}", ngram_params(params, key), ngram_scoring.load_scorer, params["gates"]["language_model"])


if __name__ == "__main__":
    run_stage("evaluate_ngram", main)
