"""Fit an ensemble's combiner on its members' validation predictions; the members travel inside its folder.

Reads data/predictions/<corpus>/<member>.parquet (written by each member's evaluate stage) and puts each
member into models/<key>/members/<member>/, so the served model scores raw text alone: a copy of
models/<member>/, or, with `refit`, a scikit-learn member refitted on train + validation (same settings).
The weights and the out-of-fold validation figures always come from the members as trained on train.
No TensorFlow in this process: Keras members are copied, not loaded (logging the served model loads them).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd

from textlab import paths
from textlab.ensembles import ENSEMBLE_FILE, MEMBERS_DIR, STACKING_DEFAULTS, fit_stacker
from textlab.evaluation import binary_metrics


def validation_predictions(inputs: Path, members: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(n validation rows, n members) probabilities and the labels, checked to be the same rows for every member."""
    tables = {member: pd.read_parquet(inputs / f"{member}.parquet") for member in members}
    labels = tables[members[0]]["label"].to_numpy(np.int64)
    for member, table in tables.items():
        if not np.array_equal(table["label"].to_numpy(np.int64), labels):
            raise ValueError(f"{inputs / member}.parquet: its validation labels differ from {members[0]}'s; "
                             f"rerun `dvc repro` so every member is evaluated on the current split")
    return np.column_stack([tables[m]["probability"].to_numpy(np.float64) for m in members]), labels


def refitted_members(hp: dict[str, Any], members: list[str], frameworks: dict[str, str]) -> list[str]:
    """The members refitted on train + validation: every scikit-learn one when `refit` is on.

    Keras members stay as trained: early stopping chose their epoch on validation, which a refit would consume.
    """
    if not hp.get("refit", STACKING_DEFAULTS["refit"]):
        return []
    return [member for member in members if frameworks[member] == "sklearn"]


def refit(member_dir: Path, split: Path, target: Path) -> None:
    """The member's pipeline, unfitted with the same settings, fitted on train + validation into `target`.

    Imported here: skops takes 1.6 s to import, and an ensemble without `refit` never needs it.
    """
    from sklearn.base import clone

    from textlab.adapters.sklearn_scoring import MODEL_FILE, load_pipeline
    from textlab.adapters.sklearn_training import save_pipeline

    texts = pd.concat([pd.read_parquet(split / f"{name}.parquet") for name in ("train", "val")], ignore_index=True)
    pipeline = clone(load_pipeline(member_dir / MODEL_FILE))
    save_pipeline(pipeline.fit(texts["text"].tolist(), texts["label"].to_numpy()), target)


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    """Fit on validation, copy the members, write ensemble.json; one history row of out-of-fold val scores."""
    members, frameworks = list(hp["members"]), hp["frameworks"]
    probabilities, labels = validation_predictions(inputs, members)
    stacker, out_of_fold = fit_stacker(members, probabilities, labels, hp)
    refitted = refitted_members(hp, members, frameworks)
    model_dir.mkdir()
    for member in members:
        if member in refitted:
            refit(paths.model_dir(member), paths.split_dir(hp["corpus"]), model_dir / MEMBERS_DIR / member)
        else:
            shutil.copytree(paths.model_dir(member), model_dir / MEMBERS_DIR / member)
    record = {**stacker.as_dict(), "frameworks": [frameworks[m] for m in members], "refitted": refitted}
    (model_dir / ENSEMBLE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    mlflow.log_metrics({f"weight.{m}": w for m, w in zip(members, stacker.weights, strict=True)}
                       | {"intercept": stacker.intercept}
                       | {f"member_val_accuracy.{m}": binary_metrics(labels, probabilities[:, i])["accuracy"]
                          for i, m in enumerate(members)})
    print(f"weights: {dict(zip(members, stacker.weights, strict=True))}, intercept {stacker.intercept}")
    scores = binary_metrics(labels, out_of_fold)
    return pd.DataFrame([{"epoch": 1, "val_accuracy": scores["accuracy"], "val_loss": scores["loss"]}])
