"""Embedding exports: word2vec text format, TensorBoard projector TSVs and a 2-D t-SNE layout."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PAD_LABEL = "<pad>"


def display_token(token: str) -> str:
    """Tokens as one visible, whitespace-free field (word2vec and TSV rows split on whitespace)."""
    if token == "":
        return PAD_LABEL
    return "".join(f"<U+{ord(ch):04X}>" if ch.isspace() else ch for ch in token)


def word2vec_text(tokens: Sequence[str], vectors: np.ndarray) -> str:
    """`count dim` header, then `token v1 … vd` per row, as gensim's KeyedVectors.load_word2vec_format reads."""
    if len(tokens) != len(vectors):
        raise ValueError(f"{len(tokens)} tokens but {len(vectors)} vectors")
    lines = [f"{len(tokens)} {vectors.shape[1]}"]
    lines += [" ".join([display_token(t), *(f"{v:.6f}" for v in row)]) for t, row in zip(tokens, vectors, strict=False)]
    return "\n".join(lines) + "\n"


def projector_tsv(tokens: Sequence[str], vectors: np.ndarray) -> tuple[str, str]:
    """(vectors.tsv, metadata.tsv) for projector.tensorflow.org: one row per token, same order."""
    vector_rows = "\n".join("\t".join(f"{v:.6f}" for v in row) for row in vectors) + "\n"
    metadata_rows = "\n".join(display_token(t) for t in tokens) + "\n"
    return vector_rows, metadata_rows


def tsne_layout(vectors: np.ndarray, perplexity: float, seed: int) -> np.ndarray:
    """2-D t-SNE coordinates; perplexity is capped below the number of points, as t-SNE requires."""
    from sklearn.manifold import TSNE

    if len(vectors) < 3:
        raise ValueError(f"t-SNE needs at least 3 vectors, got {len(vectors)}")
    if perplexity <= 0:
        raise ValueError(f"export_embeddings.tsne_perplexity must be positive, got {perplexity}")
    perplexity = min(perplexity, len(vectors) - 1)
    return TSNE(n_components=2, perplexity=perplexity, random_state=seed, init="pca").fit_transform(vectors)


def pretrained_matrix(vocabulary: Sequence[str], vectors: dict[str, list[float]], dim: int) -> tuple[np.ndarray, float]:
    """Rows of pretrained vectors in vocabulary order (zeros where missing) and the share of words found."""
    matrix = np.zeros((len(vocabulary), dim), dtype=np.float32)
    found = 0
    for row, token in enumerate(vocabulary):
        if token in vectors:
            matrix[row] = vectors[token]
            found += 1
    return matrix, found / max(len(vocabulary) - 2, 1)  # padding and OOV never have vectors
