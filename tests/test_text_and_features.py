"""Tokenizing, padding, bag-of-token matrices and the preprocessing specs the served model reuses.

Where Keras or scikit-learn define the same operation, the expected values come from them: the
layers the pipeline replaced (`pad_sequences`, the old `Tokenizer.sequences_to_matrix`) and the one
it mirrors (`TextVectorization`).
"""
from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from textlab import text
from textlab.features import SequenceSpec, fit_bag_spec, fit_sequence_spec, spec_from_dict, spec_to_dict


def _word_texts() -> tuple[list[str], list[str]]:
    """Zipf-distributed words, so frequencies tie, repeat within a text and run past maxlen; some texts empty."""
    rng = np.random.default_rng(5)
    words = np.array("the a film plot good bad acting cast story ending music scene dull great long".split())
    weights = 1 / np.arange(1, len(words) + 1)
    train = [" ".join(rng.choice(words, rng.integers(0, 13), p=weights / weights.sum())) for _ in range(60)]
    return train, ["unseen words only", "the zzz film", ""]


TEXTS = {  # level: (train, texts never seen in training)
    "word": _word_texts(),
    "char": (["Anna", "Bob", "Dee Dee", "Jo-Ann", "Eve", "Otto", "Bartholomew", "Mary-Jo", "Kim", "Lee"],
             ["Xavier", "Q!", "ANNA"]),
}


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


@pytest.fixture(scope="module")
def old_tokenizer():
    """Keras 2's Tokenizer, whose texts_to_matrix our bag modes reproduce; kept in tf.keras as legacy."""
    import tensorflow as tf

    return tf.keras.preprocessing.text.Tokenizer


def _spec(level: str, maxlen: int = 8, **kwargs: object) -> SequenceSpec:
    return fit_sequence_spec(TEXTS[level][0], maxlen=maxlen, padding="post", truncating="post", lowercase=True,
                             level=level, **kwargs)


def _vectorizer(keras, level: str, output_mode: str, **kwargs: object):
    """TextVectorization tokenizing as we do: our word texts are already standardized (lowercase, no
    punctuation), which Keras' default standardization would treat differently; the names are ASCII,
    which its `lower` handles like str.lower."""
    layer = keras.layers.TextVectorization(
        output_mode=output_mode, standardize=None if level == "word" else "lower",
        split="whitespace" if level == "word" else "character", **kwargs)
    layer.adapt(TEXTS[level][0])
    return layer


def _our_columns(spec: SequenceSpec, layer) -> list[int]:
    """Our column of each of Keras' bag columns: its bag vocabulary is ours without the padding entry."""
    return [spec.vocabulary.index(token) for token in layer.get_vocabulary()]


@pytest.mark.parametrize("level", ["word", "char"])
def test_vocabulary_and_ids_match_text_vectorization(keras, level):
    spec = _spec(level)
    layer = _vectorizer(keras, level, "int", output_sequence_length=spec.maxlen)
    ours, theirs = list(spec.vocabulary), layer.get_vocabulary()
    counts = Counter(token for tokens in spec.tokens(TEXTS[level][0]) for token in tokens)
    assert ours[:2] == theirs[:2] == ["", "[UNK]"]
    assert sorted(ours) == sorted(theirs)
    assert [counts[t] for t in ours] == [counts[t] for t in theirs]  # same frequency at every rank
    # Ties differ: ours alphabetical, Keras' reverse (`np.lexsort(...)[::-1]` in IndexLookup.finalize_state),
    # so tied tokens get other ids than a TextVectorization layer would give them.
    by_count: defaultdict[int, list[str]] = defaultdict(list)
    for token in ours[2:]:
        by_count[counts[token]].append(token)
    tied = [group for group in by_count.values() if len(group) > 1]
    assert tied, "the corpus must hold ties for this test to mean anything"
    for group in tied:
        assert group == sorted(group)
        assert [t for t in theirs if t in group] == sorted(group, reverse=True)
    # Through the vocabularies, both give the same padded sequences (Keras pads and truncates at the end), but
    # for a text with no tokens: Keras gives all padding, ours one OOV id (`SequenceSpec.transform`).
    texts = [t for t in TEXTS[level][0] + TEXTS[level][1] if spec.tokens([t])[0]]
    as_tokens = np.asarray(ours, dtype=object)[spec.transform(texts)]
    np.testing.assert_array_equal(as_tokens, np.asarray(theirs, dtype=object)[np.asarray(layer(texts))])


def test_max_tokens_counts_the_reserved_entries_like_text_vectorization(keras):
    spec = _spec("word", max_tokens=7)
    theirs = _vectorizer(keras, "word", "int", max_tokens=7).get_vocabulary()
    counts = Counter(token for tokens in spec.tokens(TEXTS["word"][0]) for token in tokens)
    assert len(spec.vocabulary) == len(theirs) == 7
    assert [counts[t] for t in spec.vocabulary] == [counts[t] for t in theirs]
    with pytest.raises(ValueError, match="max_tokens must exceed 2"):
        text.fit_vocabulary([list("ab")], max_tokens=2)


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_pad_equals_keras_pad_sequences(keras, padding, truncating):
    rng = np.random.default_rng(7)
    sequences = [rng.integers(1, 50, rng.integers(0, 13)).tolist() for _ in range(40)]  # some empty
    for maxlen in (1, 2, 5, 12, 20):
        expected = keras.utils.pad_sequences(sequences, maxlen=maxlen, padding=padding, truncating=truncating)
        actual = text.pad(sequences, maxlen, padding, truncating)
        assert actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)


