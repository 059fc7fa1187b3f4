"""export_embeddings@<key>: the trained Embedding layer as word2vec text, projector TSVs and a t-SNE PNG.

Reads models/<key>/embedding.npy (saved by train, so this stage needs no TensorFlow) and writes
reports/embeddings/<key>/{vectors.w2v.txt, vectors.tsv, metadata.tsv, tsne.png}
(textlab.adapters.embedding_export). The padding row is left out: mask_zero models never train it.
"""
from __future__ import annotations

import mlflow

from textlab import paths
from textlab.adapters.cli import run_stage
from textlab.adapters.embedding_export import export
from textlab.adapters.params import any_model_params, load_params
from textlab.adapters.tracking import stage_run


def main(key: str) -> None:
    params = load_params()
    hp, knobs = any_model_params(params, key), params["export_embeddings"]
    stage = f"export_embeddings@{key}"
    with stage_run(stage, hp["corpus"], {"model": key, **knobs}, [str(paths.model_dir(key))]) as run:
        tokens, dimensions = export(key, knobs)
        mlflow.log_artifacts(str(paths.embeddings_export(key)), "embeddings")
        mlflow.log_metrics({"tokens": tokens, "dimensions": dimensions})
        print(f"{stage}: {tokens} vectors of {dimensions} dimensions; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("export_embeddings", main)
