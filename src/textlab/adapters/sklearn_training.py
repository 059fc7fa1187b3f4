"""Fit a classical scikit-learn baseline on raw split texts (no TensorFlow in the process)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

from textlab.baselines import CLASSICAL_BUILDERS
from textlab.evaluation import binary_metrics
from textlab.text import standardize


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    """Train on `inputs`/train.parquet, write model.joblib, return a one-row history with val scores."""
    train, val = (pd.read_parquet(inputs / f"{name}.parquet") for name in ("train", "val"))
    pipeline = CLASSICAL_BUILDERS[hp["family"]](hp, standardize).fit(train["text"].tolist(), train["label"].to_numpy())
    model_dir.mkdir()
    joblib.dump(pipeline, model_dir / "model.joblib")
    scores = {}
    for prefix, table in (("", train), ("val_", val)):
        probability = pipeline.predict_proba(table["text"].tolist())[:, 1]
        metrics = binary_metrics(table["label"].to_numpy(np.int8), probability)
        scores.update({f"{prefix}accuracy": metrics["accuracy"], f"{prefix}loss": metrics["loss"]})
    return pd.DataFrame([{"epoch": 1, **scores}])
