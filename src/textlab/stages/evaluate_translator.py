"""evaluate_translator@<corpus>-<architecture>: corpus BLEU (sacreBLEU) of greedy translations of the raw
held-out English (which shares no sentence with train), teacher-forced token accuracy, and a page of
translations. Writes reports/metrics/<corpus>/<key>.json and reports/translations/<key>.md.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params, translator_params
from textlab.adapters.publishing import publish
from textlab.adapters.seq2seq_scoring import load_scorer
from textlab.adapters.tracking import stage_run
from textlab.translation import corpus_bleu, token_accuracy

SHOWN = 20  # translations on the report page


def main(key: str) -> None:
    hp = translator_params(load_params(), key)
    test_path, model_dir = Path("data/split") / hp["corpus"] / "test.parquet", Path("models") / key
    with stage_run(f"evaluate_translator@{key}", hp["corpus"], {"model": key}, [str(model_dir), str(test_path)]) as run:
        test, scorer = pd.read_parquet(test_path), load_scorer(model_dir)
        hypotheses = scorer.translate(test["source"].tolist())
        decoder_in, decoder_out = scorer.spec.decode_inputs_and_targets(test["target"].tolist())
        forced = scorer.model.predict({"source": scorer.spec.encode_source(test["source"].tolist()),
                                       "decoder_in": decoder_in}, batch_size=256, verbose=0)
        scores = {"bleu": round(corpus_bleu(hypotheses, test["target"].tolist()), 2),
                  "token_accuracy": round(token_accuracy(np.argmax(forced, axis=-1), decoder_out), 4),
                  "test_pairs": len(test)}
        rows = [f"| {s} | {r} | {h} |" for s, r, h in zip(test["source"], test["target"], hypotheses, strict=True)]
        page = f"# {key}: greedy translations of held-out sentences\n\n| English | reference | translation |\n" \
               f"|---|---|---|\n" + "\n".join(rows[:SHOWN]) + "\n"
        publish(hp["corpus"], key, scores, page, "reports/translations")
        print(f"evaluate_translator@{key}: BLEU {scores['bleu']}, token accuracy {scores['token_accuracy']} "
              f"on {len(test)} held-out pairs; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("evaluate_translator", main)
