"""tokenize@<view>: fit a view's vocabulary on train and turn every split into padded id tensors.

A view (params.yaml `views`) is one (corpus, num_words, maxlen, n-grams) combination that some
architectures read. Writes data/features/<view>/: spec.json (vocabulary, maxlen, padding) and
<split>.x.npy (int32 [rows, maxlen]) / <split>.y.npy (int8 labels).
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
from textlab.adapters.tensors import save_features
from textlab.adapters.tracking import stage_run
from textlab.features import fit_sequence_spec
from textlab.splits import SPLITS


def main(view: str) -> None:
    params = load_params()
    if view not in params["views"]:
        raise KeyError(f"params.yaml has no views.{view}; known: {sorted(params['views'])}")
    shape = params["views"][view]
    corpus = shape["corpus"]
    knobs, limits = params["corpora"][corpus]["tokenize"], params["corpora"][corpus]["checks"]
    stage, source = f"tokenize@{view}", Path("data/split") / corpus
    with stage_run(stage, corpus, {"view": shape, "tokenize": knobs, "checks": limits}, [str(source)]) as run:
        tables = {name: pd.read_parquet(source / f"{name}.parquet") for name in SPLITS}
        spec = fit_sequence_spec(tables["train"]["text"].tolist(), maxlen=shape["maxlen"], padding=knobs["padding"],
                                 truncating=knobs["truncating"], lowercase=knobs["lowercase"], level=knobs["level"],
                                 max_tokens=shape.get("num_words"), ngram_range=shape.get("ngram_range", 1),
                                 max_ngrams=shape.get("max_ngrams"))
        tensors = {name: (spec.transform(t["text"].tolist()), t["label"].to_numpy(np.int8)) for name, t in tables.items()}
        guard(stage, [
            checks.Check(name, checks.summarise_sequences(x, y, spec.padding),
                         checks.sequence_expectations(len(tables[name]), spec.vocab_size, tuple(limits["class_balance"]),
                                                      None if name == "train" else limits["max_oov_rate"]))
            for name, (x, y) in tensors.items()
        ])
        with atomic_path(Path("data/features") / view) as folder:
            save_features(folder, spec, tensors)
        oov = {f"{name}_oov_rate": float(((x == 1).sum()) / max((x != 0).sum(), 1)) for name, (x, _) in tensors.items()}
        mlflow.log_metrics({"vocab_size": spec.vocab_size, "maxlen": spec.maxlen, **oov})
        print(f"{stage}: vocabulary {spec.vocab_size}, maxlen {spec.maxlen}; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("tokenize", main)
