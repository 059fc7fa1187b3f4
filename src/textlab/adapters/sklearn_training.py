"""Fit a classical scikit-learn baseline on raw split texts (no TensorFlow in the process)."""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.pipeline import Pipeline

from textlab.adapters.files import normalize_zip
from textlab.adapters.sklearn_scoring import MODEL_FILE
from textlab.archives import npy_member_name, stable_skops_schema
from textlab.baselines import CLASSICAL_BUILDERS
from textlab.evaluation import binary_metrics
from textlab.text import standardize


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    """Train on `inputs`/train.parquet, write model.skops, return a one-row history with val scores.

    skops rather than a pickle: loading runs no code beyond the types `sklearn_scoring` trusts.
    """
    train, val = (pd.read_parquet(inputs / f"{name}.parquet") for name in ("train", "val"))
    pipeline = CLASSICAL_BUILDERS[hp["family"]](hp, standardize).fit(train["text"].tolist(), train["label"].to_numpy())
    save_pipeline(pipeline, model_dir)
    scores = {}
    for prefix, table in (("", train), ("val_", val)):
        probability = pipeline.predict_proba(table["text"].tolist())[:, 1]
        metrics = binary_metrics(table["label"].to_numpy(np.int8), probability)
        scores.update({f"{prefix}accuracy": metrics["accuracy"], f"{prefix}loss": metrics["loss"]})
    return pd.DataFrame([{"epoch": 1, **scores}])


def save_pipeline(pipeline: Pipeline, model_dir: Path) -> None:
    """A new `model_dir` holding the fitted pipeline as model.skops, byte-stable."""
    model_dir.mkdir(parents=True)
    sio.dump(pipeline, model_dir / MODEL_FILE)
    normalize_skops(model_dir / MODEL_FILE)


def normalize_skops(path: Path) -> None:
    """Same model, same bytes: skops names arrays by `id()` and stamps save times."""
    with zipfile.ZipFile(path) as archive:
        schema, numbering = stable_skops_schema(archive.read("schema.json"))
    normalize_zip(path, rewrite=lambda name, data: schema if name == "schema.json" else data,
                  rename=lambda name: npy_member_name(name, numbering))
