"""What a stage tells MLflow: pure helpers that shape params, tags and locations."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

EXPERIMENT_PREFIX = "textlab"
MLFLOW_PARAM_LIMIT = 6000  # MLflow rejects longer param values
TAG_LIMIT = 500  # a tag is for the UI's run list; the whole text goes into an artifact
# Raw inputs that show what an exported model takes: its MLflow input example, per corpus.
INPUT_EXAMPLES: dict[str, list[str]] = {
    "names": ["Anna", "John"],
    "imdb": ["A wonderful, moving film.<br /><br />The cast is superb.", "Dull plot and wooden acting; I left early."],
    "nietzsche": ["supposing that truth is a woman--what then? ", "the will to power "],
    "alice": ["alice was beginning to get very", "the queen said"],
    "spa_eng": ["I am hungry.", "Where is the station?"],
}
# What `git.dirty` looks at: code and params, never the outputs DVC rewrites around each stage.
CODE_PATHS = ("src", "params.yaml", "dvc.yaml", "pyproject.toml", "requirements.lock")
# MLflow 3's experiment kind: a model-training project, not a GenAI app (whose experiments open on traces).
EXPERIMENT_TAGS = {"mlflow.experimentKind": "custom_model_development"}


def experiment_name(corpus: str) -> str:
    return f"{EXPERIMENT_PREFIX}-{corpus}"


def train_stage(evaluate_stage: str) -> str:
    """The stage that trained what an evaluate stage scores: evaluate_lm@x -> train_lm@x, evaluate@x -> train@x."""
    return "train" + evaluate_stage.removeprefix("evaluate")


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


def stage_tags(stage: str, commit: str | None, dirty: bool | None, dep_hashes: Mapping[str, str],
               experiment: str | None = None) -> dict[str, str]:
    """Tags that tie a run to its code (git), its data (DVC hashes) and its DVC experiment, if any."""
    tags = {
        "dvc.stage": stage,
        "git.commit": commit or "unknown",
        "git.dirty": "unknown" if dirty is None else str(dirty).lower(),
    }
    if experiment:
        tags["dvc.exp"] = experiment
    tags.update({f"dvc.dep.{path}": digest for path, digest in dep_hashes.items()})
    return tags


def locked_outputs(lock: Mapping[str, Any]) -> dict[str, str]:
    """{output path: DVC hash} of every stage in a parsed dvc.lock."""
    produced = {}
    for stage in (lock or {}).get("stages", {}).values():
        for out in stage.get("outs", []):
            digest = out.get("md5")
            if digest:
                produced[out["path"]] = digest
    return produced


def folder_digest(produced: Mapping[str, str], folder: str) -> str | None:
    """DVC's `.dir` hash of a folder whose files are each some stage's output (report@'s metrics folder):
    the md5 of the sorted JSON list of {md5, relpath}, as DVC computes it, or None if no output is inside."""
    entries = sorted(({"md5": digest, "relpath": path[len(folder) + 1:]} for path, digest in produced.items()
                      if path.startswith(folder + "/") and not digest.endswith(".dir")), key=lambda e: e["relpath"])
    if not entries:
        return None
    return hashlib.md5(json.dumps(entries, sort_keys=True).encode("utf-8")).hexdigest() + ".dir"


def manifest_hash(entries: list[Mapping[str, str]], relpath: str) -> str | None:
    """A file's hash in a DVC `.dir` manifest (a list of {relpath, md5})."""
    for entry in entries:
        if entry.get("relpath") == relpath:
            return entry.get("md5")
    return None


def one_line(text: str) -> str:
    """An error as one short line for a tag: first line, cut to TAG_LIMIT characters."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= TAG_LIMIT else first[: TAG_LIMIT - 1] + "…"


def artifact_location(tracking_uri: str, root_uri: str, corpus: str) -> str:
    """Where a corpus's experiment keeps artifacts.

    A tracking server proxies artifacts itself (`mlflow-artifacts:`); any other backend gets a
    folder beside the project so artifacts never land in the process's working directory by accident.
    """
    if tracking_uri.startswith(("http://", "https://")):
        return f"mlflow-artifacts:/{experiment_name(corpus)}"
    return f"{root_uri.rstrip('/')}/{experiment_name(corpus)}"
