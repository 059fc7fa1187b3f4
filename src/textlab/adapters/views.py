"""tokenize@<view>'s work: fit a view's vocabulary on train, check every split's tensors, write the view.

One builder per kind of corpus (textlab.corpora.corpus_kind); each guards its tensors (textlab.adapters.guard)
before writing data/features/<view>/ and returns the facts the stage logs:
- labelled texts: spec.json (vocabulary, maxlen, padding), <split>.x.npy (int32 [rows, maxlen]) and
  <split>.y.npy (int8 labels);
- a running text: spec.json, the windows of `maxlen` ids every `step` (<split>.x.npy) with the next id
  (<split>.y.npy), and each part's whole id stream (<split>.ids.npy), which counting models fit on;
- sentence pairs: pairs_spec.json (both vocabularies; maxlen words a side) and <split>.source /
  .decoder_in / .decoder_out .npy (teacher forcing).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from textlab import checks, paths
from textlab.adapters.files import atomic_path
from textlab.adapters.guard import guard
from textlab.adapters.tensors import save_features, save_pairs
from textlab.corpora import corpus_kind
from textlab.features import fit_sequence_spec
from textlab.language import sliding_windows
from textlab.paths import SPLITS
from textlab.text import OOV_ID, PAD_ID
from textlab.translation import fit_translation_spec


def fitted_spec(shape: dict, knobs: dict, train: pd.DataFrame):
    return fit_sequence_spec(train["text"].tolist(), maxlen=shape["maxlen"], padding=knobs["padding"],
                             truncating=knobs["truncating"], lowercase=knobs["lowercase"], level=knobs["level"],
                             max_tokens=shape.get("num_words"), ngram_range=shape.get("ngram_range", 1),
                             max_ngrams=shape.get("max_ngrams"))


def labelled_view(stage: str, folder: Path, shape: dict, knobs: dict, limits: dict, tables: dict) -> dict:
    """One padded sequence per text: ids in the vocabulary, labels balanced, little OOV in val and test."""
    spec = fitted_spec(shape, knobs, tables["train"])
    tensors = {name: (spec.transform(t["text"].tolist()), t["label"].to_numpy(np.int8)) for name, t in tables.items()}
    guard(stage, [checks.Check(name, checks.summarise_sequences(x, y, spec.padding), checks.sequence_expectations(
        len(tables[name]), spec.vocab_size, tuple(limits["class_balance"]),
        None if name == "train" else limits["max_oov_rate"])) for name, (x, y) in tensors.items()])
    with atomic_path(folder) as staged:
        save_features(staged, spec, tensors)
    return {"vocab_size": spec.vocab_size, "maxlen": spec.maxlen, **oov_rates({n: x for n, (x, _) in tensors.items()})}


def text_view(stage: str, folder: Path, shape: dict, knobs: dict, limits: dict, tables: dict) -> dict:
    """Windows inside their own part, targets in the vocabulary, val/test OOV counted."""
    spec = fitted_spec(shape, knobs, tables["train"])
    streams = {name: np.asarray(spec.ids(t["text"].tolist())[0], np.int32) for name, t in tables.items()}
    tensors = {name: sliding_windows(ids, spec.maxlen, shape["step"]) for name, ids in streams.items()}
    found = [checks.Check(name, checks.summarise_windows(x, y, len(streams[name]), shape["step"]),
                          checks.window_expectations(len(x), spec.maxlen, spec.vocab_size))
             for name, (x, y) in tensors.items()]
    guard(stage, found + [checks.Check(f"{name}_oov", checks.oov_share_frame(streams[name]),
                                       checks.oov_expectations(limits["max_oov_rate"])) for name in ("val", "test")])
    with atomic_path(folder) as staged:
        save_features(staged, spec, tensors, streams)
    return {"vocab_size": spec.vocab_size, "maxlen": spec.maxlen, **oov_rates(streams)}


def pairs_view(stage: str, folder: Path, shape: dict, knobs: dict, limits: dict, tables: dict) -> dict:
    """Source and teacher-forced target ids of every pair; val/test OOV counted on both sides."""
    spec = fit_translation_spec(tables["train"], shape.get("num_words"), shape.get("num_words"), shape["maxlen"],
                                shape["maxlen"] + 1, min_count=shape.get("min_count") or 1)
    tensors = {name: (spec.encode_source(t["source"].tolist()), *spec.decode_inputs_and_targets(t["target"].tolist()))
               for name, t in tables.items()}
    sides = {f"{name}_{side}": ids for name, (source, _, target) in tensors.items()
             for side, ids in (("source", source), ("target", target))}
    guard(stage, [checks.Check(side, checks.oov_share_frame(ids[ids != PAD_ID]), checks.oov_expectations(
        limits["max_oov_rate"])) for side, ids in sides.items() if not side.startswith("train")])
    with atomic_path(folder) as staged:
        save_pairs(staged, spec, tensors)
    return {"source_vocab_size": len(spec.source_vocabulary), "target_vocab_size": len(spec.target_vocabulary),
            **oov_rates(sides)}


VIEWS = {"labelled": labelled_view, "text": text_view, "pairs": pairs_view}


def oov_rates(ids_by_name: dict) -> dict[str, float]:
    """Share of the non-padding ids that are OOV, per split (or split and side)."""
    return {f"{name}_oov_rate": float((ids == OOV_ID).sum() / max((ids != PAD_ID).sum(), 1))
            for name, ids in ids_by_name.items()}


def build_view(stage: str, view: str, shape: dict, knobs: dict, limits: dict) -> dict:
    """Read the view's corpus splits, write data/features/<view>/ after its checks pass; the facts to log."""
    source = paths.split_dir(shape["corpus"])
    tables = {name: pd.read_parquet(source / f"{name}.parquet") for name in SPLITS}
    return VIEWS[corpus_kind(shape["corpus"])](stage, paths.features(view), shape, knobs, limits, tables)
