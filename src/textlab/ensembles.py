"""Stacking: combine classifiers' probabilities with a logistic regression fitted on validation only.

Each member's P(label 1) becomes its logit; the combiner is P = sigmoid(intercept + Σ weight_i · logit_i),
fitted on the members' **validation** predictions (the test split is never seen). Its own validation
figures are out-of-fold: `folds` stratified folds of the validation split, each predicted by a combiner
fitted on the others, so the ensemble's validation accuracy is not the score of a fit on those rows
and can be ranked against its members' (promotion ranks on validation accuracy).

Knobs (params.yaml `ensembles` entry; missing keys take STACKING_DEFAULTS):
    C      1.0   inverse L2 strength of the combiner (a few weights need little regularisation)
    folds  5     stratified folds of the validation split for the out-of-fold figures
    seed   42    shuffles the folds
    refit  false the served scikit-learn members are refitted on train + validation once the weights are fitted
                 (the adapter does it; the weights and validation figures come from the train-only members)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

ENSEMBLE_FILE = "ensemble.json"  # models/<key>/: members, their frameworks and the combiner's weights
MEMBERS_DIR = "members"          # models/<key>/members/<member>/: each member's model folder
STACKING_DEFAULTS: dict[str, Any] = {"C": 1.0, "folds": 5, "seed": 42, "refit": False}
EPSILON = 1e-6  # probabilities are clipped to [ε, 1-ε] so a saturated member has a finite logit


@dataclass(frozen=True)
class Stacker:
    members: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float

    def probability(self, member_probabilities: np.ndarray) -> np.ndarray:
        """P(label 1) from an (n texts, n members) matrix of the members' probabilities, columns in `members` order."""
        z = self.intercept + logits(member_probabilities) @ np.asarray(self.weights, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-z))

    def as_dict(self) -> dict[str, Any]:
        return {"members": list(self.members), "weights": list(self.weights), "intercept": self.intercept}


def stacker_from_dict(record: Mapping[str, Any]) -> Stacker:
    return Stacker(tuple(record["members"]), tuple(float(w) for w in record["weights"]), float(record["intercept"]))


def logits(probability: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(probability, dtype=np.float64), EPSILON, 1 - EPSILON)
    return np.log(p / (1 - p))


def _combiner(settings: Mapping[str, Any]) -> LogisticRegression:
    return LogisticRegression(C=float(settings["C"]), solver="lbfgs", max_iter=1000)


def fit_stacker(members: list[str], val_probabilities: np.ndarray, val_labels: np.ndarray,
                hp: Mapping[str, Any]) -> tuple[Stacker, np.ndarray]:
    """The combiner fitted on all validation rows, and the out-of-fold validation probabilities.

    `val_probabilities` is (n validation texts, n members), columns in `members` order.
    """
    settings = {name: hp.get(name, default) for name, default in STACKING_DEFAULTS.items()}
    if val_probabilities.shape != (len(val_labels), len(members)):
        raise ValueError(f"expected a ({len(val_labels)}, {len(members)}) matrix of member probabilities, "
                         f"got {val_probabilities.shape}")
    features, labels = logits(val_probabilities), np.asarray(val_labels, dtype=np.int64)
    folds = StratifiedKFold(n_splits=int(settings["folds"]), shuffle=True, random_state=int(settings["seed"]))
    out_of_fold = cross_val_predict(_combiner(settings), features, labels, cv=folds, method="predict_proba")[:, 1]
    fitted = _combiner(settings).fit(features, labels)
    stacker = Stacker(tuple(members), tuple(round(float(w), 6) for w in fitted.coef_[0]),
                      round(float(fitted.intercept_[0]), 6))
    return stacker, out_of_fold
