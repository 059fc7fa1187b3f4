"""report@<corpus>: Markdown tables of every model's test metrics, one table per kind of model.

Reads only reports/metrics/<corpus>/*.json, so one corpus's retraining never reruns another's
report; writes reports/<corpus>.md. Training figures stay in `dvc metrics show`.
"""
from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pandas as pd

from textlab import gates
from textlab.adapters.cli import run_stage
from textlab.adapters.files import write_text
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run

# Each kind of model: its title, its columns (first the one it is ranked by) and whether higher is better.
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
    "bleu": ("translators (corpus BLEU of greedy translations beside retrieval and copy-the-source; token accuracy)",
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


def main(corpus: str) -> None:
    load_params()["corpora"][corpus]  # an unknown corpus fails here, with its name
    source = Path("reports/metrics") / corpus
    with stage_run(f"report@{corpus}", corpus, {"corpus": corpus}, [str(source)]) as run:
        rows = {path.stem: gated_row(json.loads(path.read_text())) for path in sorted(source.glob("*.json"))}
        text = f"# {corpus}: test metrics by architecture\n"
        for kind, table in tables(rows):
            text += f"\n## {KINDS[kind][0]}\n\n{table.to_markdown()}\n"
            mlflow.log_metric(f"best_test_{kind}", float(table[kind].iloc[0]))
            mlflow.set_tag(f"best_model.{kind}", str(table.index[0]))
        write_text(Path("reports") / f"{corpus}.md", text)
        mlflow.log_text(text, f"{corpus}.md")
        print(text + f"\nrun {run.info.run_id}")


if __name__ == "__main__":
    run_stage("report", main)
