"""Fit an ensemble's combiner on its members' validation predictions; the members travel inside its folder.

Reads data/predictions/<corpus>/<member>.parquet (written by each member's evaluate stage) and copies
models/<member>/ into models/<key>/members/<member>/, so the served model scores raw text alone.
No TensorFlow in this process: the members are copied, not loaded (logging the served model loads them).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd

from textlab.ensembles import ENSEMBLE_FILE, MEMBERS_DIR, fit_stacker
from textlab.evaluation import binary_metrics

MODELS = Path("models")


def validation_predictions(inputs: Path, members: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(n validation rows, n members) probabilities and the labels, checked to be the same rows for every member."""
    tables = {member: pd.read_parquet(inputs / f"{member}.parquet") for member in members}
    labels = tables[members[0]]["label"].to_numpy(np.int64)
    for member, table in tables.items():
        if not np.array_equal(table["label"].to_numpy(np.int64), labels):
            raise ValueError(f"{inputs / member}.parquet: its validation labels differ from {members[0]}'s; "
                             f"rerun `dvc repro` so every member is evaluated on the current split")
    return np.column_stack([tables[m]["probability"].to_numpy(np.float64) for m in members]), labels


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    """Fit on validation, copy the members, write ensemble.json; one history row of out-of-fold val scores."""
    members, frameworks = list(hp["members"]), hp["frameworks"]
    probabilities, labels = validation_predictions(inputs, members)
    stacker, out_of_fold = fit_stacker(members, probabilities, labels, hp)
    model_dir.mkdir()
    for member in members:
        shutil.copytree(MODELS / member, model_dir / MEMBERS_DIR / member)
    record = {**stacker.as_dict(), "frameworks": [frameworks[m] for m in members]}
    (model_dir / ENSEMBLE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    mlflow.log_metrics({f"weight.{m}": w for m, w in zip(members, stacker.weights, strict=True)}
                       | {"intercept": stacker.intercept}
                       | {f"member_val_accuracy.{m}": binary_metrics(labels, probabilities[:, i])["accuracy"]
                          for i, m in enumerate(members)})
    print(f"weights: {dict(zip(members, stacker.weights, strict=True))}, intercept {stacker.intercept}")
    scores = binary_metrics(labels, out_of_fold)
    return pd.DataFrame([{"epoch": 1, "val_accuracy": scores["accuracy"], "val_loss": scores["loss"]}])
