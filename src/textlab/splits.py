"""Deterministic, stratified train/val/test splits in which no text lands in two splits."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sklearn.model_selection import train_test_split


def check_fraction(name: str, value: float) -> float:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value!r}")
    return value


def _strata(table: pd.DataFrame) -> pd.Series:
    """One label per unique text; a text carrying both labels is its own stratum (2)."""
    return table.groupby("text", sort=True)["label"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else 2)


def _rows_of(table: pd.DataFrame, texts: Iterable[str]) -> pd.DataFrame:
    return table[table["text"].isin(set(texts))].sort_values(["text", "label"]).reset_index(drop=True)


def carve_validation(train: pd.DataFrame, val_size: float, seed: int) -> dict[str, pd.DataFrame]:
    """Hold out a stratified `val_size` of an official train split, grouping duplicate texts."""
    check_fraction("val_size", val_size)
    labels = _strata(train)
    kept, held = train_test_split(labels.index.to_numpy(), test_size=val_size, stratify=labels.to_numpy(),
                                  random_state=seed)
    return {"train": _rows_of(train, kept), "val": _rows_of(train, held)}


def split_table(table: pd.DataFrame, test_size: float, val_size: float, seed: int) -> dict[str, pd.DataFrame]:
    """Split by unique text, stratified on the label; `val_size` is a fraction of what test leaves.

    A text carrying both labels (kept by `keep_both`) is its own stratum and moves as one group,
    so its two rows always share a split.
    """
    check_fraction("test_size", test_size)
    check_fraction("val_size", val_size)
    labels = _strata(table)
    texts, strata = labels.index.to_numpy(), labels.to_numpy()
    rest, test, rest_strata, _ = train_test_split(texts, strata, test_size=test_size, stratify=strata, random_state=seed)
    train, val = train_test_split(rest, test_size=val_size, stratify=rest_strata, random_state=seed)
    return {"train": _rows_of(table, train), "val": _rows_of(table, val), "test": _rows_of(table, test)}
