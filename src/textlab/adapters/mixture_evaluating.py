"""evaluate_mixture's body: load two trained language models with their own scorers, score the same target
tokens of the raw validation and test texts with each, choose the interpolation weight on validation, and
publish the interpolation's figures as every language model does (`textlab.adapters.lm_evaluating`).

Writes reports/metrics/<corpus>/<key>.json (bits per token, perplexity, cross-entropy on test, the unigram
baseline's `baseline_unigram_*`, the same on validation as `val_*`, and the chosen `weight` of the first
component) and reports/samples/<key>.md (samples of the interpolated distribution); logs both to MLflow
with the validation bits per token at every weight of the grid.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import mlflow
import numpy as np

from textlab import gates, language, mixtures, paths
from textlab.adapters import keras_lm_scoring, ngram_scoring
from textlab.adapters.lm_evaluating import UNIGRAM_ALPHA, split_ids, split_scores
from textlab.adapters.publishing import publish
from textlab.adapters.tracking import stage_run
from textlab.generation import sample_ids, samples_markdown
from textlab.paths import SPLITS

# params.yaml section of a component → the loader of its model folder (each scores as its own evaluate stage does)
LOADERS: dict[str, Callable[[Path], Any]] = {"language_models": keras_lm_scoring.load_scorer,
                                             "ngram_models": ngram_scoring.load_scorer}


def same_ids(corpus: str, scorers: list[Any], names: list[str]) -> dict[str, np.ndarray]:
    """Each split's raw text encoded by every component's vocabulary: they must give the same ids (one view)."""
    ids = {split: [split_ids(scorer.spec, corpus, split) for scorer in scorers] for split in SPLITS}
    for split, encoded in ids.items():
        if any(not np.array_equal(encoded[0], other) for other in encoded[1:]):
            raise ValueError(f"{' and '.join(names)} encode the {split} text differently: an interpolation needs "
                             "components of one view (the same vocabulary)")
    return {split: encoded[0] for split, encoded in ids.items()}


def run_mixture_evaluation(stage: str, hp: dict[str, Any], gate: Mapping[str, Any]) -> None:
    key, corpus, generation, names = hp["key"], hp["corpus"], hp["generation"], hp["components"]
    model_dirs = [paths.model_dir(name) for name in names]
    read = [str(d) for d in model_dirs] + [str(paths.split_table(corpus, split)) for split in SPLITS]
    with stage_run(stage, corpus, {"model": key, "components": names, "grid_step": hp["grid_step"],
                                   "generation": generation}, read) as run:
        scorers = [LOADERS[hp["sections"][name]](d) for name, d in zip(names, model_dirs, strict=True)]
        ids = same_ids(corpus, scorers, names)
        unigram = language.fit_unigram(ids["train"], scorers[0].spec.vocab_size, UNIGRAM_ALPHA)
        # Every scorer gives log2 P of ids[1:], each after the ids before it: the same targets, token for token.
        scored = {split: [scorer.log2_probs(ids[split]) for scorer in scorers] for split in ("val", "test")}
        grid = mixtures.weight_grid(hp["grid_step"])
        curve = mixtures.weight_curve(*scored["val"], grid)
        weight = mixtures.best_weight(grid, curve)  # the curve is logged too: computed once
        for step, bits in enumerate(curve):
            mlflow.log_metric("val_bits_per_token_by_weight", float(bits), step=step)
        mixed = {split: mixtures.interpolated_log2_probs(*scored[split], weight) for split in scored}
        scores = {**split_scores(lambda _: mixed["test"], unigram, ids["test"]),
                  **split_scores(lambda _: mixed["val"], unigram, ids["val"], prefix="val_"),
                  "weight": round(weight, 4)}
        next_distributions = mixtures.mixed_next_distributions(scorers[0].next_distributions,
                                                               scorers[1].next_distributions, weight)
        prompt = ids["test"][: max(scorer.spec.maxlen for scorer in scorers)].tolist()
        sampled = sample_ids(next_distributions, prompt, generation["temperatures"], generation["length"],
                             generation["seed"])
        detokenize = scorers[0].spec.detokenize
        page = samples_markdown(f"{key}: {weight:g} × {names[0]} + {1 - weight:g} × {names[1]}", detokenize(prompt),
                                {t: detokenize(new) for t, new in sampled.items()})
        outputs = gates.sample_outputs(sampled)
        publish(corpus, key, scores, page, "samples", stage=stage, gate=gate, outputs=outputs)
        print(f"{stage}: weight {weight:g} on {names[0]} (validation bits per token {curve.min():.4f}; "
              f"{curve[0]:.4f} with {names[1]} alone, {curve[-1]:.4f} with {names[0]} alone); test "
              f"{scores['bits_per_token']:.4f} bits per token, perplexity {scores['perplexity']:.2f} over "
              f"{scores['test_tokens']} tokens (unigram {scores['baseline_unigram_perplexity']:.2f}); validation "
              f"perplexity {scores['val_perplexity']:.2f}; run {run.info.run_id}")
