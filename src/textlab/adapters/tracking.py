"""One MLflow run per DVC stage execution, tagged so stage and run are one hop apart both ways."""
from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import mlflow

from textlab import tracking
from textlab.adapters.files import write_json

DEFAULT_DB = "mlflow.db"
DEFAULT_ARTIFACTS = "mlartifacts"
RUNS_DIR = Path("reports/runs")


def tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI` if set, else a SQLite file at the project root."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path(DEFAULT_DB).resolve()}"


def content_hash(path: Path) -> str:
    """md5 of a file, or of a directory's sorted (relative path, file md5) pairs."""
    if path.is_file():
        return hashlib.md5(path.read_bytes()).hexdigest()
    digest = hashlib.md5()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{item.relative_to(path)}:{content_hash(item)}\n".encode())
    return digest.hexdigest()


def git_state() -> tuple[str | None, bool | None]:
    """HEAD commit and whether tracked files differ from it; (None, None) outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, check=True).stdout
        return commit, bool(status.strip())
    except (OSError, subprocess.CalledProcessError):
        return None, None


def run_record_path(stage: str) -> Path:
    return RUNS_DIR / f"{stage}.json"


@contextlib.contextmanager
def stage_run(stage: str, corpus: str, params: Mapping[str, Any], deps: list[str]) -> Iterator[Any]:
    """Open an MLflow run for `stage`, log its params and tags, and record the run id on success."""
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    name = tracking.experiment_name(corpus)
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is None:
        location = tracking.artifact_location(uri, Path(DEFAULT_ARTIFACTS).resolve().as_uri(), corpus)
        experiment_id = mlflow.create_experiment(name, artifact_location=location)
    else:
        experiment_id = experiment.experiment_id
    commit, dirty = git_state()
    hashes = {dep: content_hash(Path(dep)) for dep in deps}
    with mlflow.start_run(experiment_id=experiment_id, run_name=stage,
                          tags=tracking.stage_tags(stage, commit, dirty, hashes)) as run:
        mlflow.log_params(tracking.flatten_params(params))
        yield run
    write_json(run_record_path(stage), {
        "stage": stage,
        "experiment": name,
        "run_id": run.info.run_id,
        "tracking_uri": uri if not uri.startswith("sqlite") else DEFAULT_DB,
    })
