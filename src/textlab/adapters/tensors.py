"""Feature folders: spec.json plus <split>.x / <split>.y arrays (x sparse .npz or dense .npy)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from textlab.features import BagSpec, SequenceSpec, spec_from_dict, spec_to_dict


def save_features(folder: Path, spec: SequenceSpec | BagSpec, splits: dict[str, tuple[object, np.ndarray]],
                  streams: dict[str, np.ndarray] | None = None) -> None:
    """Write into `folder`, which the caller stages with `atomic_path`; `streams` are a text's id streams."""
    folder.mkdir(parents=True, exist_ok=True)
    for split, ids in (streams or {}).items():
        np.save(folder / f"{split}.ids.npy", ids)
    (folder / "spec.json").write_text(json.dumps(spec_to_dict(spec)), encoding="utf-8")
    for split, (x, y) in splits.items():
        if sp.issparse(x):
            sp.save_npz(folder / f"{split}.x.npz", sp.csr_matrix(x))
        else:
            np.save(folder / f"{split}.x.npy", x)
        np.save(folder / f"{split}.y.npy", y)


def load_spec(folder: Path) -> SequenceSpec | BagSpec:
    return spec_from_dict(json.loads((folder / "spec.json").read_text(encoding="utf-8")))


def load_split(folder: Path, split: str) -> tuple[np.ndarray | sp.csr_matrix, np.ndarray]:
    sparse = folder / f"{split}.x.npz"
    x = sp.load_npz(sparse).tocsr() if sparse.exists() else np.load(folder / f"{split}.x.npy")
    return x, np.load(folder / f"{split}.y.npy")


def load_ids(folder: Path, split: str) -> np.ndarray:
    """A text view's whole id stream of one part."""
    return np.load(folder / f"{split}.ids.npy")


PAIRS_SPEC = "pairs_spec.json"
PAIR_ARRAYS = ("source", "decoder_in", "decoder_out")


def save_pairs(folder: Path, spec: object, splits: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    """A pairs view: pairs_spec.json and <split>.source / .decoder_in / .decoder_out arrays (teacher forcing)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PAIRS_SPEC).write_text(json.dumps(spec.to_dict()), encoding="utf-8")
    for split, arrays in splits.items():
        for name, array in zip(PAIR_ARRAYS, arrays, strict=True):
            np.save(folder / f"{split}.{name}.npy", array)


def load_pairs_spec(folder: Path) -> dict:
    """The pairs view's spec as stored (`textlab.translation.TranslationSpec.from_dict` rebuilds it)."""
    return json.loads((folder / PAIRS_SPEC).read_text(encoding="utf-8"))


def load_pairs(folder: Path, split: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Teacher-forced inputs (source ids, START-shifted target ids) and the next-word targets of one split."""
    source, decoder_in, decoder_out = (np.load(folder / f"{split}.{name}.npy") for name in PAIR_ARRAYS)
    return {"source": source, "decoder_in": decoder_in}, decoder_out
