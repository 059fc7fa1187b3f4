"""The champion gate (pure) and the registry adapter against a real MLflow SQLite backend."""
from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pytest

from textlab.adapters import registry
from textlab.registry import Candidate, decide, task_models, version_tags

CHAMPION = Candidate("1", "names-gru", val_accuracy=0.84, test_accuracy=0.85)


def test_the_first_eligible_candidate_best_on_validation_becomes_champion():
    better_on_test = Candidate("2", "names-lstm", val_accuracy=0.80, test_accuracy=0.90)
    better_on_val = Candidate("3", "names-conv1d", val_accuracy=0.86, test_accuracy=0.84)
    decision = decide([better_on_test, better_on_val], None, min_test_accuracy=0.8)
    assert decision.promote and decision.champion == better_on_val


def test_a_candidate_better_on_test_but_not_on_validation_does_not_move_the_alias():
    challenger = Candidate("2", "names-lstm", val_accuracy=0.83, test_accuracy=0.95)
    decision = decide([challenger], CHAMPION, min_test_accuracy=0.8)  # the champion from an earlier commit
    assert not decision.promote and decision.champion == CHAMPION
    assert "0.8300" in decision.reason and "0.8400" in decision.reason


def test_a_better_candidate_on_validation_moves_the_alias_unless_it_fails_the_test_floor():
    challenger = Candidate("2", "names-lstm", val_accuracy=0.88, test_accuracy=0.86)
    assert decide([CHAMPION, challenger], CHAMPION, 0.8).champion == challenger
    refused = decide([CHAMPION, challenger], CHAMPION, 0.87)
    assert not refused.promote and refused.champion == CHAMPION
    assert decide([challenger], None, 0.9).reason == "no candidate passes its quality gate and reaches test accuracy 0.9"


def test_the_champion_that_is_still_best_stays_without_a_new_alias_move():
    decision = decide([CHAMPION, Candidate("2", "names-lstm", 0.84, 0.9)], CHAMPION, 0.8)
    assert not decision.promote and "still the best" in decision.reason  # a tie keeps the earlier version


def test_task_models_are_the_classifiers_of_the_corpus_with_their_train_stage():
    params = {"models": {"names-gru": {"corpus": "names"}, "imdb-lstm": {"corpus": "imdb"}},
              "baselines": {"names-nbsvm": {"corpus": "names"}}, "ensembles": {"names-ensemble": {"corpus": "names"}}}
    assert task_models(params, "names") == [("names-gru", "train"), ("names-nbsvm", "train_baseline"),
                                            ("names-ensemble", "ensemble")]


class Constant(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


@pytest.fixture
def trained(tmp_path, monkeypatch):
    """A project folder with two 'trained and evaluated' models: a real run with a logged model each."""
    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    for model, val, test in (("names-gru", 0.84, 0.85), ("names-lstm", 0.86, 0.83)):
        with mlflow.start_run(tags={"git.commit": "abc123"}) as run:
            mlflow.pyfunc.log_model(name="model", python_model=Constant(), pip_requirements=[])
        for path, payload in ((f"reports/runs/train@{model}.json", {"run_id": run.info.run_id}),
                              (f"reports/train/{model}/metrics.json", {"val_accuracy": val}),
                              (f"reports/metrics/names/{model}.json", {"accuracy": test, "roc_auc": 0.9})):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(json.dumps(payload))
    yield mlflow.MlflowClient()
    mlflow.set_tracking_uri(None)


def test_each_train_run_is_registered_once_with_its_lineage_and_the_alias_moves(trained):
    client = trained
    gru = registry.candidate(client, "names-gender", "names-gru", "train", "names")
    again = registry.candidate(client, "names-gender", "names-gru", "train", "names")
    lstm = registry.candidate(client, "names-gender", "names-lstm", "train", "names")
    assert gru == again and {gru.version, lstm.version} == {"1", "2"}
    assert len(client.search_model_versions("name = 'names-gender'")) == 2  # registering again added nothing
    version = client.get_model_version("names-gender", gru.version)
    run_id = json.loads(Path("reports/runs/train@names-gru.json").read_text())["run_id"]
    assert version.run_id == run_id
    assert version.tags["git.commit"] == "abc123" and version.tags["dvc.stage"] == "train@names-gru"
    assert float(version.tags["test_accuracy"]) == 0.85 and float(version.tags["val_accuracy"]) == 0.84
    assert registry.current_champion(client, "names-gender") is None
    registry.crown(client, "names-gender", lstm.version)
    assert registry.current_champion(client, "names-gender") == lstm
    loaded = mlflow.pyfunc.load_model("models:/names-gender@champion")
    assert loaded.metadata.run_id == json.loads(Path("reports/runs/train@names-lstm.json").read_text())["run_id"]


def test_version_tags_carry_every_test_metric():
    tags = version_tags("imdb-nbsvm", "train_baseline@imdb-nbsvm", None, {"val_accuracy": 0.9},
                        {"accuracy": 0.91, "roc_auc": 0.97})
    assert tags["architecture"] == "nbsvm" and tags["test_roc_auc"] == "0.97" and tags["git.commit"] == ""
