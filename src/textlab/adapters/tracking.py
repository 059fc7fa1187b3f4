"""One MLflow run per DVC stage execution, tagged so stage and run are one hop apart both ways.

Runs land in the project's own backend wherever DVC runs the stage: `dvc exp run --queue/--temp`
execute in a temporary copy, but DVC points `DVC_ROOT` at the real project, so `mlflow.db` and
`mlartifacts/` are found there.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import resource
import socket
import subprocess
import time
import traceback
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import mlflow
import yaml
from mlflow.exceptions import MlflowException

from textlab import paths, tracking
from textlab.adapters.cli import StageError
from textlab.adapters.files import write_json

DEFAULT_DB = "mlflow.db"
DEFAULT_ARTIFACTS = "mlartifacts"
RUNS_DIR = paths.RUNS_DIR
BACKEND_TIMEOUT_S = 5.0
SQLITE_BUSY_TIMEOUT_S = 60  # a queued experiment's writer waits this long for the other's lock
DVC_LOCK = Path("dvc.lock")
DATASET_ATTEMPTS = 3    # logging an input that another run is creating at the same moment
DATASET_BACKOFF_S = 0.5


def project_root() -> Path:
    """The real project, also from inside a `dvc exp run --queue/--temp` workspace."""
    return Path(os.environ.get("DVC_ROOT") or ".").resolve()


def tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI` if set, else a SQLite file at the project root."""
    configured = os.environ.get("MLFLOW_TRACKING_URI")
    if configured:
        return configured
    return f"sqlite:///{project_root() / DEFAULT_DB}?timeout={SQLITE_BUSY_TIMEOUT_S}"


def check_backend(uri: str, timeout_s: float = BACKEND_TIMEOUT_S) -> None:
    """Fail in seconds, in one line naming the URI, when the tracking backend cannot be reached."""
    if uri.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=timeout_s):
                return
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise StageError(f"MLflow tracking server {uri} is unreachable ({reason}); start it, or unset "
                             f"MLFLOW_TRACKING_URI to log to {project_root() / DEFAULT_DB}") from None
    if uri.startswith("sqlite:///"):
        folder = Path(uri.removeprefix("sqlite:///").split("?")[0]).parent
        if not os.access(folder, os.W_OK):
            raise StageError(f"MLflow backend {uri}: folder {folder} is missing or not writable")


@contextlib.contextmanager
def store_lock(uri: str) -> Iterator[None]:
    """Serialise creating the SQLite schema and experiments across processes (queued experiments
    start side by side, and two schema migrations or two `create_experiment`s would collide)."""
    if not uri.startswith("sqlite:///"):
        yield
        return
    lock_path = Path(uri.removeprefix("sqlite:///").split("?")[0] + ".lock")
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def git_state() -> tuple[str | None, bool | None]:
    """HEAD commit and whether code or params differ from it (DVC's own outputs do not count)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--", *tracking.CODE_PATHS],
                                capture_output=True, text=True, check=True).stdout
        return commit, bool(status.strip())
    except (OSError, subprocess.CalledProcessError):
        return None, None


def dvc_hashes(paths: list[str]) -> dict[str, str]:
    """DVC's own hash of each path, as recorded in dvc.lock by the stage that produced it.

    A file inside a tracked folder is looked up in that folder's `.dir` manifest in the cache.
    """
    if not DVC_LOCK.exists():
        return {}
    # libyaml's parser: dvc.lock grows with every stage, and pure-Python parsing took ~0.3 s of each start-up.
    lock = yaml.load(DVC_LOCK.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    produced = tracking.locked_outputs(lock)
    found = {}
    for path in paths:
        digest = produced.get(path) or manifest_entry(produced, path) or tracking.folder_digest(produced, path)
        if digest:
            found[path] = digest
    return found


def manifest_entry(produced: Mapping[str, str], path: str) -> str | None:
    for folder, digest in produced.items():
        if path.startswith(folder + "/") and digest.endswith(".dir"):
            manifest = project_root() / ".dvc/cache/files/md5" / digest[:2] / digest[2:]
            if manifest.exists():
                return tracking.manifest_hash(json.loads(manifest.read_text()), path[len(folder) + 1:])
    return None


def log_datasets(stage: str, hashes: Mapping[str, str]) -> None:
    """Each input as an MLflow dataset (path as source, DVC hash as digest) so the UI shows what a run saw."""
    from mlflow.data.dataset_source_registry import resolve_dataset_source
    from mlflow.data.meta_dataset import MetaDataset

    for path, digest in hashes.items():
        with warnings.catch_warnings():  # two equivalent local-file sources are registered; either is right
            warnings.simplefilter("ignore")
            source = resolve_dataset_source(path)
        log_input(MetaDataset(source, name=path, digest=digest), stage.split("@")[0])


def log_input(dataset: Any, context: str) -> None:
    """`mlflow.log_input`, again after a pause when another run created the same dataset (name and digest) at
    the same moment: the tracking store's get-or-create is not atomic, so two queued experiments logging one
    new input collide on its unique key (seen on PostgreSQL); the retry finds the row and links it."""
    for attempt in range(1, DATASET_ATTEMPTS + 1):
        try:
            mlflow.log_input(dataset, context=context)
            return
        except MlflowException as err:
            collided = any(sign in str(err) for sign in ("duplicate key", "UNIQUE constraint failed"))
            if not collided or attempt == DATASET_ATTEMPTS:
                raise
            time.sleep(DATASET_BACKOFF_S * attempt)


def mark_dead_runs(experiment_id: str, stage: str) -> None:
    """Close this stage's runs still RUNNING whose process on this host is gone (a `kill -9`)."""
    client = mlflow.MlflowClient()
    stuck = client.search_runs([experiment_id], filter_string=f"tags.`dvc.stage` = '{stage}' and "
                                                              "attributes.status = 'RUNNING'")
    for run in stuck:
        tags = run.data.tags
        if tags.get("process.host") == socket.gethostname() and not process_alive(int(tags.get("process.pid", 0))):
            client.set_tag(run.info.run_id, "error", f"process {tags.get('process.pid')} died before the run ended; "
                                                     f"marked KILLED when {stage} next started")
            client.set_terminated(run.info.run_id, "KILLED")
            print(f"{stage}: marked the run {run.info.run_id} of a dead process as KILLED")


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # PermissionError: alive, but another user's
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def open_experiment(uri: str, corpus: str) -> str:
    """The corpus's experiment id, created when missing. On a server the file lock does not reach the other
    queued experiment, whose stage may create it between our lookup and our create: then it is read again."""
    name = tracking.experiment_name(corpus)
    with store_lock(uri):
        experiment = mlflow.get_experiment_by_name(name)
        if experiment is None:
            root_uri = (project_root() / DEFAULT_ARTIFACTS).as_uri()
            try:
                return mlflow.create_experiment(name, tags=tracking.EXPERIMENT_TAGS,
                                                artifact_location=tracking.artifact_location(uri, root_uri, corpus))
            except MlflowException as err:
                if err.error_code != "RESOURCE_ALREADY_EXISTS":
                    raise
                experiment = mlflow.get_experiment_by_name(name)
        for key, value in tracking.EXPERIMENT_TAGS.items():  # experiments created before the tag existed
            if key not in experiment.tags:
                mlflow.MlflowClient().set_experiment_tag(experiment.experiment_id, key, value)
        return experiment.experiment_id


