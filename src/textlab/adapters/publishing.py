"""The last step of every evaluate stage that is not a classifier's: its figures, their quality gate and its
page, in MLflow and in the workspace (outputs last, so a failure before leaves the previous ones whole)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mlflow

from textlab import paths
from textlab.adapters.files import write_json, write_text
from textlab.adapters.gating import gated
from textlab.checks import Check


def publish(corpus: str, key: str, scores: dict[str, float | int], page: str, page_kind: str, *, stage: str,
            gate: Mapping[str, Any], outputs: Check | None = None, metric_prefix: str = "test_") -> None:
    """scores → MLflow (prefixed) and, with the verdicts of `gate` (params.yaml `gates.<kind>`) on them and on
    `outputs`, reports/metrics/<corpus>/<key>.json; page → MLflow and reports/<page_kind>/<key>.md (textlab.paths.page)."""
    mlflow.log_metrics({f"{metric_prefix}{name}": float(value) for name, value in scores.items()})
    metrics = gated(stage, scores, gate, outputs)
    mlflow.log_text(page, f"{page_kind}.md")
    write_text(paths.page(page_kind, key), page)
    write_json(paths.metrics(corpus, key), metrics)
