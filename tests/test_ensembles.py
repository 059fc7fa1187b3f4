"""Character n-gram baselines and stacking ensembles: marked n-grams, weights fitted on validation only,
and the served ensemble (a Keras and a scikit-learn member inside) answering raw text through MLflow."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from test_serving import save_keras_model  # the folder keras_training.fit writes, on a tiny model
from textlab.adapters import ensemble_scoring, ensemble_training, sklearn_scoring, sklearn_training
from textlab.adapters.serving import log_text_model
from textlab.baselines import build_nbsvm, build_tfidf_logreg
from textlab.ensembles import ENSEMBLE_FILE, MEMBERS_DIR, fit_stacker, logits
from textlab.text import standardize

FEMALE = ["Anna", "Maria", "Julia", "Emma", "Sofia", "Laura", "Clara", "Nina", "Rosa", "Lena", "Ida", "Eva",
          "Marie", "Alice", "Grace", "Irene"]
MALE = ["John", "Peter", "Mark", "Paul", "Tom", "David", "Frank", "Oscar", "Hugo", "Carl", "Ivan", "Leon",
        "Simon", "Victor", "Albert", "Henry"]
TEXTS = ["Anna", "Mark", "Mary-Jo", "zzz"]
CHAR = {"analyzer": "char_wb", "ngram_range": [1, 5], "min_df": 1}


@pytest.mark.parametrize("build", [build_tfidf_logreg, build_nbsvm], ids=["tfidf_logreg", "nbsvm"])
def test_char_ngrams_mark_the_start_and_end_of_each_name(build):
    vocabulary = set(build(CHAR, standardize)[0].fit(["Anna", "Mary-Jo"]).vocabulary_)
    assert {" an", " anna", "na ", "nn", "a"} <= vocabulary  # start, name from its start, end, inside, letter
    assert {" jo ", " mary", "ry "} <= vocabulary  # standardize splits "Mary-Jo"; each word is marked
    assert " nn" not in vocabulary and "ma " not in vocabulary  # marks only at a word's real edges
    words = set(build({"min_df": 1}, standardize)[0].fit(["Anna", "Mary-Jo"]).vocabulary_)
    assert words == {"anna", "mary", "jo", "mary jo"}  # the word analyzer stays the default


def test_stacker_weights_follow_the_informative_member_and_out_of_fold_scores_are_honest():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    good = np.where(labels == 1, rng.uniform(0.55, 0.95, 400), rng.uniform(0.05, 0.45, 400))
    noise = rng.uniform(0.01, 0.99, 400)
    stacker, out_of_fold = fit_stacker(["good", "noise"], np.column_stack([good, noise]), labels, {"folds": 4})
    assert stacker.weights[0] > 1 and abs(stacker.weights[1]) < 0.5 * stacker.weights[0]
    assert out_of_fold.shape == (400,) and ((out_of_fold >= 0.5) == labels).mean() > 0.95
    manual = 1 / (1 + np.exp(-(stacker.intercept + logits(np.column_stack([good, noise])) @ stacker.weights)))
    np.testing.assert_allclose(stacker.probability(np.column_stack([good, noise])), manual, rtol=1e-9)
    with pytest.raises(ValueError, match=r"expected a \(400, 3\) matrix"):
        fit_stacker(["a", "b", "c"], np.column_stack([good, noise]), labels, {})


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """models/<member> for a Keras and a scikit-learn member, the split, and their validation predictions
    (as evaluate stages write them), in a throwaway SQLite MLflow store."""
    root = tmp_path_factory.mktemp("ensemble")
    split = root / "data/split/names"
    split.mkdir(parents=True)
    names = pd.DataFrame({"text": FEMALE + MALE, "label": [1] * len(FEMALE) + [0] * len(MALE)})
    for name in ("train", "val", "test"):
        names.to_parquet(split / f"{name}.parquet")
    (root / "models").mkdir()
    save_keras_model(root / "models/names-rnn")
    sklearn_training.fit({"key": "names-char_logreg", "family": "tfidf_logreg", "C": 1.0, **CHAR}, split,
                         root / "models/names-char_logreg")
    predictions = root / "data/predictions/names"
    predictions.mkdir(parents=True)
    for member in ("names-rnn", "names-char_logreg"):
        scorer = ensemble_scoring.member_scorer("keras" if member == "names-rnn" else "sklearn", root / "models" / member)
        pd.DataFrame({"label": names["label"], "probability": scorer.probability(names["text"].tolist())}).to_parquet(
            predictions / f"{member}.parquet")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    yield root
    mlflow.set_tracking_uri(previous)


HP = {"key": "names-ensemble", "members": ["names-rnn", "names-char_logreg"], "folds": 2,
      "frameworks": {"names-rnn": "keras", "names-char_logreg": "sklearn"}}


def fit_into(project: Path, folder: str, **settings) -> dict:
    with mlflow.start_run():
        ensemble_training.fit(HP | settings, project / "data/predictions/names", project / folder)
    return json.loads((project / folder / ENSEMBLE_FILE).read_text())


def test_weights_come_from_validation_predictions_only(project, monkeypatch):
    monkeypatch.chdir(project)
    first = fit_into(project, "fit1")
    test = project / "data/split/names/test.parquet"
    pd.read_parquet(test).assign(label=lambda t: 1 - t["label"]).to_parquet(test)  # test labels flipped
    assert fit_into(project, "fit2") == first
    assert sorted(p.name for p in (project / "fit2" / MEMBERS_DIR).iterdir()) == sorted(HP["members"])
    val = project / "data/predictions/names/names-char_logreg.parquet"
    original = pd.read_parquet(val)
    original.assign(probability=1 - original["probability"]).to_parquet(val)  # a member reversed on validation
    try:
        reversed_member = fit_into(project, "fit3")
    finally:
        original.to_parquet(val)
    assert np.sign(reversed_member["weights"][1]) == -np.sign(first["weights"][1])


def test_refit_fits_the_scikit_learn_members_on_train_and_val_with_the_weights_of_the_train_only_fit(project,
                                                                                                  monkeypatch):
    monkeypatch.chdir(project)
    val = project / "data/split/names/val.parquet"
    original = pd.read_parquet(val)
    pd.concat([original, pd.DataFrame({"text": ["Qxyzzy"], "label": [1]})], ignore_index=True).to_parquet(val)
    try:
        copied = fit_into(project, "copied")
        refitted = fit_into(project, "refitted", corpus="names", refit=True)
    finally:
        original.to_parquet(val)
    assert (copied["refitted"], refitted["refitted"]) == ([], ["names-char_logreg"])
    assert refitted["weights"] == copied["weights"]  # the combiner saw the same validation predictions

    def vocabulary(folder: str) -> dict:
        path = project / folder / MEMBERS_DIR / "names-char_logreg" / sklearn_scoring.MODEL_FILE
        return sklearn_scoring.load_pipeline(path)[0].vocabulary_

    assert "qxy" in vocabulary("refitted") and "qxy" not in vocabulary("copied")  # a validation-only n-gram
    copy = project / "copied" / MEMBERS_DIR / "names-char_logreg" / sklearn_scoring.MODEL_FILE
    assert copy.read_bytes() == (project / "models/names-char_logreg" / sklearn_scoring.MODEL_FILE).read_bytes()
    keras_member = sorted(p.name for p in (project / "refitted" / MEMBERS_DIR / "names-rnn").iterdir())
    assert keras_member == sorted(p.name for p in (project / "models/names-rnn").iterdir())  # copied as trained


def test_served_ensemble_scores_raw_text_with_its_members_inside(project, monkeypatch):
    monkeypatch.chdir(project)
    fit_into(project, "served")
    with mlflow.start_run():
        uri = log_text_model(project / "served", "ensemble", examples=["Anna", "John"]).model_uri
    record = json.loads((project / "served" / ENSEMBLE_FILE).read_text())
    members = [ensemble_scoring.member_scorer(f, project / "models" / m)
               for m, f in zip(record["members"], record["frameworks"], strict=True)]
    expected = 1 / (1 + np.exp(-(record["intercept"] + logits(np.column_stack([m.probability(TEXTS) for m in members]))
                                 @ np.asarray(record["weights"]))))
    shutil.rmtree(project / "models")  # the served model needs none of the originals
    try:
        answer = mlflow.pyfunc.load_model(uri).predict(pd.DataFrame({"text": TEXTS}))
    finally:
        shutil.copytree(project / "served" / MEMBERS_DIR, project / "models")
    assert list(answer.columns) == ["probability", "known_tokens"]
    np.testing.assert_allclose(answer["probability"], expected, rtol=1e-6)
    assert answer["probability"].iloc[0] > 0.5 > answer["probability"].iloc[1]  # Anna, Mark
    char_known = sklearn_scoring.load_scorer(project / "served" / MEMBERS_DIR / "names-char_logreg").known_tokens(TEXTS)
    assert (answer["known_tokens"] <= char_known).all() and answer["known_tokens"].iloc[0] > 0
