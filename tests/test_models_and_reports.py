"""Model builders, evaluation metrics and embedding exports."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import yaml

from textlab import embeddings, evaluation
from textlab.adapters.params import model_params
from textlab.params_schema import KERAS_MODELS

PARAMS = yaml.safe_load(Path("params.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def keras_models():
    from textlab import models

    return models


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


KERAS_KEYS = sorted(k for k, hp in PARAMS["models"].items() if hp["family"] in KERAS_MODELS)
MASKED_FAMILIES = ("rnn", "pooled")  # Embedding(mask_zero=True): padding id 0 is skipped


def _three_rows(family: str) -> np.ndarray | sp.csr_matrix:
    """Rows 0 and 1: ids 2..8 pre- and post-padded to 64 (bags: the same bag twice); row 2: other ids."""
    if family == "dense":
        bags = np.zeros((3, 30), "float32")
        bags[:2, 2:9], bags[2, 20:27] = 1, 1
        return sp.csr_matrix(bags)
    ids = np.zeros((3, 64), "int32")
    ids[0, -7:], ids[1, :7], ids[2, -7:] = np.arange(2, 9), np.arange(2, 9), np.arange(20, 27)
    return ids


@pytest.mark.parametrize("key", KERAS_KEYS)
def test_every_configured_architecture_builds_and_answers_from_its_input(keras_models, keras, key):
    keras.utils.set_random_seed(0)  # the content check below must not hinge on a lucky initialization
    hp = model_params(PARAMS, key)
    pretrained = np.random.default_rng(0).normal(size=(30, 6)).astype("float32") if "glove" in hp["inputs"] else None
    model = keras_models.compile_model(keras_models.build_model(hp, vocab_size=30, maxlen=64, pretrained=pretrained), hp)
    width = 30 if hp["family"] == "dense" else 64
    assert tuple(model.input_shape) == (None, width)
    assert tuple(model.output_shape) == (None, 1)
    probabilities = model.predict(_three_rows(hp["family"]), verbose=0)
    assert probabilities.shape == (3, 1)
    assert not np.isclose(probabilities[0], probabilities[2]).all(), "the prediction ignores its input"
    if hp["family"] in MASKED_FAMILIES:  # the padding side is a params choice: it must not change the answer
        np.testing.assert_allclose(probabilities[0], probabilities[1], rtol=1e-5, atol=1e-6)
    if hp["family"] in MASKED_FAMILIES:  # what SequenceSpec.transform gives a text with no tokens: one OOV id
        nothing_known = np.zeros((1, width), "int32")
        nothing_known[0, -1] = 1
        assert np.isfinite(model.predict(nothing_known, verbose=0)).all()
    if key in PARAMS["export_embeddings"]["models"]:
        assert keras_models.embedding_matrix(model) is not None
    if pretrained is not None:
        np.testing.assert_allclose(keras_models.embedding_matrix(model), pretrained)


def test_every_model_has_a_known_family_and_its_inputs_exist_in_the_dag():
    produced = {f"features/{view}" for view in PARAMS["views"]} | {f"features/{key}" for key in PARAMS["pretrained"]}
    produced |= {f"features/{c}-bow/{mode}" for c, p in PARAMS["bags"].items() for mode in p["modes"]}
    produced |= {f"split/{c}" for c in PARAMS["corpora"]}
    for key, hp in PARAMS["models"].items():
        assert hp["inputs"] in produced, (key, hp["inputs"])
        assert key.startswith(hp["corpus"] + "-")


def test_builder_refuses_unknown_family_and_mismatched_pretrained_vectors(keras_models):
    with pytest.raises(ValueError, match="family must be one of"):
        keras_models.build_model({"key": "x", "family": "transformer"}, 10, 5)
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
    counts = evaluation.confusion_counts(np.array([0, 0, 0, 1]), np.array([0.1, 0.2, 0.9, 0.3]))
    assert counts.columns.tolist() == ["actual", "predicted", "count"]
    assert counts["count"].tolist() == [2, 1, 1, 0]  # every cell, zeros included: (0,0) (0,1) (1,0) (1,1)
    rows = evaluation.predictions(y, p)
    assert rows["predicted"].tolist() == [0, 1, 0, 1] and rows["row"].tolist() == [0, 1, 2, 3]
    assert evaluation.confusion(y, np.array([0.5, 0.2, 0.5, 0.5]))["fp"] == 1  # the threshold itself is class 1
    # scikit-learn's first threshold is +inf, which DVC's plot templates cannot draw
    assert evaluation.roc_points(y, p)["threshold"].between(0, 1).all()


def test_roc_in_git_is_a_few_hundred_points_of_the_full_curve():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 25_000), rng.uniform(size=25_000)
    full, kept = evaluation.roc_points(y, p, points=10**6), evaluation.roc_points(y, p)
    assert len(full) > 5_000 and len(kept) == evaluation.ROC_POINTS
    assert kept.iloc[[0, -1]].to_numpy().tolist() == full.iloc[[0, -1]].to_numpy().tolist()  # both ends kept
    assert kept[["fpr", "tpr"]].isin(full[["fpr", "tpr"]].to_dict("list")).all().all()  # the curve's own points
    assert kept["fpr"].is_monotonic_increasing


def test_test_loss_is_the_loss_keras_reports(keras):
    """The test-split loss sits beside Keras' val_loss in the reports: it must be the same quantity."""
    rng = np.random.default_rng(3)
    y, p = rng.integers(0, 2, 50), rng.uniform(0.02, 0.98, 50)
    expected = float(keras.losses.BinaryCrossentropy()(y.astype("float32"), p.astype("float32")))
    assert evaluation.binary_metrics(y, p)["loss"] == pytest.approx(expected, rel=1e-5)


