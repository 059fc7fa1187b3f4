"""vectorize@<corpus>: bag-of-tokens matrices over a train vocabulary, one folder per mode (params.yaml `bags`).

Writes data/features/<corpus>-bow/<mode>/: spec.json (vocabulary, mode, train document
frequencies) and <split>.x.npz (sparse float32 CSR) / <split>.y.npy (textlab.adapters.bags). Sparse keeps a
25k × 10k word matrix at tens of megabytes instead of a gigabyte dense; Keras feeds it batch by batch.
"""
from __future__ import annotations

import mlflow

from textlab import paths
from textlab.adapters.bags import build_bags
from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run


def main(corpus: str) -> None:
    params = load_params()
    knobs, tokenize, limits = params["bags"][corpus], params["corpora"][corpus]["tokenize"], params["corpora"][corpus]["checks"]
    stage = f"vectorize@{corpus}"
    with stage_run(stage, corpus, {"vectorize": knobs, "tokenize": tokenize, "checks": limits},
                   [str(paths.split_dir(corpus))]) as run:
        facts, vocab_size = build_bags(stage, corpus, knobs, tokenize, limits)
        mlflow.log_metrics(facts)
        print(f"{stage}: modes {', '.join(knobs['modes'])} over {vocab_size} tokens; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("vectorize", main)
