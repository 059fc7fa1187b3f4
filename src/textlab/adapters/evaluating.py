"""The body both evaluate stages share: score the raw test texts with the served model's own scorer.

Writes reports/metrics/<corpus>/<key>.json (git-tracked, so `dvc metrics diff` compares branches),
reports/plots/<key>/{confusion,roc}.csv (DVC plots, aggregated: counts per cell, ROC at a few hundred
points) and the per-example reports/predictions/<key>.csv (DVC-cached); logs metrics and PNGs to MLflow.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay

from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.tracking import stage_run
from textlab.evaluation import binary_metrics, confusion, confusion_counts, predictions, roc_points

LoadScorer = Callable[[Path], Any]


def run_evaluation(stage: str, key: str, corpus: str, load_scorer: LoadScorer) -> None:
    test_path, model_dir = Path("data/split") / corpus / "test.parquet", Path("models") / key
    with stage_run(stage, corpus, {"model": key}, [str(model_dir), str(test_path)]) as run:
        test = pd.read_parquet(test_path)
        y_test = test["label"].to_numpy(np.int8)
        probability = load_scorer(model_dir).probability(test["text"].tolist())
        scores = {**binary_metrics(y_test, probability), **confusion(y_test, probability), "test_rows": int(len(y_test))}
        mlflow.log_metrics({f"test_{k}": float(v) for k, v in scores.items()})
        figure = ConfusionMatrixDisplay.from_predictions(y_test, probability >= 0.5).figure_
        mlflow.log_figure(figure, "confusion_matrix.png")
        mlflow.log_figure(RocCurveDisplay.from_predictions(y_test, probability).figure_, "roc.png")
        # Outputs last: a failure above leaves the previous metrics and plots whole.
        plots = Path("reports/plots") / key
        for target, table in ((plots / "confusion.csv", confusion_counts(y_test, probability)),
                              (plots / "roc.csv", roc_points(y_test, probability)),
                              (Path("reports/predictions") / f"{key}.csv", predictions(y_test, probability))):
            with atomic_path(target) as path:
                table.to_csv(path, index=False)
        write_json(Path("reports/metrics") / corpus / f"{key}.json", scores)
        print(f"{stage}: test accuracy {scores['accuracy']:.4f}, ROC-AUC {scores['roc_auc']:.4f}; run {run.info.run_id}")
