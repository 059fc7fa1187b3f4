"""Score and sample with a counting language model folder (counts.npz + spec.json): a first-order
Markov chain or an interpolated Kneser–Ney n-gram model. No TensorFlow, and no pickle: the arrays
load with `allow_pickle=False`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textlab import language
from textlab.adapters.tensors import load_spec
from textlab.features import SequenceSpec
from textlab.text import PAD_ID

MODEL_FILE = "counts.npz"


@dataclass(frozen=True)
class CountScorer:
    spec: SequenceSpec
    markov: np.ndarray | None = None  # transition matrix of a Markov chain, or
    ngram: language.NgramModel | None = None  # the statistics of an n-gram model

    def log2_probs(self, ids: np.ndarray) -> np.ndarray:
        """log2 P of ids[1:], each given the ids before it (as every language model is scored)."""
        if self.markov is not None:
            return language.markov_log2_probs(self.markov, ids, start=1)
        return language.log2_probs(self.ngram, ids, start=1)

    def next_distribution(self, history: list[int]) -> np.ndarray:
        kept = [i for i in history if i != PAD_ID]
        if self.markov is None:
            return language.next_distribution(self.ngram, kept)
        if not kept:  # no previous token (an empty prompt): every token alike
            return np.where(np.arange(len(self.markov)) == PAD_ID, 0.0, 1.0) / (len(self.markov) - 1)
        return language.markov_next_distribution(self.markov, kept)

    def next_distributions(self, histories: list[list[int]]) -> np.ndarray:
        return np.stack([self.next_distribution(history) for history in histories])


def count_arrays(scorer: CountScorer) -> dict[str, np.ndarray]:
    return {"transitions": scorer.markov} if scorer.markov is not None else language.ngram_to_arrays(scorer.ngram)


def load_scorer(model_dir: Path) -> CountScorer:
    with np.load(model_dir / MODEL_FILE, allow_pickle=False) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    spec = load_spec(model_dir)
    if "transitions" in stored:
        return CountScorer(spec, markov=stored["transitions"])
    return CountScorer(spec, ngram=language.ngram_from_arrays(stored))
