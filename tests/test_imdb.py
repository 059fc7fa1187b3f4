"""IMDB-specific library pieces: review parsing, the standardization, n-gram ids, GloVe vectors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textlab import text
from textlab.corpora import CorpusFormatError, glove_vectors, imdb_member, imdb_table
from textlab.embeddings import pretrained_matrix
from textlab.features import fit_sequence_spec
from textlab.splits import carve_validation


def test_imdb_members_map_folders_to_labels():
    assert imdb_member("aclImdb/train/pos/10_9.txt") == ("train", 1)
    assert imdb_member("aclImdb/test/neg/3_1.txt") == ("test", 0)
    assert imdb_member("aclImdb/train/unsup/7_0.txt") == ("unsup", None)
    assert imdb_member("aclImdb/train/labeledBow.feat") is None
    assert imdb_member("aclImdb/imdb.vocab") is None


def test_imdb_table_keeps_the_first_reviews_of_each_folder_under_a_limit():
    members = [(f"aclImdb/{s}/{f}/{i}_{r}.txt", f"review {s} {f} {i}".encode())
               for s in ("train", "test") for f in ("pos", "neg") for i, r in ((3, 8), (1, 9), (2, 7))]
    members.append(("aclImdb/train/unsup/5_0.txt", b"unlabelled"))
    table = imdb_table(members, limit=2)
    assert len(table) == 9
    kept = table[(table["split"] == "train") & (table["label"] == 1)]["id"].tolist()
    assert kept == [1, 2]
    assert table.loc[table["split"] == "unsup", "label"].isna().all()
    with pytest.raises(ValueError, match="limit must be a positive count"):
        imdb_table(members, limit=0)


def test_empty_or_non_utf8_review_names_the_member():
    with pytest.raises(CorpusFormatError, match=r"aclImdb/train/pos/1_9\.txt: empty review"):
        imdb_table([("aclImdb/train/pos/1_9.txt", b"  \n")])
    with pytest.raises(CorpusFormatError, match=r"aclImdb/test/neg/2_1\.txt: not UTF-8 at byte 4"):
        imdb_table([("aclImdb/test/neg/2_1.txt", b"good\xff")])


def test_standardize_strips_markup_punctuation_and_case():
    assert text.standardize("Great<br /><br />FILM, isn't it?!") .split() == ["great", "film", "isnt", "it"]
    assert text.word_tokens("A <i>very</i> good-looking movie.") == ["a", "very", "good", "looking", "movie"]


def test_bigram_ids_follow_word_ids_and_unknown_bigrams_are_dropped():
    spec = fit_sequence_spec(["good movie", "good movie bad plot"], maxlen=8, padding="post", truncating="post",
                             lowercase=True, level="word", ngram_range=2, max_ngrams=2)
    assert spec.ngram_vocabulary == ("good movie", "bad plot")
    ids = spec.ids(["Good movie!", "bad plot twist"])
    good_movie = len(spec.vocabulary)
    assert ids[0][-1] == good_movie and len(ids[0]) == 3
    assert ids[1][-1] == good_movie + 1 and len(ids[1]) == 4  # "plot twist" is unknown: no id
    assert spec.transform(["bad plot", "good movie"]).max() == spec.vocab_size - 1  # the Embedding covers every id


def test_trigram_ids_follow_the_bigram_ids_of_a_text():
    """The default `imdb-trigrams` view: a text's known 2-grams, then its known 3-grams, after its word ids."""
    spec = fit_sequence_spec(["good movie bad plot", "good movie bad"], maxlen=10, padding="post", truncating="post",
                             lowercase=True, level="word", ngram_range=3, max_ngrams=10)
    assert spec.ngram_vocabulary == ("good movie", "good movie bad", "movie bad", "bad plot", "movie bad plot")
    first = len(spec.vocabulary)
    ids = spec.ids(["Good movie, bad."])
    assert ids[0][3:] == [first, first + 2, first + 1]  # "good movie", "movie bad", then "good movie bad"


def test_carve_validation_is_stratified_and_disjoint():
    train = pd.DataFrame({"text": [f"r{i}" for i in range(100)], "label": [i % 2 for i in range(100)]})
    parts = carve_validation(train.astype({"label": "int8"}), 0.2, 42)
    assert len(parts["val"]) == 20 and parts["val"]["label"].mean() == 0.5
    assert not set(parts["val"]["text"]) & set(parts["train"]["text"])


def test_glove_vectors_and_pretrained_matrix():
    lines = ["the 0.1 0.2\n", "movie 1.0 -1.0\n", "unused 5 5\n"]
    vectors = glove_vectors(lines, {"the", "movie", "absent"}, "glove.txt")
    assert vectors == {"the": [0.1, 0.2], "movie": [1.0, -1.0]}
    matrix, coverage = pretrained_matrix(["", "[UNK]", "movie", "absent"], vectors, 2)
    np.testing.assert_allclose(matrix, [[0, 0], [0, 0], [1, -1], [0, 0]])
    assert coverage == 0.5
    with pytest.raises(CorpusFormatError, match=r"glove\.txt:2: expected a word and 2 numbers"):
        glove_vectors(["a 1 2\n", "b 1\n"], {"a"}, "glove.txt")


def test_vectors_are_read_from_the_mirror_bz2_or_the_canonical_zip(tmp_path):
    import bz2
    import zipfile

    from textlab.adapters.vectors import open_vectors

    (tmp_path / "v.bz2").write_bytes(bz2.compress(b"movie 1 2\n"))
    with zipfile.ZipFile(tmp_path / "v.zip", "w") as archive:
        archive.writestr("glove.6B.50d.txt", "movie 3 4\n")
    for path, expected in (("v.bz2", "movie 1 2\n"), ("v.zip", "movie 3 4\n")):
        with open_vectors(tmp_path / path, "glove.6B.50d.txt") as lines:
            assert list(lines) == [expected]
    with pytest.raises(ValueError, match="no member 'glove.6B.300d.txt'"):
        open_vectors(tmp_path / "v.zip", "glove.6B.300d.txt")
