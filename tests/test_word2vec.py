"""word2vec: CBOW/skip-gram examples against plain loops, the noise and subsampling tables against
gensim's, neighbours against gensim's most_similar, and tiny Keras models that must learn twins."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from textlab import embeddings, word2vec
from textlab.text import OOV_ID, PAD_ID, RESERVED

# Two sentences (PAD_ID between), an OOV word and a one-word sentence (8) with no context at all.
IDS = np.array([5, 2, OOV_ID, 3, 7, PAD_ID, 4, 6, 7, 2, PAD_ID, 8, PAD_ID, 9, 3], dtype=np.int32)
REAL = (PAD_ID, OOV_ID)


def _same_sentence(ids: np.ndarray, i: int, j: int) -> bool:
    return 0 <= j < len(ids) and all(ids[m] != PAD_ID for m in range(min(i, j), max(i, j) + 1))


@pytest.mark.parametrize("window", [1, 2, 3])
def test_cbow_contexts_match_a_plain_loop(window):
    contexts, targets = [], []
    for i, target in enumerate(IDS):
        if target in REAL:
            continue
        row = [IDS[i + o] if _same_sentence(IDS, i, i + o) else PAD_ID
               for o in [*range(-window, 0), *range(1, window + 1)]]
        if any(c != PAD_ID for c in row):
            contexts.append(row)
            targets.append(target)
    got_contexts, got_targets = word2vec.cbow_examples(IDS, window)
    assert got_contexts.dtype == np.int32 and got_targets.dtype == np.int32
    np.testing.assert_array_equal(got_contexts, np.array(contexts, dtype=np.int32).reshape(-1, 2 * window))
    np.testing.assert_array_equal(got_targets, targets)


@pytest.mark.parametrize("window", [1, 2, 3])
def test_skipgram_positives_match_an_enumeration(window):
    expected = [(int(t), int(IDS[j])) for i, t in enumerate(IDS) if t not in REAL
                for j in range(i - window, i + window + 1)
                if j != i and _same_sentence(IDS, i, j) and IDS[j] not in REAL]
    targets, contexts = word2vec.skipgram_positive_pairs(IDS, window)
    assert list(zip(targets.tolist(), contexts.tolist(), strict=True)) == expected


def _zipf_ids(rng: np.random.Generator, n: int = 20_000, words: int = 12) -> np.ndarray:
    """Skewed ids 1..words (OOV_ID the most frequent) with a PAD_ID boundary every 25 positions."""
    ids = np.minimum(rng.zipf(1.6, n), words)
    ids[::25] = PAD_ID
    return ids.astype(np.int32)


def test_negatives_follow_the_noise_distribution_and_the_ratio():
    rng = np.random.default_rng(0)
    ids = _zipf_ids(rng)
    targets, contexts, labels = word2vec.skipgram_pairs(ids, 2, 4, rng)
    positive_t, positive_c = word2vec.skipgram_positive_pairs(ids, 2)
    assert labels.dtype == np.float32 and targets.dtype == contexts.dtype == np.int32
    np.testing.assert_array_equal(labels[::5], 1.0)
    assert (labels == 0).sum() == 4 * (labels == 1).sum()
    np.testing.assert_array_equal(targets[labels == 1], positive_t)
    np.testing.assert_array_equal(contexts[labels == 1], positive_c)
    np.testing.assert_array_equal(targets.reshape(-1, 5), np.repeat(positive_t[:, None], 5, axis=1))
    drawn = contexts[labels == 0]
    assert not np.isin(drawn, REAL).any()
    counts = Counter(ids.tolist())  # the recipe, computed independently: count**0.75 over real words
    weights = {w: c ** 0.75 for w, c in counts.items() if w not in REAL}
    total = sum(weights.values())
    empirical = np.bincount(drawn, minlength=ids.max() + 1) / len(drawn)
    for word, weight in weights.items():
        assert empirical[word] == pytest.approx(weight / total, abs=0.01)


def test_subsampling_drops_frequent_words_before_windowing():
    rng = np.random.default_rng(1)
    ids = _zipf_ids(rng)
    table = word2vec.subsampling_table(word2vec.id_counts(ids), threshold=1e-2)
    kept = word2vec.subsample(ids, table, np.random.default_rng(2))
    assert (kept == PAD_ID).sum() == (ids == PAD_ID).sum()  # boundaries stay
    before, after = np.bincount(ids), np.bincount(kept, minlength=len(table))
    frequent, rare = int(np.argmax(before[2:])) + 2, int(np.argmin(before[2:])) + 2
    assert table[rare] == 1.0 and after[rare] == before[rare]
    n, keep = before[frequent], table[frequent]
    assert after[frequent] == pytest.approx(n * keep, abs=4 * np.sqrt(n * keep * (1 - keep)))  # binomial: 4 sd
    _, _, labels = word2vec.skipgram_pairs(ids, 2, 1, rng, table)
    assert (labels == 1).sum() < len(word2vec.skipgram_positive_pairs(ids, 2)[0])


def test_noise_and_subsampling_tables_match_gensim():
    from gensim.models import Word2Vec

    rng = np.random.default_rng(3)
    ids = _zipf_ids(rng)
    ids[ids == OOV_ID] = 20  # gensim knows no OOV: make it a word so both count the same tokens
    sentences = [[str(i) for i in part if i != PAD_ID] for part in np.split(ids, np.flatnonzero(ids == PAD_ID))]
    model = Word2Vec(min_count=1, sample=1e-2, ns_exponent=0.75, workers=1)
    model.build_vocab(sentences)
    order = [int(w) for w in model.wv.index_to_key]
    counts = word2vec.id_counts(ids)
    noise = word2vec.noise_distribution(counts)
    cum = np.asarray(model.cum_table, dtype=np.float64)
    np.testing.assert_allclose(noise[order], np.diff(np.r_[0.0, cum]) / cum[-1], atol=1e-7)
    assert noise[PAD_ID] == noise[OOV_ID] == 0.0 and noise.sum() == pytest.approx(1.0)
    table = word2vec.subsampling_table(counts, threshold=1e-2)
    gensim_keep = [model.wv.get_vecattr(w, "sample_int") / (2**32 - 1) for w in model.wv.index_to_key]
    np.testing.assert_allclose(table[order], gensim_keep, atol=1e-6)
    assert table[order].min() < 0.5  # the check covers real dropping, not only the cap at 1


VOCAB = [*RESERVED, *[f"w{i}" for i in range(18)]]


def test_nearest_neighbours_match_gensim_most_similar():
    from gensim.models import KeyedVectors

    vectors = np.random.default_rng(4).normal(size=(len(VOCAB), 6)).astype(np.float32)
    kv = KeyedVectors(6)
    kv.add_vectors(VOCAB[2:], vectors[2:])  # gensim would rank the reserved rows too: leave them out
    got = word2vec.nearest_neighbours(vectors, VOCAB, ["w3", "absent", "w0", RESERVED[1]], k=5)
    assert list(got) == ["w3", "w0"]
    for word, neighbours in got.items():
        expected = kv.most_similar(word, topn=5)
        assert [n for n, _ in neighbours] == [n for n, _ in expected]
        np.testing.assert_allclose([s for _, s in neighbours], [s for _, s in expected], rtol=1e-5)


def test_neighbour_overlap_sees_rankings_not_coordinates():
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(len(VOCAB), 8))
    words = VOCAB[2:]
    assert word2vec.neighbour_overlap(vectors, VOCAB, vectors, VOCAB, words, k=4) == 1.0
    rotation, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    assert word2vec.neighbour_overlap(vectors, VOCAB, 3 * vectors @ rotation, VOCAB, words, k=4) == pytest.approx(1.0)
    permuted = [*RESERVED, *rng.permutation(words)]
    assert word2vec.neighbour_overlap(vectors, VOCAB, vectors, permuted, words, k=4) < 0.6
    with pytest.raises(ValueError):
        word2vec.neighbour_overlap(vectors, VOCAB, vectors, VOCAB, ["absent"], k=4)


def test_word2vec_text_round_trips_through_gensim(tmp_path):
    from gensim.models import KeyedVectors

    vectors = np.random.default_rng(6).normal(size=(len(VOCAB), 5)).astype(np.float32)
    path = tmp_path / "vectors.txt"
    path.write_text(embeddings.word2vec_text(VOCAB, vectors), encoding="utf-8")
    loaded = KeyedVectors.load_word2vec_format(str(path), binary=False)
    assert loaded.index_to_key == [embeddings.display_token(t) for t in VOCAB]
    np.testing.assert_allclose(loaded.vectors, vectors, atol=1e-6)


def test_gensim_vectors_are_reproducible_per_seed():
    sentences = [f"the cat sat on the mat number {i % 7}".split() for i in range(60)]
    kwargs = {"sg": True, "dim": 8, "window": 2, "negative": 3, "epochs": 2, "min_count": 1}
    vocab, first = word2vec.gensim_vectors(sentences, seed=1, **kwargs)
    _, again = word2vec.gensim_vectors(sentences, seed=1, **kwargs)
    _, other = word2vec.gensim_vectors(sentences, seed=2, **kwargs)
    assert sorted(vocab) == sorted({w for s in sentences for w in s}) and first.shape == (len(vocab), 8)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


# Keras ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def keras():
    import keras

    keras.utils.set_random_seed(0)
    return keras


@pytest.fixture(scope="module")
def models(keras):
    from textlab import word2vec_models

    return word2vec_models


def _hp(loss: str, dim: int = 8) -> dict:
    return {"key": "w2v", "embedding_dim": dim, "window": 2, "loss": loss}


@pytest.mark.parametrize("family,loss,inputs,out_width", [
    ("skipgram", "negative_sampling", {"target": (), "context": ()}, 1),
    ("skipgram", "softmax", {"target": ()}, 30),
    ("cbow", "negative_sampling", {"context": (4,), "target": ()}, 1),
    ("cbow", "softmax", {"context": (4,)}, 30),
])
def test_builders_take_the_documented_inputs(keras, models, family, loss, inputs, out_width):
    model = models.WORD2VEC_FAMILIES[family](_hp(loss), 30, 0, None)
    tables = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
    assert tables[0].name == "embedding"  # the export stage reads the first Embedding layer
    assert sorted(t.name for t in model.inputs) == sorted(inputs)
    batch = {name: np.full((3, *shape), 2 + i, dtype=np.int32) for i, (name, shape) in enumerate(inputs.items())}
    output = keras.ops.convert_to_numpy(model(batch))
    assert output.shape == (3, out_width)
    labels = np.ones(3, "float32") if out_width == 1 else np.array([2, 3, 4])
    model.compile(optimizer="adam", loss=models.loss_for(_hp(loss)))  # the trainer's path: [n] labels fit the output
    assert np.isfinite(float(model.compute_loss(y=labels, y_pred=output)))


def test_cbow_mean_skips_padding(keras, models):
    model = models.build_cbow(_hp("softmax"), 30, 0)
    mean = keras.Model(model.inputs, model.get_layer("context_mean").output)
    contexts = np.array([[0, 5, 6, 0], [3, 0, 0, 0]], dtype=np.int32)
    table = model.get_layer("embedding").get_weights()[0]
    expected = np.stack([table[[5, 6]].mean(axis=0), table[3]])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(mean({"context": contexts})), expected, rtol=1e-5)


def test_pretrained_vectors_seed_the_embedding(models):
    pretrained = np.random.default_rng(7).normal(size=(30, 5)).astype(np.float32)
    model = models.build_skipgram(_hp("negative_sampling"), 30, 0, pretrained)
    np.testing.assert_allclose(model.get_layer("embedding").get_weights()[0], pretrained)
    assert model.get_layer("output_embedding").get_weights()[0].shape == (30, 5)
    with pytest.raises(ValueError):
        models.loss_for({"loss": "hierarchical"})


TWIN_A, TWIN_B, OTHER = 2, 3, 4


def _twin_corpus(rng: np.random.Generator, sentences: int = 400) -> np.ndarray:
    """Sentences l l WORD r r: TWIN_A and TWIN_B always among ids 5..8, OTHER among ids 9..12."""
    rows = []
    for _ in range(sentences):
        word = rng.choice([TWIN_A, TWIN_B, OTHER])
        group = np.arange(5, 9) if word != OTHER else np.arange(9, 13)
        rows.append([*rng.choice(group, 2), word, *rng.choice(group, 2), PAD_ID])
    return np.array(rows, dtype=np.int32).ravel()


def _twins_are_closer(vectors: np.ndarray) -> bool:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    twins, a_other, b_other = unit[TWIN_A] @ unit[TWIN_B], unit[TWIN_A] @ unit[OTHER], unit[TWIN_B] @ unit[OTHER]
    return bool(twins > max(a_other, b_other) + 0.2)


def test_skipgram_negative_sampling_learns_shared_contexts(keras, models):
    rng = np.random.default_rng(8)
    targets, contexts, labels = word2vec.skipgram_pairs(_twin_corpus(rng), 2, 4, rng)
    model = models.build_skipgram(_hp("negative_sampling"), 13, 0)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss=models.loss_for(_hp("negative_sampling")))
    model.fit({"target": targets, "context": contexts}, labels, batch_size=256, epochs=4, verbose=0)
    assert _twins_are_closer(model.get_layer("embedding").get_weights()[0])


def test_cbow_softmax_learns_shared_contexts(keras, models):
    contexts, targets = word2vec.cbow_examples(_twin_corpus(np.random.default_rng(9)), 2)
    model = models.build_cbow(_hp("softmax"), 13, 0)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss=models.loss_for(_hp("softmax")))
    model.fit({"context": contexts}, targets, batch_size=128, epochs=4, verbose=0)
    assert _twins_are_closer(model.get_layer("embedding").get_weights()[0])
