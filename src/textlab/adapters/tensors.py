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
