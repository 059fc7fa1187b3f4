"""The tables of test metrics that `report@<corpus>` and the leaderboard show: one per kind of model, the kind's
columns (its ranking metric first, its baselines beside) and each model's quality-gate verdict. Pure functions."""
from __future__ import annotations

import pandas as pd

from textlab import gates

# `gate` is each model's quality-gate verdict (textlab.gates): `FAIL (...)` names the gates it failed.
KINDS = {
    "accuracy": ("classifiers (beside the majority class and the class prior, DummyClassifier on train)",
                 ["accuracy", "baseline_majority_accuracy", "precision", "recall", "f1", "roc_auc", "loss",
                  "baseline_prior_loss", "test_rows", "gate"], False),
    "bits_per_token": ("language models (bits per token: per character for a character model; beside the unigram)",
                       ["bits_per_token", "baseline_unigram_bits_per_token", "perplexity", "cross_entropy",
                        "test_tokens", "test_oov_rate", "gate"], True),
    "neighbour_overlap": ("word vectors (top-k neighbour overlap with gensim; its seed-to-seed overlap beside)",
                          ["neighbour_overlap", "gensim_noise_floor", "floor_ratio", "words_compared", "k", "gate"],
                          False),
    "bleu": ("translators (corpus BLEU of the translations, decoded as params.yaml `decoding` says, beside retrieval and copy-the-source; token accuracy)",
             ["bleu", "baseline_retrieval_bleu", "baseline_copy_bleu", "token_accuracy", "test_pairs", "gate"], False),
}


def kind_of(metrics: dict) -> str:
    return next(kind for kind in KINDS if kind in metrics)


def gated_row(metrics: dict) -> dict:
    """A metrics file as a table row, its gate verdict as one column."""
    return {**metrics, "gate": gates.mark(metrics)}


def tables(rows: dict[str, dict]) -> list[tuple[str, pd.DataFrame]]:
    """(ranking metric, table) per kind of model present, best model first."""
    found = []
    for kind, (_, columns, ascending) in KINDS.items():
        members = {key: metrics for key, metrics in rows.items() if kind_of(metrics) == kind}
        if members:
            table = pd.DataFrame.from_dict(members, orient="index").reindex(columns=columns)
            found.append((kind, table.sort_values(kind, ascending=ascending).rename_axis("model").round(4)))
    return found
