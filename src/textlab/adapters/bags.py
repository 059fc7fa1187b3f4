"""vectorize@<corpus>'s work: bag-of-tokens matrices over a train vocabulary, one folder per mode, checked
before they are written to data/features/<corpus>-bow/<mode>/ (spec.json: vocabulary, mode, train document
frequencies; <split>.x.npz: sparse float32 CSR; <split>.y.npy)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from textlab import checks, paths
from textlab.adapters.files import atomic_path
from textlab.adapters.guard import guard
from textlab.adapters.tensors import save_features
from textlab.features import fit_bag_spec, fit_sequence_spec
from textlab.paths import SPLITS


def build_bags(stage: str, corpus: str, knobs: dict, tokenize: dict, limits: dict) -> tuple[dict[str, float], int]:
    """Write the corpus's bags; the facts to log (non-zeros of each mode's train matrix) and the vocabulary size."""
    source = paths.split_dir(corpus)
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
    return {f"{mode}_train_nnz": float(matrices[mode]["train"].nnz) for mode in knobs["modes"]}, vocabulary.vocab_size
