"""Text processing: standardize, tokenize, fit a vocabulary, pad, and build bag-of-token matrices.

Pure NumPy/SciPy so the tokenize and vectorize stages start without TensorFlow. Index 0 is
padding and index 1 is out-of-vocabulary, as in `keras.layers.TextVectorization`; the exported
models call these same functions, so training and serving cannot drift.
"""
from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import scipy.sparse as sp

PAD_ID = 0
OOV_ID = 1
RESERVED = ("", "[UNK]")
Side = Literal["pre", "post"]
BagMode = Literal["binary", "count", "freq", "tfidf"]


MARKUP = re.compile(r"<[^>]*>")
PUNCTUATION = re.compile("[" + re.escape(string.punctuation.replace("'", "")) + "]")


def standardize(text: str) -> str:
    """Lowercase, HTML tags (IMDB's `<br />`) and punctuation to spaces, apostrophes dropped.

    The one standardization of word-level text: the tokenize stage, the classical baselines and
    every exported model call it, so training and serving cannot drift.
    """
    return PUNCTUATION.sub(" ", MARKUP.sub(" ", text.lower())).replace("'", "")


def word_tokens(text: str, lowercase: bool = True) -> list[str]:
    """Words of the standardized text (standardizing always lowercases; the flag keeps one signature)."""
    return standardize(text).split()


def char_tokens(text: str, lowercase: bool = True) -> list[str]:
    """Characters of `text` (lowercased when asked); surrounding whitespace carries no signal."""
    text = text.strip()
    return list(text.lower() if lowercase else text)


def fit_vocabulary(token_lists: Iterable[Sequence[str]], max_tokens: int | None = None) -> list[str]:
    """Vocabulary by descending frequency (ties alphabetical), after the padding and OOV entries.

    `max_tokens` caps the whole vocabulary, reserved entries included, like TextVectorization.
    """
    counts = Counter(token for tokens in token_lists for token in tokens)
    ranked = sorted(counts, key=lambda token: (-counts[token], token))
    if max_tokens is not None:
        if max_tokens <= len(RESERVED):
            raise ValueError(f"max_tokens must exceed {len(RESERVED)} (padding and OOV), got {max_tokens}")
        ranked = ranked[: max_tokens - len(RESERVED)]
    return [*RESERVED, *ranked]


def ngrams(tokens: Sequence[str], n: int) -> list[str]:
    """Consecutive n-token groups, joined by a space (tokens never hold spaces after standardizing)."""
    return [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def fit_ngram_vocabulary(token_lists: Iterable[Sequence[str]], ngram_range: int, max_ngrams: int | None) -> list[str]:
    """The most frequent 2..ngram_range-grams of the training texts (ties alphabetical), for fastText-style inputs."""
    counts = Counter(gram for tokens in token_lists for n in range(2, ngram_range + 1) for gram in ngrams(tokens, n))
    return sorted(counts, key=lambda gram: (-counts[gram], gram))[:max_ngrams]


def append_ngram_ids(token_lists: Sequence[Sequence[str]], ids: list[list[int]], ngram_vocabulary: Sequence[str],
                     offset: int, ngram_range: int) -> list[list[int]]:
    """Each sequence's ids followed by the ids (offset + rank) of its known n-grams, as the Keras fastText example."""
    index = {gram: offset + i for i, gram in enumerate(ngram_vocabulary)}
    return [seq + [index[g] for n in range(2, ngram_range + 1) for g in ngrams(tokens, n) if g in index]
            for tokens, seq in zip(token_lists, ids, strict=True)]


def encode(token_lists: Iterable[Sequence[str]], vocabulary: Sequence[str]) -> list[list[int]]:
    """Token ids; tokens missing from the vocabulary map to OOV_ID."""
    index = {token: i for i, token in enumerate(vocabulary) if i >= len(RESERVED)}
    return [[index.get(token, OOV_ID) for token in tokens] for tokens in token_lists]


def pad(sequences: Sequence[Sequence[int]], maxlen: int, padding: Side = "pre", truncating: Side = "pre") -> np.ndarray:
    """Pad or truncate every sequence to `maxlen` int32 ids, as `keras.utils.pad_sequences` does."""
    if maxlen < 1:
        raise ValueError(f"maxlen must be at least 1, got {maxlen}")
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in ("pre", "post"):
            raise ValueError(f"{name} must be 'pre' or 'post', got {side!r}")
    out = np.full((len(sequences), maxlen), PAD_ID, dtype=np.int32)
    for row, seq in enumerate(sequences):
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if not len(kept):
            continue
        if padding == "pre":
            out[row, maxlen - len(kept):] = kept
        else:
            out[row, : len(kept)] = kept
    return out


def token_counts(sequences: np.ndarray | Sequence[Sequence[int]], vocab_size: int) -> sp.csr_matrix:
    """Sparse [n, vocab_size] counts of each id per row; padding (column 0) is never counted."""
    rows, cols = [], []
    for row, seq in enumerate(sequences):
        ids = np.asarray(seq, dtype=np.int64)
        ids = ids[ids != PAD_ID]
        rows.append(np.full(len(ids), row, dtype=np.int64))
        cols.append(ids)
    row_idx = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    col_idx = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    data = np.ones(len(row_idx), dtype=np.float32)
    counts = sp.csr_matrix((data, (row_idx, col_idx)), shape=(len(sequences), vocab_size), dtype=np.float32)
    counts.sum_duplicates()
    return counts


def document_frequency(counts: sp.csr_matrix) -> np.ndarray:
    """How many rows contain each id: the statistic tf-idf is fitted on (train rows only)."""
    return np.asarray((counts > 0).sum(axis=0)).ravel().astype(np.float64)


def bag_of_tokens(counts: sp.csr_matrix, mode: BagMode, doc_freq: np.ndarray | None = None, n_docs: int = 0) -> sp.csr_matrix:
    """Turn counts into the matrix `keras.preprocessing.text.Tokenizer.texts_to_matrix` gave.

    binary: 1 where present; count: raw counts; freq: counts / row length;
    tfidf: (1 + log count) * log(1 + n_docs / (1 + doc_freq)), with doc_freq from train.
    """
    out = counts.astype(np.float32, copy=True)
    if mode == "binary":
        out.data[:] = 1.0
    elif mode == "count":
        pass
    elif mode == "freq":
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        out = sp.csr_matrix(sp.diags(1.0 / np.maximum(lengths, 1.0)) @ out, dtype=np.float32)
    elif mode == "tfidf":
        if doc_freq is None or n_docs <= 0:
            raise ValueError("tfidf needs the training document frequencies and document count")
        idf = np.log1p(n_docs / (1.0 + doc_freq)).astype(np.float32)
        out.data = (1.0 + np.log(out.data)) * idf[out.indices]
    else:
        raise ValueError(f"mode must be binary, count, freq or tfidf, got {mode!r}")
    return out
