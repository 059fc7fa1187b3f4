"""The translator end to end in-process: a real pairs view, the real seq2seq trainer, the scorer the
evaluate stage uses, and the served MLflow model called on raw English."""
from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException

from textlab.adapters import seq2seq_scoring, seq2seq_training
from textlab.adapters.serving import log_text_model
from textlab.adapters.tensors import load_pairs, save_pairs
from textlab.translation import fit_translation_spec

WORDS = {"one": "uno", "two": "dos", "three": "tres", "red": "rojo", "green": "verde", "cat": "gato"}


def pairs(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """A toy word-for-word translation of three-word sentences."""
    english = [" ".join(rng.choice(list(WORDS), 3)) for _ in range(n)]
    return pd.DataFrame({"source": english, "target": [" ".join(WORDS[w] for w in s.split()) for s in english]})


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("seq2seq")
    rng = np.random.default_rng(0)
    tables = {"train": pairs(rng, 600), "val": pairs(rng, 60), "test": pairs(rng, 60)}
    spec = fit_translation_spec(tables["train"], None, None, 4, 5)
    save_pairs(root / "pairs", spec, {name: (spec.encode_source(t["source"].tolist()),
                                            *spec.decode_inputs_and_targets(t["target"].tolist()))
                                     for name, t in tables.items()})
    hp = {"key": "t-gru", "family": "seq2seq", "embedding_dim": 16, "units": 32, "attention": True,
          "bidirectional": True, "dropout": 0.1, "seed": 1,
          "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 8, "patience": 2}
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    try:
        experiment = mlflow.create_experiment("seq2seq", artifact_location=(root / "artifacts").as_uri())
        with mlflow.start_run(experiment_id=experiment):
            curve = seq2seq_training.fit(hp, root / "pairs", root / "model")
            uri = log_text_model(root / "model", "seq2seq", examples=["one cat", "red two"]).model_uri
        yield root, tables, curve, uri
    finally:
        mlflow.set_tracking_uri(previous)


def test_the_translator_learns_the_toy_language(trained):
    root, tables, curve, _ = trained
    assert curve["val_loss"].iloc[-1] < curve["val_loss"].iloc[0]
    scorer = seq2seq_scoring.load_scorer(root / "model")
    hypotheses = scorer.translate(tables["test"]["source"].tolist())
    exact = np.mean([h == r for h, r in zip(hypotheses, tables["test"]["target"], strict=True)])
    assert exact > 0.5, list(zip(hypotheses[:5], tables["test"]["target"][:5], strict=True))


def test_evaluate_scores_the_model_and_both_baselines_on_test_and_val(trained):
    root, tables, _, _ = trained
    decoding = {"beam_width": 3, "length_alpha": 1.0}
    scores, translations = seq2seq_scoring.evaluate(seq2seq_scoring.load_scorer(root / "model"), tables, decoding)
    names = {"bleu", "token_accuracy", "baseline_retrieval_bleu", "baseline_copy_bleu"}
    assert set(scores) == names | {f"val_{name}" for name in names} | {"test_pairs", "val_pairs"}
    assert scores["test_pairs"] == scores["val_pairs"] == 60
    assert set(translations) == {"test", "val"} and len(translations["test"]) == 60
    scorer = seq2seq_scoring.load_scorer(root / "model")
    assert translations["test"] == scorer.translate(tables["test"]["source"].tolist(), 3, 1.0)
    # Three-word sentences hold no 4-gram, so every corpus BLEU here is 0; English copied shares no word at all.
    assert {name: scores[name] for name in scores if name.endswith("bleu")} == dict.fromkeys(
        ["bleu", "baseline_retrieval_bleu", "baseline_copy_bleu", "val_bleu", "val_baseline_retrieval_bleu",
         "val_baseline_copy_bleu"], 0.0)
    assert 0.5 < scores["token_accuracy"] <= 1 and 0.5 < scores["val_token_accuracy"] <= 1
    assert all(isinstance(v, int) or round(v, 4) == v for v in scores.values())


def test_the_stored_pairs_round_trip(trained):
    root, tables, _, _ = trained
    inputs, targets = load_pairs(root / "pairs", "val")
    assert inputs["source"].shape == (60, 4) and inputs["decoder_in"].shape == targets.shape == (60, 5)
    np.testing.assert_array_equal(inputs["decoder_in"][:, 1:4], targets[:, :3])  # shifted by one: teacher forcing


def test_served_translator_answers_raw_english_as_the_scorer(trained):
    root, _, _, uri = trained
    served = mlflow.pyfunc.load_model(uri)
    answer = served.predict(pd.DataFrame({"text": ["One red cat!", "unicorn", ""]}))
    direct = seq2seq_scoring.load_scorer(root / "model").translate(["One red cat!", "unicorn", ""])
    assert answer["translation"].tolist() == direct and answer["known_tokens"].tolist() == [3, 0, 0]
    with pytest.raises(MlflowException, match="row 0: text is missing"):
        served.predict(pd.DataFrame({"text": [None]}, dtype=object))
    assert served.predict(pd.DataFrame({"text": pd.Series([], dtype=str)})).empty
