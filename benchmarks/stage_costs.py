"""What each stage execution cost, from the MLflow runs the pipeline logged: wall time (run start to end,
so without the process's start-up) and the stage process's peak resident memory (`peak_rss_mb`), one line
per stage, newest run of each, in the order they started.

    python benchmarks/stage_costs.py [--corpus nietzsche --corpus alice ...] [--since "2026-12-01 23:00"]

Run from the project root: it reads the stages' own backend (MLFLOW_TRACKING_URI, else ./mlflow.db).
"""
from __future__ import annotations

import argparse

import mlflow
import pandas as pd

from textlab import tracking
from textlab.adapters.tracking import tracking_uri


def stage_runs(client: mlflow.MlflowClient, corpora: list[str], since: pd.Timestamp | None) -> pd.DataFrame:
    wanted = {tracking.experiment_name(corpus) for corpus in corpora}
    ids = [e.experiment_id for e in client.search_experiments() if not corpora or e.name in wanted]
    runs = mlflow.search_runs(experiment_ids=ids, filter_string="attributes.status = 'FINISHED'")
    runs = runs[runs["tags.dvc.stage"].notna()]
    if since is not None:
        runs = runs[runs["start_time"] >= since]
    newest = runs.sort_values("start_time").groupby("tags.dvc.stage").tail(1)  # in start order
    return pd.DataFrame({
        "stage": newest["tags.dvc.stage"],
        "started": newest["start_time"].dt.strftime("%H:%M:%S"),
        "wall_s": (newest["end_time"] - newest["start_time"]).dt.total_seconds().round(1),
        "peak_rss_mb": newest.get("metrics.peak_rss_mb"),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", default=[], help="that corpus's experiment; all when omitted")
    parser.add_argument("--since", help="only runs started at or after this UTC time")
    args = parser.parse_args()
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    since = pd.Timestamp(args.since, tz="UTC") if args.since else None
    table = stage_runs(mlflow.MlflowClient(uri), args.corpus, since)
    print(table.to_markdown(index=False))
    print(f"\n{len(table)} stages, {table['wall_s'].sum():.0f} s of stage runs in all, "
          f"largest peak memory {table['peak_rss_mb'].max():.0f} MB")


if __name__ == "__main__":
    main()
