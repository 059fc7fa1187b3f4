"""Score raw texts with a trained Keras model folder (model.keras + spec.json).

Both the evaluate stage and the served MLflow model call `load_scorer`, so served predictions
are the evaluated ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import numpy as np

from textlab.adapters.tensors import load_spec
from textlab.features import BagSpec, SequenceSpec
from textlab.text import RESERVED

if TYPE_CHECKING:
    from textlab.adapters.serving import Scorer


@dataclass(frozen=True)
class KerasScorer:
    model: keras.Model
    spec: SequenceSpec | BagSpec

    def probability(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.predict(self.spec.transform(texts), verbose=0), dtype=np.float64).ravel()

    def known_tokens(self, texts: list[str]) -> np.ndarray:
        """Ids above padding and OOV, known n-grams included, counted before truncation to `maxlen`.

        So a text longer than `maxlen` may count tokens the model never saw; the count is a
        flag for "nothing known" (0), not a measure of what the model read.
        """
        sequence = self.spec.sequence if isinstance(self.spec, BagSpec) else self.spec
        return np.array([sum(i >= len(RESERVED) for i in ids) for ids in sequence.ids(texts)], dtype=np.int64)


def load_scorer(model_dir: Path) -> Scorer:
    return KerasScorer(keras.models.load_model(model_dir / "model.keras"), load_spec(model_dir))
