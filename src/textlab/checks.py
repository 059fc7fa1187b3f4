"""Data checks for the intermediate tensors, as pure summaries plus GX expectation lists.

GX validates tables, not tensors, so each tensor is first reduced to a per-row summary frame
(one row per sequence / matrix row) whose columns make every invariant a simple column
expectation. Summaries are plain numpy/pandas and cheap; Great Expectations is imported only
inside the expectation builders because importing it costs seconds.
Running the expectations (and any file I/O) lives in `textlab.adapters.validate`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from textlab.text import OOV_ID, PAD_ID

PADDING_SIDES = ("pre", "post")


@dataclass
class Check:
    """One table to validate, with the expectations that must hold on it."""

    name: str
    frame: pd.DataFrame
    expectations: list[Any] = field(default_factory=list)


# --------------------------------------------------------------------------- summaries


def summarise_sequences(x: np.ndarray, y: np.ndarray, padding: str) -> pd.DataFrame:
    """One row per padded sequence, so that id range, padding and OOV become column checks.

    `padding_gap` marks a padding id between two tokens, `padding_wrong_side` padding on the
    side opposite to `padding`; `padding_inside` is their union. `oov_rate` is n_oov/n_tokens
    (0 for an all-padding row, which `n_tokens` already flags).
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[1] == 0 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"expected x [n, maxlen>0] and y [n], got {x.shape} and {y.shape}")
    if padding not in PADDING_SIDES:
        raise ValueError(f"padding must be one of {PADDING_SIDES}, got {padding!r}")
    maxlen = x.shape[1]
    tokens = x != PAD_ID
    n_tokens = tokens.sum(axis=1)
    has_tokens = n_tokens > 0
    first = tokens.argmax(axis=1)
    last = maxlen - 1 - tokens[:, ::-1].argmax(axis=1)
    gap = has_tokens & (last - first + 1 != n_tokens)
    if padding == "pre":
        wrong_side = has_tokens & (last < maxlen - 1)
    else:
        wrong_side = has_tokens & (first > 0)
    n_oov = (x == OOV_ID).sum(axis=1)
    return pd.DataFrame(
        {
            "min_id": x.min(axis=1).astype(np.int64),
            "max_id": x.max(axis=1).astype(np.int64),
            "n_tokens": n_tokens.astype(np.int64),
            "n_oov": n_oov.astype(np.int64),
            "oov_rate": np.where(has_tokens, n_oov / np.maximum(n_tokens, 1), 0.0),
            "padding_gap": gap,
            "padding_wrong_side": wrong_side,
            "padding_inside": gap | wrong_side,
            "label": y.astype(np.int64),
        }
    )


def summarise_matrix(m: Any, y: np.ndarray) -> pd.DataFrame:
    """One row per matrix row (scipy.sparse or dense), so value checks become column checks.

    `row_min`/`row_max` ignore NaN (which `all_finite` reports) and count implicit sparse zeros.
    """
    y = np.asarray(y)
    stats = _sparse_row_stats(m) if hasattr(m, "tocsr") else _dense_row_stats(np.asarray(m))
    if stats["nnz"].shape[0] != len(y):
        raise ValueError(f"matrix has {stats['nnz'].shape[0]} rows but y has {len(y)}")
    return pd.DataFrame({**stats, "label": y.astype(np.int64)})


def _dense_row_stats(m: np.ndarray) -> dict[str, np.ndarray]:
    if m.ndim != 2 or m.shape[1] == 0:
        raise ValueError(f"expected a 2-d matrix with columns, got shape {m.shape}")
    values = m.astype(np.float64, copy=False)
    return _stats(
        np.fmin.reduce(values, axis=1),
        np.fmax.reduce(values, axis=1),
        np.isfinite(values).all(axis=1),
        ((values == 0) | (values == 1)).all(axis=1),
        np.count_nonzero(values, axis=1),
    )


