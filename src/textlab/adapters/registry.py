"""The MLflow model registry side of promotion: one registered model per task, one version per train run.

Versions are only ever added (a train run already registered is found by its run id, never registered
twice) and the `champion` alias is the only thing that moves.
"""
from __future__ import annotations

import json
from pathlib import Path

import mlflow
from mlflow.exceptions import MlflowException

from textlab import paths
from textlab.adapters.cli import StageError
from textlab.adapters.tracking import recorded_run_id, run_record_path
from textlab.registry import CHAMPION, Candidate, candidate_from_tags, gate_tag, version_tags


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def candidate(client: mlflow.MlflowClient, task: str, model: str, train_stage: str, corpus: str) -> Candidate:
    """The version of `model`'s latest train run, registered from that run's logged model if it is new."""
    train_stage = train_stage if "@" in train_stage else f"{train_stage}@{model}"
    run_id = recorded_run_id(run_record_path(train_stage))
    metrics = read_json(paths.metrics(corpus, model))
    found = client.search_model_versions(f"name = '{task}' and run_id = '{run_id}'")
    if found:  # a re-evaluation may have flipped the gate since the version was registered
        tags = {**found[0].tags, "gate": gate_tag(metrics)}
        if tags["gate"] != found[0].tags.get("gate"):
            client.set_model_version_tag(task, found[0].version, "gate", tags["gate"])
        return candidate_from_tags(found[0].version, tags)
    try:
        run_tags = client.get_run(run_id).data.tags
    except MlflowException as err:  # e.g. a clone whose run records point at another machine's backend
        raise StageError(f"{train_stage}: its run {run_id} (reports/runs/{train_stage}.json) is not in "
                         f"the tracking backend {mlflow.get_tracking_uri()}; rerun it with "
                         f"`dvc repro --force {train_stage}`") from err
    tags = version_tags(model, train_stage, run_tags.get("git.commit"),
                        read_json(paths.train_metrics(model)), metrics)
    tags.update({key: value for key, value in run_tags.items() if key.startswith("dvc.dep.")})  # the data it saw
    version = mlflow.register_model(f"runs:/{run_id}/model", task, tags=tags)
    return candidate_from_tags(version.version, tags)


def decision_path(task: str) -> Path:
    """Where promote@<task> writes its decision (the champion and every candidate's version)."""
    return paths.registry_record(task)


def current_champion(client: mlflow.MlflowClient, task: str) -> Candidate | None:
    try:
        version = client.get_model_version_by_alias(task, CHAMPION)
    except MlflowException:  # no registered model yet, or no alias on it
        return None
    return candidate_from_tags(version.version, version.tags)


def crown(client: mlflow.MlflowClient, task: str, version: str | None) -> None:
    """Move `champion` to `version`; None takes the alias away (the champion failed its gate, no one passed)."""
    if version is not None:
        client.set_registered_model_alias(task, CHAMPION, version)
    elif current_champion(client, task) is not None:
        client.delete_registered_model_alias(task, CHAMPION)
