"""Same model, same bytes: saved Keras and skops archives do not depend on when or in which process they were saved."""
from __future__ import annotations

import zipfile

import pandas as pd

from textlab.adapters.sklearn_training import fit
from textlab.archives import renumber_ids


def test_renumbering_keeps_shared_references_shared():
    tree = {"a": {"__id__": 907, "file": "907.npy"}, "b": [{"__id__": 12}, {"__id__": 907}]}
    numbering: dict[int, int] = {}
    assert renumber_ids(tree, frozenset({"__id__", "file"}), numbering) == {
        "a": {"__id__": 1, "file": "1.npy"}, "b": [{"__id__": 2}, {"__id__": 1}]}
    assert numbering == {907: 1, 12: 2}


def test_a_baseline_fitted_twice_gives_identical_files(tmp_path):
    texts = ["a good film", "a bad film", "great plot", "awful plot"] * 5
    table = pd.DataFrame({"text": texts, "label": [1, 0, 1, 0] * 5})
    for split in ("train", "val"):
        table.to_parquet(tmp_path / f"{split}.parquet")
    for name in ("first", "second"):  # two fitted pipelines: other id()s, other save times
        fit({"key": "x-nbsvm", "family": "nbsvm", "min_df": 1}, tmp_path, tmp_path / name)
    first, second = (tmp_path / name / "model.skops" for name in ("first", "second"))
    assert first.read_bytes() == second.read_bytes()
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zipfile.ZipFile(first).infolist())
