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

Split = tuple[Any, np.ndarray]


def load_inputs(hp: dict[str, Any], inputs: Path, read_split: Callable[[Path, str], Split] = load_split,
                ) -> tuple[Callable[[dict[str, Any]], keras.Model], Split, Split]:
    """A builder of compiled models for settings like `hp` (the vocabulary, length and any pretrained
    vectors of `inputs` bound in), and the train and validation splits: `read_split(inputs, "train" | "val")`
    gives (x, y), by default the tensors the vectorize stage wrote."""
    spec = load_spec(inputs)
    if isinstance(spec, BagSpec) != (hp["family"] in BAG_FAMILIES):
        wanted = "a bag-of-tokens folder (vectorize)" if hp["family"] in BAG_FAMILIES else "an id-sequence folder (tokenize)"
        raise ValueError(f"models.{hp['key']}: family {hp['family']} reads {wanted}, but inputs is {hp['inputs']!r}")
    sequence = getattr(spec, "sequence", spec)
    pretrained = np.load(inputs / "embedding.npy") if (inputs / "embedding.npy").exists() else None
    train = read_split(inputs, "train")

    def build(settings: dict[str, Any]) -> keras.Model:
        model = build_model(settings, sequence.vocab_size, sequence.maxlen, pretrained)
        return compile_model(model, settings, train_rows=train[0].shape[0])

    return build, train, read_split(inputs, "val")


def early_stopping(hp: dict[str, Any]) -> keras.callbacks.Callback:
    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(hp["patience"]), restore_best_weights=True)


def epoch_logger(prefix: str = "") -> keras.callbacks.Callback:
    """Each epoch's metrics to the active MLflow run, step = epoch (from 1), names after `prefix`."""
    return keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: mlflow.log_metrics(
        {f"{prefix}{name}": value for name, value in logs.items()}, step=epoch + 1))


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path, extra_callbacks: Sequence[keras.callbacks.Callback] = (),
        read_split: Callable[[Path, str], Split] = load_split) -> pd.DataFrame:
    """Train, write model.keras + spec.json (+ embedding.npy) into `model_dir`, return the epoch history."""
    keras.utils.set_random_seed(int(hp["seed"]))  # Python, NumPy and TensorFlow
    tf.config.experimental.enable_op_determinism()  # same seed, same machine → same weights
    build, (x_train, y_train), (x_val, y_val) = load_inputs(hp, inputs, read_split)
    model = build(hp)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=int(hp["epochs"]),
                        batch_size=int(hp["batch_size"]), callbacks=[early_stopping(hp), epoch_logger(),
                                                                      *extra_callbacks], verbose=2)
    model_dir.mkdir()
    model.save(model_dir / "model.keras")
    normalize_zip(model_dir / "model.keras", stable_keras_member)
    shutil.copy(inputs / "spec.json", model_dir / "spec.json")
    if (weights := embedding_matrix(model)) is not None:  # lets export_embeddings skip TensorFlow
        np.save(model_dir / "embedding.npy", weights)
    mlflow.log_metric("parameters", model.count_params())
    return pd.DataFrame(history.history).rename_axis("epoch").reset_index().assign(epoch=lambda d: d["epoch"] + 1)

