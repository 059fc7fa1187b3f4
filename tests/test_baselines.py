"""Classical baselines: fast checks on tiny synthetic reviews (no corpus, no MLflow)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
import skops.io as sio

from textlab.baselines import (
    CLASSICAL_BUILDERS,
    NBSVM_DEFAULTS,
    TFIDF_LOGREG_DEFAULTS,
    NBFeatureScaler,
    build_nbsvm,
    build_tfidf_logreg,
    skops_trusted_types,
)
from textlab.text import standardize

POSITIVE_WORDS = ["great", "superb", "loved", "wonderful", "moving"]
NEGATIVE_WORDS = ["awful", "boring", "hated", "dull", "painful"]
NEUTRAL_WORDS = ["the", "movie", "plot", "actor", "scene", "film", "ending", "cast"]
TINY = {"min_df": 1}  # the synthetic corpus is too small for the corpus-sized min_df default


def make_reviews(n: int = 60, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Balanced reviews: neutral filler, two cue words of the review's class, capitals and punctuation."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        label = i % 2
        cues = rng.choice(POSITIVE_WORDS if label else NEGATIVE_WORDS, 2)
        words = [*rng.choice(NEUTRAL_WORDS, 5), *cues]
        rng.shuffle(words)
        texts.append(words[0].capitalize() + " " + " ".join(words[1:]) + "!")
        labels.append(label)
    return texts, np.array(labels)


@pytest.fixture(scope="module")
def reviews() -> tuple[list[str], np.ndarray]:
    return make_reviews()



@pytest.mark.parametrize("name", sorted(CLASSICAL_BUILDERS))
def test_pipelines_fit_raw_text_and_give_probabilities(name, reviews):
    texts, labels = reviews
    model = CLASSICAL_BUILDERS[name](TINY, standardize).fit(texts, labels)
    assert model.predict_proba(texts).shape == (len(texts), 2)
    unseen = ["A GREAT, superb film.", "Dull... and painful; the plot!"]
    positive = model.predict_proba(unseen)[:, 1]
    assert positive[0] > 0.5 > positive[1]


@pytest.mark.parametrize("name", sorted(CLASSICAL_BUILDERS))
def test_the_vocabulary_is_standardized_words_and_their_bigrams(name, reviews):
    texts, labels = reviews
    texts = [*texts, "It's GREAT.<br />Loved it", "Dull,boring... I hated it"]  # markup, apostrophe, glued punctuation
    model = CLASSICAL_BUILDERS[name](TINY, standardize).fit(texts, [*labels, 1, 0])
    words = [standardize(text).split() for text in texts]
    expected = {w for ws in words for w in ws} | {f"{a} {b}" for ws in words for a, b in itertools.pairwise(ws)}
    assert set(model.named_steps["vectorize"].vocabulary_) == expected
    assert {"its", "great", "loved it", "dull boring"} <= expected  # standardize did run on these


@pytest.mark.parametrize("name", sorted(CLASSICAL_BUILDERS))
def test_skops_round_trip_with_the_listed_trusted_types(name, reviews):
    """The trusted list is exactly what skops finds untrusted in a fitted baseline, and suffices to load it."""
    texts, labels = reviews
    model = CLASSICAL_BUILDERS[name](TINY, standardize).fit(texts, labels)
    trusted = skops_trusted_types(standardize)
    assert trusted == ["textlab.text.standardize", "textlab.baselines.NBFeatureScaler"]
    data = sio.dumps(model)
    assert set(sio.get_untrusted_types(data=data)) <= set(trusted)
    restored = sio.loads(data, trusted=trusted)
    assert restored.named_steps["vectorize"].preprocessor is standardize
    assert np.array_equal(restored.predict_proba(texts), model.predict_proba(texts))


def test_hp_overrides_defaults_and_extra_keys_are_ignored():
    hp = {"key": "imdb-nbsvm", "corpus": "imdb", "family": "nbsvm", "epochs": 20,
          "ngram_range": [1, 3], "min_df": 5, "max_features": 1000, "alpha": 0.5, "C": 0.1, "solver": "saga"}
    model = build_nbsvm(hp, standardize)
    vectorizer, scaler, classifier = (step for _, step in model.steps)
    assert vectorizer.ngram_range == (1, 3) and vectorizer.min_df == 5 and vectorizer.max_features == 1000
    assert vectorizer.binary and vectorizer.token_pattern == r"\S+" and vectorizer.preprocessor is standardize
    assert scaler.alpha == 0.5
    assert classifier.C == 0.1 and classifier.solver == "saga" and not classifier.dual


def test_defaults_apply_when_hp_is_empty():
    tfidf = build_tfidf_logreg({}, standardize)
    assert tfidf.named_steps["vectorize"].ngram_range == TFIDF_LOGREG_DEFAULTS["ngram_range"] == (1, 2)
    assert tfidf.named_steps["vectorize"].sublinear_tf
    assert tfidf.named_steps["classify"].C == TFIDF_LOGREG_DEFAULTS["C"]
    nbsvm = build_nbsvm({}, standardize)
    assert nbsvm.named_steps["nb_scale"].alpha == NBSVM_DEFAULTS["alpha"]
    assert nbsvm.named_steps["classify"].C == NBSVM_DEFAULTS["C"]


def test_unsupported_solver_is_refused():
    with pytest.raises(ValueError, match="liblinear or saga"):
        build_tfidf_logreg({"solver": "lbfgs"}, standardize)


def test_nb_ratio_matches_hand_computation():
    # columns a, b, c; documents 0-1 positive, 2-3 negative
    X = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 0]], dtype=float))
    y = np.array([1, 1, 0, 0])
    scaler = NBFeatureScaler(alpha=1.0).fit(X, y)
    # p = 1 + [2, 0, 2] = [3, 1, 3] (|p| = 7);  q = 1 + [0, 2, 1] = [1, 3, 2] (|q| = 6)
    expected = np.log(np.array([3 / 7, 1 / 7, 3 / 7]) / np.array([1 / 6, 3 / 6, 2 / 6]))
    np.testing.assert_allclose(scaler.r_, expected)
    np.testing.assert_allclose(scaler.r_, np.log([18 / 7, 2 / 7, 9 / 7]))
    scaled = scaler.transform(X)
    assert sp.isspmatrix_csr(scaled)
    np.testing.assert_allclose(scaled.toarray(), X.toarray() * expected)
    dense = scaler.transform(X.toarray())
    assert sp.isspmatrix_csr(dense) and np.allclose(dense.toarray(), scaled.toarray())


def test_nb_ratio_sign_follows_the_class_a_word_appears_in(reviews):
    texts, labels = reviews
    model = build_nbsvm(TINY, standardize).fit(texts, labels)
    vocabulary = model.named_steps["vectorize"].vocabulary_
    r = model.named_steps["nb_scale"].r_
    assert all(r[vocabulary[word]] > 0 for word in POSITIVE_WORDS)
    assert all(r[vocabulary[word]] < 0 for word in NEGATIVE_WORDS)


def test_nb_scaler_takes_the_larger_label_as_positive_and_needs_two_classes():
    X = sp.csr_matrix(np.eye(2))
    assert NBFeatureScaler().fit(X, np.array(["neg", "pos"])).r_[1] > 0
    with pytest.raises(ValueError, match="two classes"):
        NBFeatureScaler().fit(X, np.array([1, 1]))