def test_pad_rejects_bad_settings():
    with pytest.raises(ValueError, match="maxlen must be at least 1"):
        text.pad([[1]], 0)
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        text.pad([[1]], 2, "middle")
    with pytest.raises(ValueError, match="truncating must be 'pre' or 'post'"):
        text.pad([[1]], 2, "pre", "both")


@pytest.mark.parametrize("mode", ["binary", "count", "freq", "tfidf"])
@pytest.mark.parametrize("ngram_range", [1, 2])
def test_bags_equal_the_old_tokenizers_sequences_to_matrix(old_tokenizer, mode, ngram_range):
    spec = _spec("word", ngram_range=ngram_range, max_ngrams=10)
    train, unseen = TEXTS["word"]
    tokenizer = old_tokenizer(num_words=spec.vocab_size)
    tokenizer.fit_on_sequences(spec.ids(train))
    expected = tokenizer.sequences_to_matrix(spec.ids(train + unseen), mode=mode)
    bag = fit_bag_spec(spec, train, mode)
    actual = bag.transform(train + unseen)
    assert actual.dtype == np.float32 and actual.nnz == np.count_nonzero(expected)  # no stored zeros
    np.testing.assert_allclose(actual.toarray(), expected, rtol=1e-6)
    assert list(bag.doc_freq) == [tokenizer.index_docs.get(i, 0) for i in range(spec.vocab_size)]


def test_bag_of_tokens_refuses_tfidf_without_train_statistics_and_unknown_modes():
    counts = text.token_counts([[2, 2, 3]], vocab_size=4)
    with pytest.raises(ValueError, match="tfidf needs"):
        text.bag_of_tokens(counts, "tfidf")
    with pytest.raises(ValueError, match="mode must be binary, count, freq or tfidf"):
        text.bag_of_tokens(counts, "tf-idf")


def test_document_frequencies_equal_scikit_learns():
    spec, train = _spec("word"), TEXTS["word"][0]
    vectorizer = CountVectorizer(analyzer=str.split, binary=True)
    in_docs = np.asarray(vectorizer.fit_transform(train).sum(axis=0)).ravel()
    doc_freq = fit_bag_spec(spec, train, "tfidf").doc_freq
    assert {t: doc_freq[spec.vocabulary.index(t)] for t in vectorizer.vocabulary_} == {
        t: in_docs[i] for t, i in vectorizer.vocabulary_.items()}


@pytest.mark.parametrize("mode, keras_mode", [("binary", "multi_hot"), ("count", "count")])
def test_bags_equal_text_vectorization(keras, mode, keras_mode):
    spec, texts = _spec("word"), TEXTS["word"][0] + TEXTS["word"][1]
    layer = _vectorizer(keras, "word", keras_mode)
    ours = fit_bag_spec(spec, TEXTS["word"][0], mode).transform(texts).toarray()
    assert not ours[:, text.PAD_ID].any()  # Keras' bags have no padding column; ours keeps it empty
    np.testing.assert_array_equal(ours[:, _our_columns(spec, layer)], np.asarray(layer(texts)))


def test_tfidf_shares_text_vectorizations_idf(keras):
    """Both weigh by idf = ln(1 + n / (1 + df)) (IndexLookup._inverse_document_frequency), but Keras'
    term frequency is the raw count and ours the old Tokenizer's 1 + ln(count): they agree exactly
    where a token occurs once. Keras' [UNK] column takes the mean idf, as it never counts unseen
    tokens; ours the OOV id's own document frequency, so that column is left out."""
    spec, train = _spec("word"), TEXTS["word"][0]
    texts = train + TEXTS["word"][1]
    layer = _vectorizer(keras, "word", "tf_idf")
    columns = _our_columns(spec, layer)
    tfidf = fit_bag_spec(spec, train, "tfidf")
    every_token_once = [" ".join(layer.get_vocabulary()[1:])]  # its row is the idf vector
    np.testing.assert_allclose(tfidf.transform(every_token_once).toarray()[0, columns[1:]],
                               np.asarray(layer(every_token_once))[0, 1:], rtol=1e-6)
    counts = fit_bag_spec(spec, train, "count").transform(texts).toarray()[:, columns[1:]]
    ours, theirs = tfidf.transform(texts).toarray()[:, columns[1:]], np.asarray(layer(texts))[:, 1:]
    np.testing.assert_allclose(ours[counts == 1], theirs[counts == 1], rtol=1e-6)
    assert (counts > 1).any() and (ours[counts > 1] < theirs[counts > 1]).all()


def test_sequence_spec_round_trips_and_transforms_the_same():
    spec = fit_sequence_spec(["Anna", "Bob"], maxlen=None, padding="pre", truncating="pre", lowercase=True)
    assert spec.maxlen == 4 and spec.vocabulary[:2] == ("", "[UNK]")
    again = spec_from_dict(spec_to_dict(spec))
    assert again == spec
    np.testing.assert_array_equal(again.transform(["ANNA", "zz"]), spec.transform(["anna", "zz"]))
    assert spec.transform(["zz"]).tolist() == [[0, 0, 1, 1]]
    assert spec.transform([""]).tolist() == [[0, 0, 0, 1]]  # nothing to read: one OOV id, never all padding
    bag = fit_bag_spec(spec, ["Anna", "Bob"], "tfidf")
    assert spec_from_dict(spec_to_dict(bag)) == bag
