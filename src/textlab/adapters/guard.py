"""Run a stage's data checks before it writes anything, and record the verdict.

On success the check results and Data Docs become the stage's outputs. On failure nothing in the
workspace changes (the previous outputs stay valid for the previous data); the results and the
Data Docs of the failing data go to the stage's MLflow run, which then ends FAILED.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import mlflow

from textlab import paths
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.validate import DataCheckError, run_checks


def guard(stage: str, checks: list) -> dict:
    """Validate with GX; raise DataCheckError (workspace untouched) or record results and Data Docs."""
    with tempfile.TemporaryDirectory(prefix="textlab-checks.") as scratch:
        docs = Path(scratch) / "docs"
        try:
            summary = run_checks(checks, suite_prefix=stage, docs_dir=docs.resolve())
        except DataCheckError as err:
            mlflow.log_dict(err.summary, "checks.json")
            mlflow.log_artifacts(str(docs), "data_docs")
            mlflow.log_metric("checks_passed", 0.0)
            raise DataCheckError(f"{err}\n(check results and Data Docs are in the MLflow run's artifacts)",
                                 err.summary) from None
        mlflow.log_dict(summary, "checks.json")
        mlflow.log_artifacts(str(docs), "data_docs")
        mlflow.log_metric("checks_passed", 1.0)
        with atomic_path(paths.data_docs(stage)) as staged:
            shutil.move(docs, staged)
    write_json(paths.checks_report(stage), summary)
    return summary
