"""What the MLflow UI is built from: a train stage's run logs a model tagged with where it came from, the
evaluate stage's metrics land on that model, and the experiment says it is a model-training one. A real
scikit-learn model in a real SQLite backend, through the stages' own `stage_run`."""
from __future__ import annotations

import mlflow
import pytest

from test_serving import TEXTS, save_sklearn_model
from textlab import tracking
from textlab.adapters.serving import log_text_model
from textlab.adapters.tracking import stage_run


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.delenv("DVC_ROOT", raising=False)
    (tmp_path / "models").mkdir()
    save_sklearn_model(tmp_path / "inputs", tmp_path / "models/names-nbsvm")
    yield tmp_path
    mlflow.set_tracking_uri(None)


def test_evaluate_metrics_land_on_the_model_the_train_stage_logged(project):
    with stage_run("train_baseline@names-nbsvm", "names", {"min_df": 1}, []) as train:
        logged = log_text_model(project / "models/names-nbsvm", "sklearn", examples=TEXTS)
    with stage_run("evaluate_baseline@names-nbsvm", "names", {"model": "names-nbsvm"}, []) as evaluate:
        mlflow.log_metrics({"test_accuracy": 0.75})
    model = mlflow.get_logged_model(logged.model_id)
    assert model.source_run_id == train.info.run_id
    assert {m.key: (m.value, m.run_id) for m in model.metrics}["test_accuracy"] == (0.75, evaluate.info.run_id)
    assert model.tags["model"] == "names-nbsvm" and model.tags["architecture"] == "nbsvm"
    assert model.tags["dvc.stage"] == "train_baseline@names-nbsvm" and "git.commit" in model.tags
    assert model.params["min_df"] == "1"
    inputs = mlflow.get_run(evaluate.info.run_id).inputs.model_inputs
    assert [i.model_id for i in inputs] == [logged.model_id]  # the evaluate run lists the model it scored
    experiment = mlflow.get_experiment(train.info.experiment_id)
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"


def test_an_evaluate_stage_without_a_recorded_train_run_still_logs_its_metrics(project):
    with stage_run("evaluate@names-gru", "names", {}, []) as evaluate:
        mlflow.log_metrics({"test_accuracy": 0.5})
    assert mlflow.get_run(evaluate.info.run_id).data.metrics["test_accuracy"] == 0.5


def test_each_evaluate_stage_names_its_train_stage():
    assert [tracking.train_stage(s) for s in ("evaluate@a", "evaluate_baseline@b", "evaluate_lm@c")] == \
        ["train@a", "train_baseline@b", "train_lm@c"]


def test_a_train_stage_writes_exactly_its_dvc_outs(project):
    """run_training's files are the outs dvc.yaml declares for the stage (textlab.paths on both sides)."""
    import json

    import pandas as pd

    from conftest import ROOT
    from test_paths import expanded_stages
    from textlab import paths
    from textlab.adapters.params import load_params
    from textlab.adapters.training_run import run_training

    def fit(hp, inputs, folder):
        assert inputs == paths.inputs("split/names")
        save_sklearn_model(project / "fit-inputs", folder)
        return pd.DataFrame({"epoch": [1, 2], "val_loss": [0.6, 0.5], "val_accuracy": [0.7, 0.75]})

    before = set(project.rglob("*"))
    run_training("train_baseline@names-char_nbsvm", {"key": "names-char_nbsvm", "corpus": "names",
                                                      "inputs": "split/names"}, fit, "sklearn")
    outs = expanded_stages(load_params(ROOT / "params.yaml"))["train_baseline@names-char_nbsvm"]["outs"]
    written = {p.relative_to(project) for p in set(project.rglob("*")) - before if p.is_file()}
    ours = {p for p in written if p.parts[0] not in ("fit-inputs", "mlartifacts") and not p.name.startswith("mlflow.db")}
    assert {str(p) for p in ours if not any(str(p).startswith(f"{out}/") for out in outs)} <= set(outs)
    assert all((project / out).exists() for out in outs), outs
    assert json.loads(paths.train_metrics("names-char_nbsvm").read_text()) == {
        "epochs_run": 2, "best_epoch": 2, "val_loss": 0.5, "val_accuracy": 0.75}
