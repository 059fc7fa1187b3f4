"""pretrained@<key>: a view's tensors plus an embedding matrix from downloaded vectors (GloVe).

Reads data/raw/<source>/ and data/features/<view>/; writes data/features/<key>/ (the view's
files and embedding.npy, rows in vocabulary order), which an architecture with a pretrained
Embedding layer reads as its inputs.
"""
from __future__ import annotations

import bz2
import io
import shutil
import zipfile
from pathlib import Path
from typing import TextIO

import mlflow
import numpy as np

from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path
from textlab.adapters.params import load_params
from textlab.adapters.tensors import load_spec
from textlab.adapters.tracking import stage_run
from textlab.corpora import SOURCES, glove_vectors
from textlab.embeddings import pretrained_matrix


def open_vectors(path: Path, member: str) -> TextIO:
    """The vectors as text: the mirror's bz2 of one member, or that member of the canonical zip."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        if member not in archive.namelist():
            raise ValueError(f"{path}: no member {member!r}; it holds {archive.namelist()}")
        return io.TextIOWrapper(archive.open(member), encoding="utf-8")
    return bz2.open(path, "rt", encoding="utf-8")


def main(key: str) -> None:
    settings = load_params()["pretrained"][key]
    view, raw = Path("data/features") / settings["view"], Path("data/raw") / settings["source"]
    stage = f"pretrained@{key}"
    with stage_run(stage, settings["corpus"], settings, [str(view), str(raw)]) as run:
        vocabulary = load_spec(view).vocabulary
        path = raw / SOURCES[settings["source"]].filename
        with open_vectors(path, settings["member"]) as lines:
            vectors = glove_vectors(lines, set(vocabulary), str(path))
        if not vectors:
            raise ValueError(f"{path}: none of the {len(vocabulary)} vocabulary words has a vector")
        matrix, coverage = pretrained_matrix(vocabulary, vectors, len(next(iter(vectors.values()))))
        with atomic_path(Path("data/features") / key) as folder:
            shutil.copytree(view, folder)
            np.save(folder / "embedding.npy", matrix)
        mlflow.log_metrics({"vocabulary_coverage": coverage, "dimensions": matrix.shape[1]})
        print(f"{stage}: {coverage:.1%} of {len(vocabulary)} words have vectors; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("pretrained", main)
