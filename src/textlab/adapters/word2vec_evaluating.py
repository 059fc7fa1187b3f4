"""Judge trained word vectors the way a user can trust on a small corpus: against gensim.

gensim's `Word2Vec` is trained on the same training tokens with the same settings; the metric is the
overlap of top-k neighbours (Keras vs gensim) on the probe words and the most frequent words, next to
the overlap of gensim with itself across two seeds — the noise floor a perfect reimplementation reaches —
and their ratio `floor_ratio` (1: as close to gensim as gensim is to itself). gensim gets the tokens the
trainer learns from: the training ids without [UNK] (the view's vocabulary cap is gensim's `min_count`).
No `val_` figure: both fits learn from the same training tokens and nothing is chosen on held-out
text (the last epoch is kept); the held-out negative-sampling loss stays on the training curve
(reports/train), since telling true words from random noise words says little about which
neighbours a word gets.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from textlab.adapters.word2vec_scoring import VectorScorer
from textlab.word2vec import drop_unknown, gensim_vectors, nearest_neighbours, neighbour_overlap

SENTENCE = 1000  # tokens per gensim sentence: gensim silently truncates sentences over 10,000 words


def gensim_reference(hp: dict[str, Any], tokens: list[str], seed: int) -> tuple[list[str], np.ndarray]:
    sentences = [tokens[i:i + SENTENCE] for i in range(0, len(tokens), SENTENCE)]
    return gensim_vectors(sentences, sg=hp["family"] == "skipgram", dim=int(hp["embedding_dim"]),
                          window=int(hp["window"]), negative=int(hp["negatives"]), epochs=int(hp["epochs"]),
                          seed=seed, min_count=1, sample=float(hp["sample"]))


def compare_with_gensim(hp: dict[str, Any], scorer: VectorScorer, train_ids: np.ndarray,
                        knobs: dict[str, Any]) -> tuple[dict[str, float | int], str]:
    """(metrics, Markdown table of the probes' neighbours: ours beside gensim's)."""
    vocabulary = list(scorer.spec.vocabulary)
    tokens = [vocabulary[i] for i in drop_unknown(train_ids)]
    seed, k = int(hp["seed"]), int(knobs["k"])
    ours = (scorer.vectors, vocabulary)
    first, second = gensim_reference(hp, tokens, seed), gensim_reference(hp, tokens, seed + 1)
    words = [*knobs["probes"], *vocabulary[2:2 + int(knobs["frequent"])]]
    overlap = neighbour_overlap(*ours, first[1], first[0], words, k)
    floor = neighbour_overlap(second[1], second[0], first[1], first[0], words, k)
    metrics = {"neighbour_overlap": round(overlap, 4), "gensim_noise_floor": round(floor, 4),
               "floor_ratio": round(overlap / floor, 4) if floor > 0 else 0.0,
               "words_compared": len([w for w in dict.fromkeys(words) if w in set(vocabulary)]), "k": k}
    mine = nearest_neighbours(scorer.vectors, vocabulary, knobs["probes"], k)
    theirs = nearest_neighbours(first[1], first[0], knobs["probes"], k)
    rows = [f"| {w} | {', '.join(n for n, _ in mine[w])} | {', '.join(n for n, _ in theirs.get(w, []))} |"
            for w in mine]
    table = "| word | nearest (this model) | nearest (gensim, same settings) |\n|---|---|---|\n" + "\n".join(rows)
    return metrics, table + "\n"
