"""split@<corpus>: parse the raw corpus into (text, label) rows and split train/val/test; a running
text (a language model's corpus) becomes three contiguous parts instead, and sentence pairs
(translation) three splits that share no English sentence.

Writes data/split/<corpus>/<split>.parquet (plus corpus extras such as IMDB's unlabelled
reviews) and reports/split/<corpus>.json: row counts, label shares and corpus facts
(textlab.adapters.splitting).
"""
from __future__ import annotations

import mlflow

from textlab import paths
from textlab.adapters.cli import run_stage
from textlab.adapters.params import load_params
from textlab.adapters.splitting import split_corpus
from textlab.adapters.tracking import stage_run


def main(corpus: str) -> None:
    params = load_params()["corpora"][corpus]
    stage = f"split@{corpus}"
    with stage_run(stage, corpus, params, [str(paths.raw(corpus))]) as run:
        metrics, rows = split_corpus(stage, corpus, params)
        mlflow.log_metrics(metrics)
        print(f"{stage}: {', '.join(f'{n} {count}' for n, count in rows.items())} rows; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("split", main)
