"""report@<corpus>: Markdown tables of every model's test metrics, one table per kind of model.

Reads only reports/metrics/<corpus>/*.json, so one corpus's retraining never reruns another's
report; writes reports/<corpus>.md. Training figures stay in `dvc metrics show`.
"""
from __future__ import annotations

import json

import mlflow

from textlab import paths
from textlab.adapters.cli import run_stage
from textlab.adapters.files import write_text
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run
from textlab.reports import KINDS, gated_row, tables


def main(corpus: str) -> None:
    load_params()["corpora"][corpus]  # an unknown corpus fails here, with its name
    source = paths.metrics_dir(corpus)
    with stage_run(f"report@{corpus}", corpus, {"corpus": corpus}, [str(source)]) as run:
        rows = {path.stem: gated_row(json.loads(path.read_text())) for path in sorted(source.glob("*.json"))}
        text = f"# {corpus}: test metrics by architecture\n"
        for kind, table in tables(rows):
            text += f"\n## {KINDS[kind][0]}\n\n{table.to_markdown()}\n"
            mlflow.log_metric(f"best_test_{kind}", float(table[kind].iloc[0]))
            mlflow.set_tag(f"best_model.{kind}", str(table.index[0]))
        write_text(paths.corpus_report(corpus), text)
        mlflow.log_text(text, f"{corpus}.md")
        print(text + f"\nrun {run.info.run_id}")


if __name__ == "__main__":
    run_stage("report", main)
