"""tokenize@<view>: fit a view's vocabulary on train and turn every split into id tensors.

A view (params.yaml `views`) is one (corpus, num_words, maxlen, …) combination that models read. Reads
data/split/<corpus>/ and writes data/features/<view>/; what it holds per kind of corpus is in
textlab.adapters.views.
"""
from __future__ import annotations

import mlflow

from textlab import paths
from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run
from textlab.adapters.views import build_view


def main(view: str) -> None:
    params = load_params()
    if view not in params["views"]:
        raise KeyError(f"params.yaml has no views.{view}; known: {sorted(params['views'])}")
    shape = params["views"][view]
    corpus = shape["corpus"]
    knobs, limits = params["corpora"][corpus].get("tokenize", {}), params["corpora"][corpus]["checks"]
    stage = f"tokenize@{view}"
    with stage_run(stage, corpus, {"view": shape, "tokenize": knobs, "checks": limits}, [str(paths.split_dir(corpus))]) as run:
        facts = build_view(stage, view, shape, knobs, limits)
        mlflow.log_metrics(facts)
        print(f"{stage}: {', '.join(f'{k} {v:.4g}' for k, v in facts.items())}; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("tokenize", main)
