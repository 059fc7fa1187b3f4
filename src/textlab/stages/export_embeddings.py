"""export_embeddings@<key>: the trained Embedding layer as word2vec text, projector TSVs and a t-SNE PNG.

Writes reports/embeddings/<key>/{vectors.w2v.txt, vectors.tsv, metadata.tsv, tsne.png}; the
padding row (index 0) is left out, since mask_zero models never train it.
"""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from textlab.adapters.cli import StageError, run_stage  # noqa: E402
from textlab.adapters.files import atomic_path  # noqa: E402
from textlab.adapters.params import load_params, model_params  # noqa: E402
from textlab.adapters.tensors import load_spec  # noqa: E402
from textlab.adapters.tracking import stage_run  # noqa: E402
from textlab.embeddings import projector_tsv, tsne_layout, word2vec_text  # noqa: E402


def main(key: str) -> None:
    params = load_params()
    hp, knobs = model_params(params, key), params["export_embeddings"]
    model_dir = Path("models") / key
    stage = f"export_embeddings@{key}"
    with stage_run(stage, hp["corpus"], {"model": key, **knobs}, [str(model_dir)]) as run:
        import keras
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import mlflow

        from textlab.models import embedding_matrix

        weights = embedding_matrix(keras.models.load_model(model_dir / "model.keras"))
        if weights is None:
            raise StageError(f"models.{key} has no Embedding layer; remove it from export_embeddings.models")
        spec = load_spec(model_dir)
        tokens, vectors = list(getattr(spec, "sequence", spec).vocabulary)[1:], weights[1:]
        points = tsne_layout(vectors, float(knobs["tsne_perplexity"]), int(knobs["seed"]))
        figure, axes = plt.subplots(figsize=(8, 8))
        axes.scatter(points[:, 0], points[:, 1], s=8, alpha=0.4)
        for (x, y), token in zip(points, tokens):
            axes.annotate(token or "<pad>", (x, y), fontsize=9)
        axes.set_title(f"t-SNE of {key} embeddings")
        vectors_tsv, metadata_tsv = projector_tsv(tokens, vectors)
        with atomic_path(Path("reports/embeddings") / key) as folder:
            folder.mkdir()
            (folder / "vectors.w2v.txt").write_text(word2vec_text(tokens, vectors), encoding="utf-8")
            (folder / "vectors.tsv").write_text(vectors_tsv, encoding="utf-8")
            (folder / "metadata.tsv").write_text(metadata_tsv, encoding="utf-8")
            figure.savefig(folder / "tsne.png", dpi=120, bbox_inches="tight")
        mlflow.log_artifacts(str(Path("reports/embeddings") / key), "embeddings")
        mlflow.log_metrics({"tokens": len(tokens), "dimensions": int(vectors.shape[1])})
        print(f"{stage}: {len(tokens)} vectors of {vectors.shape[1]} dimensions; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("export_embeddings", main)
