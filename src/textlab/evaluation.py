"""Test-split metrics from labels and predicted probabilities (scikit-learn does the arithmetic)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.dummy import DummyClassifier


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


def trivial_baselines(train_labels: np.ndarray, y_true: np.ndarray) -> dict[str, float]:
    """scikit-learn's DummyClassifier fitted on the training labels, scored on `y_true`: the majority class's
    accuracy and the class prior's log-loss, the figures any classifier must beat."""
    no_features = np.zeros((len(train_labels), 1))
    majority = DummyClassifier(strategy="most_frequent").fit(no_features, train_labels)
    prior = DummyClassifier(strategy="prior").fit(no_features, train_labels)
    rows = np.zeros((len(y_true), 1))
    return {"baseline_majority_accuracy": float(metrics.accuracy_score(y_true, majority.predict(rows))),
            "baseline_prior_loss": float(metrics.log_loss(y_true, prior.predict_proba(rows)[:, 1], labels=[0, 1]))}


def confusion(y_true: np.ndarray, probability: np.ndarray, threshold: float = 0.5) -> dict[str, int]:
    tn, fp, fn, tp = metrics.confusion_matrix(y_true, (probability >= threshold).astype(int), labels=[0, 1]).ravel()
    return {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}


ROC_POINTS = 200  # operating points kept in git: enough to draw the curve, not one per test example


def confusion_counts(y_true: np.ndarray, probability: np.ndarray, threshold: float = 0.5) -> pd.DataFrame:
    """One row per (actual, predicted) pair with its `count`, zeros included: what the project's
    `confusion_counts` DVC plot template (.dvc/plots/) sums, instead of DVC's one row per example."""
    matrix = metrics.confusion_matrix(y_true, (probability >= threshold).astype(int), labels=[0, 1])
    return pd.DataFrame([{"actual": a, "predicted": p, "count": int(matrix[a, p])} for a in (0, 1) for p in (0, 1)])


def predictions(y_true: np.ndarray, probability: np.ndarray, threshold: float = 0.5) -> pd.DataFrame:
    """Per test example (`row` of the split's test.parquet): label, P(class 1) and the predicted label."""
    return pd.DataFrame({"row": np.arange(len(y_true)), "actual": y_true.astype(int), "probability": probability,
                         "predicted": (probability >= threshold).astype(int)})


def roc_points(y_true: np.ndarray, probability: np.ndarray, points: int = ROC_POINTS) -> pd.DataFrame:
    """The ROC curve at no more than `points` of its own operating points, evenly spaced along it (first
    and last kept); ROC-AUC in the metrics comes from every example."""
    fpr, tpr, thresholds = metrics.roc_curve(y_true, probability)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(points, len(fpr))).round().astype(int))
    return pd.DataFrame({"fpr": fpr[keep], "tpr": tpr[keep], "threshold": np.minimum(thresholds[keep], 1.0)})
