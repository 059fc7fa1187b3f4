"""Tokenizing, padding, bag-of-token matrices and the preprocessing specs the served model reuses."""
from __future__ import annotations

import numpy as np
import pytest

from textlab import text
from textlab.features import fit_bag_spec, fit_sequence_spec, spec_from_dict, spec_to_dict


def test_vocabulary_reserves_padding_and_oov_and_ranks_by_frequency():
    vocab = text.fit_vocabulary([list("abba"), list("bc")])
    assert vocab == ["", "[UNK]", "b", "a", "c"]
    assert text.fit_vocabulary([list("abba"), list("bc")], max_tokens=3) == ["", "[UNK]", "b"]
    assert text.encode([list("abz")], vocab) == [[3, 2, 1]]
    with pytest.raises(ValueError, match="max_tokens must exceed 2"):
        text.fit_vocabulary([list("ab")], max_tokens=2)


@pytest.mark.parametrize("padding,truncating,expected", [
    ("pre", "pre", [[0, 0, 5], [2, 3, 4]]),
    ("post", "post", [[5, 0, 0], [1, 2, 3]]),
    ("pre", "post", [[0, 0, 5], [1, 2, 3]]),
])
def test_pad_matches_keras_pad_sequences_semantics(padding, truncating, expected):
    out = text.pad([[5], [1, 2, 3, 4]], 3, padding, truncating)
    assert out.dtype == np.int32 and out.tolist() == expected


def test_pad_rejects_bad_settings():
    with pytest.raises(ValueError, match="maxlen must be at least 1"):
        text.pad([[1]], 0)
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        text.pad([[1]], 2, "middle")


def test_bag_modes_follow_texts_to_matrix():
    counts = text.token_counts([[2, 2, 3], [0, 0, 3]], vocab_size=4)
    assert counts.toarray().tolist() == [[0, 0, 2, 1], [0, 0, 0, 1]]  # padding never counted
    assert text.bag_of_tokens(counts, "binary").toarray().tolist() == [[0, 0, 1, 1], [0, 0, 0, 1]]
    np.testing.assert_allclose(text.bag_of_tokens(counts, "freq").toarray()[0], [0, 0, 2 / 3, 1 / 3], rtol=1e-6)
    df = text.document_frequency(counts)
    tfidf = text.bag_of_tokens(counts, "tfidf", df, n_docs=2).toarray()
    np.testing.assert_allclose(tfidf[0, 2], (1 + np.log(2)) * np.log(1 + 2 / (1 + 1)), rtol=1e-6)
    np.testing.assert_allclose(tfidf[1, 3], 1 * np.log(1 + 2 / (1 + 2)), rtol=1e-6)
    with pytest.raises(ValueError, match="tfidf needs"):
        text.bag_of_tokens(counts, "tfidf")


def test_sparse_and_dense_matrices_agree():
    spec = fit_sequence_spec(["Anna", "Bob", "Eve"], maxlen=None, padding="pre", truncating="pre", lowercase=True)
    bag = fit_bag_spec(spec, ["Anna", "Bob", "Eve"], "count")
    sparse = bag.transform(["Anna", "Zed"])
    dense_from_ids = text.token_counts(spec.transform(["Anna", "Zed"]), spec.vocab_size).toarray()
    np.testing.assert_array_equal(sparse.toarray(), dense_from_ids)


def test_sequence_spec_round_trips_and_transforms_the_same():
    spec = fit_sequence_spec(["Anna", "Bob"], maxlen=None, padding="pre", truncating="pre", lowercase=True)
    assert spec.maxlen == 4 and spec.vocabulary[:2] == ("", "[UNK]")
    again = spec_from_dict(spec_to_dict(spec))
    assert again == spec
    np.testing.assert_array_equal(again.transform(["ANNA", "zz"]), spec.transform(["anna", "zz"]))
    assert spec.transform(["zz"]).tolist() == [[0, 0, 1, 1]]
    bag = fit_bag_spec(spec, ["Anna", "Bob"], "tfidf")
    assert spec_from_dict(spec_to_dict(bag)) == bag


def dense_texts_to_matrix(sequences: list[list[int]], vocab_size: int, mode: str, train: list[list[int]]) -> np.ndarray:
    """A plain-loop reference of Keras' Tokenizer.texts_to_matrix, dense float64."""
    doc_freq = np.zeros(vocab_size)
    for seq in train:
        for token in set(seq) - {0}:
            doc_freq[token] += 1
    out = np.zeros((len(sequences), vocab_size))
    for row, seq in enumerate(sequences):
        tokens = [t for t in seq if t != 0]
        for token in set(tokens):
            count = tokens.count(token)
            out[row, token] = {"binary": 1.0, "count": count, "freq": count / len(tokens),
                               "tfidf": (1 + np.log(count)) * np.log(1 + len(train) / (1 + doc_freq[token]))}[mode]
    return out


@pytest.mark.parametrize("mode", ["binary", "count", "freq", "tfidf"])
def test_sparse_bags_equal_the_dense_texts_to_matrix_reference(mode):
    texts = ["a good good film", "bad film", "good plot, bad acting", "film film film"]
    spec = fit_sequence_spec(texts, maxlen=1, padding="pre", truncating="pre", lowercase=True, level="word")
    bag = fit_bag_spec(spec, texts, mode)
    sparse = bag.transform(texts + ["unseen words only"])
    reference = dense_texts_to_matrix(spec.ids(texts + ["unseen words only"]), spec.vocab_size, mode, spec.ids(texts))
    np.testing.assert_allclose(sparse.toarray(), reference, rtol=1e-6)
    assert sparse.dtype == np.float32 and sparse.nnz == np.count_nonzero(reference)
