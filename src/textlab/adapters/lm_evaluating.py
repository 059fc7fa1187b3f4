"""The body both language-model evaluate stages share: score the whole raw test text, then sample.

Writes reports/metrics/<corpus>/<key>.json (bits per token, perplexity, cross-entropy: git-tracked
for `dvc metrics diff`) and reports/samples/<key>.md (text at every `generation.temperatures`, from
the test text's first window); logs both to MLflow.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from textlab import language
from textlab.adapters.publishing import publish
from textlab.adapters.tracking import stage_run
from textlab.generation import sample_ids, samples_markdown
from textlab.text import OOV_ID

LoadScorer = Callable[[Path], Any]


def held_out_scores(log2_probs: np.ndarray, ids: np.ndarray) -> dict[str, float | int]:
    """Every figure over the same positions (all but the first id); OOV ids are scored as the [UNK] token."""
    return {"bits_per_token": round(language.bits_per_token(log2_probs), 4),
            "perplexity": round(language.perplexity(log2_probs), 3),
            "cross_entropy": round(language.cross_entropy_nats(log2_probs), 4),
            "test_tokens": int(len(log2_probs)), "test_oov_rate": round(float(np.mean(ids[1:] == OOV_ID)), 4)}


def run_lm_evaluation(stage: str, hp: dict[str, Any], load_scorer: LoadScorer) -> None:
    key, corpus, generation = hp["key"], hp["corpus"], hp["generation"]
    test_path, model_dir = Path("data/split") / corpus / "test.parquet", Path("models") / key
    with stage_run(stage, corpus, {"model": key, "generation": generation}, [str(model_dir), str(test_path)]) as run:
        scorer = load_scorer(model_dir)
        ids = np.asarray(scorer.spec.ids(pd.read_parquet(test_path)["text"].tolist())[0], np.int64)
        scores = held_out_scores(scorer.log2_probs(ids), ids)
        prompt = ids[: scorer.spec.maxlen].tolist()
        sampled = sample_ids(scorer.next_distributions, prompt, generation["temperatures"], generation["length"],
                             generation["seed"])
        page = samples_markdown(key, scorer.spec.detokenize(prompt),
                                {t: scorer.spec.detokenize(new) for t, new in sampled.items()})
        publish(corpus, key, scores, page, "reports/samples")
        print(f"{stage}: {scores['bits_per_token']:.4f} bits per token, perplexity {scores['perplexity']:.2f} "
              f"over {scores['test_tokens']} test tokens; run {run.info.run_id}")
