"""A team's setup on the real pipeline: `mlflow server` on PostgreSQL with proxied artifacts, a DVC
directory remote, and queued experiments run by two workers against both backends.

Works on `git clone`s of the session's small pipeline (conftest.pipeline) whose DVC cache is the
pipeline's own (`dvc cache dir`), so the fixture project itself is never changed: the clones take its HEAD,
which the modules that change the project (on the other worker, maybe at the same time) leave matching its
dvc.lock whenever they commit.
"""
from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import (
    artifacts_folder,
    clone_pipeline,
    free_port,
    mlflow_runs,
    mlflow_server,
    ran,
    run,
    stage_env,
)

pytestmark = pytest.mark.e2e
BASELINE = "imdb-nbsvm"
EMBEDDED = "names-simple_rnn"  # its export_embeddings stage is the one a t-SNE setting reruns (no TensorFlow)


# ------------------------------------------------- PostgreSQL and an mlflow server on it
def postgres_bin() -> Path:
    """The folder of initdb, pg_ctl and createdb (PATH, or Debian's /usr/lib/postgresql/<version>/bin);
    installs Debian's `postgresql` package when there is none (the tests run as root)."""
    for _ in range(2):
        found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)),
                                               None)
        if found:
            return Path(found).resolve().parent
        for apt in (["update", "-q"], ["install", "-y", "-q", "postgresql"]):
            subprocess.run(["apt-get", *apt], check=True, capture_output=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    pytest.fail("initdb not found after installing the postgresql package")


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free port of 127.0.0.1 (trust auth, no fsync), stopped and
    deleted on exit; yields the URI of its `mlflow` database. PostgreSQL refuses to run as root, so
    under root it runs as the `postgres` user."""
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="textlab-pg-"))  # not under pytest's root-only tmp folder
    if as_user:
        shutil.chown(folder, "postgres")
    data, port, bin_dir = folder / "data", free_port(), postgres_bin()
    pg_ctl = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-w"]
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off"
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "textlab", "--auth=trust", "-E",
                        "UTF8", "--no-locale"], check=True, capture_output=True)
        subprocess.run([*pg_ctl, "-o", options, "-l", str(folder / "server.log"), "start"], check=True,
                       capture_output=True)
        subprocess.run([*as_user, str(bin_dir / "createdb"), "-h", "127.0.0.1",
                        "-p", str(port), "-U", "textlab", "mlflow"], check=True, capture_output=True)
        # The driver is named: SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, and the lock has psycopg2.
        yield f"postgresql+psycopg2://textlab@127.0.0.1:{port}/mlflow"
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    """(URL, database URI, artifacts folder) of `mlflow server` on PostgreSQL with proxied artifacts."""
    artifacts = tmp_path_factory.mktemp("team-artifacts")
    with postgres() as database, mlflow_server(database, artifacts) as url:
        yield url, database, artifacts


def test_stages_log_runs_tags_metrics_and_models_to_the_postgres_server(pipeline, team_server, tmp_path):
    import mlflow
    import pandas as pd
    import psycopg2

    url, database, artifacts = team_server
    project, env = clone_pipeline(pipeline, tmp_path / "clone")
    env["MLFLOW_TRACKING_URI"] = url
    stages = [f"train_baseline@{BASELINE}", f"evaluate_baseline@{BASELINE}"]
    done = run(["dvc", "repro", "--force", "--single-item", *stages], project, env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert ran(done.stdout) == set(stages)
    assert not (project / "mlflow.db").exists() and not (project / "mlartifacts").exists()

    client = mlflow.MlflowClient(tracking_uri=url)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True).stdout.strip()
    runs = {}
    for stage in stages:
        record = json.loads((project / f"reports/runs/{stage}.json").read_text())
        assert record["tracking_uri"] == url
        runs[stage] = client.get_run(record["run_id"])
        assert runs[stage].info.status == "FINISHED"
        assert runs[stage].data.tags["dvc.stage"] == stage and runs[stage].data.tags["git.commit"] == commit
        assert client.get_experiment(runs[stage].info.experiment_id).name == "textlab-imdb"
    train, evaluate = runs.values()
    assert train.data.params["C"] == str(yaml.safe_load((project / "params.yaml").read_text())["baselines"][BASELINE]["C"])
    assert 0 < train.data.metrics["val_accuracy"] <= 1
    accuracy = json.loads((project / f"reports/metrics/imdb/{BASELINE}.json").read_text())["accuracy"]
    assert evaluate.data.metrics["test_accuracy"] == pytest.approx(accuracy)
    assert {"confusion_matrix.png", "roc.png"} <= {a.path for a in client.list_artifacts(evaluate.info.run_id)}

    # The model: an MLflow logged model of the train run, its files proxied into the server's folder.
    logged = [m for m in client.search_logged_models(experiment_ids=[train.info.experiment_id])
              if m.source_run_id == train.info.run_id]
    assert [m.name for m in logged] == ["model"] and logged[0].artifact_location.startswith("mlflow-artifacts:")
    assert list((artifacts / "textlab-imdb/models" / logged[0].model_id).rglob("model.skops"))
    model = mlflow.pyfunc.load_model(mlflow.artifacts.download_artifacts(artifact_uri=logged[0].artifact_location,
                                                                         dst_path=str(tmp_path), tracking_uri=url))
    answer = model.predict(pd.DataFrame({"text": ["A wonderful, moving film.", "Dull and wooden."]}))
    assert list(answer.columns) == ["probability", "known_tokens"] and answer["probability"].between(0, 1).all()

    # ...and the runs are rows of the PostgreSQL database behind it.
    with contextlib.closing(psycopg2.connect(database.replace("+psycopg2", ""))) as db, db.cursor() as cursor:
        cursor.execute("select count(*) from runs where run_uuid = any(%s) and status = 'FINISHED'",
                       ([r.info.run_id for r in runs.values()],))
        assert cursor.fetchone()[0] == 2


# ------------------------------------------------- queued experiments, two workers
def queued_sweep(project: Path, env: dict[str, str], values: tuple[int, int]) -> dict[str, int]:
    """Queue a grid of two t-SNE perplexities (`-S key=a,b`), run it with two workers, wait for both;
    {experiment name: perplexity} of the experiments `dvc exp show` lists afterwards."""
    key = "export_embeddings.tsne_perplexity"
    queued = run(["dvc", "exp", "run", "--queue", "-S", f"{key}={values[0]},{values[1]}"], project, env)
    assert queued.returncode == 0, queued.stderr[-2000:]
    started = run(["dvc", "queue", "start", "-j", "2"], project, env)
    assert started.returncode == 0, started.stderr[-2000:]
    deadline, status = time.monotonic() + 600, ""
    while time.monotonic() < deadline:
        status = run(["dvc", "queue", "status"], project, env).stdout
        if "Running" not in status and "Queued" not in status:
            break
        time.sleep(2)
    run(["dvc", "queue", "stop", "--kill"], project, env)
    assert "Failed" not in status, status
    shown = json.loads(run(["dvc", "exp", "show", "--json"], project, env).stdout)
    found = {}
    for baseline in shown:
        for experiment in baseline.get("experiments") or []:
            for rev in experiment["revs"]:
                params = rev["data"]["params"]["params.yaml"]["data"]
                found[rev["name"]] = params["export_embeddings"]["tsne_perplexity"]
    assert sorted(found.values()) == sorted(values), (found, status)
    table = run(["dvc", "exp", "show", "--md", "--no-pager"], project, env).stdout
    (artifacts_folder("sweeps") / f"exp-show-{values[0]}-{values[1]}.md").write_text(table)  # kept for the record
    logs = "".join(run(["dvc", "queue", "logs", name], project, env).stdout for name in found)
    assert "database is locked" not in logs and "Running stage" in logs
    return found


@pytest.mark.parametrize("backend", ["sqlite", "postgres server"])
def test_two_queued_experiments_run_side_by_side_and_every_run_lands_in_the_backend(pipeline, backend, request,
                                                                                   tmp_path):
    """The SQLite default (the clone's own mlflow.db, though the experiments run in temporary copies)
    and the team server: one FINISHED run per experiment, tagged with its name."""
    import mlflow

    project, env = clone_pipeline(pipeline, tmp_path / "clone", checkout=False)
    stage = f"export_embeddings@{EMBEDDED}"
    if backend == "sqlite":
        experiments = queued_sweep(project, env, (3, 4))
        runs = mlflow_runs(project).reset_index()
        landed = runs[runs["dvc.stage"] == stage]
        assert sorted(landed["dvc.exp"]) == sorted(experiments) and set(landed["status"]) == {"FINISHED"}
        return
    url = request.getfixturevalue("team_server")[0]
    env["MLFLOW_TRACKING_URI"] = url
    experiments = queued_sweep(project, env, (6, 7))
    client = mlflow.MlflowClient(tracking_uri=url)
    found = client.search_runs([client.get_experiment_by_name("textlab-names").experiment_id],
                               filter_string=f"tags.`dvc.stage` = '{stage}'")
    landed = [r for r in found if r.data.tags.get("dvc.exp") in experiments]  # one each: none lost, none twice
    assert sorted(r.data.tags["dvc.exp"] for r in landed) == sorted(experiments)
    assert {r.info.status for r in landed} == {"FINISHED"}
    assert {r.data.tags["dvc.exp"]: int(r.data.params["tsne_perplexity"]) for r in landed} == experiments
    assert not (project / "mlflow.db").exists()


# ------------------------------------------------- a DVC remote
def test_a_fresh_clone_pulls_every_output_from_a_directory_remote_and_reruns_nothing(pipeline, tmp_path):
    remote = tmp_path / "remote"
    pusher, env = clone_pipeline(pipeline, tmp_path / "pusher", checkout=False)  # pushing reads the cache only
    for command in (["dvc", "remote", "add", "--default", "store", str(remote)], ["dvc", "push", "--run-cache"]):
        done = run(command, pusher, env)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "a remote"], cwd=pusher,
                   check=True)

    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(pusher), str(fresh)], check=True)
    env = stage_env(fresh, env["TEXTLAB_MIRROR"])
    pulled = run(["dvc", "pull", "--run-cache"], fresh, env)
    assert pulled.returncode == 0, pulled.stdout[-2000:] + pulled.stderr[-2000:]
    lock = yaml.safe_load((fresh / "dvc.lock").read_text())
    outputs = [out["path"] for stage in lock["stages"].values() for out in stage.get("outs", [])]
    assert outputs and [path for path in outputs if not (fresh / path).exists()] == []
    status = run(["dvc", "status"], fresh, env)
    assert "up to date" in status.stdout, status.stdout[-2000:]
    repro = run(["dvc", "repro"], fresh, env)
    assert repro.returncode == 0, repro.stderr[-2000:]
    assert "Running stage" not in repro.stdout, repro.stdout[-3000:]
    assert not (fresh / "mlflow.db").exists()  # nothing ran, so nothing was logged
