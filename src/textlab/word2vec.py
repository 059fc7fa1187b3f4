"""CBOW and skip-gram training examples, word2vec's noise and subsampling tables, and neighbour checks.

Pure NumPy (no Keras) so example building and evaluation run without TensorFlow; the Keras models
that consume these arrays live in `textlab.word2vec_models`. Ids follow `textlab.text`: PAD_ID
never starts or ends a pair, and a PAD_ID inside `ids` is a sentence boundary that no window crosses,
so a corpus of sentences is one id array with PAD_ID between sentences.

The recipe follows gensim's Word2Vec (word2vec_inner.pyx), the reference the evaluate stage compares
with: out-of-vocabulary words are dropped before windowing (`drop_unknown`, as gensim drops words under
`min_count`), frequent words are subsampled afresh every epoch (`subsample`), and every position draws
its own shorter window (`reduced_windows`, gensim's `shrink_windows`), which weights near neighbours
more than far ones.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from textlab.text import OOV_ID, PAD_ID, RESERVED

Pairs = tuple[np.ndarray, np.ndarray]


def _segments(ids: np.ndarray) -> np.ndarray:
    """Sentence number of every position: it steps at each PAD_ID, so equal numbers share a sentence."""
    return np.cumsum(ids == PAD_ID)


def reduced_windows(n: int, window: int, rng: np.random.Generator) -> np.ndarray:
    """Effective window int32 [n] of each of n positions: `window` minus a uniform draw from 0..window-1.

    gensim (and word2vec.c) draw `b = randint(0, window)` per position and use the words within
    `window - b` of it, so each span 1..window is equally likely and a word at distance d is used
    with probability (window - d + 1) / window.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    return (window - rng.integers(0, window, size=n)).astype(np.int32)


def _windows(ids: np.ndarray, window: int, spans: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Ids at offsets -window..-1, 1..window of every position ([n, 2·window]) and which are in its sentence.

    With `spans` (the effective window of each position, see `reduced_windows`) offsets beyond a
    position's span are left out like those past a sentence boundary.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    positions = np.arange(len(ids))[:, None] + offsets[None, :]
    inside = (positions >= 0) & (positions < len(ids))
    if spans is not None:
        spans = np.asarray(spans)
        if spans.shape != ids.shape or (len(spans) and (spans.min() < 1 or spans.max() > window)):
            raise ValueError(f"spans must hold one value in 1..{window} per position")
        inside &= np.abs(offsets)[None, :] <= spans[:, None]
    clipped = np.clip(positions, 0, max(len(ids) - 1, 0))  # a valid index everywhere; `inside` says which count
    segments = _segments(ids)
    same = inside & (segments[clipped] == segments[:, None])
    context = np.where(same, ids[clipped], PAD_ID)
    return context.astype(np.int32), same & (context != PAD_ID)


def _as_ids(ids: np.ndarray | Sequence[int]) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int32)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one flat array (PAD_ID between sentences), got shape {ids.shape}")
    return ids


def _real(ids: np.ndarray) -> np.ndarray:
    """Positions that hold a word: neither padding nor out-of-vocabulary."""
    return (ids != PAD_ID) & (ids != OOV_ID)


def drop_unknown(ids: np.ndarray | Sequence[int]) -> np.ndarray:
    """`ids` without OOV_ID: rare words leave the stream before windowing, as gensim's `min_count` drops them.

    The window then reaches past them (gensim: "shortening the sentence = expanding the window");
    PAD_ID boundaries stay.
    """
    ids = _as_ids(ids)
    return ids[ids != OOV_ID]


def cbow_examples(ids: np.ndarray | Sequence[int], window: int, spans: np.ndarray | None = None) -> Pairs:
    """(contexts int32 [n, 2·window], targets int32 [n]): the ids left and right of each target word.

    Context slots cut by the text edge, a sentence boundary or the target's span (`spans`, its
    effective window: see `reduced_windows`) hold PAD_ID (the model masks them). OOV_ID stays in
    contexts when `ids` hold it (the trainer drops it first, see `drop_unknown`) but never is a target.
    Targets with no context at all are skipped, since a masked mean over nothing is 0/0 (gensim's
    update for them changes nothing either).
    """
    ids = _as_ids(ids)
    contexts, present = _windows(ids, window, spans)
    keep = _real(ids) & present.any(axis=1)
    return contexts[keep], ids[keep]