def run_record_path(stage: str) -> Path:
    return paths.run_record(stage)


def recorded_run_id(record: Path) -> str:
    """The MLflow run id a stage's run record (reports/runs/<stage>.json) holds."""
    return json.loads(record.read_text(encoding="utf-8"))["run_id"]


def trained_model_id(train_stage: str) -> str | None:
    """The logged model of `train_stage`'s recorded run; None where there is none to find (no record, or a
    clone whose records point at another machine's backend)."""
    try:
        run_id = recorded_run_id(run_record_path(train_stage))
        outputs = mlflow.MlflowClient().get_run(run_id).outputs
    except (OSError, ValueError, KeyError, MlflowException):
        return None
    return outputs.model_outputs[0].model_id if outputs and outputs.model_outputs else None


@contextlib.contextmanager
def evaluated_model(stage: str) -> Iterator[None]:
    """In an evaluate stage, the model its train stage logged is MLflow's active model, so every metric the stage
    logs is also recorded against that model (the experiment's Models tab then lists each architecture with its
    test metrics) and the evaluate run lists the model among its inputs."""
    model_id = trained_model_id(tracking.train_stage(stage)) if stage.startswith("evaluate") else None
    if model_id is None:
        yield
        return
    with mlflow.set_active_model(model_id=model_id):
        yield


@contextlib.contextmanager
def stage_run(stage: str, corpus: str, params: Mapping[str, Any], deps: list[str]) -> Iterator[Any]:
    """Open an MLflow run for `stage`; on failure it ends FAILED (KILLED if interrupted) with the error."""
    uri = tracking_uri()
    check_backend(uri)
    mlflow.set_tracking_uri(uri)
    experiment_id = open_experiment(uri, corpus)
    mark_dead_runs(experiment_id, stage)
    commit, dirty = git_state()
    hashes = dvc_hashes(deps)
    tags = tracking.stage_tags(stage, commit, dirty, hashes, os.environ.get("DVC_EXP_NAME"))
    tags.update({"process.pid": str(os.getpid()), "process.host": socket.gethostname()})
    with mlflow.start_run(experiment_id=experiment_id, run_name=stage, tags=tags) as run:
        mlflow.log_params(tracking.flatten_params(params))
        log_datasets(stage, hashes)
        try:
            with evaluated_model(stage):
                yield run
            # Peak resident memory of the stage process (Linux reports kilobytes): a figure for the run, not a DVC output.
            mlflow.log_metric("peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
        except BaseException as err:
            mlflow.set_tag("error", tracking.one_line(f"{type(err).__name__}: {err}"))
            mlflow.log_text(traceback.format_exc(), "error.txt")
            if isinstance(err, KeyboardInterrupt):
                mlflow.end_run("KILLED")
            raise
    write_json(run_record_path(stage), {
        "stage": stage,
        "experiment": tracking.experiment_name(corpus),
        "run_id": run.info.run_id,
        "tracking_uri": uri if not uri.startswith("sqlite") else DEFAULT_DB,
    })
