"""vectorize@<corpus>: bag-of-tokens matrices over a train vocabulary, one folder per mode (params.yaml `bags`).

Writes data/features/<corpus>-bow/<mode>/: spec.json (vocabulary, mode, train document
frequencies) and <split>.x.npz (sparse float32 CSR) / <split>.y.npy. Sparse keeps a
25k × 10k word matrix at tens of megabytes instead of a gigabyte dense; Keras feeds it batch by batch.
"""
from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd

from textlab import checks, paths
from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path
from textlab.adapters.guard import guard
from textlab.adapters.params import load_params
from textlab.adapters.tensors import save_features
from textlab.adapters.tracking import stage_run
from textlab.features import fit_bag_spec, fit_sequence_spec
from textlab.splits import SPLITS


def main(corpus: str) -> None:
    params = load_params()
    knobs, tokenize, limits = params["bags"][corpus], params["corpora"][corpus]["tokenize"], params["corpora"][corpus]["checks"]
    stage, source = f"vectorize@{corpus}", paths.split_dir(corpus)
    with stage_run(stage, corpus, {"vectorize": knobs, "tokenize": tokenize, "checks": limits}, [str(source)]) as run:
        tables = {name: pd.read_parquet(source / f"{name}.parquet") for name in SPLITS}
        texts = {name: t["text"].tolist() for name, t in tables.items()}
        labels = {name: t["label"].to_numpy(np.int8) for name, t in tables.items()}
        # The same vocabulary fit as tokenize, capped at num_words; bags ignore maxlen and padding.
        vocabulary = fit_sequence_spec(texts["train"], maxlen=1, padding="pre", truncating="pre", level=tokenize["level"],
                                       lowercase=tokenize["lowercase"], max_tokens=knobs.get("num_words"))
        specs = {mode: fit_bag_spec(vocabulary, texts["train"], mode) for mode in knobs["modes"]}
        matrices = {mode: {name: spec.transform(texts[name]) for name in SPLITS} for mode, spec in specs.items()}
        guard(stage, [
            checks.Check(f"{mode}-{name}", checks.summarise_matrix(m, labels[name]),
                         checks.matrix_expectations(len(labels[name]), mode == "binary", tuple(limits["class_balance"])))
            for mode, by_split in matrices.items() for name, m in by_split.items()
        ])
        with atomic_path(paths.bag_features(corpus)) as folder:
            for mode, spec in specs.items():
                save_features(folder / mode, spec, {name: (matrices[mode][name], labels[name]) for name in SPLITS})
        mlflow.log_metrics({f"{mode}_train_nnz": float(matrices[mode]["train"].nnz) for mode in knobs["modes"]})
        print(f"{stage}: modes {', '.join(knobs['modes'])} over {vocabulary.vocab_size} tokens; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("vectorize", main)
