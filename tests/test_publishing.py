"""publish: the last step of the non-classifier evaluate stages writes where the path catalog says."""
from __future__ import annotations

import json

import mlflow
import pytest

from textlab import paths
from textlab.adapters.publishing import publish


def test_publish_writes_the_gated_metrics_and_the_page_of_its_kind(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    try:
        experiment = mlflow.create_experiment("p", artifact_location=(tmp_path / "artifacts").as_uri())
        with mlflow.start_run(experiment_id=experiment) as run:
            publish("spa_eng", "spa_eng-gru", {"bleu": 12.5, "baseline_copy_bleu": 1.0}, "# page\n", "translations",
                    stage="evaluate_translator@spa_eng-gru", gate={"beat": {"bleu": ["copy"]}})
            with pytest.raises(ValueError, match="page kind"):
                publish("spa_eng", "x", {}, "", "reports/translations", stage="s", gate={})
        logged = mlflow.get_run(run.info.run_id).data
    finally:
        mlflow.set_tracking_uri(previous)
    assert paths.page("translations", "spa_eng-gru").read_text() == "# page\n"
    metrics = json.loads(paths.metrics("spa_eng", "spa_eng-gru").read_text())
    assert metrics["bleu"] == 12.5 and metrics["passed"] is True
    assert logged.metrics["test_bleu"] == 12.5 and logged.tags["gate"] == "passed"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")) == [
        "reports/metrics/spa_eng/spa_eng-gru.json"]
