"""export_embeddings@<key>'s work: a trained Embedding layer as word2vec text, projector TSVs and a t-SNE PNG.

Reads models/<key>/embedding.npy (saved by train, so no TensorFlow here) and writes
reports/embeddings/<key>/{vectors.w2v.txt, vectors.tsv, metadata.tsv, tsne.png}. The padding
row (PAD_ID) is left out: mask_zero models never train it.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from textlab import paths
from textlab.adapters.cli import StageError
from textlab.adapters.files import atomic_path
from textlab.adapters.tensors import load_spec
from textlab.embeddings import display_token, projector_tsv, tsne_layout, word2vec_text
from textlab.text import PAD_ID


def tsne_figure(points: np.ndarray, tokens: list[str], title: str) -> plt.Figure:
    figure, axes = plt.subplots(figsize=(8, 8))
    axes.scatter(points[:, 0], points[:, 1], s=8, alpha=0.4)
    for (x, y), token in zip(points, tokens, strict=True):
        axes.annotate(display_token(token), (x, y), fontsize=9)
    axes.set_title(title)
    return figure


def export(key: str, knobs: dict) -> tuple[int, int]:
    """Write reports/embeddings/<key>/ from models/<key>; the number of vectors and their dimensions."""
    model_dir = paths.model_dir(key)
    if not (model_dir / "embedding.npy").exists():
        raise StageError(f"models.{key} has no Embedding layer; remove it from export_embeddings.models")
    weights = np.load(model_dir / "embedding.npy")
    spec = load_spec(model_dir)
    sequence = getattr(spec, "sequence", spec)
    kept = slice(PAD_ID + 1, None)  # every row but padding's
    tokens, vectors = [*sequence.vocabulary, *sequence.ngram_vocabulary][kept], weights[kept]
    shown = int(knobs["tsne_points"])  # vocabularies are frequency-ranked: the most frequent tokens
    points = tsne_layout(vectors[:shown], float(knobs["tsne_perplexity"]), int(knobs["seed"]))
    vectors_tsv, metadata_tsv = projector_tsv(tokens, vectors)
    with atomic_path(paths.embeddings_export(key)) as folder:
        folder.mkdir()
        (folder / "vectors.w2v.txt").write_text(word2vec_text(tokens, vectors), encoding="utf-8")
        (folder / "vectors.tsv").write_text(vectors_tsv, encoding="utf-8")
        (folder / "metadata.tsv").write_text(metadata_tsv, encoding="utf-8")
        tsne_figure(points, tokens[:shown], f"t-SNE of {key} embeddings").savefig(folder / "tsne.png", dpi=120,
                                                                           bbox_inches="tight")
    return len(tokens), int(vectors.shape[1])