def _sparse_row_stats(m: Any) -> dict[str, np.ndarray]:
    csr = m.tocsr()
    n, n_cols = csr.shape
    data = np.asarray(csr.data, dtype=np.float64)
    lengths = np.diff(csr.indptr)
    rows = np.repeat(np.arange(n), lengths)
    row_min = np.full(n, np.nan)
    row_max = np.full(n, np.nan)
    stored = lengths > 0
    if stored.any():
        starts = csr.indptr[:-1][stored]
        row_min[stored] = np.fmin.reduceat(data, starts)
        row_max[stored] = np.fmax.reduceat(data, starts)
    implicit_zero = lengths < n_cols
    row_min[implicit_zero] = np.fmin(row_min[implicit_zero], 0.0)
    row_max[implicit_zero] = np.fmax(row_max[implicit_zero], 0.0)
    bad_finite = np.bincount(rows[~np.isfinite(data)], minlength=n)
    bad_binary = np.bincount(rows[(data != 0) & (data != 1)], minlength=n)
    nnz = np.bincount(rows[data != 0], minlength=n)
    return _stats(row_min, row_max, bad_finite == 0, bad_binary == 0, nnz)


def _stats(
    row_min: np.ndarray, row_max: np.ndarray, all_finite: np.ndarray, is_binary: np.ndarray,
    nnz: np.ndarray,
) -> dict[str, np.ndarray]:
    return {
        "row_min": np.asarray(row_min, np.float64),
        "row_max": np.asarray(row_max, np.float64),
        "all_finite": np.asarray(all_finite, bool),
        "is_binary": np.asarray(is_binary, bool),
        "nnz": np.asarray(nnz, np.int64),
    }


