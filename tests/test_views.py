"""tokenize@<view>'s work (textlab.adapters.views) without DVC: the files a view writes and the facts it logs."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from textlab import paths
from textlab.adapters import views
from textlab.text import OOV_ID, PAD_ID


def test_oov_rates_count_oov_among_the_non_padding_ids():
    ids = np.array([[PAD_ID, PAD_ID, OOV_ID, 5], [OOV_ID, OOV_ID, 7, 8]])
    assert views.oov_rates({"val": ids, "empty": np.full((1, 3), PAD_ID)}) == {"val_oov_rate": 0.5,
                                                                                "empty_oov_rate": 0.0}


def test_a_labelled_view_is_checked_then_written_where_the_catalog_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    checked = []
    monkeypatch.setattr(views, "guard", lambda stage, found: checked.append((stage, [c.name for c in found])))
    tables = {"train": pd.DataFrame({"text": ["anna", "bob", "eve", "tom"], "label": [1, 0, 1, 0]}),
              "val": pd.DataFrame({"text": ["ann", "zed"], "label": [1, 0]}),
              "test": pd.DataFrame({"text": ["eva", "box"], "label": [1, 0]})}
    paths.split_dir("names").mkdir(parents=True)
    for name, table in tables.items():
        table.to_parquet(paths.split_table("names", name), index=False)
    knobs = {"level": "char", "padding": "pre", "truncating": "pre", "lowercase": True}
    facts = views.build_view("tokenize@t", "t-chars", {"corpus": "names", "maxlen": 4}, knobs,
                             {"class_balance": [0.1, 0.9], "max_oov_rate": 0.5})
    assert checked == [("tokenize@t", ["train", "val", "test"])]  # checked before anything is written
    folder = paths.features("t-chars")
    x = np.load(folder / "val.x.npy")
    assert x.shape == (2, 4) and x[1, 0] == PAD_ID and (x[1, 1:] == OOV_ID).sum() == 2  # "zed": z and d unseen in train
    np.testing.assert_array_equal(np.load(folder / "test.y.npy"), [1, 0])
    assert json.loads((folder / "spec.json").read_text())["maxlen"] == 4
    assert facts["val_oov_rate"] == pytest.approx(2 / 6) and facts["test_oov_rate"] == pytest.approx(1 / 6) and facts["train_oov_rate"] == 0.0
    assert set(facts) == {"vocab_size", "maxlen", "train_oov_rate", "val_oov_rate", "test_oov_rate"}
