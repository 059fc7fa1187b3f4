"""Preprocessing specs: everything needed to turn raw text into model input, as plain data.

The tokenize and vectorize stages fit a spec on train and save it as JSON; the exported MLflow
model loads the same JSON and calls the same `transform`, so serving repeats training exactly.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from textlab import text

Level = Literal["char", "word"]
TOKENIZERS = {"char": text.char_tokens, "word": text.word_tokens}


@dataclass(frozen=True)
class SequenceSpec:
    """Text → padded id sequences; with `ngram_range` ≥ 2, known n-gram ids follow the token ids."""

    vocabulary: tuple[str, ...]
    maxlen: int
    padding: text.Side = "pre"
    truncating: text.Side = "pre"
    lowercase: bool = True
    level: Level = "char"
    ngram_range: int = 1
    ngram_vocabulary: tuple[str, ...] = ()

    @property
    def vocab_size(self) -> int:
        return len(self.vocabulary) + len(self.ngram_vocabulary)

    def tokens(self, texts: list[str]) -> list[list[str]]:
        tokenize = TOKENIZERS[self.level]
        return [tokenize(t, self.lowercase) for t in texts]

    def ids(self, texts: list[str]) -> list[list[int]]:
        tokens = self.tokens(texts)
        ids = text.encode(tokens, self.vocabulary)
        if self.ngram_range < 2:
            return ids
        return text.append_ngram_ids(tokens, ids, self.ngram_vocabulary, len(self.vocabulary), self.ngram_range)

    def transform(self, texts: list[str]) -> np.ndarray:
        """Padded ids; a text with no tokens (empty, or only what standardizing drops) reads as one OOV id, so a
        masked model never sees an all-padding row (a masked average of nothing is 0/0: NaN)."""
        ids = [row or [text.OOV_ID] for row in self.ids(texts)]
        return text.pad(ids, self.maxlen, self.padding, self.truncating)

    def detokenize(self, ids: list[int]) -> str:
        """Ids back to text: characters joined as they are, words by spaces; padding is dropped, OOV shows as [UNK]."""
        tokens = [self.vocabulary[i] for i in ids if text.PAD_ID < i < len(self.vocabulary)]
        return ("" if self.level == "char" else " ").join(tokens)


@dataclass(frozen=True)
class BagSpec:
    """Text → bag-of-tokens rows (binary, count, freq or tf-idf), vocabulary shared with a SequenceSpec."""

    sequence: SequenceSpec
    mode: text.BagMode
    doc_freq: tuple[float, ...] = field(default=())
    n_docs: int = 0

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        counts = text.token_counts(self.sequence.ids(texts), self.sequence.vocab_size)
        return text.bag_of_tokens(counts, self.mode, np.asarray(self.doc_freq), self.n_docs)


def fit_sequence_spec(train_texts: list[str], *, maxlen: int | None, padding: text.Side, truncating: text.Side,
                      lowercase: bool, level: Level = "char", max_tokens: int | None = None,
                      ngram_range: int = 1, max_ngrams: int | None = None) -> SequenceSpec:
    """Fit the vocabulary on training texts; `maxlen=None` means the longest training text.

    `max_tokens` caps the vocabulary including padding and OOV, as TextVectorization does.
    """
    if level not in TOKENIZERS:
        raise ValueError(f"level must be one of {sorted(TOKENIZERS)}, got {level!r}")
    if ngram_range not in (1, 2, 3):
        raise ValueError(f"ngram_range must be 1, 2 or 3, got {ngram_range!r}")
    tokens = [TOKENIZERS[level](t, lowercase) for t in train_texts]
    grams = tuple(text.fit_ngram_vocabulary(tokens, ngram_range, max_ngrams)) if ngram_range > 1 else ()
    length = maxlen if maxlen is not None else max(max((len(t) for t in tokens), default=0), 1)
    text.pad([], length, padding, truncating)  # validates maxlen (0 is an error, not "no limit") and sides
    return SequenceSpec(tuple(text.fit_vocabulary(tokens, max_tokens)), length, padding, truncating,
                        lowercase, level, ngram_range, grams)


def fit_bag_spec(sequence: SequenceSpec, train_texts: list[str], mode: text.BagMode) -> BagSpec:
    counts = text.token_counts(sequence.ids(train_texts), sequence.vocab_size)
    return BagSpec(sequence, mode, tuple(text.document_frequency(counts).tolist()), counts.shape[0])


def spec_to_dict(spec: SequenceSpec | BagSpec) -> dict[str, Any]:
    return {"kind": type(spec).__name__, **asdict(spec)}


def spec_from_dict(payload: dict[str, Any]) -> SequenceSpec | BagSpec:
    payload = dict(payload)
    kind = payload.pop("kind")
    if kind == "SequenceSpec":
        return SequenceSpec(**{**payload, "vocabulary": tuple(payload["vocabulary"]),
                               "ngram_vocabulary": tuple(payload.get("ngram_vocabulary", ()))})
    if kind == "BagSpec":
        sequence = spec_from_dict({"kind": "SequenceSpec", **payload["sequence"]})
        return BagSpec(sequence, payload["mode"], tuple(payload["doc_freq"]), payload["n_docs"])
    raise ValueError(f"unknown preprocessing spec kind {kind!r}")
