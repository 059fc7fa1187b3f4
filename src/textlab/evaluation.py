"""Test-split metrics from labels and predicted probabilities (scikit-learn does the arithmetic)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics


def binary_metrics(y_true: np.ndarray, probability: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    predicted = (probability >= threshold).astype(int)
    clipped = np.clip(probability, 1e-7, 1 - 1e-7)
    return {
        "accuracy": float(metrics.accuracy_score(y_true, predicted)),
        "loss": float(metrics.log_loss(y_true, clipped, labels=[0, 1])),
        "precision": float(metrics.precision_score(y_true, predicted, zero_division=0)),
        "recall": float(metrics.recall_score(y_true, predicted, zero_division=0)),
        "f1": float(metrics.f1_score(y_true, predicted, zero_division=0)),
        "roc_auc": float(metrics.roc_auc_score(y_true, probability)) if len(set(y_true)) == 2 else float("nan"),
    }


def confusion(y_true: np.ndarray, probability: np.ndarray, threshold: float = 0.5) -> dict[str, int]:
    tn, fp, fn, tp = metrics.confusion_matrix(y_true, (probability >= threshold).astype(int), labels=[0, 1]).ravel()
    return {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}


def confusion_rows(y_true: np.ndarray, probability: np.ndarray, threshold: float = 0.5) -> pd.DataFrame:
    """One (actual, predicted) row per example: the input DVC's `confusion` template expects."""
    return pd.DataFrame({"actual": y_true.astype(int), "predicted": (probability >= threshold).astype(int)})


def roc_points(y_true: np.ndarray, probability: np.ndarray) -> pd.DataFrame:
    fpr, tpr, thresholds = metrics.roc_curve(y_true, probability)
    return pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": np.minimum(thresholds, 1.0)})
