"""The last step of every evaluate stage that is not a classifier's: its figures and its page, in MLflow
and in the workspace (outputs last, so a failure before leaves the previous ones whole)."""
from __future__ import annotations

from pathlib import Path

import mlflow

from textlab.adapters.files import write_json, write_text

METRICS_DIR = Path("reports/metrics")


def publish(corpus: str, key: str, scores: dict[str, float | int], page: str, page_dir: str,
            metric_prefix: str = "test_") -> None:
    """scores → MLflow (prefixed) and reports/metrics/<corpus>/<key>.json; page → MLflow and <page_dir>/<key>.md."""
    mlflow.log_metrics({f"{metric_prefix}{name}": float(value) for name, value in scores.items()})
    mlflow.log_text(page, f"{Path(page_dir).name}.md")
    write_text(Path(page_dir) / f"{key}.md", page)
    write_json(METRICS_DIR / corpus / f"{key}.json", scores)
