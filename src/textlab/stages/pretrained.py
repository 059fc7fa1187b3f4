"""pretrained@<key>: a view's tensors plus an embedding matrix from downloaded vectors (GloVe).

Reads data/raw/<source>/ and data/features/<view>/; writes data/features/<key>/ (the view's
files and embedding.npy, rows in vocabulary order), which an architecture with a pretrained
Embedding layer reads as its inputs.
"""
from __future__ import annotations

import shutil

import mlflow
import numpy as np

from textlab import paths
from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path
from textlab.adapters.params import load_params
from textlab.adapters.tensors import load_spec
from textlab.adapters.tracking import stage_run
from textlab.adapters.vectors import read_vectors
from textlab.embeddings import pretrained_matrix


def main(key: str) -> None:
    settings = load_params()["pretrained"][key]
    view, raw = paths.features(settings["view"]), paths.raw(settings["source"])
    stage = f"pretrained@{key}"
    with stage_run(stage, settings["corpus"], settings, [str(view), str(raw)]) as run:
        vocabulary = load_spec(view).vocabulary
        vectors = read_vectors(settings["source"], settings["member"], vocabulary)
        matrix, coverage = pretrained_matrix(vocabulary, vectors, len(next(iter(vectors.values()))))
        with atomic_path(paths.features(key)) as folder:
            shutil.copytree(view, folder)
            np.save(folder / "embedding.npy", matrix)
        mlflow.log_metrics({"vocabulary_coverage": coverage, "dimensions": matrix.shape[1]})
        print(f"{stage}: {coverage:.1%} of {len(vocabulary)} words have vectors; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("pretrained", main)
