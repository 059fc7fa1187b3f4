"""Fit a Keras architecture on a features folder, with early stopping and per-epoch MLflow metrics.

Training is deterministic (seeded, TensorFlow op determinism) and the saved archive is normalised,
so an identical retrain writes a byte-identical model.keras and DVC reruns nothing downstream.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import mlflow
import numpy as np
import pandas as pd
import tensorflow as tf

from textlab.adapters.files import normalize_zip
from textlab.adapters.tensors import load_spec, load_split
from textlab.archives import stable_keras_member
from textlab.features import BagSpec
from textlab.models import BAG_FAMILIES, build_model, compile_model, embedding_matrix


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path, extra_callbacks: Sequence[keras.callbacks.Callback] = (),
        read_split: Callable[[Path, str], tuple[Any, np.ndarray]] = load_split) -> pd.DataFrame:
    """Train, write model.keras + spec.json (+ embedding.npy) into `model_dir`, return the epoch history.

    `read_split(inputs, "train" | "val")` gives (x, y); by default the tensors the vectorize stage wrote."""
    keras.utils.set_random_seed(int(hp["seed"]))  # Python, NumPy and TensorFlow
    tf.config.experimental.enable_op_determinism()  # same seed, same machine → same weights
    spec = load_spec(inputs)
    if isinstance(spec, BagSpec) != (hp["family"] in BAG_FAMILIES):
        wanted = "a bag-of-tokens folder (vectorize)" if hp["family"] in BAG_FAMILIES else "an id-sequence folder (tokenize)"
        raise ValueError(f"models.{hp['key']}: family {hp['family']} reads {wanted}, but inputs is {hp['inputs']!r}")
    sequence = getattr(spec, "sequence", spec)
    pretrained = np.load(inputs / "embedding.npy") if (inputs / "embedding.npy").exists() else None
    model = compile_model(build_model(hp, sequence.vocab_size, sequence.maxlen, pretrained), hp)
    (x_train, y_train), (x_val, y_val) = read_split(inputs, "train"), read_split(inputs, "val")
    log_epoch = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: mlflow.log_metrics(logs, step=epoch + 1))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(hp["patience"]), restore_best_weights=True)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=int(hp["epochs"]),
                        batch_size=int(hp["batch_size"]), callbacks=[stop, log_epoch, *extra_callbacks], verbose=2)
    model_dir.mkdir()
    model.save(model_dir / "model.keras")
    normalize_zip(model_dir / "model.keras", stable_keras_member)
    shutil.copy(inputs / "spec.json", model_dir / "spec.json")
    if (weights := embedding_matrix(model)) is not None:  # lets export_embeddings skip TensorFlow
        np.save(model_dir / "embedding.npy", weights)
    mlflow.log_metric("parameters", model.count_params())
    return pd.DataFrame(history.history).rename_axis("epoch").reset_index().assign(epoch=lambda d: d["epoch"] + 1)

