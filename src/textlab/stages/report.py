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

COLUMNS = ["accuracy", "precision", "recall", "f1", "roc_auc", "loss", "test_rows"]


def main(corpus: str) -> None:
    load_params()["corpora"][corpus]  # an unknown corpus fails here, with its name
    source = Path("reports/metrics") / corpus
    with stage_run(f"report@{corpus}", corpus, {"corpus": corpus}, [str(source)]) as run:
        rows = {path.stem: json.loads(path.read_text()) for path in sorted(source.glob("*.json"))}
        table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=COLUMNS)
        table = table.sort_values("accuracy", ascending=False).rename_axis("model").round(4)
        text = f"# {corpus}: test metrics by architecture\n\n{table.to_markdown()}\n"
        write_text(Path("reports") / f"{corpus}.md", text)
        mlflow.log_text(text, f"{corpus}.md")
        if len(table):
            mlflow.log_metric("best_test_accuracy", float(table["accuracy"].max()))
            mlflow.set_tag("best_model", str(table.index[0]))
        print(text + f"\nrun {run.info.run_id}")


if __name__ == "__main__":
    run_stage("report", main)
