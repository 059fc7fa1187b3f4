"""The body both evaluate stages share: score the raw test texts with the served model's own scorer.

Writes reports/metrics/<corpus>/<key>.json (git-tracked, so `dvc metrics diff` compares branches),
reports/plots/<key>/{confusion,roc}.csv (DVC plots, aggregated: counts per cell, ROC at a few hundred
points) and the per-example reports/predictions/<key>.csv (DVC-cached); logs metrics and PNGs to MLflow.
A member of an ensemble also gets its validation probabilities, data/predictions/<corpus>/<key>.parquet
(label, probability per validation row, DVC-cached): what `ensemble@` stages fit their weights on.
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


PREDICTIONS = Path("data/predictions")


def run_evaluation(stage: str, key: str, corpus: str, load_scorer: LoadScorer, val_predictions: bool = True) -> None:
    test_path, model_dir = Path("data/split") / corpus / "test.parquet", Path("models") / key
    val_path = test_path.with_name("val.parquet")
    deps = [str(model_dir), str(test_path), *([str(val_path)] if val_predictions else [])]
    with stage_run(stage, corpus, {"model": key}, deps) as run:
        test = pd.read_parquet(test_path)
        y_test = test["label"].to_numpy(np.int8)
        scorer = load_scorer(model_dir)
        probability = scorer.probability(test["text"].tolist())
        scores = {**binary_metrics(y_test, probability), **confusion(y_test, probability), "test_rows": int(len(y_test))}
        mlflow.log_metrics({f"test_{k}": float(v) for k, v in scores.items()})
        figure = ConfusionMatrixDisplay.from_predictions(y_test, probability >= 0.5).figure_
        mlflow.log_figure(figure, "confusion_matrix.png")
        mlflow.log_figure(RocCurveDisplay.from_predictions(y_test, probability).figure_, "roc.png")
        if val_predictions:
            val = pd.read_parquet(val_path, columns=["text", "label"])
            val_probability = pd.DataFrame({"label": val["label"].to_numpy(np.int8),
                                            "probability": scorer.probability(val["text"].tolist())})
        # Outputs last: a failure above leaves the previous metrics and plots whole.
        if val_predictions:
            with atomic_path(PREDICTIONS / corpus / f"{key}.parquet") as path:
                val_probability.to_parquet(path, index=False)
        plots = Path("reports/plots") / key
        for target, table in ((plots / "confusion.csv", confusion_counts(y_test, probability)),
                              (plots / "roc.csv", roc_points(y_test, probability)),
                              (Path("reports/predictions") / f"{key}.csv", predictions(y_test, probability))):
            with atomic_path(target) as path:
                table.to_csv(path, index=False)
        write_json(Path("reports/metrics") / corpus / f"{key}.json", scores)
        print(f"{stage}: test accuracy {scores['accuracy']:.4f}, ROC-AUC {scores['roc_auc']:.4f}; run {run.info.run_id}")
