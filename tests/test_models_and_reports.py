"""Model builders, evaluation metrics, embedding exports, tracking helpers and atomic writes."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import yaml

from textlab import embeddings, evaluation, tracking
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.params import model_params
from textlab.families import KERAS_FAMILIES, trainer_module

PARAMS = yaml.safe_load(open("params.yaml", encoding="utf-8"))


@pytest.fixture(scope="module")
def keras_models():
    from textlab import models

    return models


KERAS_KEYS = sorted(k for k, hp in PARAMS["models"].items() if hp["family"] in KERAS_FAMILIES)


@pytest.mark.parametrize("key", KERAS_KEYS)
def test_every_configured_architecture_builds_with_the_right_shapes(keras_models, key):
    hp = model_params(PARAMS, key)
    pretrained = np.random.default_rng(0).normal(size=(30, 6)).astype("float32") if "glove" in hp["inputs"] else None
    model = keras_models.compile_model(keras_models.build_model(hp, vocab_size=30, maxlen=64, pretrained=pretrained), hp)
    width = 30 if hp["family"] == "dense" else 64
    assert tuple(model.input_shape) == (None, width)
    assert tuple(model.output_shape) == (None, 1)
    x = sp.csr_matrix(np.ones((3, 30), "float32")) if hp["family"] == "dense" else np.ones((3, 64), "int32")
    probabilities = model.predict(x, verbose=0)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    if key in PARAMS["export_embeddings"]["models"]:
        assert keras_models.embedding_matrix(model) is not None
    if pretrained is not None:
        np.testing.assert_allclose(keras_models.embedding_matrix(model), pretrained)


def test_every_model_has_a_known_family_and_its_inputs_exist_in_the_dag():
    produced = {f"features/{view}" for view in PARAMS["views"]} | {f"features/{key}" for key in PARAMS["pretrained"]}
    produced |= {f"features/{c}-bow/{mode}" for c, p in PARAMS["corpora"].items() for mode in p["vectorize"]["modes"]}
    produced |= {f"split/{c}" for c in PARAMS["corpora"]}
    for key, hp in PARAMS["models"].items():
        assert trainer_module({**hp, "key": key}) in ("keras_training", "sklearn_training")
        assert hp["inputs"] in produced, (key, hp["inputs"])
        assert key.startswith(hp["corpus"] + "-")


def test_builder_refuses_unknown_family_and_mismatched_pretrained_vectors(keras_models):
    with pytest.raises(ValueError, match="family must be one of"):
        keras_models.build_model({"key": "x", "family": "transformer"}, 10, 5)
    with pytest.raises(ValueError, match="family must be one of"):
        trainer_module({"key": "x", "family": "transformer"})
    with pytest.raises(ValueError, match="pretrained vectors cover 4 ids"):
        keras_models.build_model({"key": "x", "family": "flatten"}, 10, 5, np.zeros((4, 3)))


def test_model_params_overlay_train_defaults_and_name_unknown_keys():
    hp = model_params({"train": {"epochs": 20, "seed": 1}, "models": {"a": {"epochs": 3}}}, "a")
    assert hp == {"epochs": 3, "seed": 1, "key": "a"}
    with pytest.raises(KeyError, match="no models.b"):
        model_params({"train": {}, "models": {"a": {}}}, "b")


def test_binary_metrics_and_confusion_agree():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.6, 0.4, 0.9])
    scores = evaluation.binary_metrics(y, p)
    assert scores["accuracy"] == 0.5 and scores["precision"] == 0.5 and scores["roc_auc"] == 0.75
    assert evaluation.confusion(y, p) == {"tn": 1, "fp": 1, "fn": 1, "tp": 1}
    rows = evaluation.confusion_rows(y, p)
    assert rows.columns.tolist() == ["actual", "predicted"] and rows["predicted"].tolist() == [0, 1, 0, 1]
    roc = evaluation.roc_points(y, p)
    assert roc["fpr"].iloc[0] == 0 and roc["tpr"].iloc[-1] == 1


def test_embedding_exports_are_aligned_and_whitespace_safe():
    tokens, vectors = ["a", " ", "[UNK]"], np.arange(6, dtype="float32").reshape(3, 2)
    w2v = embeddings.word2vec_text(tokens, vectors).splitlines()
    assert w2v[0] == "3 2" and w2v[2].split() == ["<U+0020>", "2.000000", "3.000000"]
    vectors_tsv, metadata = embeddings.projector_tsv(tokens, vectors)
    assert len(vectors_tsv.splitlines()) == len(metadata.splitlines()) == 3
    layout = embeddings.tsne_layout(np.random.default_rng(0).normal(size=(10, 4)), perplexity=30, seed=0)
    assert layout.shape == (10, 2)
    with pytest.raises(ValueError, match="3 tokens but 2 vectors"):
        embeddings.word2vec_text(tokens, vectors[:2])


def test_tracking_helpers_shape_params_tags_and_locations():
    assert tracking.flatten_params({"a": {"b": 1, "c": [1, 2]}, "d": None}) == {"a.b": "1", "a.c": "[1, 2]", "d": "None"}
    tags = tracking.stage_tags("train@x", "abc", True, {"data/raw": "f00"})
    assert tags == {"dvc.stage": "train@x", "git.commit": "abc", "git.dirty": "true", "dvc.dep.data/raw": "f00"}
    assert tracking.artifact_location("http://127.0.0.1:5000", "file:///p/mlartifacts", "names") == \
        "mlflow-artifacts:/textlab-names"
    assert tracking.artifact_location("sqlite:///m.db", "file:///p/mlartifacts", "names") == \
        "file:///p/mlartifacts/textlab-names"


def test_atomic_path_leaves_the_old_output_when_the_writer_fails(tmp_path):
    target = tmp_path / "out"
    with atomic_path(target) as folder:
        folder.mkdir()
        (folder / "a.txt").write_text("old")
    with pytest.raises(RuntimeError, match="killed"):
        with atomic_path(target) as folder:
            folder.mkdir()
            (folder / "a.txt").write_text("half")
            raise RuntimeError("killed mid-write")
    assert (target / "a.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left behind
    write_json(tmp_path / "m.json", {"b": 1})
    assert (tmp_path / "m.json").read_text() == '{\n  "b": 1\n}\n'


def test_dense_family_gives_the_same_probabilities_for_sparse_and_dense_rows(keras_models):
    hp = {"key": "bag", "family": "dense", "hidden": [8], "optimizer": "adam", "learning_rate": 0.001}
    model = keras_models.compile_model(keras_models.build_model(hp, vocab_size=50, maxlen=1), hp)
    dense = (np.random.default_rng(1).random((20, 50)) > 0.8).astype("float32")
    from_sparse = model.predict(sp.csr_matrix(dense), verbose=0)
    from_dense = model.predict(dense, verbose=0)
    np.testing.assert_allclose(from_sparse, from_dense, rtol=1e-5, atol=1e-6)
