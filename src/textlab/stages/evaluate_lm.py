"""evaluate_lm@<corpus>-<architecture>: bits per token and perplexity of one Keras language model on
the whole raw test text, and samples at every temperature (see `textlab.adapters.lm_evaluating`)."""
from __future__ import annotations

from textlab.adapters import keras_lm_scoring
from textlab.adapters.cli import run_stage
from textlab.adapters.lm_evaluating import run_lm_evaluation
from textlab.adapters.params import language_model_params, load_params


def main(key: str) -> None:
    params = load_params()
    run_lm_evaluation(f"evaluate_lm@{key}", language_model_params(params, key), keras_lm_scoring.load_scorer, params["gates"]["language_model"])


if __name__ == "__main__":
    run_stage("evaluate_lm", main)
