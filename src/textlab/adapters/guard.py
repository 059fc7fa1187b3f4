"""Run a stage's data checks before it writes anything, and record the verdict as stage outputs."""
from __future__ import annotations

from pathlib import Path

import mlflow

from textlab.adapters.files import write_json
from textlab.adapters.validate import run_checks

CHECKS_DIR = Path("reports/checks")
DOCS_DIR = Path("reports/data_docs")


def guard(stage: str, checks: list) -> dict:
    """Validate with GX; raise DataCheckError (nothing written) or record results and Data Docs.

    Data Docs are built even for a failing run, so the user can open them and see which rows failed.
    """
    docs = DOCS_DIR / stage
    summary = run_checks(checks, suite_prefix=stage, docs_dir=docs.resolve())
    write_json(CHECKS_DIR / f"{stage}.json", summary)
    mlflow.log_dict(summary, "checks.json")
    mlflow.log_artifacts(str(docs), "data_docs")
    mlflow.log_metric("checks_passed", float(summary["success"]))
    return summary
