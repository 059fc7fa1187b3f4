"""report@<corpus>: one Markdown table of every architecture's test metrics.

Reads only reports/metrics/<corpus>/*.json, so one corpus's retraining never reruns another's
report; writes reports/<corpus>.md. Training figures stay in `dvc metrics show`.
"""
from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pandas as pd

from textlab.adapters.cli import run_stage
from textlab.adapters.files import write_text
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run
from textlab.corpora import TEXT_CORPORA

# The table of each kind of model: its columns, first the one it is ranked by (accuracy: higher is better).
CLASSIFIER_COLUMNS = ["accuracy", "precision", "recall", "f1", "roc_auc", "loss", "test_rows"]
LANGUAGE_COLUMNS = ["bits_per_token", "perplexity", "cross_entropy", "test_tokens", "test_oov_rate"]


def main(corpus: str) -> None:
    load_params()["corpora"][corpus]  # an unknown corpus fails here, with its name
    source = Path("reports/metrics") / corpus
    with stage_run(f"report@{corpus}", corpus, {"corpus": corpus}, [str(source)]) as run:
        rows = {path.stem: json.loads(path.read_text()) for path in sorted(source.glob("*.json"))}
        columns = LANGUAGE_COLUMNS if corpus in TEXT_CORPORA else CLASSIFIER_COLUMNS
        ranked_by, ascending = columns[0], corpus in TEXT_CORPORA  # fewer bits per token is better
        table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns)
        table = table.sort_values(ranked_by, ascending=ascending).rename_axis("model").round(4)
        text = f"# {corpus}: test metrics by architecture\n\n{table.to_markdown()}\n"
        write_text(Path("reports") / f"{corpus}.md", text)
        mlflow.log_text(text, f"{corpus}.md")
        if len(table):
            mlflow.log_metric(f"best_test_{ranked_by}", float(table[ranked_by].iloc[0]))
            mlflow.set_tag("best_model", str(table.index[0]))
        print(text + f"\nrun {run.info.run_id}")


if __name__ == "__main__":
    run_stage("report", main)
