"""Nearest neighbours from trained word vectors (embedding.npy + spec.json): no TensorFlow needed."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textlab.adapters.tensors import load_spec
from textlab.features import SequenceSpec
from textlab.word2vec import nearest_neighbours

NEIGHBOURS = 10  # neighbours the served model lists per word


@dataclass(frozen=True)
class VectorScorer:
    spec: SequenceSpec
    vectors: np.ndarray

    def neighbours(self, words: list[str], k: int = NEIGHBOURS) -> dict[str, list[tuple[str, float]]]:
        return nearest_neighbours(self.vectors, self.spec.vocabulary, words, k)


def load_scorer(model_dir: Path) -> VectorScorer:
    return VectorScorer(load_spec(model_dir), np.load(model_dir / "embedding.npy"))