def disjoint_splits_frame(texts_by_split: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """One row per unique text per split: a text may repeat inside a split, not across splits."""
    parts = [
        pd.DataFrame({"text": pd.unique(pd.Series(list(texts), dtype=object)), "split": name})
        for name, texts in texts_by_split.items()
    ]
    if not parts:
        return pd.DataFrame({"text": pd.Series(dtype=str), "split": pd.Series(dtype=str)})
    return pd.concat(parts, ignore_index=True)


def summarise_text_parts(parts: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per contiguous part of a running text: its length and the gap to the previous part's end.

    A gap other than 0 means a part overlaps (negative) or skips (positive) text of its neighbour.
    """
    rows, previous_end = [], 0
    for name, part in parts.items():
        start, end = int(part["start"].iloc[0]), int(part["end"].iloc[0])
        rows.append({"split": name, "rows": len(part), "characters": len(part["text"].iloc[0]),
                     "span": end - start, "gap": start - previous_end})
        previous_end = end
    return pd.DataFrame(rows)


def summarise_windows(x: np.ndarray, y: np.ndarray, n_ids: int, step: int) -> pd.DataFrame:
    """One row per training window: id range of the window and its target (OOV is checked on the streams).

    `expected_windows` is how many windows of x.shape[1] ids every `step` fit in this split's own
    `n_ids` ids: a window cut across a split boundary would change the count.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"expected windows x [n, maxlen] and targets y [n], got {x.shape} and {y.shape}")
    maxlen = x.shape[1]
    expected = (n_ids - maxlen - 1) // step + 1 if n_ids > maxlen else 0
    return pd.DataFrame({
        "min_id": x.min(axis=1).astype(np.int64),
        "max_id": x.max(axis=1).astype(np.int64),
        "target": y.astype(np.int64),
        "width": np.full(len(x), maxlen, np.int64),
        "expected_windows": np.full(len(x), expected, np.int64),
    })


# --------------------------------------------------------------------------- expectations


def gx_expectations():
    """Import GX lazily: it takes seconds, and summary-only callers never need it."""
    import great_expectations as gx

    return gx.expectations


def described(expectation_cls, description: str, **kwargs):
    return expectation_cls(**kwargs, description=description, meta={"why": description})


def _row_count(n_rows: int) -> Any:
    return described(gx_expectations().ExpectTableRowCountToEqual, f"exactly {n_rows} rows", value=n_rows)


def _label_expectations(class_balance: tuple[float, float]) -> list[Any]:
    ex = gx_expectations()
    lo, hi = class_balance
    return [
        described(ex.ExpectColumnValuesToBeInSet, "labels are binary (0/1)",
                   column="label", value_set=[0, 1]),
        described(ex.ExpectColumnMeanToBeBetween,
                   f"share of positive labels in [{lo}, {hi}]",
                   column="label", min_value=lo, max_value=hi),
    ]


def split_expectations(n_rows: int, class_balance: tuple[float, float]) -> list[Any]:
    """The split table: expected size, non-empty texts, binary labels, plausible balance."""
    ex = gx_expectations()
    return [
        _row_count(n_rows),
        described(ex.ExpectColumnValuesToNotBeNull, "every row has a text", column="text"),
        described(ex.ExpectColumnValueLengthsToBeBetween, "no empty text",
                   column="text", min_value=1),
        *_label_expectations(class_balance),
    ]


def sequence_expectations(
    n_rows: int,
    vocab_size: int,
    class_balance: tuple[float, float],
    max_oov_rate: float | None = None,
) -> list[Any]:
    """Checks on `summarise_sequences`: ids in vocabulary, padding placement, OOV rate, labels."""
    ex = gx_expectations()
    out = [
        _row_count(n_rows),
        described(ex.ExpectColumnValuesToBeBetween, "token ids are never negative",
                   column="min_id", min_value=0),
        described(ex.ExpectColumnValuesToBeBetween,
                   f"token ids lie in [0, vocab_size={vocab_size})",
                   column="max_id", max_value=vocab_size - 1),
        described(ex.ExpectColumnValuesToBeInSet, "no padding id between two tokens",
                   column="padding_gap", value_set=[False]),
        described(ex.ExpectColumnValuesToBeInSet, "padding only on the configured side",
                   column="padding_wrong_side", value_set=[False]),
        described(ex.ExpectColumnValuesToBeBetween, "no all-padding sequence",
                   column="n_tokens", min_value=1),
        *_label_expectations(class_balance),
    ]
    if max_oov_rate is not None:
        out.append(described(ex.ExpectColumnMeanToBeBetween,
                              f"mean OOV rate at most {max_oov_rate}",
                              column="oov_rate", min_value=0.0, max_value=max_oov_rate))
    return out


def matrix_expectations(
    n_rows: int, binary: bool, class_balance: tuple[float, float]
) -> list[Any]:
    """Checks on `summarise_matrix`: finite, non-negative, 0/1 in binary mode, labels."""
    ex = gx_expectations()
    out = [
        _row_count(n_rows),
        described(ex.ExpectColumnValuesToBeInSet, "no NaN or infinite entry",
                   column="all_finite", value_set=[True]),
        described(ex.ExpectColumnValuesToBeBetween, "no negative entry",
                   column="row_min", min_value=0),
    ]
    if binary:
        out.append(described(ex.ExpectColumnValuesToBeInSet, "binary mode: entries are 0 or 1",
                              column="is_binary", value_set=[True]))
    return out + _label_expectations(class_balance)


def disjoint_expectations() -> list[Any]:
    """For `disjoint_splits_frame`: no text in two splits (leakage between splits)."""
    ex = gx_expectations()
    return [described(ex.ExpectColumnValuesToBeUnique, "no text in two splits", column="text")]


def summarise_texts(table: pd.DataFrame) -> pd.DataFrame:
    """One row per text: its length in whitespace-separated words, and its label."""
    return pd.DataFrame({"n_words": table["text"].str.split().str.len().to_numpy(), "label": table["label"].to_numpy()})


def length_expectations(min_words: int, max_words: int, median_words: tuple[float, float]) -> list[Any]:
    """Text lengths within bounds: a truncated or mis-parsed corpus shows up here first."""
    ex = gx_expectations()
    return [
        described(ex.ExpectColumnValuesToBeBetween, f"every text has {min_words}..{max_words} words",
                   column="n_words", min_value=min_words, max_value=max_words),
        described(ex.ExpectColumnMedianToBeBetween, f"median length in [{median_words[0]}, {median_words[1]}] words",
                   column="n_words", min_value=median_words[0], max_value=median_words[1]),
    ]


def label_count_expectations(n_rows: int, rows_per_label: int) -> list[Any]:
    """Exactly `rows_per_label` rows of each label: a published corpus's official split sizes."""
    ex = gx_expectations()
    return [
        _row_count(n_rows),
        described(ex.ExpectColumnDistinctValuesToEqualSet, "labels are exactly {0, 1}", column="label",
                   value_set=[0, 1]),
        described(ex.ExpectColumnMeanToBeBetween, f"{rows_per_label} rows of each label", column="label",
                   min_value=rows_per_label / n_rows, max_value=rows_per_label / n_rows),
    ]


def text_part_expectations(n_parts: int) -> list[Any]:
    """For `summarise_text_parts`: one non-empty row per part, parts back to back from the text's start."""
    ex = gx_expectations()
    return [
        _row_count(n_parts),
        described(ex.ExpectColumnValuesToBeInSet, "one row per part", column="rows", value_set=[1]),
        described(ex.ExpectColumnValuesToBeBetween, "no empty part", column="characters", min_value=1),
        described(ex.ExpectColumnValuesToBeInSet, "parts are contiguous: no overlap, no skipped text",
                   column="gap", value_set=[0]),
        described(ex.ExpectColumnPairValuesToBeEqual, "each part holds exactly its span of the text",
                   column_A="characters", column_B="span"),
    ]


def window_expectations(n_rows: int, maxlen: int, vocab_size: int) -> list[Any]:
    """For `summarise_windows`: shape, ids and targets inside the vocabulary, no window across a boundary."""
    ex = gx_expectations()
    return [
        _row_count(n_rows),
        described(ex.ExpectColumnValuesToBeInSet, f"every window holds {maxlen} ids", column="width",
                   value_set=[maxlen]),
        described(ex.ExpectColumnValuesToBeBetween, "window ids are real tokens or OOV (no padding)",
                   column="min_id", min_value=OOV_ID),
        described(ex.ExpectColumnValuesToBeBetween, f"window ids lie below vocab_size={vocab_size}",
                   column="max_id", max_value=vocab_size - 1),
        described(ex.ExpectColumnValuesToBeBetween, f"every target id is in the vocabulary [1, {vocab_size})",
                   column="target", min_value=OOV_ID, max_value=vocab_size - 1),
        described(ex.ExpectColumnValuesToBeInSet, "windows stay inside their split (count fits the split's length)",
                   column="expected_windows", value_set=[n_rows]),
    ]


def oov_share_frame(ids: np.ndarray) -> pd.DataFrame:
    """One row per token of a split's id stream: whether it is out of vocabulary (OOV counted, not hidden)."""
    return pd.DataFrame({"is_oov": (np.asarray(ids) == OOV_ID).astype(np.float64)})


def oov_expectations(max_oov_rate: float) -> list[Any]:
    ex = gx_expectations()
    return [described(ex.ExpectColumnMeanToBeBetween, f"share of out-of-vocabulary tokens at most {max_oov_rate}",
                       column="is_oov", min_value=0.0, max_value=max_oov_rate)]


def pair_expectations(n_rows: int) -> list[Any]:
    """A split of sentence pairs: its size, and both sides present and non-empty on every row."""
    ex = gx_expectations()
    return [_row_count(n_rows), *(expectation for side in ("source", "target") for expectation in (
        described(ex.ExpectColumnValuesToNotBeNull, f"every pair has a {side} sentence", column=side),
        described(ex.ExpectColumnValueLengthsToBeBetween, f"no empty {side} sentence", column=side, min_value=1)))]
