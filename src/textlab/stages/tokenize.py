"""tokenize@<view>: fit a view's vocabulary on train and turn every split into padded id tensors.

A view (params.yaml `views`) is one (corpus, num_words, maxlen, n-grams) combination that some
architectures read. Writes data/features/<view>/: spec.json (vocabulary, maxlen, padding) and
<split>.x.npy (int32 [rows, maxlen]) / <split>.y.npy (int8 labels). A text corpus's view holds
instead the windows of `maxlen` ids every `step` (x) with the next id (y), and each part's whole id
stream (<split>.ids.npy), which the counting models fit on.
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
from textlab.corpora import TEXT_CORPORA
from textlab.features import fit_sequence_spec
from textlab.language import sliding_windows
from textlab.splits import SPLITS


def padded_checks(tables: dict, tensors: dict, spec, limits: dict) -> list[checks.Check]:
    """Labelled texts: one padded sequence per text, ids in the vocabulary, labels balanced, little OOV."""
    return [checks.Check(name, checks.summarise_sequences(x, y, spec.padding),
                         checks.sequence_expectations(len(tables[name]), spec.vocab_size, tuple(limits["class_balance"]),
                                                      None if name == "train" else limits["max_oov_rate"]))
            for name, (x, y) in tensors.items()]


def window_checks(streams: dict, tensors: dict, spec, step: int, limits: dict) -> list[checks.Check]:
    """A running text: windows inside their own part, targets in the vocabulary, val/test OOV counted."""
    found = [checks.Check(name, checks.summarise_windows(x, y, len(streams[name]), step),
                          checks.window_expectations(len(x), spec.maxlen, spec.vocab_size))
             for name, (x, y) in tensors.items()]
    return found + [checks.Check(f"{name}_oov", checks.oov_share_frame(streams[name]),
                                 checks.oov_expectations(limits["max_oov_rate"])) for name in ("val", "test")]


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
        if corpus in TEXT_CORPORA:  # one id stream per part, cut into (window, next id) pairs
            streams = {name: np.asarray(spec.ids(t["text"].tolist())[0], np.int32) for name, t in tables.items()}
            tensors = {name: sliding_windows(ids, spec.maxlen, shape["step"]) for name, ids in streams.items()}
            guard(stage, window_checks(streams, tensors, spec, shape["step"], limits))
        else:
            streams = {}
            tensors = {name: (spec.transform(t["text"].tolist()), t["label"].to_numpy(np.int8))
                       for name, t in tables.items()}
            guard(stage, padded_checks(tables, tensors, spec, limits))
        with atomic_path(Path("data/features") / view) as folder:
            save_features(folder, spec, tensors, streams)
        oov = {f"{name}_oov_rate": float(((x == 1).sum()) / max((x != 0).sum(), 1)) for name, (x, _) in tensors.items()}
        mlflow.log_metrics({"vocab_size": spec.vocab_size, "maxlen": spec.maxlen, **oov})
        print(f"{stage}: vocabulary {spec.vocab_size}, maxlen {spec.maxlen}; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("tokenize", main)
