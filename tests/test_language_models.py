"""Language models end to end in-process: a real text view, the real Keras and counting trainers, the
scorers the evaluate stages use, and the served MLflow model called on raw prompts."""
from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException

from textlab import language
from textlab.adapters import keras_lm_scoring, keras_lm_training, ngram_scoring, ngram_training
from textlab.adapters.serving import log_text_model
from textlab.adapters.tensors import load_ids, save_features
from textlab.features import fit_sequence_spec
from textlab.generation import sample_ids
from textlab.language import generate, sliding_windows

TEXT = "the cat sat on the mat. the dog sat on the log. " * 12
MAXLEN, STEP = 6, 2
GENERATION = {"temperatures": [0.0, 1.0], "length": 12, "seed": 7}


def write_text_view(folder: Path, level: str) -> None:
    """What tokenize@<view> writes for a text corpus: windows, next ids and the whole id streams."""
    parts = {"train": TEXT[:400], "val": TEXT[400:500], "test": TEXT[500:]}
    spec = fit_sequence_spec([parts["train"]], maxlen=MAXLEN, padding="pre", truncating="pre", lowercase=True,
                             level=level)
    streams = {name: np.asarray(spec.ids([part])[0], np.int32) for name, part in parts.items()}
    step = STEP if level == "char" else 1
    save_features(folder, spec, {name: sliding_windows(ids, MAXLEN, step) for name, ids in streams.items()}, streams)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict[str, tuple[Path, Path, str]]:
    """family → (inputs, model folder, logged model URI), fitted and logged in a throwaway SQLite store."""
    root = tmp_path_factory.mktemp("lm")
    write_text_view(root / "chars", "char")
    write_text_view(root / "words", "word")
    lstm = {"key": "t-lstm", "family": "lm_rnn", "cell": "lstm", "embedding_dim": 8, "units": [16], "seed": 1,
            "optimizer": "rmsprop", "learning_rate": 0.01, "batch_size": 32, "epochs": 2, "patience": 1,
            "generation": GENERATION}
    every_position = {**lstm, "key": "t-lstm-every", "units": [16, 16], "targets": "every", "output_dropout": 0.1,
                      "optimizer": "adam", "learning_rate": 0.02, "lr_schedule": "cosine", "lr_floor": 0.05}
    fits = {"lm_rnn": (keras_lm_training.fit, lstm, "chars", "keras_lm"),
            "lm_rnn_every": (keras_lm_training.fit, every_position, "chars", "keras_lm"),
            "markov": (ngram_training.fit, {"key": "t-markov", "family": "markov"}, "chars", "ngram"),
            "kneser_ney": (ngram_training.fit, {"key": "t-kn", "family": "kneser_ney", "order": 3}, "words", "ngram")}
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    try:
        experiment = mlflow.create_experiment("lm", artifact_location=(root / "artifacts").as_uri())
        found = {}
        for family, (fit, hp, view, framework) in fits.items():
            with mlflow.start_run(experiment_id=experiment) as run:
                curve = fit(hp, root / view, root / family)
                uri = log_text_model(root / family, framework, examples=["the cat", "a dog"]).model_uri
            found[family] = (root / view, root / family, uri, curve, run.info.run_id)
        yield found
    finally:
        mlflow.set_tracking_uri(previous)


def scorer_of(family: str, model_dir: Path):
    return (keras_lm_scoring if family.startswith("lm_rnn") else ngram_scoring).load_scorer(model_dir)


@pytest.mark.parametrize("family", ["lm_rnn", "lm_rnn_every", "markov", "kneser_ney"])
def test_scoring_a_whole_text_agrees_with_the_next_token_distributions(trained, family):
    """The evaluate stage's bits per token and the sampler's distributions are one model."""
    inputs, model_dir, *_ = trained[family]
    scorer = scorer_of(family, model_dir)
    ids = load_ids(inputs, "test")
    one_by_one = [np.log2(scorer.next_distribution(ids[:i].tolist())[ids[i]]) for i in range(1, len(ids))]
    np.testing.assert_allclose(scorer.log2_probs(ids), one_by_one, rtol=1e-4, atol=1e-6)