def skipgram_positive_pairs(ids: np.ndarray | Sequence[int], window: int,
                            spans: np.ndarray | None = None) -> Pairs:
    """(targets, contexts) int32 [m]: every word paired with each word within `window` in its sentence.

    With `spans` each target's own effective window (see `reduced_windows`) replaces `window`.
    Ordered by target position, then context position (as `keras.preprocessing.sequence.skipgrams`);
    neither side is ever PAD_ID or OOV_ID. With a softmax over the vocabulary these are the training
    examples as they are: input target, label context. gensim's negative sampling trains each pair
    the other way round (the context word's input vector scores the target against noise targets).
    """
    ids = _as_ids(ids)
    contexts, present = _windows(ids, window, spans)
    keep = present & _real(ids)[:, None] & _real(contexts)
    targets = np.broadcast_to(ids[:, None], contexts.shape)
    return targets[keep].astype(np.int32), contexts[keep]


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """word2vec's negative-sampling distribution: counts**power normalised, zero for PAD and OOV.

    The 0.75 power (Mikolov et al. 2013) lifts rare words above their unigram share.
    """
    weights = np.asarray(counts, dtype=np.float64) ** power
    weights[[i for i in (PAD_ID, OOV_ID) if i < len(weights)]] = 0.0
    total = weights.sum()
    if total <= 0:
        raise ValueError("noise_distribution needs a positive count for at least one real word")
    return weights / total


def id_counts(ids: np.ndarray | Sequence[int], vocab_size: int | None = None) -> np.ndarray:
    """How often each id occurs ([vocab_size], or up to the largest id), the input of both tables."""
    ids = _as_ids(ids)
    return np.bincount(ids, minlength=vocab_size or 0).astype(np.int64)


