"""The body both language-model evaluate stages share: score the whole raw test and validation texts,
score the unigram baseline on the same positions, then sample.

Writes reports/metrics/<corpus>/<key>.json (bits per token, perplexity, cross-entropy, the unigram
baseline's `baseline_unigram_*` figures, and the same on the validation text as `val_*`: git-tracked
for `dvc metrics diff`) and reports/samples/<key>.md (text at every `generation.temperatures`, from
the test text's first window); logs both to MLflow.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from textlab import gates, language, paths
from textlab.adapters.publishing import publish
from textlab.adapters.tracking import stage_run
from textlab.generation import sample_ids, samples_markdown
from textlab.text import OOV_ID

LoadScorer = Callable[[Path], Any]
UNIGRAM_ALPHA = 1.0  # add-one smoothing of the baseline's training counts: no held-out id gets probability 0


def held_out_scores(log2_probs: np.ndarray, ids: np.ndarray) -> dict[str, float | int]:
    """Every figure over the same positions (all but the first id); OOV ids are scored as the [UNK] token."""
    return {"bits_per_token": round(language.bits_per_token(log2_probs), 4),
            "perplexity": round(language.perplexity(log2_probs), 3),
            "cross_entropy": round(language.cross_entropy_nats(log2_probs), 4),
            "test_tokens": int(len(log2_probs)), "test_oov_rate": round(float(np.mean(ids[1:] == OOV_ID)), 4)}


def baseline_scores(unigram: np.ndarray, ids: np.ndarray) -> dict[str, float]:
    """The unigram baseline's bits per token and perplexity over the positions `held_out_scores` reads."""
    log2_probs = language.unigram_log2_probs(unigram, ids, start=1)
    return {"baseline_unigram_bits_per_token": round(language.bits_per_token(log2_probs), 4),
            "baseline_unigram_perplexity": round(language.perplexity(log2_probs), 3)}


def split_scores(log2_probs: Callable[[np.ndarray], np.ndarray], unigram: np.ndarray, ids: np.ndarray,
                 prefix: str = "") -> dict[str, float | int]:
    """A model's and the unigram's figures on one held-out text, named after `prefix` (val_tokens, not val_test_tokens)."""
    scores = {**held_out_scores(log2_probs(ids), ids), **baseline_scores(unigram, ids)}
    return {f"{prefix}{name.removeprefix('test_') if prefix else name}": value for name, value in scores.items()}


def split_ids(spec: Any, corpus: str, split: str) -> np.ndarray:
    """The whole raw text of one split, encoded with the model's vocabulary."""
    return np.asarray(spec.ids(pd.read_parquet(paths.split_table(corpus, split))["text"].tolist())[0],
                      np.int64)


def run_lm_evaluation(stage: str, hp: dict[str, Any], load_scorer: LoadScorer, gate: Mapping[str, Any]) -> None:
    key, corpus, generation = hp["key"], hp["corpus"], hp["generation"]
    model_dir = paths.model_dir(key)
    read = [str(model_dir)] + [str(paths.split_table(corpus, split)) for split in paths.SPLITS]
    with stage_run(stage, corpus, {"model": key, "generation": generation}, read) as run:
        scorer = load_scorer(model_dir)
        ids = {split: split_ids(scorer.spec, corpus, split) for split in paths.SPLITS}
        unigram = language.fit_unigram(ids["train"], scorer.spec.vocab_size, UNIGRAM_ALPHA)
        scores = {**split_scores(scorer.log2_probs, unigram, ids["test"]),
                  **split_scores(scorer.log2_probs, unigram, ids["val"], prefix="val_")}
        prompt = ids["test"][: scorer.spec.maxlen].tolist()
        sampled = sample_ids(scorer.next_distributions, prompt, generation["temperatures"], generation["length"],
                             generation["seed"])
        samples = {t: scorer.spec.detokenize(new) for t, new in sampled.items()}
        page = samples_markdown(key, scorer.spec.detokenize(prompt), samples)
        publish(corpus, key, scores, page, "samples", stage=stage, gate=gate, outputs=gates.sample_outputs(sampled))
        print(f"{stage}: {scores['bits_per_token']:.4f} bits per token, perplexity {scores['perplexity']:.2f} "
              f"over {scores['test_tokens']} test tokens (unigram {scores['baseline_unigram_bits_per_token']:.4f}, "
              f"{scores['baseline_unigram_perplexity']:.2f}); validation {scores['val_bits_per_token']:.4f}, "
              f"{scores['val_perplexity']:.2f}; run {run.info.run_id}")
