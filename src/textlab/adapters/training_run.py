"""The body both train stages share: fit into a staged folder, record the curve, log the served model.

Writes models/<key>/ (atomically), reports/train/<key>/history.csv (per-epoch curve, a DVC plot),
reports/train/<key>/metrics.json (deterministic figures only, for `dvc metrics diff`) and
reports/timings/<key>.json (wall-clock seconds: DVC-cached, never diffed, and outside reports/train so
that a retrain with identical results leaves what promote@ reads unchanged).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd

from textlab import paths
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.serving import log_text_model
from textlab.adapters.tracking import stage_run
from textlab.tracking import INPUT_EXAMPLES

Fit = Callable[[dict[str, Any], Path, Path], pd.DataFrame]


def curve_summary(curve: pd.DataFrame) -> dict[str, float | int]:
    """The epoch with the lowest validation loss (the weights early stopping restores)."""
    best = curve.loc[curve["val_loss"].idxmin()]
    summary = {"epochs_run": len(curve), "best_epoch": int(best["epoch"]), "val_loss": round(float(best["val_loss"]), 4)}
    if "val_accuracy" in curve:  # counting language models report a loss only
        summary["val_accuracy"] = round(float(best["val_accuracy"]), 4)
    return summary


def run_training(stage: str, hp: dict[str, Any], fit: Fit, framework: str) -> None:
    """Everything that can fail (fitting, MLflow logging) happens before the first output is renamed
    into place, so a failed run leaves the previous outputs whole."""
    key, inputs = hp["key"], paths.inputs(hp["inputs"])
    with stage_run(stage, hp["corpus"], hp, [str(inputs)]) as run:
        started = time.perf_counter()
        with atomic_path(paths.model_dir(key)) as folder:
            curve = fit(hp, inputs, folder)
            seconds = round(time.perf_counter() - started, 2)
            summary = curve_summary(curve)
            mlflow.log_metrics({**summary, "train_seconds": seconds})
            mlflow.log_text(curve.to_csv(index=False), "history.csv")
            log_text_model(folder, framework, examples=INPUT_EXAMPLES[hp["corpus"]])
        with atomic_path(paths.train_history(key)) as path:
            curve.to_csv(path, index=False)
        write_json(paths.train_metrics(key), summary)
        write_json(paths.timings(key), {"train_seconds": seconds})
        print(f"{stage}: best epoch {summary['best_epoch']}, val_loss {summary['val_loss']}, "
              f"{seconds:.1f}s; run {run.info.run_id}")
