"""The leaderboard's pure part: which models it lists and how a corpus's table is laid out."""
from __future__ import annotations

from textlab.leaderboard import board, listed_models
from textlab.reports import KINDS


def test_only_models_in_params_are_listed_with_published_figures_and_runs():
    params = {"models": {"names-gru": {"corpus": "names"}}, "baselines": {}, "ngram_models": {"nietzsche-kneser_ney5":
                                                                                              {"corpus": "nietzsche"}}}
    assert listed_models(params) == {"names-gru": "names", "nietzsche-kneser_ney5": "nietzsche"}
    rows = {"names-dense_bow": {"accuracy": 0.7, "roc_auc": 0.75}, "names-gru": {"accuracy": 0.8, "roc_auc": 0.85}}
    runs = {"names-gru": {"train_seconds": 12.5, "parameters": 3000, "train_run": "t" * 32, "evaluate_run": "e" * 32}}
    [(kind, table)] = board("names", rows, KINDS, runs, {"names-dense_bow": {"accuracy": 0.707}})
    assert kind == "accuracy" and table.index.tolist() == ["names-gru", "names-dense_bow"]  # best first
    assert table.loc["names-dense_bow", "published"] == 0.707 and table.loc["names-gru", "train_run"] == "t" * 32
    assert table.columns.tolist()[-7:] == ["test_rows", "gate", "published", "train_seconds", "parameters", "train_run",
                                           "evaluate_run"]
    [(kind, lm)] = board("nietzsche", {"nietzsche-kneser_ney5": {"bits_per_token": 2.1}}, KINDS, {},
                         {"nietzsche-kneser_ney5": {"bits_per_token": 1.97}})
    assert kind == "bits_per_token" and lm.loc["nietzsche-kneser_ney5", "published"] == 1.97
