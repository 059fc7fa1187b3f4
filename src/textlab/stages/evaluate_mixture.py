"""evaluate_mixture@<corpus>-<model>: a linear interpolation of two trained language models (params.yaml
`mixture_models`), its weight chosen on the validation text, scored and sampled like every language model
(see `textlab.adapters.mixture_evaluating`)."""
from __future__ import annotations

from textlab.adapters.cli import run_stage
from textlab.adapters.mixture_evaluating import run_mixture_evaluation
from textlab.adapters.params import load_params, mixture_params


def main(key: str) -> None:
    params = load_params()
    run_mixture_evaluation(f"evaluate_mixture@{key}", mixture_params(params, key), params["gates"]["language_model"])


if __name__ == "__main__":
    run_stage("evaluate_mixture", main)
