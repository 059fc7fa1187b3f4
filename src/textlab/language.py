"""Language models: contiguous splits, LM windows, Markov and Kneser–Ney models, sampling.

Pure NumPy. The n-gram model is our own vectorised Kneser–Ney, not `nltk.lm`, whose every score
rescans all stored contexts (order 5 on 540,000 Nietzsche characters: 50–65 s to fit, ~23 ms a
character scored; this one: ~1.3 s for both); the tests check it against nltk. Models give mass to
every id but PAD_ID, OOV_ID included, so held-out text encoded with a train vocabulary scores finite.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from textlab.text import PAD_ID


def _line_start_from(text: str, offset: int) -> int:
    """`offset` if a line starts there, else the offset just after the next newline (or the end)."""
    if offset <= 0 or offset >= len(text) or text[offset - 1] == "\n":
        return min(max(offset, 0), len(text))
    newline = text.find("\n", offset)
    return len(text) if newline < 0 else newline + 1


def contiguous_split(text: str, val_share: float, test_share: float) -> dict[str, tuple[int, int]]:
    """[start, end) offsets of train (head), val and test (tail); every part starts at a line start.

    A language model is scored on text it has never seen the middle of, so the parts are
    contiguous rather than shuffled lines; cuts move forward to the next line start.
    """
    for name, share in (("val_share", val_share), ("test_share", test_share)):
        if not 0.0 < share < 1.0:
            raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {share!r}")
    if val_share + test_share >= 1.0:
        raise ValueError(f"val_share + test_share must be below 1, got {val_share!r} + {test_share!r}")
    size = len(text)
    val_start = _line_start_from(text, round(size * (1.0 - val_share - test_share)))
    test_start = _line_start_from(text, max(val_start, round(size * (1.0 - test_share))))
    parts = {"train": (0, val_start), "val": (val_start, test_start), "test": (test_start, size)}
    empty = [name for name, (start, end) in parts.items() if start >= end]
    if empty:
        raise ValueError(f"contiguous_split leaves {' and '.join(empty)} empty: {size} characters, "
                         f"val_share={val_share!r}, test_share={test_share!r}; the text needs more lines")
    return parts


def _check_maxlen(maxlen: int) -> None:
    if maxlen < 1:
        raise ValueError(f"maxlen must be ≥ 1, got {maxlen}")


def sliding_windows(ids: np.ndarray, maxlen: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows x [n, maxlen] starting at 0, step, 2·step, … and y [n], the id right after each (int32)."""
    ids = np.asarray(ids)
    _check_maxlen(maxlen)
    if step < 1:
        raise ValueError(f"step must be ≥ 1, got {step}")
    if ids.ndim != 1 or len(ids) <= maxlen:
        raise ValueError(f"sliding_windows needs a 1-D array of more than maxlen={maxlen} ids, got shape {ids.shape}")
    # Windows over ids[:-1] are exactly those whose next id still lies inside `ids`.
    return sliding_window_view(ids[:-1], maxlen)[::step].astype(np.int32), ids[maxlen::step].astype(np.int32)


