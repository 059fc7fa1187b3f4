"""A stage logs to a real `mlflow server` on 127.0.0.1 when MLFLOW_TRACKING_URI points at it."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT, mlflow_server, run, stage_env


@pytest.fixture
def server(tmp_path):
    with mlflow_server(f"sqlite:///{tmp_path / 'server.db'}", tmp_path / "server-artifacts") as url:
        yield url


def test_stage_run_lands_on_the_server_with_tags_and_artifacts(tmp_path, server):
    project = tmp_path / "project"
    (project / "reports/metrics/names").mkdir(parents=True)
    (project / "params.yaml").write_text((ROOT / "params.yaml").read_text())
    (project / "reports/metrics/names/names-x.json").write_text(json.dumps({"accuracy": 0.8, "roc_auc": 0.9}))
    env = {**stage_env(ROOT, "unused"), "MLFLOW_TRACKING_URI": server,
           "PYTHONPATH": str(ROOT / "src")}
    done = run([sys.executable, "-m", "textlab.stages.report", "names"], project, env)
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads((project / "reports/runs/report@names.json").read_text())
    assert record["tracking_uri"] == server
    assert not Path(project / "mlflow.db").exists()  # nothing went to the default SQLite file

    import mlflow

    client = mlflow.MlflowClient(tracking_uri=server)
    run_info = client.get_run(record["run_id"])
    assert run_info.data.tags["dvc.stage"] == "report@names"
    assert run_info.data.metrics["best_test_accuracy"] == 0.8
    assert [a.path for a in client.list_artifacts(record["run_id"])] == ["names.md"]
    experiment = client.get_experiment(run_info.info.experiment_id)
    assert experiment.name == "textlab-names" and experiment.artifact_location.startswith("mlflow-artifacts:")
