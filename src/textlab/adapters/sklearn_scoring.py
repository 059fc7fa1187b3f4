"""Score raw texts with a trained scikit-learn baseline folder (model.skops).

skops loads only the types it is told to trust, so a tampered or foreign file cannot run code:
the trusted list is exactly `textlab.baselines.skops_trusted_types`, never `trusted=True`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import skops.io as sio
from sklearn.pipeline import Pipeline

from textlab.baselines import skops_trusted_types
from textlab.text import standardize

if TYPE_CHECKING:
    from textlab.adapters.serving import Scorer

MODEL_FILE = "model.skops"


@dataclass(frozen=True)
class SklearnScorer:
    pipeline: Pipeline

    def probability(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.pipeline.predict_proba(texts)[:, 1], dtype=np.float64)

    def known_tokens(self, texts: list[str]) -> np.ndarray:
        """How many distinct vocabulary n-grams of the first (vectorizer) step each text holds."""
        return np.asarray(self.pipeline[0].transform(texts).getnnz(axis=1), dtype=np.int64)


def load_pipeline(path: Path) -> Pipeline:
    """The skops file at `path`; refused, naming the types, if it holds any type outside the trusted list."""
    trusted = skops_trusted_types(standardize)
    unexpected = sorted(set(sio.get_untrusted_types(file=path)) - set(trusted))
    if unexpected:
        raise ValueError(f"{path} holds types that are not trusted: {unexpected} (trusted: {trusted}); "
                         "refusing to load it. Retrain the model, or review these types and add them to "
                         "textlab.baselines.skops_trusted_types.")
    return sio.load(path, trusted=trusted)


def load_scorer(model_dir: Path) -> Scorer:
    return SklearnScorer(load_pipeline(model_dir / MODEL_FILE))
