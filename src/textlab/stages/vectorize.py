"""vectorize@<corpus>: bag-of-tokens matrices over the tokenize vocabulary, one folder per mode.

Writes data/features/<corpus>/bow/<mode>/: spec.json (vocabulary, mode, train document
frequencies) and <split>.x.npz (sparse float32 CSR) / <split>.y.npy. Sparse keeps a
25k × 10k word matrix at megabytes instead of a gigabyte.
"""
from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd

from textlab import checks
from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path
from textlab.adapters.guard import guard
from textlab.adapters.params import load_params
from textlab.adapters.tensors import load_spec, save_features
from textlab.adapters.tracking import stage_run
from textlab.features import SequenceSpec, fit_bag_spec
from textlab.splits import SPLITS


def main(corpus: str) -> None:
    params = load_params()["corpora"][corpus]
    modes, limits = params["vectorize"]["modes"], params["checks"]
    stage = f"vectorize@{corpus}"
    source, sequences = Path("data/split") / corpus, Path("data/features") / corpus / "sequences"
    with stage_run(stage, corpus, {"vectorize": params["vectorize"], "checks": limits},
                   [str(source), str(sequences)]) as run:
        sequence_spec = load_spec(sequences)
        assert isinstance(sequence_spec, SequenceSpec)
        tables = {name: pd.read_parquet(source / f"{name}.parquet") for name in SPLITS}
        texts = {name: t["text"].tolist() for name, t in tables.items()}
        labels = {name: t["label"].to_numpy(np.int8) for name, t in tables.items()}
        specs = {mode: fit_bag_spec(sequence_spec, texts["train"], mode) for mode in modes}
        matrices = {mode: {name: spec.transform(texts[name]) for name in SPLITS} for mode, spec in specs.items()}
        guard(stage, [
            checks.Check(f"{mode}-{name}", checks.summarise_matrix(m, labels[name]),
                         checks.matrix_expectations(len(labels[name]), mode == "binary", tuple(limits["class_balance"])))
            for mode, by_split in matrices.items() for name, m in by_split.items()
        ])
        with atomic_path(Path("data/features") / corpus / "bow") as folder:
            for mode, spec in specs.items():
                save_features(folder / mode, spec, {name: (matrices[mode][name], labels[name]) for name in SPLITS})
        mlflow.log_metrics({f"{mode}_train_nnz": float(matrices[mode]["train"].nnz) for mode in modes})
        print(f"{stage}: modes {', '.join(modes)} over {sequence_spec.vocab_size} tokens; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("vectorize", main)
