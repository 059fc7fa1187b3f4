"""word2vec: CBOW/skip-gram examples against plain loops (gensim's, with its reduced windows), the noise
and subsampling tables and the learning-rate schedule against gensim's, one Keras SGD step against
gensim's update, neighbours against gensim's most_similar, and tiny models that must learn topics."""
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


def _gensim_loop(ids: np.ndarray, window: int, reduced: np.ndarray) -> list[tuple[int, list[int]]]:
    """(centre, its context ids) per centre, as word2vec_inner.pyx's loops over a sentence: positions
    j from i - window + b to i + window - b (b = reduced[i]), clipped to the sentence, j != i."""
    out, start = [], 0
    for end in [*np.flatnonzero(ids == PAD_ID), len(ids)]:
        for i in range(start, end):
            j, k = max(i - window + reduced[i], start), min(i + window + 1 - reduced[i], end)
            out.append((int(ids[i]), [int(ids[m]) for m in range(j, k) if m != i]))
        start = end + 1
    return out


@pytest.mark.parametrize("window", [1, 2, 3, 5])
def test_reduced_window_pairs_match_gensims_loop(window):
    rng = np.random.default_rng(window)
    ids = np.array([2 + rng.integers(0, 9) if i % 13 else PAD_ID for i in range(1, 300)], dtype=np.int32)
    spans = word2vec.reduced_windows(len(ids), window, np.random.default_rng(0))
    assert spans.dtype == np.int32 and spans.min() >= 1 and spans.max() <= window
    loop = _gensim_loop(ids, window, window - spans)  # gensim stores b = window - span
    centres, neighbours = word2vec.skipgram_positive_pairs(ids, window, spans)
    assert list(zip(centres.tolist(), neighbours.tolist(), strict=True)) == [(c, n) for c, ns in loop for n in ns]
    contexts, targets = word2vec.cbow_examples(ids, window, spans)
    with_context = [(c, ns) for c, ns in loop if ns]
    assert targets.tolist() == [c for c, _ in with_context]
    assert [sorted(row[row != PAD_ID].tolist()) for row in contexts] == [sorted(ns) for _, ns in with_context]


def test_reduced_windows_follow_gensims_distribution():
    """gensim draws b = randint(0, window) per position: spans 1..window equally likely, so a word at
    distance d is a neighbour with probability (window - d + 1) / window."""
    window, n = 5, 60_000
    spans = word2vec.reduced_windows(n, window, np.random.default_rng(1))
    share = np.bincount(spans, minlength=window + 1)[1:] / n
    np.testing.assert_allclose(share, 1 / window, atol=4 * np.sqrt(0.2 * 0.8 / n))  # 4 sd of a binomial share
    ids = np.full(n, 2, dtype=np.int32)  # one sentence of real words
    centres, _ = word2vec.skipgram_positive_pairs(ids, window, spans)
    assert len(centres) == pytest.approx(n * (window + 1), rel=0.01)  # E[2·span] = window + 1 per centre
    contexts, _ = word2vec.cbow_examples(ids, window, spans)
    filled = (contexts != PAD_ID).mean(axis=0)  # share of centres whose window reaches each offset
    expected = [(window - abs(o) + 1) / window for o in [*range(-window, 0), *range(1, window + 1)]]
    np.testing.assert_allclose(filled, expected, atol=0.01)
    with pytest.raises(ValueError):
        word2vec.reduced_windows(3, 0, np.random.default_rng(0))
    with pytest.raises(ValueError):
        word2vec.cbow_examples(ids[:4], 2, np.array([1, 2, 3, 1]))  # a span beyond the window


def test_unknown_words_leave_the_stream_before_windowing():
    ids = np.array([4, OOV_ID, OOV_ID, 5, PAD_ID, 6, OOV_ID], dtype=np.int32)
    kept = word2vec.drop_unknown(ids)
    np.testing.assert_array_equal(kept, [4, 5, PAD_ID, 6])
    centres, neighbours = word2vec.skipgram_positive_pairs(kept, 1)
    assert list(zip(centres.tolist(), neighbours.tolist(), strict=True)) == [(4, 5), (5, 4)]  # reach past them


def test_noise_draws_of_the_true_word_weigh_nothing():
    candidates = np.array([7, 3, 7, 9, 5, 5, 2, 5], dtype=np.int32)  # two examples, 3 draws each
    np.testing.assert_array_equal(word2vec.noise_weights(candidates, 3), [1, 1, 0, 1, 1, 0, 1, 0])
    rng = np.random.default_rng(2)
    noise = np.array([0, 0, 0.9, 0.1])  # the true word (2) drawn most of the time
    _, candidates, _ = word2vec.add_negatives(np.array([3, 3]), np.array([2, 2]), 5, noise, rng)
    weights = word2vec.noise_weights(candidates, 5)
    assert weights.dtype == np.float32 and (weights == 0).sum() == (candidates.reshape(2, 6)[:, 1:] == 2).sum() > 0


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


def test_subsampling_frequencies_leave_out_unknown_words():
    counts = np.array([5, 1000, 300, 10])  # PAD, OOV, two words
    table = word2vec.subsampling_table(counts, threshold=1e-2)
    expected = [(np.sqrt(c / 310 / 1e-2) + 1) * 1e-2 * 310 / c for c in (300, 10)]  # gensim: over kept words
    np.testing.assert_allclose(table[2:], np.minimum(expected, 1.0))


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