def test_keras_scoring_sees_the_windows_training_saw(trained):
    """Positions past the first window are predicted from exactly the window sliding_windows cut."""
    inputs, model_dir, *_ = trained["lm_rnn"]
    scorer = scorer_of("lm_rnn", model_dir)
    ids = load_ids(inputs, "test")
    x, y = sliding_windows(ids, MAXLEN, 1)
    direct = np.log2(scorer.model.predict(x, verbose=0)[np.arange(len(y)), y])
    np.testing.assert_allclose(scorer.log2_probs(ids)[MAXLEN - 1:], direct, rtol=1e-4, atol=1e-5)


def test_every_position_model_trains_on_a_target_per_id_and_is_scored_on_its_last(trained):
    """targets: every — a softmax on every position in training; scoring reads the one after the window."""
    inputs, model_dir, _, curve, _ = trained["lm_rnn_every"]
    scorer = scorer_of("lm_rnn_every", model_dir)
    assert scorer.model.output_shape == (None, MAXLEN, len(scorer.spec.vocabulary))
    assert scorer.model.get_layer("output_dropout").rate == 0.1
    assert curve["val_loss"].min() < np.log(len(scorer.spec.vocabulary) - 1)
    x, y = sliding_windows(load_ids(inputs, "test"), MAXLEN, 1)
    last = scorer.model.predict(x, verbose=0)[:, -1, :]
    np.testing.assert_allclose(scorer.batch_distribution(x), last / last.sum(axis=1, keepdims=True), rtol=1e-5)


def test_training_beats_a_uniform_guess_and_samples_each_epoch(trained):
    inputs, model_dir, _, curve, run_id = trained["lm_rnn"]
    vocab = len(scorer_of("lm_rnn", model_dir).spec.vocabulary)
    assert curve["val_loss"].min() < np.log(vocab - 1)  # nats; uniform over every id but padding
    logged = {a.path for a in mlflow.MlflowClient(f"sqlite:///{inputs.parent / 'mlflow.db'}").list_artifacts(
        run_id, "samples")}
    assert logged == {f"samples/epoch_{n:03d}.md" for n in range(1, len(curve) + 1)}


@pytest.mark.parametrize("family", ["lm_rnn", "lm_rnn_every", "markov", "kneser_ney"])
def test_served_model_continues_raw_prompts_and_greedy_is_argmax(trained, family):
    _, model_dir, uri, *_ = trained[family]
    served = mlflow.pyfunc.load_model(uri)
    answer = served.predict(pd.DataFrame({"text": ["the cat", ""]}), params={"temperature": 0.0, "length": 8})
    assert list(answer.columns) == ["generated", "known_tokens"]
    scorer = scorer_of(family, model_dir)
    history = scorer.spec.ids(["the cat"])[0]
    for _ in range(8):  # greedy decoding written out: always the most likely next id
        history.append(int(np.argmax(scorer.next_distribution(history))))
    assert answer["generated"][0] == scorer.spec.detokenize(history[-8:])
    assert answer["known_tokens"].tolist()[1] == 0  # the empty prompt: known_tokens flags it
    sampled = served.predict(pd.DataFrame({"text": ["the cat"]}), params={"temperature": 1.0, "length": 8, "seed": 3})
    again = served.predict(pd.DataFrame({"text": ["the cat"]}), params={"temperature": 1.0, "length": 8, "seed": 3})
    assert sampled.equals(again)  # a seed gives the same sample


def test_served_language_model_refuses_bad_input_naming_it(trained):
    served = mlflow.pyfunc.load_model(trained["markov"][2])
    with pytest.raises(MlflowException, match=r"row 1: text is missing"):
        served.predict(pd.DataFrame({"text": ["the", None]}, dtype=object))
    with pytest.raises(MlflowException, match=r"temperature ≥ 0"):
        served.predict(pd.DataFrame({"text": ["the"]}), params={"temperature": -1.0})
    assert served.predict(pd.DataFrame({"text": pd.Series([], dtype=str)})).empty


def test_counting_models_store_arrays_only(trained):
    for family in ("markov", "kneser_ney"):
        model_dir = trained[family][1]
        assert sorted(p.name for p in model_dir.iterdir()) == ["counts.npz", "spec.json"]
        with np.load(model_dir / "counts.npz", allow_pickle=False) as arrays:  # no object arrays inside
            assert all(arrays[name].dtype != object for name in arrays.files)


