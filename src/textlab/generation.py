"""What every language model does with its next-token distribution: score a whole text, sample text.

A model enters as one function, `next_distributions(histories) -> P(next id) per history` (or, for
scoring, a batch of pre-padded contexts), so the Keras LSTM, the Markov chain and the n-gram model are
scored and sampled by the same code, in training callbacks and the evaluate stages alike.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from textlab.language import preceding_contexts, sample_id
from textlab.text import pad

NextDistributions = Callable[[list[list[int]]], np.ndarray]  # histories → [n, vocab], one row each
BatchDistribution = Callable[[np.ndarray], np.ndarray]  # [n, maxlen] pre-padded contexts → [n, vocab]


def context_window(history: Sequence[int], maxlen: int) -> np.ndarray:
    """The last `maxlen` ids of `history` as one pre-padded row, as the windows were cut in training."""
    return pad([list(history)], maxlen, "pre", "pre")


def stream_log2_probs(batch_distribution: BatchDistribution, ids: np.ndarray, maxlen: int,
                      batch: int = 4096) -> np.ndarray:
    """log2 P(ids[i] | the maxlen ids before it) for every position of a whole text, the first included."""
    ids = np.asarray(ids, np.int64)
    contexts = preceding_contexts(ids, maxlen)
    out = np.empty(len(ids), np.float64)
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        probabilities = batch_distribution(contexts[start:start + batch])
        out[start:start + len(chunk)] = np.log2(probabilities[np.arange(len(chunk)), chunk])
    return out


def sample_ids(next_distributions: NextDistributions, prompt_ids: Sequence[int], temperatures: Sequence[float],
               length: int, seed: int) -> dict[float, list[int]]:
    """`length` new ids per temperature, each from a generator seeded with `seed` (reproducible samples).

    The temperatures advance in lockstep, one `next_distributions(every history)` call a step: a Keras
    model answers a batch of them in about the time of one.
    """
    histories = [list(prompt_ids) for _ in temperatures]
    generators = [np.random.default_rng(seed) for _ in temperatures]
    for _ in range(length):
        rows = next_distributions(histories)
        for history, row, temperature, rng in zip(histories, rows, temperatures, generators, strict=True):
            history.append(sample_id(row, float(temperature), rng))
    return {float(t): history[len(prompt_ids):] for t, history in zip(temperatures, histories, strict=True)}


def samples_markdown(title: str, prompt: str, samples: dict[float, str]) -> str:
    """Samples as a Markdown page: the prompt once, then one fenced block per temperature."""
    blocks = [f"# {title}\n\nPrompt:\n\n```\n{prompt}\n```\n"]
    blocks += [f"## temperature {t}\n\n```\n{text}\n```\n" for t, text in samples.items()]
    return "\n".join(blocks)
