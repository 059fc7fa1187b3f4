"""What a stage tells MLflow: pure helpers that shape params, tags and locations."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EXPERIMENT_PREFIX = "textlab"
MLFLOW_PARAM_LIMIT = 6000  # MLflow rejects longer param values


def experiment_name(corpus: str) -> str:
    return f"{EXPERIMENT_PREFIX}-{corpus}"


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested params as `a.b.c` keys with string values MLflow accepts."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_params(value, prefix=f"{name}."))
        else:
            flat[name] = str(value)[:MLFLOW_PARAM_LIMIT]
    return flat


def stage_tags(stage: str, commit: str | None, dirty: bool | None, dep_hashes: Mapping[str, str]) -> dict[str, str]:
    """Tags that tie a run to its code (git) and data (DVC stage and dependency hashes)."""
    tags = {
        "dvc.stage": stage,
        "git.commit": commit or "unknown",
        "git.dirty": "unknown" if dirty is None else str(dirty).lower(),
    }
    tags.update({f"dvc.dep.{path}": digest for path, digest in dep_hashes.items()})
    return tags


def artifact_location(tracking_uri: str, root_uri: str, corpus: str) -> str:
    """Where a corpus's experiment keeps artifacts.

    A tracking server proxies artifacts itself (`mlflow-artifacts:`); any other backend gets a
    folder beside the project so artifacts never land in the process's working directory by accident.
    """
    if tracking_uri.startswith(("http://", "https://")):
        return f"mlflow-artifacts:/{experiment_name(corpus)}"
    return f"{root_uri.rstrip('/')}/{experiment_name(corpus)}"