@pytest.mark.parametrize("family", ["lm_rnn_every", "markov"])
def test_temperatures_sampled_in_lockstep_equal_one_at_a_time(trained, family):
    """sample_ids asks the model once a step for every temperature; the samples are those of sampling
    each temperature alone with a generator of the same seed."""
    _, model_dir, *_ = trained[family]
    scorer = scorer_of(family, model_dir)
    prompt = scorer.spec.ids(["the cat"])[0]
    together = sample_ids(scorer.next_distributions, prompt, GENERATION["temperatures"], 15, seed=3)
    for temperature, ids in together.items():
        alone = generate(scorer.next_distribution, list(prompt), 15, temperature, np.random.default_rng(3))
        assert ids == alone, temperature


PERIODIC = "the quick brown fox. "  # 21 characters; 'o' and ' ' need the character before them to be told apart


def test_the_real_lm_code_learns_a_periodic_text_to_near_zero_bits(tmp_path):
    """Can it learn: the training path the train_lm stage runs (build_lm_rnn, targets at every position
    of overlapping windows longer than the view's) drives a periodic text's bits per char near 0."""
    parts = {"train": PERIODIC * 100, "val": PERIODIC * 10, "test": PERIODIC * 10}
    spec = fit_sequence_spec([parts["train"]], maxlen=MAXLEN, padding="pre", truncating="pre", lowercase=True)
    streams = {name: np.asarray(spec.ids([part])[0], np.int32) for name, part in parts.items()}
    save_features(tmp_path / "view", spec, {name: sliding_windows(ids, MAXLEN, STEP) for name, ids in streams.items()},
                  streams)
    hp = {"key": "t-periodic", "family": "lm_rnn", "cell": "lstm", "embedding_dim": 8, "units": [32], "seed": 1,
          "targets": "every", "maxlen": 24, "step": 8, "optimizer": "adam", "learning_rate": 0.02,
          "lr_schedule": "cosine", "lr_floor": 0.1, "batch_size": 16, "epochs": 12, "patience": 12,
          "generation": {"temperatures": [0.0], "length": 5, "seed": 1}}
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    try:
        with mlflow.start_run(experiment_id=mlflow.create_experiment("can-learn", (tmp_path / "a").as_uri())):
            keras_lm_training.fit(hp, tmp_path / "view", tmp_path / "model")
    finally:
        mlflow.set_tracking_uri(previous)
    scorer = keras_lm_scoring.load_scorer(tmp_path / "model")
    assert scorer.spec.maxlen == 24 and scorer.model.input_shape == (None, 24)  # the entry's windows, not the view's 6
    bits = language.bits_per_token(scorer.log2_probs(streams["test"]))
    assert bits < 0.1, f"{bits:.3f} bits per char on a text of period 21: the LM did not learn"
    greedy = sample_ids(scorer.next_distributions, streams["test"][:24].tolist(), [0.0], 42, seed=0)[0.0]
    assert scorer.spec.detokenize(greedy) == (PERIODIC * 4)[24 % 21:][:42]  # greedy continues the period


def test_window_knobs_need_targets_at_every_position(tmp_path):
    hp = {"key": "t-bad", "family": "lm_rnn", "maxlen": 20}
    with pytest.raises(ValueError, match="need targets: every"):
        keras_lm_training.fit(hp, tmp_path, tmp_path / "model")


def test_evaluation_scores_the_unigram_on_the_models_positions_and_names_validation_figures():
    from textlab.adapters.lm_evaluating import split_scores
    ids = np.array([2, 3, 2, 2, 1])  # OOV_ID last
    unigram = language.fit_unigram([2, 2, 3], 4)  # add-one: [UNK] 1/6, "2" 3/6, "3" 2/6

    def half(stream: np.ndarray) -> np.ndarray:  # a model giving every scored id probability 1/2
        return np.full(len(stream) - 1, -1.0)

    test, val = split_scores(half, unigram, ids), split_scores(half, unigram, ids, prefix="val_")
    expected_bits = -np.mean(np.log2([2 / 6, 3 / 6, 3 / 6, 1 / 6]))  # ids[1:], the positions every model is scored on
    assert test["bits_per_token"] == 1.0 and test["test_tokens"] == 4 and test["test_oov_rate"] == 0.25
    assert test["baseline_unigram_bits_per_token"] == round(expected_bits, 4)
    assert test["baseline_unigram_perplexity"] == round(2 ** expected_bits, 3)
    assert val == {"val_bits_per_token": 1.0, "val_perplexity": 2.0, "val_cross_entropy": round(np.log(2), 4),
                   "val_tokens": 4, "val_oov_rate": 0.25, "val_baseline_unigram_bits_per_token": round(expected_bits, 4),
                   "val_baseline_unigram_perplexity": round(2 ** expected_bits, 3)}
