"""Word vectors end to end in-process: a real text view, the real CBOW/skip-gram trainer, the gensim
comparison of the evaluate stage, and the served MLflow model asked for neighbours."""
from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from test_language_models import write_text_view
from textlab.adapters import word2vec_scoring, word2vec_training
from textlab.adapters.serving import log_text_model
from textlab.adapters.word2vec_evaluating import compare_with_gensim

HP = {"key": "t-skipgram", "corpus": "t", "family": "skipgram", "loss": "negative_sampling", "embedding_dim": 16,
      "window": 2, "negatives": 4, "sample": 0.0, "epochs": 3, "batch_size": 64, "learning_rate": 1.6, "seed": 3}
KNOBS = {"probes": ["cat", "dog", "unicorn"], "frequent": 5, "k": 3}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("w2v")
    write_text_view(root / "words", "word")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    try:
        experiment = mlflow.create_experiment("w2v", artifact_location=(root / "artifacts").as_uri())
        found = {}
        for family, loss in (("skipgram", "negative_sampling"), ("cbow", "softmax")):
            with mlflow.start_run(experiment_id=experiment):
                hp = {**HP, "family": family, "loss": loss}
                curve = word2vec_training.fit(hp, root / "words", root / family)
                uri = log_text_model(root / family, "word2vec", examples=["cat", "the dog"]).model_uri
            found[family] = (root / "words", root / family, uri, curve, hp)
        yield found
    finally:
        mlflow.set_tracking_uri(previous)


@pytest.mark.parametrize("family", ["skipgram", "cbow"])
def test_the_kept_vectors_are_the_saved_models_last_state(trained, family):
    _, model_dir, _, curve, _ = trained[family]
    import keras

    saved = keras.models.load_model(model_dir / "model.keras").get_layer("embedding").get_weights()[0]
    np.testing.assert_array_equal(np.load(model_dir / "embedding.npy"), saved)  # CBOW's ContextMean loads back
    assert len(curve) == HP["epochs"] and np.isfinite(curve["val_loss"]).all()


def test_gensim_learns_from_the_tokens_the_trainer_keeps(trained, monkeypatch):
    """[UNK] leaves gensim's corpus as it leaves the trainer's stream (gensim's min_count drops rare words)."""
    from textlab.adapters import word2vec_evaluating

    inputs, model_dir, _, _, hp = trained["skipgram"]
    train_ids = np.load(inputs / "train.ids.npy")
    train_ids = np.insert(train_ids, [0, 5, 5, 40], 1)  # unknown words, as a capped vocabulary leaves them
    seen = []
    real = word2vec_evaluating.gensim_vectors
    monkeypatch.setattr(word2vec_evaluating, "gensim_vectors",
                        lambda sentences, **kw: seen.append(sentences) or real(sentences, **kw))
    metrics, _ = compare_with_gensim(hp, word2vec_scoring.load_scorer(model_dir), train_ids, KNOBS)
    tokens = [t for sentences in seen for sentence in sentences for t in sentence]
    assert "[UNK]" not in tokens and len(tokens) == 2 * int((train_ids != 1).sum())  # two seeds
    assert metrics["floor_ratio"] == pytest.approx(metrics["neighbour_overlap"] / metrics["gensim_noise_floor"], abs=1e-3)


def test_the_gensim_comparison_reports_overlap_and_its_noise_floor(trained):
    inputs, model_dir, _, _, hp = trained["skipgram"]
    metrics, table = compare_with_gensim(hp, word2vec_scoring.load_scorer(model_dir), np.load(inputs / "train.ids.npy"),
                                         KNOBS)
    assert 0 <= metrics["neighbour_overlap"] <= 1 and 0 <= metrics["gensim_noise_floor"] <= 1
    vocabulary = word2vec_scoring.load_scorer(model_dir).spec.vocabulary
    assert metrics["words_compared"] == len({"cat", "dog", *vocabulary[2:2 + KNOBS["frequent"]]})  # unicorn is unknown
    assert metrics["k"] == 3
    assert "| cat |" in table and "unicorn" not in table


@pytest.mark.parametrize("family", ["skipgram", "cbow"])
def test_served_vectors_list_the_neighbours_of_a_raw_word(trained, family):
    _, model_dir, uri, _, _ = trained[family]
    served = mlflow.pyfunc.load_model(uri)
    answer = served.predict(pd.DataFrame({"text": ["Cat", "unicorn", ""]}))
    direct = word2vec_scoring.load_scorer(model_dir).neighbours(["cat"])["cat"]
    assert answer["neighbours"][0].split() == [word for word, _ in direct]
    assert answer["neighbours"][1:].tolist() == ["", ""] and answer["known_tokens"].tolist() == [1, 0, 0]


def test_model_folder_serves_without_tensorflow(trained):
    model_dir: Path = trained["skipgram"][1]
    assert {"embedding.npy", "spec.json"} <= {p.name for p in model_dir.iterdir()}
