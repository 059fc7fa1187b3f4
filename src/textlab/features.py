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

Level = Literal["char"]
TOKENIZERS = {"char": text.char_tokens}


@dataclass(frozen=True)
class SequenceSpec:
    """Text → padded id sequences."""

    vocabulary: tuple[str, ...]
    maxlen: int
    padding: text.Side = "pre"
    truncating: text.Side = "pre"
    lowercase: bool = True
    level: Level = "char"

    @property
    def vocab_size(self) -> int:
        return len(self.vocabulary)

    def tokens(self, texts: list[str]) -> list[list[str]]:
        tokenize = TOKENIZERS[self.level]
        return [tokenize(t, self.lowercase) for t in texts]

    def ids(self, texts: list[str]) -> list[list[int]]:
        return text.encode(self.tokens(texts), self.vocabulary)

    def transform(self, texts: list[str]) -> np.ndarray:
        return text.pad(self.ids(texts), self.maxlen, self.padding, self.truncating)


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
                      lowercase: bool, level: Level = "char", max_tokens: int | None = None) -> SequenceSpec:
    """Fit the vocabulary on training texts; `maxlen=None` means the longest training text."""
    if level not in TOKENIZERS:
        raise ValueError(f"level must be one of {sorted(TOKENIZERS)}, got {level!r}")
    tokens = [TOKENIZERS[level](t, lowercase) for t in train_texts]
    longest = max((len(t) for t in tokens), default=0)
    spec = SequenceSpec(tuple(text.fit_vocabulary(tokens, max_tokens)), maxlen or longest, padding, truncating,
                        lowercase, level)
    text.pad([], spec.maxlen, padding, truncating)  # validates maxlen and sides before any work
    return spec


def fit_bag_spec(sequence: SequenceSpec, train_texts: list[str], mode: text.BagMode) -> BagSpec:
    counts = text.token_counts(sequence.ids(train_texts), sequence.vocab_size)
    return BagSpec(sequence, mode, tuple(text.document_frequency(counts).tolist()), counts.shape[0])


def spec_to_dict(spec: SequenceSpec | BagSpec) -> dict[str, Any]:
    return {"kind": type(spec).__name__, **asdict(spec)}


def spec_from_dict(payload: dict[str, Any]) -> SequenceSpec | BagSpec:
    payload = dict(payload)
    kind = payload.pop("kind")
    if kind == "SequenceSpec":
        return SequenceSpec(**{**payload, "vocabulary": tuple(payload["vocabulary"])})
    if kind == "BagSpec":
        sequence = spec_from_dict({"kind": "SequenceSpec", **payload["sequence"]})
        return BagSpec(sequence, payload["mode"], tuple(payload["doc_freq"]), payload["n_docs"])
    raise ValueError(f"unknown preprocessing spec kind {kind!r}")