def test_embedding_exports_are_aligned_and_whitespace_safe():
    tokens, vectors = ["a", " ", "[UNK]"], np.arange(6, dtype="float32").reshape(3, 2)
    w2v = embeddings.word2vec_text(tokens, vectors).splitlines()
    assert w2v[0] == "3 2" and w2v[2].split() == ["<U+0020>", "2.000000", "3.000000"]
    vectors_tsv, metadata = embeddings.projector_tsv(tokens, vectors)
    assert len(vectors_tsv.splitlines()) == len(metadata.splitlines()) == 3
    points = np.random.default_rng(0).normal(size=(10, 4))
    layout = embeddings.tsne_layout(points, perplexity=30, seed=0)  # 30 > 9 points: capped, or t-SNE refuses
    assert layout.shape == (10, 2)
    np.testing.assert_array_equal(layout, embeddings.tsne_layout(points, perplexity=30, seed=0))  # DVC reruns
    with pytest.raises(ValueError, match="3 tokens but 2 vectors"):
        embeddings.word2vec_text(tokens, vectors[:2])


def test_dense_family_gives_the_same_probabilities_for_sparse_and_dense_rows(keras_models):
    hp = {"key": "bag", "family": "dense", "hidden": [8], "optimizer": "adam", "learning_rate": 0.001}
    model = keras_models.compile_model(keras_models.build_model(hp, vocab_size=50, maxlen=1), hp)
    dense = (np.random.default_rng(1).random((20, 50)) > 0.8).astype("float32")
    from_sparse = model.predict(sp.csr_matrix(dense), verbose=0)
    from_dense = model.predict(dense, verbose=0)
    np.testing.assert_allclose(from_sparse, from_dense, rtol=1e-5, atol=1e-6)


def test_cosine_schedule_decays_from_the_rate_to_its_floor_over_every_training_step(keras_models):
    hp = {"key": "k", "learning_rate": 0.01, "lr_schedule": "cosine", "lr_floor": 0.1, "epochs": 3, "batch_size": 10}
    schedule = keras_models.learning_rate(hp, train_rows=95)  # 10 steps an epoch, the last one short
    assert float(schedule(0)) == pytest.approx(0.01)
    assert float(schedule(15)) == pytest.approx(0.0055)  # half way: the mean of the rate and its floor
    assert float(schedule(30)) == pytest.approx(0.001)
    assert keras_models.learning_rate({**hp, "lr_schedule": "constant"}) == 0.01
    with pytest.raises(ValueError, match="number of training rows"):
        keras_models.learning_rate(hp)


def _two_obvious_classes(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 texts use ids 2..15 only, class 0 ids 16..29 only, 12 ids each (a few pre-padded)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, rows)
    ids = np.where(labels[:, None] == 1, rng.integers(2, 16, (rows, 12)), rng.integers(16, 30, (rows, 12)))
    ids[rng.random((rows, 12)) < 0.2] = 0
    ids.sort(axis=1)  # padding first, as `padding: pre` writes it
    return ids.astype("int32"), labels.astype("float32")


def _as_inputs(family: str, ids: np.ndarray) -> np.ndarray:
    if family != "dense":
        return ids
    bags = np.zeros((len(ids), 30), "float32")
    np.put_along_axis(bags, ids, 1.0, axis=1)
    bags[:, 0] = 0.0
    return bags


@pytest.mark.parametrize("key", ["names-dense_bow", "names-gru", "names-conv1d", "imdb-embedding_flatten",
                                 "imdb-bigram_fasttext"])  # one configured entry of each family
def test_each_classifier_family_learns_to_separate_two_obvious_classes(keras_models, keras, key):
    """Can it learn: the real builder and compile settings of a params.yaml entry, a task any model must solve."""
    keras.utils.set_random_seed(0)
    hp = model_params(PARAMS, key)
    model = keras_models.compile_model(keras_models.build_model(hp, vocab_size=30, maxlen=12), hp)
    (train_ids, train_labels), (test_ids, test_labels) = _two_obvious_classes(600, 1), _two_obvious_classes(200, 2)
    model.fit(_as_inputs(hp["family"], train_ids), train_labels, epochs=15, batch_size=32, verbose=0)
    predicted = model.predict(_as_inputs(hp["family"], test_ids), verbose=0)[:, 0] >= 0.5
    assert np.mean(predicted == test_labels) >= 0.95
