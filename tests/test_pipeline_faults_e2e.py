"""Faults a user meets, re-tried on the real pipeline: a killed training, a dead tracking server,
stale code deps, a forced rerun in a clean clone and bad params (queued experiments: tests/test_team_e2e.py).

Shares the session's small pipeline (conftest.pipeline), after tests/test_pipeline_e2e.py; it starts
from everything committed, as a user's clone, and each test leaves it committed.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import commit_all, edited_params, mlflow_runs, run

pytestmark = pytest.mark.e2e
KEY = "names-simple_rnn"


@pytest.fixture(scope="module", autouse=True)
def clean_clone(pipeline):
    commit_all(pipeline[0], "state before the fault tests")


def outputs_of(project: Path, key: str) -> dict[str, bytes]:
    """Every file a train/evaluate pair of `key` wrote, by path."""
    roots = [project / "models" / key, project / "reports/train" / key, project / "reports/metrics/names" / f"{key}.json",
             project / "reports/runs" / f"train@{key}.json"]
    files = [p for root in roots for p in ([root] if root.is_file() else sorted(root.rglob("*"))) if p.is_file()]
    return {str(p.relative_to(project)): p.read_bytes() for p in files}


def running_fit(project: Path, stage: str) -> tuple[str, int] | None:
    """(run id, pid) of `stage`'s RUNNING MLflow run once it has logged a first epoch, else None."""
    with sqlite3.connect(project / "mlflow.db") as db:
        found = db.execute("""select r.run_uuid, p.value from runs r
                              join tags s on s.run_uuid = r.run_uuid and s.key = 'dvc.stage' and s.value = ?
                              join tags p on p.run_uuid = r.run_uuid and p.key = 'process.pid'
                              join metrics m on m.run_uuid = r.run_uuid and m.key = 'loss'
                              where r.status = 'RUNNING'""", (stage,)).fetchone()
    return (found[0], int(found[1])) if found else None


