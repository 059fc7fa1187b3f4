"""The body every classifier's evaluate stage shares: score the raw test and validation texts with the served
model's own scorer, beside the trivial baselines (majority class, class prior), and gate it.

Writes reports/metrics/<corpus>/<key>.json (git-tracked, so `dvc metrics diff` compares branches: test figures,
`val_` figures, `baseline_` figures and the gate's verdicts), reports/plots/<key>/{confusion,roc}.csv (DVC plots,
aggregated: counts per cell, ROC at a few hundred points) and the per-example reports/predictions/<key>.csv
(DVC-cached); logs metrics, the `gate` tag and PNGs to MLflow. A member of an ensemble also gets its validation
probabilities, data/predictions/<corpus>/<key>.parquet (label, probability per validation row, DVC-cached): what
`ensemble@` stages fit their weights on.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay

from textlab import gates, paths
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.gating import gated
from textlab.adapters.tracking import stage_run
from textlab.evaluation import binary_metrics, confusion, confusion_counts, predictions, roc_points, trivial_baselines

LoadScorer = Callable[[Path], Any]


def split_scores(y_true: np.ndarray, probability: np.ndarray, train_labels: np.ndarray, prefix: str = "") -> dict:
    """The model's figures and the trivial baselines' on one split, every name prefixed (`val_` for validation)."""
    scores = {**binary_metrics(y_true, probability), **trivial_baselines(train_labels, y_true)}
    return {f"{prefix}{name}": value for name, value in scores.items()}


def run_evaluation(stage: str, key: str, corpus: str, load_scorer: LoadScorer, gate: Mapping[str, Any],
                   val_predictions: bool = True) -> None:
    model_dir = paths.model_dir(key)
    test_path, val_path, train_path = (paths.split_table(corpus, part) for part in ("test", "val", "train"))
    with stage_run(stage, corpus, {"model": key}, [str(model_dir), str(test_path), str(val_path), str(train_path)]) as run:
        test = pd.read_parquet(test_path)
        val = pd.read_parquet(val_path, columns=["text", "label"])
        y_test, y_val = test["label"].to_numpy(np.int8), val["label"].to_numpy(np.int8)
        train_labels = pd.read_parquet(train_path, columns=["label"])["label"].to_numpy(np.int8)
        scorer = load_scorer(model_dir)
        probability = scorer.probability(test["text"].tolist())
        val_probability = scorer.probability(val["text"].tolist())
        scores = {**split_scores(y_test, probability, train_labels), **confusion(y_test, probability),
                  **split_scores(y_val, val_probability, train_labels, prefix="val_"), "test_rows": int(len(y_test))}
        mlflow.log_metrics({f"test_{k}": float(v) for k, v in scores.items() if not k.startswith("val_")})
        mlflow.log_metrics({k: float(v) for k, v in scores.items() if k.startswith("val_")})
        metrics = gated(stage, scores, gate, gates.classifier_outputs(probability >= 0.5))
        figure = ConfusionMatrixDisplay.from_predictions(y_test, probability >= 0.5).figure_
        mlflow.log_figure(figure, "confusion_matrix.png")
        mlflow.log_figure(RocCurveDisplay.from_predictions(y_test, probability).figure_, "roc.png")
        # Outputs last: a failure above leaves the previous metrics and plots whole.
        if val_predictions:
            with atomic_path(paths.predictions(corpus, key)) as path:
                pd.DataFrame({"label": y_val, "probability": val_probability}).to_parquet(path, index=False)
        for target, table in ((paths.confusion_plot(key), confusion_counts(y_test, probability)),
                              (paths.roc_plot(key), roc_points(y_test, probability)),
                              (paths.test_predictions(key), predictions(y_test, probability))):
            with atomic_path(target) as path:
                table.to_csv(path, index=False)
        write_json(paths.metrics(corpus, key), metrics)
        print(f"{stage}: test accuracy {scores['accuracy']:.4f}, ROC-AUC {scores['roc_auc']:.4f}; run {run.info.run_id}")
