"""evaluate_ensemble@<corpus>-<name>: score one ensemble on the raw test texts, as any classifier.

The same metrics and plots as `evaluate`, from the ensemble's served scorer (its members inside);
it writes no validation predictions (the ensemble is no member of another). Its `val_` figures, which the
quality gate reads, are on the rows its combiner was fitted on: a sanity bar, not a selection.
"""
from __future__ import annotations

from textlab.adapters import ensemble_scoring
from textlab.adapters.cli import run_stage
from textlab.adapters.evaluating import run_evaluation
from textlab.adapters.params import ensemble_params, load_params


def main(key: str) -> None:
    params = load_params()
    hp = ensemble_params(params, key)
    run_evaluation(f"evaluate_ensemble@{key}", key, hp["corpus"], ensemble_scoring.load_scorer,
                   params["gates"]["classifier"], val_predictions=False)


if __name__ == "__main__":
    run_stage("evaluate_ensemble", main)