def test_killed_training_keeps_the_previous_model_and_is_marked_killed_next_time(pipeline):
    project, env, _ = pipeline
    before = outputs_of(project, KEY)
    repro = subprocess.Popen(["dvc", "repro", "--force", "--single-item", f"train@{KEY}"], cwd=project, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline, found = time.monotonic() + 300, None
    while found is None and repro.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        found = running_fit(project, f"train@{KEY}")
    assert found is not None, repro.communicate()[0][-3000:]
    run_id, pid = found
    os.kill(pid, signal.SIGKILL)  # mid-fit: an epoch is logged, the model is not saved yet
    output = repro.communicate(timeout=120)[0]
    assert repro.returncode != 0, output[-2000:]
    assert outputs_of(project, KEY) == before  # model, curve, metrics and run record untouched
    assert list((project / "models").glob(f".{KEY}.*.tmp")), "the killed writer's temporary folder is left"

    again = run(["dvc", "repro", "--force", "--single-item", f"train@{KEY}"], project, env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"marked the run {run_id} of a dead process as KILLED" in again.stdout
    assert not list((project / "models").glob(f".{KEY}.*.tmp"))  # cleaned by the next run
    runs = mlflow_runs(project).reset_index().set_index("run_uuid")
    assert runs.loc[run_id, "status"] == "KILLED" and f"process {pid} died" in runs.loc[run_id, "error"]
    # Deterministic training: the retrain wrote the very same bytes, so nothing downstream is stale.
    after = outputs_of(project, KEY)
    for same in (f"models/{KEY}/model.keras", f"reports/train/{KEY}/metrics.json", f"reports/train/{KEY}/history.csv"):
        assert after[same] == before[same], same
    assert run(["dvc", "status", f"evaluate@{KEY}"], project, env).stdout.strip().endswith("up to date.")
    commit_all(project, "retrained")


def test_unreachable_tracking_server_fails_in_seconds_with_one_line(pipeline):
    project, env, _ = pipeline
    report = (project / "reports/names.md").read_bytes()
    started = time.monotonic()
    failed = run(["dvc", "repro", "--force", "--single-item", "report@names"], project,
                 {**env, "MLFLOW_TRACKING_URI": "http://127.0.0.1:9"})
    seconds = time.monotonic() - started
    assert failed.returncode != 0
    assert "MLflow tracking server http://127.0.0.1:9 is unreachable" in failed.stderr
    assert "Traceback" not in failed.stderr + failed.stdout
    assert seconds < 60, seconds  # was ~4 minutes of silent retries
    assert (project / "reports/names.md").read_bytes() == report


def test_failed_data_check_keeps_outputs_and_its_run_carries_the_evidence(pipeline):
    project, env, _ = pipeline
    split = {p: p.read_bytes() for p in (project / "data/split/names").iterdir()}
    docs = (project / "reports/data_docs/split@names/index.html").read_bytes()
    with edited_params(project, lambda p: p["corpora"]["names"]["checks"].update(class_balance=[0.7, 0.75])):
        failed = run(["dvc", "repro", "--single-item", "split@names"], project, env)
    assert failed.returncode != 0 and "check 'train' failed" in failed.stderr, failed.stderr[-2000:]
    assert {p: p.read_bytes() for p in (project / "data/split/names").iterdir()} == split
    assert (project / "reports/data_docs/split@names/index.html").read_bytes() == docs
    runs = mlflow_runs(project).reset_index()
    latest = runs[(runs["dvc.stage"] == "split@names") & (runs["status"] == "FAILED")]
    assert len(latest) == 1 and latest["error"].iloc[0].startswith("DataCheckError: split@names: check")
    import mlflow

    client = mlflow.MlflowClient(f"sqlite:///{project / 'mlflow.db'}")
    artifacts = {a.path for a in client.list_artifacts(latest["run_uuid"].iloc[0])}
    assert {"checks.json", "data_docs", "error.txt"} <= artifacts


def test_bad_param_is_refused_before_anything_is_deleted(pipeline):
    project, env, _ = pipeline
    before = outputs_of(project, KEY)
    with edited_params(project, lambda p: p["views"]["names-chars"].update(maxlen=0)):
        failed = run(["dvc", "repro"], project, env)
    assert failed.returncode != 0
    assert "views.names-chars.maxlen = 0" in failed.stderr, failed.stderr[-2000:]
    assert outputs_of(project, KEY) == before


def test_an_untrained_model_fails_its_gate_and_is_never_champion(pipeline):
    """A learning rate of 1e-9: the stage still writes its outputs, and the pipeline says the model is useless."""
    project, env, _ = pipeline
    broken = "names-dense_bow"
    targets = [f"evaluate@{broken}", "report@names", "promote@names-gender"]
    with edited_params(project, lambda p: p["models"][broken].update(learning_rate=1e-9)):
        done = run(["dvc", "repro", *targets], project, env)
        assert done.returncode == 0, done.stderr[-2000:]
        scores = json.loads((project / f"reports/metrics/names/{broken}.json").read_text())
        report = (project / "reports/names.md").read_text()
        decision = json.loads((project / "reports/registry/names-gender.json").read_text())
    assert scores["passed"] is False and scores["gates"]["loss_vs_prior"] is False, scores
    said = next(line for line in done.stdout.splitlines() if line.startswith(f"evaluate@{broken}: gate failed: "))
    assert "loss_vs_prior: validation loss" in said and "is not below the prior baseline's" in said, said
    run_id = json.loads((project / f"reports/runs/evaluate@{broken}.json").read_text())["run_id"]
    tag = mlflow_runs(project).reset_index().set_index("run_uuid").loc[run_id, "gate"]
    assert tag.startswith("failed: ") and "loss_vs_prior" in tag
    assert f"| {broken} " in report and "| FAIL (" in report.split(f"| {broken} ")[1].splitlines()[0]
    assert decision["champion"]["model"] != broken
    assert not next(c for c in decision["candidates"] if c["model"] == broken)["passed"]
    restored = run(["dvc", "repro", *targets], project, env)  # the committed params again
    assert restored.returncode == 0, restored.stderr[-2000:]
    commit_all(project, "the broken model's params undone")


def stages_seeing(status: dict, path: str) -> set[str]:
    """Stages whose `dvc status --json` entry lists `path` among its changed deps."""
    found = set()
    for stage, changes in status.items():
        for change in changes:
            if isinstance(change, dict) and path in change.get("changed deps", {}):
                found.add(stage)
    return found


def test_stale_code_is_seen_by_exactly_the_stages_that_run_it(pipeline):
    project, env, _ = pipeline
    edits = {"src/textlab/text.py": {"train_baseline@imdb-nbsvm", "evaluate_baseline@imdb-nbsvm", f"train@{KEY}"},
             # the ensemble refits its scikit-learn members with the same code
             "src/textlab/adapters/sklearn_training.py": {"train_baseline@imdb-nbsvm", "ensemble@imdb-ensemble"}}
    for path, must in edits.items():
        source = (project / path).read_text()
        (project / path).write_text(source + "\n# edited\n")
        try:
            stale = stages_seeing(json.loads(run(["dvc", "status", "--json"], project, env).stdout), path)
        finally:
            (project / path).write_text(source)
        assert must <= stale, (path, sorted(stale))
        if path.endswith("sklearn_training.py"):
            assert stale == must, sorted(stale)  # no Keras stage reruns for scikit-learn code


def test_forced_rerun_in_a_clean_clone_records_a_clean_tree(pipeline):
    project, env, _ = pipeline
    forced = run(["dvc", "repro", "--force", "--single-item", "report@names"], project, env)
    assert forced.returncode == 0, forced.stderr[-2000:]
    run_id = json.loads((project / "reports/runs/report@names.json").read_text())["run_id"]
    tags = mlflow_runs(project).reset_index().set_index("run_uuid").loc[run_id]
    assert tags["git.dirty"] == "false"
    commit_all(project, "forced report")
