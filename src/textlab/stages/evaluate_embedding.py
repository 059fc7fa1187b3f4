"""evaluate_embedding@<corpus>-<family>: top-k neighbour overlap of the word vectors with gensim's
Word2Vec on the same tokens and settings, next to gensim's own seed-to-seed overlap (the noise floor),
and the probe words' neighbours. Writes reports/metrics/<corpus>/<key>.json and reports/neighbours/<key>.md.
"""
from __future__ import annotations

from textlab import paths
from textlab.adapters.cli import run_stage
from textlab.adapters.params import embedding_params, load_params
from textlab.adapters.publishing import publish
from textlab.adapters.tensors import load_ids
from textlab.adapters.tracking import stage_run
from textlab.adapters.word2vec_evaluating import compare_with_gensim
from textlab.adapters.word2vec_scoring import load_scorer


def main(key: str) -> None:
    params = load_params()
    hp, knobs = embedding_params(params, key), params["neighbours"]
    model_dir, inputs = paths.model_dir(key), paths.inputs(hp["inputs"])
    stage = f"evaluate_embedding@{key}"
    with stage_run(stage, hp["corpus"], {"model": key, **knobs}, [str(model_dir), str(inputs)]) as run:
        metrics, table = compare_with_gensim(hp, load_scorer(model_dir), load_ids(inputs, "train"), knobs)
        publish(hp["corpus"], key, metrics, f"# {key}: nearest neighbours of the probe words\n\n{table}",
                "neighbours", stage=stage, gate=params["gates"]["word_vectors"],
                metric_prefix="")
        print(f"{stage}: neighbour overlap with gensim {metrics['neighbour_overlap']} "
              f"(gensim vs gensim {metrics['gensim_noise_floor']}); run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("evaluate_embedding", main)
