"""Fit an encoder–decoder translator with teacher forcing on a pairs view, early stopping on validation."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import keras
import mlflow
import pandas as pd
import tensorflow as tf

from textlab.adapters.files import normalize_zip
from textlab.adapters.tensors import PAIRS_SPEC, load_pairs, load_pairs_spec
from textlab.archives import stable_keras_member
from textlab.translation import TranslationSpec
from textlab.translation_models import build_seq2seq


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    keras.utils.set_random_seed(int(hp["seed"]))
    tf.config.experimental.enable_op_determinism()
    spec = TranslationSpec.from_dict(load_pairs_spec(inputs))
    model = build_seq2seq(hp, len(spec.source_vocabulary), len(spec.target_vocabulary), spec.source_len,
                          spec.target_len)
    train, val = load_pairs(inputs, "train"), load_pairs(inputs, "val")
    log_epoch = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: mlflow.log_metrics(logs, step=epoch + 1))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(hp["patience"]), restore_best_weights=True)
    history = model.fit(*train, validation_data=val, epochs=int(hp["epochs"]), batch_size=int(hp["batch_size"]),
                        callbacks=[stop, log_epoch], verbose=2)
    model_dir.mkdir()
    model.save(model_dir / "model.keras")
    normalize_zip(model_dir / "model.keras", stable_keras_member)
    shutil.copy(inputs / PAIRS_SPEC, model_dir / PAIRS_SPEC)
    mlflow.log_metric("parameters", model.count_params())
    return pd.DataFrame(history.history).rename_axis("epoch").reset_index().assign(epoch=lambda d: d["epoch"] + 1)