def next_token_sequences(ids: np.ndarray, maxlen: int, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Windows x [n, maxlen] starting at 0, step, 2·step, … and, for every position, the id after it:
    y [n, maxlen] (int32). `step` defaults to maxlen: non-overlapping windows.

    A model trained on these predicts at every position (maxlen targets a window); with step = maxlen each
    id is a target once an epoch, with a smaller step maxlen / step times, seen after different contexts,
    where `sliding_windows` gives one target a window.
    """
    ids = np.asarray(ids)
    _check_maxlen(maxlen)
    step = maxlen if step is None else step
    if step < 1:
        raise ValueError(f"step must be ≥ 1, got {step}")
    if ids.ndim != 1 or len(ids) <= maxlen:
        raise ValueError(f"next_token_sequences needs a 1-D array of more than maxlen={maxlen} ids, got shape {ids.shape}")
    x = sliding_window_view(ids[:-1], maxlen)[::step]
    y = sliding_window_view(ids[1:], maxlen)[::step]
    return x.astype(np.int32), y.astype(np.int32)


def preceding_contexts(ids: np.ndarray, maxlen: int) -> np.ndarray:
    """int32 [len(ids), maxlen]: row i holds the maxlen ids before position i, pre-padded with PAD_ID."""
    ids = np.asarray(ids)
    _check_maxlen(maxlen)
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D, got shape {ids.shape}")
    padded = np.concatenate([np.full(maxlen, PAD_ID, dtype=np.int32), ids.astype(np.int32)])
    return sliding_window_view(padded, maxlen)[: len(ids)].copy()


def _id_stream(ids: Sequence[int] | np.ndarray, vocab_size: int, what: str) -> np.ndarray:
    """`ids` as int64, checked to be 1-D real ids of the vocabulary (PAD_ID marks no token)."""
    if vocab_size < 2:
        raise ValueError(f"vocab_size must be ≥ 2 (padding and at least one token), got {vocab_size}")
    stream = np.asarray(ids, dtype=np.int64)
    if stream.ndim != 1:
        raise ValueError(f"{what}: ids must be 1-D, got shape {stream.shape}")
    bad = (stream < 0) | (stream >= vocab_size) | (stream == PAD_ID)
    if bad.any():
        position = int(np.argmax(bad))
        raise ValueError(f"{what}: id {int(stream[position])} at position {position} is PAD_ID or outside "
                         f"a vocabulary of {vocab_size}")
    return stream


def _uniform(vocab_size: int) -> np.ndarray:
    """Equal probability on every id but PAD_ID: the floor below the lowest order."""
    probabilities = np.full(vocab_size, 1.0 / (vocab_size - 1))
    probabilities[PAD_ID] = 0.0
    return probabilities


def fit_unigram(ids: Sequence[int] | np.ndarray, vocab_size: int, alpha: float = 1.0) -> np.ndarray:
    """P(id) [V] float64 from the counts of `ids` plus `alpha` on every id but PAD_ID (add-alpha: no id is
    impossible, OOV_ID and ids never seen in training included); the trivial baseline of a language model."""
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0 to keep unseen ids finite, got {alpha!r}")
    stream = _id_stream(ids, vocab_size, "fit_unigram")
    counts = np.bincount(stream, minlength=vocab_size).astype(np.float64) + alpha
    counts[PAD_ID] = 0.0
    return counts / counts.sum()


def unigram_log2_probs(probabilities: np.ndarray, ids: Sequence[int] | np.ndarray, start: int = 1) -> np.ndarray:
    """log2 P(ids[i]) for i = start … end, whatever comes before (start = 1: the positions every model is scored on)."""
    stream = _id_stream(ids, len(probabilities), "unigram_log2_probs")
    if not 0 <= start <= len(stream):
        raise ValueError(f"start must be between 0 and len(ids)={len(stream)}, got {start}")
    return np.log2(probabilities[stream[start:]])


def fit_markov(ids: Sequence[int] | np.ndarray, vocab_size: int, alpha: float) -> np.ndarray:
    """Transition matrix [V, V] float64: row a = P(next | a) from bigram counts plus `alpha`.

    Alpha goes to every id but PAD_ID, so unseen transitions stay finite on held-out text and a
    row never seen is uniform; every row sums to 1. Store it as the plain array it is.
    """
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0 to keep unseen transitions finite, got {alpha!r}")
    stream = _id_stream(ids, vocab_size, "fit_markov")
    pairs = np.bincount(stream[:-1] * vocab_size + stream[1:], minlength=vocab_size * vocab_size)
    counts = pairs.reshape(vocab_size, vocab_size).astype(np.float64) + alpha
    counts[:, PAD_ID] = 0.0
    return counts / counts.sum(axis=1, keepdims=True)


def markov_next_distribution(transitions: np.ndarray, context_ids: Sequence[int]) -> np.ndarray:
    """P(next id) after the last id of `context_ids`."""
    if not len(context_ids):
        raise ValueError("a Markov chain needs at least one context id")
    return transitions[int(context_ids[-1])]


def markov_log2_probs(transitions: np.ndarray, ids: Sequence[int] | np.ndarray, start: int = 1) -> np.ndarray:
    """log2 P(ids[i] | ids[i−1]) for i = start … end; the first id has no predecessor, so start ≥ 1."""
    stream = _id_stream(ids, len(transitions), "markov_log2_probs")
    if not 1 <= start <= len(stream):
        raise ValueError(f"start must be between 1 and len(ids)={len(stream)}, got {start}")
    return np.log2(transitions[stream[start - 1:-1], stream[start:]])


@dataclass(frozen=True)
class NgramModel:
    """Kneser–Ney statistics per level k = 1 … order (index k − 1): sorted k-gram `keys` and `counts`
    (raw at k = order, distinct left neighbours below), sorted `context_keys` with the sum and number
    of the counts after each (`context_totals`, `context_types`). A key holds the ids as base-V digits,
    first most significant, so a k-gram's context is key // V.
    """

    order: int
    vocab_size: int
    discount: float
    keys: tuple[np.ndarray, ...]
    counts: tuple[np.ndarray, ...]
    context_keys: tuple[np.ndarray, ...]
    context_totals: tuple[np.ndarray, ...]
    context_types: tuple[np.ndarray, ...]


LEVEL_FIELDS = ("keys", "counts", "context_keys", "context_totals", "context_types")


def _gram_keys(stream: np.ndarray, length: int, vocab_size: int) -> np.ndarray:
    """The key of the `length` ids starting at each position (0 for length 0: the empty context)."""
    if length == 0:
        return np.zeros(len(stream) + 1, dtype=np.int64)
    digits = vocab_size ** np.arange(length - 1, -1, -1, dtype=np.int64)
    return sliding_window_view(stream, length) @ digits


def fit_ngram(ids: Sequence[int] | np.ndarray, vocab_size: int, order: int, discount: float = 0.75) -> NgramModel:
    """Interpolated Kneser–Ney of `order` on one id stream, one absolute `discount` at every level.

    nltk.lm.KneserNeyInterpolated's probabilities but for three changes where nltk's are no distribution:
    the lowest order is discounted too, its freed mass spread uniformly (nltk gives an id never seen
    after another, OOV_ID too, 0); a lower order's back-off weight counts continuation types, not raw
    ones (they differ only after a context seen just at the stream start, where nltk sums past 1 or
    divides by zero); order 1 uses raw counts (nltk's divides by zero).
    """
    if order < 1:
        raise ValueError(f"order must be ≥ 1, got {order}")
    if not 0.0 < discount <= 1.0:
        raise ValueError(f"discount must be in (0, 1] for every distribution to sum to 1, got {discount!r}")
    if vocab_size ** order >= 2 ** 63:
        raise ValueError(f"vocab_size ** order must stay below 2**63 for int64 n-gram keys, got {vocab_size}**{order}")
    stream = _id_stream(ids, vocab_size, "fit_ngram")
    if len(stream) < order:
        raise ValueError(f"fit_ngram needs at least order={order} ids, got {len(stream)}")
    levels = []
    for length in range(1, order + 1):
        if length == order:
            keys, counts = np.unique(_gram_keys(stream, length, vocab_size), return_counts=True)
        else:
            # Distinct (length+1)-grams, each adding one left neighbour to its last `length` ids.
            longer = np.unique(_gram_keys(stream, length + 1, vocab_size))
            keys, counts = np.unique(longer % vocab_size ** length, return_counts=True)
        context_keys, context_index = np.unique(keys // vocab_size, return_inverse=True)
        totals = np.bincount(context_index, weights=counts).astype(np.int64)
        levels.append((keys, counts.astype(np.int64), context_keys, totals, np.bincount(context_index)))
    return NgramModel(order, vocab_size, float(discount), *(tuple(level) for level in zip(*levels, strict=True)))


def _lookup(sorted_keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index, found) of each wanted key in sorted_keys; index is valid only where found."""
    index = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
    return index, sorted_keys[index] == wanted


def _interpolate(model: NgramModel, length: int, contexts: np.ndarray, words: np.ndarray,
                 lower: np.ndarray) -> np.ndarray:
    """P at level `length` of each word after its context key, given P one level down; unseen contexts back off."""
    level = length - 1
    context_at, context_seen = _lookup(model.context_keys[level], contexts)
    gram_at, gram_seen = _lookup(model.keys[level], contexts * model.vocab_size + words)
    counts = np.where(gram_seen, model.counts[level][gram_at], 0)
    totals = model.context_totals[level][context_at]
    kept_mass = model.discount * model.context_types[level][context_at]
    mixed = (np.maximum(counts - model.discount, 0.0) + kept_mass * lower) / totals
    return np.where(context_seen, mixed, lower)


def next_distribution(model: NgramModel, context_ids: Sequence[int]) -> np.ndarray:
    """P(next id) [V] after the last order − 1 ids of `context_ids` (fewer when it is shorter)."""
    kept = list(context_ids)[max(0, len(context_ids) - model.order + 1):]
    history = _id_stream(kept, model.vocab_size, "next_distribution")
    words = np.arange(model.vocab_size, dtype=np.int64)
    probabilities = _uniform(model.vocab_size)
    for length in range(1, len(history) + 2):
        context = _gram_keys(history[len(history) - length + 1:], length - 1, model.vocab_size)[-1]
        probabilities = _interpolate(model, length, np.full(model.vocab_size, context), words, probabilities)
    return probabilities


def log2_probs(model: NgramModel, ids: Sequence[int] | np.ndarray, start: int = 0) -> np.ndarray:
    """log2 P(ids[i] | the order − 1 ids before it) for i = start … end (fewer near the text start)."""
    stream = _id_stream(ids, model.vocab_size, "log2_probs")
    if not 0 <= start <= len(stream):
        raise ValueError(f"start must be between 0 and len(ids)={len(stream)}, got {start}")
    offset = max(0, start - model.order + 1)  # only the history the scored ids can see
    stream, positions = stream[offset:], np.arange(start - offset, len(stream) - offset)
    words = stream[positions]
    probabilities = _uniform(model.vocab_size)[words]
    for length in range(1, model.order + 1):
        scored = positions >= length - 1
        if not scored.any():
            break
        contexts = _gram_keys(stream, length - 1, model.vocab_size)[positions[scored] - (length - 1)]
        probabilities[scored] = _interpolate(model, length, contexts, words[scored], probabilities[scored])
    return np.log2(probabilities)


def ngram_to_arrays(model: NgramModel) -> dict[str, np.ndarray]:
    """Named arrays for `np.savez` (no pickle): the settings as 0-d arrays, then each level's statistics."""
    arrays = {"order": np.array(model.order), "vocab_size": np.array(model.vocab_size),
              "discount": np.array(model.discount)}
    for name in LEVEL_FIELDS:
        for length, values in enumerate(getattr(model, name), start=1):
            arrays[f"{name}_{length}"] = values
    return arrays


def ngram_from_arrays(arrays: dict[str, np.ndarray]) -> NgramModel:
    """The model `ngram_to_arrays` stored (a dict or an opened `np.load` archive)."""
    try:
        order = int(arrays["order"])
        levels = {name: tuple(np.asarray(arrays[f"{name}_{length}"]) for length in range(1, order + 1))
                  for name in LEVEL_FIELDS}
        settings = (order, int(arrays["vocab_size"]), float(arrays["discount"]))
    except KeyError as err:
        raise ValueError(f"not a stored n-gram model: no array {err.args[0]!r}") from err
    return NgramModel(*settings, **levels)


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Reweight p^(1/T) and renormalise; T = 0 gives one-hot at the argmax (greedy), zeros stay zero."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 1 or not np.all(np.isfinite(p)) or np.any(p < 0) or not p.sum() > 0:
        raise ValueError("probabilities must be a 1-D array of finite, non-negative values, not all zero")
    if not temperature >= 0 or math.isinf(temperature):
        raise ValueError(f"temperature must be finite and ≥ 0, got {temperature!r}")
    if temperature == 0:
        greedy = np.zeros_like(p)
        greedy[np.argmax(p)] = 1.0
        return greedy
    with np.errstate(divide="ignore"):
        # Relative to the largest p, so a tiny T gives -inf for the rest rather than -inf − -inf = nan.
        weights = np.exp((np.log(p) - np.log(p.max())) / temperature)
    return weights / weights.sum()


def sample_id(probabilities: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """Draw an id from the tempered distribution; PAD_ID is never drawn."""
    p = np.array(probabilities, dtype=np.float64)
    p[PAD_ID] = 0.0
    if not p.sum() > 0:
        raise ValueError("nothing to sample: every id but PAD_ID has probability zero")
    tempered = apply_temperature(p, temperature)
    return int(rng.choice(len(tempered), p=tempered))


def generate(next_distribution: Callable[[list[int]], np.ndarray], prompt_ids: list[int], length: int,
             temperature: float, rng: np.random.Generator) -> list[int]:
    """`length` new ids, each drawn from `next_distribution(history so far)` at `temperature`."""
    if length < 0:
        raise ValueError(f"length must be ≥ 0, got {length}")
    history = [int(i) for i in prompt_ids]
    for _ in range(length):
        history.append(sample_id(next_distribution(list(history)), temperature, rng))
    return history[len(prompt_ids):]


def bits_per_token(log2_probs: np.ndarray) -> float:
    """Mean −log2 p: bits per character for a character model."""
    values = np.asarray(log2_probs, dtype=np.float64).ravel()
    if not len(values) or np.isnan(values).any():
        raise ValueError(f"need one or more log2 probabilities without NaN, got {len(values)} values")
    return float(-np.mean(values))


def perplexity(log2_probs: np.ndarray) -> float:
    """2 ** bits per token: the number of equally likely choices the model is as unsure as."""
    return float(2.0 ** bits_per_token(log2_probs))


def cross_entropy_nats(log2_probs: np.ndarray) -> float:
    """Mean −ln p, the unit Keras' sparse categorical cross-entropy reports."""
    return bits_per_token(log2_probs) * math.log(2.0)
