"""evaluate@<corpus>-<architecture>: score one trained model on the raw test texts.

It scores with the same function the served MLflow model uses, so these are the served model's
metrics. Writes reports/metrics/<corpus>/<key>.json (git-tracked, so `dvc metrics diff` compares
branches) and reports/plots/<key>/{confusion,roc}.csv (DVC plots); logs metrics and PNGs to MLflow.
"""
from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay

from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.params import load_params, model_params
from textlab.adapters.serving import load_scorer
from textlab.adapters.tracking import stage_run
from textlab.evaluation import binary_metrics, confusion, confusion_rows, roc_points


def main(key: str) -> None:
    hp = model_params(load_params(), key)
    test_path, model_dir = Path("data/split") / hp["corpus"] / "test.parquet", Path("models") / key
    stage = f"evaluate@{key}"
    with stage_run(stage, hp["corpus"], {"model": key}, [str(model_dir), str(test_path)]) as run:
        test = pd.read_parquet(test_path)
        y_test = test["label"].to_numpy(np.int8)
        probability = load_scorer(model_dir)(test["text"].tolist())
        scores = {**binary_metrics(y_test, probability), **confusion(y_test, probability), "test_rows": int(len(y_test))}
        plots = Path("reports/plots") / key
        for name, table in (("confusion", confusion_rows(y_test, probability)), ("roc", roc_points(y_test, probability))):
            with atomic_path(plots / f"{name}.csv") as path:
                table.to_csv(path, index=False)
        write_json(Path("reports/metrics") / hp["corpus"] / f"{key}.json", scores)
        mlflow.log_metrics({f"test_{k}": float(v) for k, v in scores.items()})
        figure = ConfusionMatrixDisplay.from_predictions(y_test, probability >= 0.5).figure_
        mlflow.log_figure(figure, "confusion_matrix.png")
        mlflow.log_figure(RocCurveDisplay.from_predictions(y_test, probability).figure_, "roc.png")
        print(f"{stage}: test accuracy {scores['accuracy']:.4f}, ROC-AUC {scores['roc_auc']:.4f}; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("evaluate", main)
