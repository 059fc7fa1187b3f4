"""tune@, train_tuned@, evaluate_tuned@ and explain@ in the small classifier pipeline (`pipeline`): the
search's trials are nested MLflow runs, best.json is what the tuned model trains from and nothing else,
and the NBSVM explanations' signs agree with its own weights. Edits happen in a clone of the project."""
from __future__ import annotations

import json
import sqlite3
import subprocess

import pandas as pd
import pytest
import yaml

from conftest import TUNED, clone_pipeline, mlflow_runs, ran, run

pytestmark = pytest.mark.e2e


def test_the_search_logs_each_trial_as_a_nested_run_and_writes_the_best_values(pipeline):
    project, _, first = pipeline
    assert {f"tune@{TUNED}", f"train_tuned@{TUNED}", f"evaluate_tuned@{TUNED}", "explain@imdb"} <= ran(first.stdout)
    best = json.loads((project / f"reports/tune/{TUNED}/best.json").read_text())
    assert best["trials_scored"] == 2 and set(best["hyperparameters"]) == {"units"}
    runs = mlflow_runs(project).reset_index()
    parent = json.loads((project / f"reports/runs/tune@{TUNED}.json").read_text())["run_id"]  # the run of the outputs
    assert runs.set_index("run_uuid").loc[parent, "status"] == "FINISHED"
    trials = runs[runs["mlflow.parentRunId"] == parent]
    assert len(trials) == 2, runs[["dvc.stage", "mlflow.parentRunId"]]
    assert set(trials["status"]) == {"FINISHED"} and set(trials["tune.status"]) == {"COMPLETED"}
    with sqlite3.connect(project / "mlflow.db") as db:
        params = pd.read_sql("select run_uuid, key, value from params", db)
        metrics = pd.read_sql("select run_uuid, key, step from metrics", db)
    drawn = params[params["run_uuid"].isin(trials["run_uuid"]) & (params["key"] == "units")]
    assert len(drawn) == 2 and set(drawn["value"]) <= {"8", "16"}  # each trial's value, from the space
    trial_metrics = metrics[metrics["run_uuid"].isin(trials["run_uuid"])]
    assert {"val_accuracy", "val_loss", "objective_val_accuracy"} <= set(trial_metrics["key"])
    trained = json.loads((project / "reports/train" / f"{TUNED}_tuned/metrics.json").read_text())
    tested = json.loads((project / "reports/metrics/names" / f"{TUNED}_tuned.json").read_text())
    registry = json.loads((project / "reports/registry/names-gender.json").read_text())
    # it reaches promotion like any model, with the figures of its own train and evaluate stages
    candidate = next(c for c in registry["candidates"] if c["model"] == f"{TUNED}_tuned")
    assert (candidate["val_accuracy"], candidate["test_accuracy"]) == (trained["val_accuracy"], tested["accuracy"])
    assert list((project / "mlartifacts").rglob(f"{parent}/artifacts/objective_vs_hyperparameters.png"))


def test_explain_stage_pages_and_nbsvm_sign_agreement(pipeline):
    project, _, _ = pipeline
    metrics = json.loads((project / "reports/explain/imdb/metrics.json").read_text())
    assert metrics["probes"] == 2 and metrics["tokens_compared"] >= 5
    assert metrics["sign_agreement"] >= 0.7, metrics  # LIME's signs are NBSVM's own on most words
    pages = sorted(p.name for p in (project / "reports/explain/imdb/pages").rglob("*"))
    assert sum(name.endswith(".html") for name in pages) == 4 and sum(name.endswith(".png") for name in pages) == 4


@pytest.fixture
def clone(pipeline, tmp_path):
    return clone_pipeline(pipeline, tmp_path / "clone")


def changed(project, env) -> set[str]:
    done = run(["dvc", "status", "--json"], project, env)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout))


def test_the_space_reruns_only_the_search_and_best_values_only_the_tuned_model(clone):
    project, env = clone
    assert changed(project, env) == set()
    params_path, best_path = project / "params.yaml", project / f"reports/tune/{TUNED}/best.json"
    params = yaml.safe_load(params_path.read_text())
    params["tune"][TUNED]["space"]["units"]["max"] = 24
    params_path.write_text(yaml.safe_dump(params, sort_keys=False))
    assert changed(project, env) == {f"tune@{TUNED}"}  # the search; nothing else reads the space
    subprocess.run(["git", "checkout", "-q", "params.yaml"], cwd=project, check=True)
    best = json.loads(best_path.read_text())
    best["hyperparameters"]["units"] = 24 - best["hyperparameters"]["units"]  # the other value of the space
    best_path.write_text(json.dumps(best))
    # A new best value: the search's output differs from its record, and the tuned model is what reads it.
    assert changed(project, env) == {f"tune@{TUNED}", f"train_tuned@{TUNED}"}
