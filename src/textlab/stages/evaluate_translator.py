"""evaluate_translator@<corpus>-<architecture>: corpus BLEU (sacreBLEU) of the translations (params.yaml
`decoding`: a beam search, or greedy) of the raw held-out English (which shares no sentence with train),
teacher-forced token accuracy, and the same for the two baselines (retrieval of the nearest training sentence's Spanish, copy the source), on test and
on val (`val_` figures). Writes reports/metrics/<corpus>/<key>.json and reports/translations/<key>.md,
a seeded random sample of test sentences with their sentence BLEU.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from textlab import gates
from textlab.adapters import seq2seq_scoring
from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params, translator_params
from textlab.adapters.publishing import publish
from textlab.adapters.tracking import stage_run
from textlab.translation import translation_page

SHOWN = 20  # translations on the report page, a seeded random sample of test


def main(key: str) -> None:
    params = load_params()
    hp, gate = translator_params(params, key), params["gates"]["translator"]
    model_dir = Path("models") / key
    paths = {name: Path("data/split") / hp["corpus"] / f"{name}.parquet" for name in ("train", "val", "test")}
    stage = f"evaluate_translator@{key}"
    with stage_run(stage, hp["corpus"], {"model": key, **params["decoding"]},
                   [str(model_dir), *map(str, paths.values())]) as run:
        tables = {name: pd.read_parquet(path) for name, path in paths.items()}
        scorer = seq2seq_scoring.load_scorer(model_dir)
        scores, translations = seq2seq_scoring.evaluate(scorer, tables, params["decoding"])
        test, hypotheses = tables["test"], translations["test"]
        title = f"{key}: translations of held-out sentences (beam width {params['decoding']['beam_width']})"
        page = translation_page(title, test["source"].tolist(),
                                test["target"].tolist(), hypotheses, SHOWN, int(hp["seed"]), scores)
        publish(hp["corpus"], key, scores, page, "reports/translations", stage=stage, gate=gate,
                outputs=gates.translator_outputs(hypotheses, gate["min_distinct_share"]))
        print(f"{stage}: BLEU {scores['bleu']} (retrieval {scores['baseline_retrieval_bleu']}, "
              f"copy {scores['baseline_copy_bleu']}), val BLEU {scores['val_bleu']}, token accuracy "
              f"{scores['token_accuracy']} on {len(test)} held-out pairs; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("evaluate_translator", main)
