"""Which trainer serves each architecture family; kept free of Keras and scikit-learn imports so
a stage can decide what to import (classical baselines then start without TensorFlow)."""
from __future__ import annotations

from typing import Any

KERAS_FAMILIES = ("dense", "rnn", "conv1d", "flatten", "pooled", "lm_rnn")
CLASSICAL_FAMILIES = ("tfidf_logreg", "nbsvm")


def trainer_module(hp: dict[str, Any]) -> str:
    """`textlab.adapters.<name>` that trains this entry; an unknown family is an error naming the entry."""
    family = hp.get("family")
    if family in KERAS_FAMILIES:
        return "keras_training"
    if family in CLASSICAL_FAMILIES:
        return "sklearn_training"
    raise ValueError(f"models.{hp.get('key')}.family must be one of {sorted(KERAS_FAMILIES + CLASSICAL_FAMILIES)}, "
                     f"got {family!r}")
