"""Score and sample with a trained Keras language model folder (model.keras + spec.json).

The evaluate_lm stage, the training callback and the served MLflow model all go through
`LanguageScorer`, so the samples and bits per token users see are the evaluated ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from textlab.adapters.tensors import load_spec
from textlab.features import SequenceSpec
from textlab.generation import context_window, stream_log2_probs


def last_position(probabilities: np.ndarray) -> np.ndarray:
    """[n, vocab] from a model that predicts after the window, or after every position ([n, maxlen, vocab])."""
    return probabilities[:, -1, :] if probabilities.ndim == 3 else probabilities


@dataclass(frozen=True)
class KerasLanguageScorer:
    model: keras.Model
    spec: SequenceSpec

    def batch_distribution(self, contexts: np.ndarray) -> np.ndarray:
        """[n, maxlen] pre-padded contexts → float64 [n, vocab] next-token probabilities."""
        probabilities = last_position(np.asarray(self.model.predict(contexts, batch_size=1024, verbose=0), np.float64))
        return probabilities / probabilities.sum(axis=1, keepdims=True)  # float32 softmax rows, renormalised

    def log2_probs(self, ids: np.ndarray) -> np.ndarray:
        """log2 P of ids[1:], each given up to `maxlen` ids before it (as every language model is scored)."""
        return stream_log2_probs(self.batch_distribution, ids, self.spec.maxlen)[1:]

    def next_distributions(self, histories: list[list[int]]) -> np.ndarray:
        """[n, vocab]: P(next id) after each history (its last `maxlen` ids)."""
        contexts = np.concatenate([context_window(history, self.spec.maxlen) for history in histories])
        # predict_on_batch reuses its compiled function and skips predict()'s per-call dataset set-up,
        # which would dominate sampling, a few rows at a time.
        rows = last_position(np.asarray(self.model.predict_on_batch(contexts), np.float64))
        return rows / rows.sum(axis=1, keepdims=True)

    def next_distribution(self, history: list[int]) -> np.ndarray:
        return self.next_distributions([history])[0]


def load_scorer(model_dir: Path) -> KerasLanguageScorer:
    return KerasLanguageScorer(keras.models.load_model(model_dir / "model.keras"), load_spec(model_dir))
