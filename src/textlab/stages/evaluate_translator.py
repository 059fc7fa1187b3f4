"""evaluate_translator@<corpus>-<architecture>: corpus BLEU of the translations (params.yaml `decoding`: a beam
search, or greedy) of the held-out English, token accuracy and the two baselines', on test and val
(textlab.adapters.seq2seq_evaluating). Writes reports/metrics/<corpus>/<key>.json and
reports/translations/<key>.md, a seeded random sample of test sentences with their sentence BLEU.
"""
from __future__ import annotations

from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params, translator_params
from textlab.adapters.seq2seq_evaluating import run_translator_evaluation


def main(key: str) -> None:
    params = load_params()
    run_translator_evaluation(f"evaluate_translator@{key}", translator_params(params, key),
                              params["gates"]["translator"], params["decoding"])


if __name__ == "__main__":
    run_stage("evaluate_translator", main)
