"""The body of evaluate_translator@<key>: corpus BLEU (sacreBLEU) of the translations (beam search or greedy, as
params.yaml `decoding` says) of the raw held-out
English (which shares no sentence with train), teacher-forced token accuracy, and the same for the two
baselines (retrieval of the nearest training sentence's Spanish, copy the source), on test and on val
(`val_` figures); a seeded random sample of test sentences with their sentence BLEU as the page."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from textlab import gates, paths
from textlab.adapters import seq2seq_scoring
from textlab.adapters.publishing import publish
from textlab.adapters.tracking import stage_run
from textlab.translation import translation_page

SHOWN = 20  # translations on the report page, a seeded random sample of test


def run_translator_evaluation(stage: str, hp: dict[str, Any], gate: Mapping[str, Any],
                              decoding: Mapping[str, Any]) -> None:
    key, corpus = hp["key"], hp["corpus"]
    model_dir = paths.model_dir(key)
    files = {name: paths.split_table(corpus, name) for name in paths.SPLITS}
    with stage_run(stage, corpus, {"model": key, **decoding}, [str(model_dir), *map(str, files.values())]) as run:
        tables = {name: pd.read_parquet(path) for name, path in files.items()}
        scores, translations = seq2seq_scoring.evaluate(seq2seq_scoring.load_scorer(model_dir), tables, dict(decoding))
        test, hypotheses = tables["test"], translations["test"]
        title = f"{key}: translations of held-out sentences (beam width {decoding['beam_width']})"
        page = translation_page(title, test["source"].tolist(),
                                test["target"].tolist(), hypotheses, SHOWN, int(hp["seed"]), scores)
        publish(corpus, key, scores, page, "translations", stage=stage, gate=gate,
                outputs=gates.translator_outputs(hypotheses, gate["min_distinct_share"]))
        print(f"{stage}: BLEU {scores['bleu']} (retrieval {scores['baseline_retrieval_bleu']}, "
              f"copy {scores['baseline_copy_bleu']}), val BLEU {scores['val_bleu']}, token accuracy "
              f"{scores['token_accuracy']} on {len(test)} held-out pairs; run {run.info.run_id}")
