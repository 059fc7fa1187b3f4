"""Fit CBOW or skip-gram word vectors (Keras) on a text view's training id stream, as gensim's Word2Vec would.

Out-of-vocabulary words leave the stream first (gensim drops words under `min_count`); each epoch
then subsamples frequent words, draws every position's reduced window and fresh negatives from a
seeded generator; validation examples (no subsampling) are drawn once, for the curve only. The rate
falls linearly over all epochs to gensim's `min_alpha` share, and the last epoch's vectors are kept,
as gensim keeps them (the curve's `best_epoch` is reported, not chosen). Optimizer: word2vec's plain
SGD (Adam lets rare words drift into everyone's neighbours, see `textlab.word2vec_models`).
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
from textlab.word2vec_models import WORD2VEC_FAMILIES, learning_rate_schedule, loss_for

Examples = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]


def examples(hp: dict[str, Any], ids: np.ndarray, noise: np.ndarray, table: np.ndarray | None,
             rng: np.random.Generator) -> Examples:
    """The model's named inputs, labels and sample weights for one pass over `ids` (see word2vec_models).

    `ids` hold no OOV_ID (see `word2vec.drop_unknown`). Negative sampling follows gensim's loops: a
    skip-gram pair trains its neighbour's input vector against the centre word and noise words; a noise
    draw equal to the true word weighs 0 (gensim skips it). Softmax has no weights (None).
    """
    kept = word2vec.subsample(ids, table, rng) if table is not None else ids
    window, negatives = int(hp["window"]), int(hp["negatives"])
    spans = word2vec.reduced_windows(len(kept), window, rng)
    if hp["family"] == "skipgram":
        centres, neighbours = word2vec.skipgram_positive_pairs(kept, window, spans)
        if hp["loss"] == "softmax":
            return {"target": centres}, neighbours, None
        inputs, candidates, labels = word2vec.add_negatives(neighbours, centres, negatives, noise, rng)
        return {"target": inputs, "context": candidates}, labels, word2vec.noise_weights(candidates, negatives)
    contexts, targets = word2vec.cbow_examples(kept, window, spans)
    if hp["loss"] == "softmax":
        return {"context": contexts}, targets, None
    contexts, candidates, labels = word2vec.add_negatives(contexts, targets, negatives, noise, rng)
    return {"context": contexts, "target": candidates}, labels, word2vec.noise_weights(candidates, negatives)


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    """Write model.keras, embedding.npy and spec.json into `model_dir`; return the per-epoch losses."""
    keras.utils.set_random_seed(int(hp["seed"]))
    tf.config.experimental.enable_op_determinism()
    spec = load_spec(inputs)
    train = word2vec.drop_unknown(load_ids(inputs, "train"))
    val = word2vec.drop_unknown(load_ids(inputs, "val"))
    counts = word2vec.id_counts(train, spec.vocab_size)
    noise = word2vec.noise_distribution(counts)
    table = word2vec.subsampling_table(counts, hp["sample"]) if hp["sample"] else None
    rng = np.random.default_rng(int(hp["seed"]))
    val_inputs, val_labels, val_weights = examples(hp, val, noise, None, rng)
    model = WORD2VEC_FAMILIES[hp["family"]](hp, spec.vocab_size)
    batch_size, epochs = int(hp["batch_size"]), int(hp["epochs"])
    first = examples(hp, train, noise, table, rng)
    # gensim's rate falls with the share of words trained; the steps of later epochs vary a little with
    # subsampling and window draws, so the first epoch's count stands for each (the rate stops at its floor)
    steps = epochs * -(-len(first[1]) // batch_size)
    optimizer = keras.optimizers.SGD(learning_rate_schedule(float(hp["learning_rate"]), steps))
    model.compile(optimizer=optimizer, loss=loss_for(hp))
    rows = []
    for epoch in range(epochs):
        x, y, weights = first if epoch == 0 else examples(hp, train, noise, table, rng)
        history = model.fit(x, y, sample_weight=weights, batch_size=batch_size, epochs=1, shuffle=True, verbose=2,
                            validation_data=(val_inputs, val_labels, val_weights))
        row = {"epoch": epoch + 1, **{k: float(v[-1]) for k, v in history.history.items()}}
        mlflow.log_metrics({k: v for k, v in row.items() if k != "epoch"}, step=epoch + 1)
        rows.append(row)
    model_dir.mkdir()
    model.save(model_dir / "model.keras")
    normalize_zip(model_dir / "model.keras", stable_keras_member)
    np.save(model_dir / "embedding.npy", model.get_layer("embedding").get_weights()[0])
    shutil.copy(inputs / "spec.json", model_dir / "spec.json")
    mlflow.log_metric("parameters", model.count_params())
    return pd.DataFrame(rows)