def test_the_learning_rate_schedule_is_gensims(keras, models):
    """gensim: alpha - (alpha - min_alpha) · progress over all words of all epochs; ours per step, ×batch."""
    from gensim.models import Word2Vec

    reference = Word2Vec(epochs=4)  # untrained: only the schedule is asked
    assert (reference.alpha, reference.min_alpha) == (models.ALPHA, models.MIN_ALPHA)
    batch, steps_per_epoch = 64, 50
    schedule = models.learning_rate_schedule(models.ALPHA * batch, 4 * steps_per_epoch)
    for step in (0, 1, 37, 50, 120, 199, 200, 260):
        epoch, within = min(divmod(step, steps_per_epoch), (4, 0))
        expected = reference._get_next_alpha(within / steps_per_epoch, epoch)
        assert float(schedule(step)) / batch == pytest.approx(expected, rel=1e-5)


def _gensim_step(syn0: np.ndarray, syn1neg: np.ndarray, inputs: list[int], candidates: list[int], alpha: float,
                 cbow_mean: bool) -> None:
    """One example of word2vec_inner.pyx's w2v_fast_sentence_{sg,cbow}_neg (exact sigmoid), in place:
    the input vector (skip-gram: one neighbour; CBOW: the mean of the context) scores the true word
    (candidates[0], label 1) and the noise words; every input word gets the summed error `work`."""
    neu1 = syn0[inputs].mean(axis=0) if cbow_mean else syn0[inputs[0]]
    work = np.zeros_like(neu1)
    for d, word in enumerate(candidates):
        g = ((1.0 if d == 0 else 0.0) - 1 / (1 + np.exp(-neu1 @ syn1neg[word]))) * alpha
        work += g * syn1neg[word]
        syn1neg[word] += g * neu1
    for word in inputs:
        syn0[word] += work  # CBOW with cbow_mean=1 too: the mean's error, undivided


@pytest.mark.parametrize("family", ["skipgram", "cbow"])
def test_one_keras_sgd_step_is_gensims_update(keras, models, family):
    rng = np.random.default_rng(11)
    vocab, dim = 12, 6
    hp = {**_hp("negative_sampling", dim), "window": 2}
    model = models.WORD2VEC_FAMILIES[family](hp, vocab, 0)
    syn0, syn1neg = rng.normal(0, 0.3, (vocab, dim)), rng.normal(0, 0.3, (vocab, dim))
    model.get_layer("embedding").set_weights([syn0.astype("float32")])
    model.get_layer("output_embedding").set_weights([syn1neg.astype("float32")])
    candidates = [5, 2, 9, 11]  # the true word, then 3 distinct noise words
    if family == "skipgram":
        inputs = [7]
        x = {"target": np.full(4, 7, np.int32), "context": np.array(candidates, np.int32)}
    else:
        inputs = [3, 4, 8]  # one slot cut (PAD_ID): a span-limited window
        x = {"context": np.tile(np.array([[3, 4, PAD_ID, 8]], np.int32), (4, 1)), "target": np.array(candidates, np.int32)}
    labels = np.array([1, 0, 0, 0], np.float32)
    model.compile(optimizer=keras.optimizers.SGD(0.025 * 4), loss=models.loss_for(hp))  # Keras means over 4 rows
    model.train_on_batch(x, labels)
    _gensim_step(syn0, syn1neg, inputs, candidates, 0.025, cbow_mean=family == "cbow")
    np.testing.assert_allclose(model.get_layer("embedding").get_weights()[0], syn0, atol=1e-5)
    np.testing.assert_allclose(model.get_layer("output_embedding").get_weights()[0], syn1neg, atol=1e-5)


def _topic_corpus(rng: np.random.Generator, sentences: int = 300) -> np.ndarray:
    """Sentences of 8 words from one of two disjoint topics (ids 2..9 or 10..17), PAD_ID between."""
    topics = [np.arange(2, 10), np.arange(10, 18)]
    rows = [[*rng.choice(topics[rng.integers(2)], 8), PAD_ID] for _ in range(sentences)]
    return np.array(rows, dtype=np.int32).ravel()


@pytest.mark.parametrize("family", ["skipgram", "cbow"])
def test_the_trainer_puts_each_topics_words_together(keras, models, family):
    """The trainer's own examples (reduced windows, subsampling, weighted negatives), model and SGD
    schedule: every word's 3 nearest neighbours come from its own topic."""
    from textlab.adapters.word2vec_training import examples

    keras.utils.set_random_seed(12)
    rng = np.random.default_rng(12)
    ids = _topic_corpus(rng)
    hp = {"key": "topics", "family": family, "loss": "negative_sampling", "embedding_dim": 16, "window": 2,
          "negatives": 4, "batch_size": 128}
    counts = word2vec.id_counts(ids, 18)
    noise, table = word2vec.noise_distribution(counts), word2vec.subsampling_table(counts, 0.01)
    model = models.WORD2VEC_FAMILIES[family](hp, 18, 0)
    epochs, first = 4, examples(hp, ids, noise, table, rng)
    steps = epochs * -(-len(first[1]) // hp["batch_size"])
    model.compile(optimizer=keras.optimizers.SGD(models.learning_rate_schedule(0.025 * 128, steps)),
                  loss=models.loss_for(hp))
    for epoch in range(epochs):
        x, y, weights = first if epoch == 0 else examples(hp, ids, noise, table, rng)
        model.fit(x, y, sample_weight=weights, batch_size=hp["batch_size"], epochs=1, shuffle=True, verbose=0)
    vectors = model.get_layer("embedding").get_weights()[0]
    vocabulary = [*RESERVED, *[f"w{i}" for i in range(2, 18)]]
    neighbours = word2vec.nearest_neighbours(vectors, vocabulary, vocabulary[2:], k=3)
    topic = {f"w{i}": i < 10 for i in range(2, 18)}
    mixed = {w: [n for n, _ in found] for w, found in neighbours.items() if any(topic[n] != topic[w] for n, _ in found)}
    assert not mixed
