"""leaderboard: every model in params.yaml, per corpus and kind, with its test metrics, the published figure,
train time, parameter count and MLflow runs; writes <out>.md and <out>.png (the argument is <out>).

Its DVC deps are the metrics files and the model sections of params.yaml, so it reruns only when a metric
(or the list of models) changed; train time, parameter count and run ids are those of the runs recorded
in reports/runs/ when it ran (a deterministic retrain leaves the metrics, and so the board, as they were).
"""
from __future__ import annotations

import json
from pathlib import Path

import mlflow

from textlab import paths
from textlab.adapters.cli import run_stage
from textlab.adapters.files import write_text
from textlab.adapters.leaderboard import picture, run_facts
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run
from textlab.leaderboard import board, listed_models, page
from textlab.reports import KINDS, gated_row


def main(out: str) -> None:
    params = load_params()
    models = listed_models(params)
    with stage_run("leaderboard", "leaderboard", {"models": len(models)}, [str(paths.METRICS_DIR)]) as run:
        client = mlflow.MlflowClient()
        boards = {}
        for corpus in sorted(set(models.values())):
            rows = {m: gated_row(json.loads(paths.metrics(c, m).read_text())) for m, c in sorted(models.items())
                    if c == corpus and paths.metrics(c, m).is_file()}
            boards[corpus] = board(corpus, rows, KINDS, {m: run_facts(client, m) for m in rows}, params["published"])
        text = page(boards, {kind: title for kind, (title, _, _) in KINDS.items()})
        write_text(f"{out}.md", text)
        picture({c: ts for c, ts in boards.items() if ts}, Path(f"{out}.png"))
        mlflow.log_text(text, "leaderboard.md")
        print(f"leaderboard: {sum(len(t) for ts in boards.values() for _, t in ts)} models; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("leaderboard", main)
