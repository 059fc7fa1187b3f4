"""Fit CBOW or skip-gram word vectors (Keras) on a text view's training id stream.

Each epoch draws fresh examples (negatives, subsampling) from a seeded generator; validation
examples are drawn once. The weights of the epoch with the lowest validation loss are kept, as early
stopping would. Optimizer: word2vec's plain SGD with a linearly decaying rate (Adam lets rare words
drift into everyone's neighbours, see `textlab.word2vec_models`).
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import keras
import mlflow
import numpy as np
import pandas as pd
import tensorflow as tf

from textlab import word2vec
from textlab.adapters.files import normalize_zip
from textlab.adapters.tensors import load_ids, load_spec
from textlab.archives import stable_keras_member
from textlab.word2vec_models import WORD2VEC_FAMILIES, loss_for

Examples = tuple[dict[str, np.ndarray], np.ndarray]


def examples(hp: dict[str, Any], ids: np.ndarray, noise: np.ndarray, table: np.ndarray | None,
             rng: np.random.Generator) -> Examples:
    """The model's named inputs and labels for one pass over `ids` (see the table in word2vec_models)."""
    kept = word2vec.subsample(ids, table, rng) if table is not None else ids
    window, negatives = int(hp["window"]), int(hp["negatives"])
    if hp["family"] == "skipgram":
        targets, contexts = word2vec.skipgram_positive_pairs(kept, window)
        if hp["loss"] == "softmax":
            return {"target": targets}, contexts
        targets, candidates, labels = word2vec.add_negatives(targets, contexts, negatives, noise, rng)
        return {"target": targets, "context": candidates}, labels
    contexts, targets = word2vec.cbow_examples(kept, window)
    if hp["loss"] == "softmax":
        return {"context": contexts}, targets
    contexts, candidates, labels = word2vec.add_negatives(contexts, targets, negatives, noise, rng)
    return {"context": contexts, "target": candidates}, labels


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    """Write model.keras, embedding.npy and spec.json into `model_dir`; return the per-epoch losses."""
    keras.utils.set_random_seed(int(hp["seed"]))
    tf.config.experimental.enable_op_determinism()
    spec = load_spec(inputs)
    train, val = load_ids(inputs, "train"), load_ids(inputs, "val")
    counts = word2vec.id_counts(train, spec.vocab_size)
    noise = word2vec.noise_distribution(counts)
    table = word2vec.subsampling_table(counts, hp["sample"]) if hp["sample"] else None
    rng = np.random.default_rng(int(hp["seed"]))
    val_inputs, val_labels = examples(hp, val, noise, None, rng)
    model = WORD2VEC_FAMILIES[hp["family"]](hp, spec.vocab_size)
    first = examples(hp, train, noise, table, rng)
    steps = int(hp["epochs"]) * -(-len(first[1]) // int(hp["batch_size"]))
    rate = keras.optimizers.schedules.PolynomialDecay(hp["learning_rate"], steps, hp["learning_rate"] * 1e-4)
    model.compile(optimizer=keras.optimizers.SGD(rate), loss=loss_for(hp))
    rows, best, best_loss = [], None, np.inf
    for epoch in range(int(hp["epochs"])):
        x, y = first if epoch == 0 else examples(hp, train, noise, table, rng)
        history = model.fit(x, y, batch_size=int(hp["batch_size"]), epochs=1, shuffle=True, verbose=2,
                            validation_data=(val_inputs, val_labels))
        row = {"epoch": epoch + 1, **{k: float(v[-1]) for k, v in history.history.items()}}
        mlflow.log_metrics({k: v for k, v in row.items() if k != "epoch"}, step=epoch + 1)
        rows.append(row)
        if row["val_loss"] < best_loss:
            best, best_loss = model.get_weights(), row["val_loss"]
    model.set_weights(best)
    model_dir.mkdir()
    model.save(model_dir / "model.keras")
    normalize_zip(model_dir / "model.keras", stable_keras_member)
    np.save(model_dir / "embedding.npy", model.get_layer("embedding").get_weights()[0])
    shutil.copy(inputs / "spec.json", model_dir / "spec.json")
    mlflow.log_metric("parameters", model.count_params())
    return pd.DataFrame(rows)