def subsampling_table(counts: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """Keep probability of each id: (sqrt(f/t) + 1)·t/f for word frequency f, capped at 1.

    The formula of word2vec.c and gensim's `sample`: frequent words are dropped often, words rarer
    than `threshold` never. Frequencies are over real words (gensim: over the words it keeps), so
    neither PAD_ID nor OOV_ID counts; PAD_ID (boundaries) is always kept.
    """
    counts = np.asarray(counts, dtype=np.float64)
    words = counts.copy()
    words[[i for i in (PAD_ID, OOV_ID) if i < len(words)]] = 0.0
    frequency = words / max(words.sum(), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = (np.sqrt(frequency / threshold) + 1.0) * threshold / frequency
    keep = np.minimum(np.nan_to_num(keep, nan=1.0, posinf=1.0), 1.0)
    keep[PAD_ID] = 1.0
    return keep


def subsample(ids: np.ndarray | Sequence[int], sampling_table: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`ids` with each word dropped with probability 1 - sampling_table[id], before windowing.

    Dropping before windowing (as word2vec.c does, unlike Keras's `skipgrams`) lets the window reach
    past the removed frequent words to more informative ones.
    """
    ids = _as_ids(ids)
    return ids[rng.random(len(ids)) < sampling_table[ids]]


def add_negatives(inputs: np.ndarray, positives: np.ndarray, negatives: int, noise: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inputs, candidates, labels float32): each positive row labelled 1, then `negatives` noise draws labelled 0.

    `inputs` are skip-gram targets [m] or CBOW contexts [m, 2·window], repeated for each draw. Like
    Keras's `skipgrams`, a draw may equal the true word; with a spread-out noise that is rare.
    """
    if negatives < 0:
        raise ValueError(f"negatives must be non-negative, got {negatives}")
    draws = rng.choice(len(noise), size=(len(positives), negatives), p=noise).astype(np.int32)
    candidates = np.concatenate([np.asarray(positives, np.int32)[:, None], draws], axis=1).ravel()
    labels = np.tile(np.array([1.0] + [0.0] * negatives, dtype=np.float32), len(positives))
    return np.repeat(np.asarray(inputs, np.int32), negatives + 1, axis=0), candidates, labels


def noise_weights(candidates: np.ndarray, negatives: int) -> np.ndarray:
    """float32 [m·(1 + negatives)] for `add_negatives`' candidates: 0 where a noise draw is the true word, else 1.

    gensim skips such a draw (`if target_index == word_index: continue`); as a sample weight of 0 it
    adds nothing to the loss, while the per-example rate stays the same.
    """
    rows = np.asarray(candidates).reshape(-1, negatives + 1)
    weights = np.ones(rows.shape, dtype=np.float32)
    weights[:, 1:] = rows[:, 1:] != rows[:, :1]
    return weights.ravel()


def skipgram_pairs(ids: np.ndarray | Sequence[int], window: int, negatives: int, rng: np.random.Generator,
                   sampling_table: np.ndarray | None = None, *,
                   noise: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(targets int32, contexts int32, labels float32), each [m·(1 + negatives)], for negative sampling.

    Each positive pair of `skipgram_positive_pairs` (after optional `subsample` with `sampling_table`)
    is followed by `negatives` contexts drawn from `noise` (default: `noise_distribution` of the ids'
    own counts, before subsampling as word2vec does). Ordered, so fit with shuffle; drawing again
    each epoch with the same rng gives fresh negatives.
    """
    ids = _as_ids(ids)
    if noise is None:
        noise = noise_distribution(id_counts(ids))
    if sampling_table is not None:
        ids = subsample(ids, sampling_table, rng)
    targets, contexts = skipgram_positive_pairs(ids, window)
    return add_negatives(targets, contexts, negatives, noise, rng)


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors, np.float64) / np.where(norms > 0, norms, 1.0)  # zero rows: similarity 0


def nearest_neighbours(vectors: np.ndarray, vocabulary: Sequence[str], words: Sequence[str],
                       k: int) -> dict[str, list[tuple[str, float]]]:
    """The k most cosine-similar words of each of `words`, most similar first, with their similarity.

    The word itself and the reserved entries (padding, OOV) are never neighbours; words missing
    from the vocabulary are left out of the result.
    """
    if len(vocabulary) != len(vectors):
        raise ValueError(f"{len(vocabulary)} words but {len(vectors)} vectors")
    index = {word: i for i, word in enumerate(vocabulary)}
    queries = [w for w in dict.fromkeys(words) if w in index and w not in RESERVED]
    if not queries:
        return {}
    unit = _unit_rows(vectors)
    rows = np.array([index[w] for w in queries])
    similarity = unit[rows] @ unit.T
    similarity[:, [i for i, w in enumerate(vocabulary) if w in RESERVED]] = -np.inf
    similarity[np.arange(len(rows)), rows] = -np.inf
    ranked = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    return {w: [(vocabulary[j], float(similarity[r, j])) for j in ranked[r] if np.isfinite(similarity[r, j])]
            for r, w in enumerate(queries)}


def neighbour_overlap(a_vectors: np.ndarray, a_vocab: Sequence[str], b_vectors: np.ndarray, b_vocab: Sequence[str],
                      words: Sequence[str], k: int = 10) -> float:
    """Mean over `words` in both vocabularies of |top-k neighbours in a ∩ top-k in b| / k.

    1 when both embeddings rank the same neighbours; independent of rotations and scale, so it
    compares embeddings trained apart (Keras vs gensim, or two seeds of either).
    """
    in_a, in_b = set(a_vocab), set(b_vocab)
    shared = [w for w in dict.fromkeys(words) if w in in_a and w in in_b and w not in RESERVED]
    if not shared:
        raise ValueError("neighbour_overlap: none of the words is in both vocabularies")
    a = nearest_neighbours(a_vectors, a_vocab, shared, k)
    b = nearest_neighbours(b_vectors, b_vocab, shared, k)
    return float(np.mean([len({n for n, _ in a[w]} & {n for n, _ in b[w]}) / k for w in shared]))


def gensim_vectors(sentences: list[list[str]], *, sg: bool, dim: int, window: int, negative: int, epochs: int,
                   seed: int, min_count: int, sample: float = 1e-3) -> tuple[list[str], np.ndarray]:
    """(vocabulary by frequency, vectors [V, dim] float32) of gensim's Word2Vec: the reference embedding.

    One worker thread, because gensim's multi-threaded training order (and so its result) varies run
    to run; gensim 4 seeds its initial vectors with NumPy's generator, so `seed` fixes the result.
    `sample` is gensim's subsampling threshold (its default; 0 switches subsampling off).
    """
    from gensim.models import Word2Vec  # heavy import, only for the comparison stage

    model = Word2Vec(sentences, vector_size=dim, window=window, negative=negative, hs=0, sg=int(sg),
                     epochs=epochs, seed=seed, min_count=min_count, sample=sample, workers=1)
    return list(model.wv.index_to_key), np.array(model.wv.vectors, dtype=np.float32)
