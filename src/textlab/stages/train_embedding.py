"""train_embedding@<corpus>-<family>: fit CBOW or skip-gram word vectors from params.yaml `embedding_models`
on a text view's training ids; writes models/<key>/ (with embedding.npy for export_embeddings) and
reports/train/<key>/ like every train stage."""
from __future__ import annotations

from textlab.adapters import word2vec_training
from textlab.adapters.cli import run_stage
from textlab.adapters.params import embedding_params, load_params
from textlab.adapters.training_run import run_training


def main(key: str) -> None:
    run_training(f"train_embedding@{key}", embedding_params(load_params(), key), word2vec_training.fit, "word2vec")


if __name__ == "__main__":
    run_stage("train_embedding", main)
