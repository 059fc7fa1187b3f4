"""The classifier half of the real pipeline end to end (names, IMDB): `dvc repro` on a copy of the project,
small params, the real mirror. The generative half is tests/test_generative_e2e.py.

The tests run in file order on one worker and share one copy: first a cold repro, then what users do next.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import (
    BASELINES,
    CLASSIFIERS,
    ENSEMBLES,
    IMDB_MODELS,
    NAMES_MODELS,
    TUNED,
    all_stages,
    assert_checks_passed_with_docs,
    edited_params,
    mlflow_runs,
    ran,
    run,
)

pytestmark = pytest.mark.e2e


def test_cold_repro_runs_every_stage(pipeline):
    project, env, first = pipeline
    stages = all_stages(project, env)
    assert ran(first.stdout) == stages
    assert "train@names-simple_rnn" in stages and "export_embeddings@names-simple_rnn" in stages


def test_metrics_exist_and_beat_chance(pipeline):
    project, env, _ = pipeline
    for key in [*NAMES_MODELS, "imdb-nbsvm"]:  # the Keras IMDB models see 160 reviews for 3 epochs: no bar
        corpus = key.split("-")[0]
        scores = json.loads((project / "reports/metrics" / corpus / f"{key}.json").read_text())
        assert scores["roc_auc"] > 0.6 and scores["accuracy"] > 0.5, (key, scores)
    shown = run(["dvc", "metrics", "show", "--json"], project, env)
    assert all(key in shown.stdout for key in CLASSIFIERS)
    assert "names-simple_rnn" in (project / "reports/names.md").read_text()
    assert "imdb-nbsvm" in (project / "reports/imdb.md").read_text()


def test_every_classifier_is_gated_against_its_trivial_baselines_on_validation(pipeline):
    project, _, _ = pipeline
    runs = mlflow_runs(project).reset_index().set_index("run_uuid")
    for key in CLASSIFIERS:
        corpus = key.split("-")[0]
        scores = json.loads((project / "reports/metrics" / corpus / f"{key}.json").read_text())
        assert set(scores["gates"]) == {"accuracy_vs_majority", "loss_vs_prior", "outputs"}, (key, scores)
        assert scores["passed"] is all(scores["gates"].values())
        beats = scores["val_accuracy"] > scores["val_baseline_majority_accuracy"]
        assert scores["gates"]["accuracy_vs_majority"] is beats  # decided on validation, not test
        assert 0.4 < scores["baseline_majority_accuracy"] < 0.8  # the majority class of a balanced-ish task
        evaluated = json.loads((project / "reports/runs").joinpath(
            f"{'evaluate_baseline' if key in BASELINES else 'evaluate_ensemble' if key in ENSEMBLES else 'evaluate'}@{key}.json"
        ).read_text())["run_id"]
        tag = runs.loc[evaluated, "gate"]
        assert (tag == "passed") is scores["passed"] and (scores["passed"] or tag.startswith("failed: ")), (key, tag)
        row = next(line for line in (project / f"reports/{corpus}.md").read_text().splitlines()
                   if line.startswith(f"| {key} "))
        assert ("| pass " in row) is scores["passed"] and ("| FAIL (" in row) is (not scores["passed"]), row


def test_imdb_split_keeps_official_counts_and_reports_overlap(pipeline):
    project, _, _ = pipeline
    facts = json.loads((project / "reports/split/imdb.json").read_text())
    assert facts["train_rows"] + facts["val_rows"] == 200 and facts["test_rows"] == 200
    assert facts["unsup_rows"] == 100 and "test_reviews_also_in_train" in facts
    checks = json.loads((project / "reports/checks/split@imdb.json").read_text())["checks"]
    assert {"official_train", "official_test", "train_lengths"} <= set(checks)


def test_mlflow_holds_one_tagged_run_per_stage(pipeline):
    project, env, _ = pipeline
    runs = mlflow_runs(project).reset_index()
    runs = runs[runs["mlflow.parentRunId"].isna()]  # a search's trials are nested runs of its stage's run
    assert sorted(runs["dvc.stage"]) == sorted(all_stages(project, env))
    assert set(runs["status"]) == {"FINISHED"}
    commit = run(["git", "rev-parse", "HEAD~1"], project, env).stdout.strip()  # the commit the cold repro ran on
    assert set(runs["git.commit"]) == {commit}
    assert set(runs["git.dirty"]) == {"false"}  # DVC rewrote outputs, but code and params are the commit's
    lock = yaml.safe_load((project / "dvc.lock").read_text())["stages"]
    split_hash = next(o["md5"] for o in lock["split@names"]["outs"] if o["path"] == "data/split/names")
    tokenize = runs[runs["dvc.stage"] == "tokenize@names-chars"]
    assert tokenize["dvc.dep.data/split/names"].tolist() == [split_hash]  # DVC's own hash of what it read
    report_dep = next(d["md5"] for d in lock["report@names"]["deps"] if d["path"] == "reports/metrics/names")
    report = runs[runs["dvc.stage"] == "report@names"]  # a folder of per-model outputs: DVC's .dir hash too
    assert report["dvc.dep.reports/metrics/names"].tolist() == [report_dep]
    import mlflow

    client = mlflow.MlflowClient(f"sqlite:///{project / 'mlflow.db'}")
    seen = client.get_run(tokenize["run_uuid"].iloc[0]).inputs.dataset_inputs
    assert [(d.dataset.name, d.dataset.digest) for d in seen] == [("data/split/names", split_hash)]
    for stage, run_id in zip(runs["dvc.stage"], runs["run_uuid"], strict=False):
        assert json.loads((project / "reports/runs" / f"{stage}.json").read_text())["run_id"] == run_id


def test_data_checks_passed_and_docs_were_built(pipeline):
    project, _, _ = pipeline
    for stage in ("split@names", "tokenize@names-chars", "vectorize@names", "split@imdb", "tokenize@imdb-bigrams",
                  "vectorize@imdb"):
        assert_checks_passed_with_docs(project, stage)


def test_every_evaluated_classifier_is_a_registered_version_and_one_is_champion(pipeline):
    project, _, _ = pipeline
    import mlflow

    client = mlflow.MlflowClient(f"sqlite:///{project / 'mlflow.db'}")
    for task, models in (("names-gender", [*NAMES_MODELS, f"{TUNED}_tuned"]),
                         ("imdb-sentiment", [*IMDB_MODELS, *BASELINES, *ENSEMBLES])):
        decision = json.loads((project / f"reports/registry/{task}.json").read_text())
        versions = client.search_model_versions(f"name = '{task}'")
        assert sorted(v.tags["model"] for v in versions) == sorted(models)
        champion = client.get_model_version_by_alias(task, "champion")
        blessed = [v for v in versions if v.tags["gate"] == "passed"]
        best = max(blessed, key=lambda v: (float(v.tags["val_accuracy"]), -int(v.version)))  # on validation, not test
        assert decision["promoted"] and str(champion.version) == str(best.version) == decision["champion"]["version"]
        trained_by = json.loads((project / f"reports/runs/{champion.tags['dvc.stage']}.json").read_text())
        assert champion.run_id == trained_by["run_id"]  # the version's source is the train run's logged model


@pytest.mark.parametrize("key,view", [("names-simple_rnn", "names-chars"), ("imdb-bigram_fasttext", "imdb-bigrams")])
def test_logged_model_takes_raw_text_and_matches_the_pipeline_tensors(pipeline, key, view):
    """The served model standardizes and tokenizes raw text exactly as the tokenize stage did."""
    project, env, _ = pipeline
    import keras
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{project / 'mlflow.db'}")
    run_id = json.loads((project / f"reports/runs/train@{key}.json").read_text())["run_id"]
    served = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    test = pd.read_parquet(project / f"data/split/{key.split('-')[0]}/test.parquet").head(50)
    probability = served.predict(test[["text"]])["probability"].to_numpy()
    model = keras.models.load_model(project / f"models/{key}/model.keras")
    x_test = np.load(project / f"data/features/{view}/test.x.npy")[:50]
    np.testing.assert_allclose(probability, model.predict(x_test, verbose=0).ravel(), rtol=1e-5, atol=1e-6)


def test_second_repro_reruns_nothing_and_logs_nothing(pipeline):
    project, env, _ = pipeline
    before = len(mlflow_runs(project))
    again = run(["dvc", "repro"], project, env)
    assert again.returncode == 0 and ran(again.stdout) == set()
    assert len(mlflow_runs(project)) == before


def test_changing_one_architecture_reruns_only_its_stages(pipeline):
    project, env, _ = pipeline
    params = yaml.safe_load((project / "params.yaml").read_text())
    registered = json.loads((project / "reports/registry/names-gender.json").read_text())["candidates"]
    before = {c["model"]: int(c["version"]) for c in registered}
    params["models"]["names-dense_bow"]["hidden"] = [8]  # not the searched model: its search stays as it is
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    changed = run(["dvc", "repro"], project, env)
    assert changed.returncode == 0, changed.stderr[-2000:]
    # promote@ reads the `models` section (which classifiers are a task's candidates), so both tasks' promotions
    # rerun; IMDB's finds its versions registered already and keeps its champion (checked below), and that new
    # reason reruns the explanations of its champion; the leaderboard reads every metrics file.
    assert ran(changed.stdout) == {"train@names-dense_bow", "evaluate@names-dense_bow", "report@names",
                                   "promote@names-gender", "promote@imdb-sentiment", "explain@imdb", "leaderboard"}
    imdb = json.loads((project / "reports/registry/imdb-sentiment.json").read_text())
    assert not imdb["promoted"] and "still the best" in imdb["reason"]
    decision = json.loads((project / "reports/registry/names-gender.json").read_text())
    candidates = {c["model"]: c["version"] for c in decision["candidates"]}
    assert int(candidates["names-dense_bow"]) == max(before.values()) + 1  # the retrained model is a new version
    assert candidates.keys() == before.keys()
    assert decision["reason"] in changed.stdout


def test_one_corpus_preprocessing_change_leaves_the_other_corpus_alone(pipeline):
    """DVC's own verdict (`dvc status`) on what a repro would run; the real reruns are tested above."""
    project, env, _ = pipeline

    def stricter_names_checks(params):
        params["corpora"]["names"]["checks"]["max_oov_rate"] = 0.02  # every names preprocessing stage reads it

    with edited_params(project, stricter_names_checks):
        status = run(["dvc", "status", "--json"], project, env)
    assert status.returncode == 0, status.stderr[-2000:]
    stale = set(json.loads(status.stdout))
    assert {"split@names", "tokenize@names-chars", "vectorize@names"} <= stale
    assert not any("imdb" in stage for stage in stale), sorted(stale)


def test_corrupted_mirror_file_stops_download_and_keeps_previous_data(pipeline, tmp_path):
    project, env, _ = pipeline
    mirror = Path(env["TEXTLAB_MIRROR"])
    bad = tmp_path / "mirror"
    bad.mkdir()
    (bad / "SHA256SUMS").write_bytes((mirror / "SHA256SUMS").read_bytes())
    data = bytearray((mirror / "names.zip").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (bad / "names.zip").write_bytes(bytes(data))
    raw = project / "data/raw/names"
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    listing = sorted(p.name for p in raw.parent.iterdir())
    failed = run(["dvc", "repro", "--force", "--single-item", "download@names"], project, {**env, "TEXTLAB_MIRROR": str(bad)})
    assert failed.returncode != 0
    assert "checksum" in (failed.stderr + failed.stdout).lower()
    assert {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in raw.parent.iterdir()) == listing  # no temporary folder left beside it
