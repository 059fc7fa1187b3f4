"""Language-model pieces: expected values come from nltk.lm, plain Python loops or hand-written cases."""
from __future__ import annotations

import io
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from nltk.lm import KneserNeyInterpolated
from nltk.util import everygrams

from textlab import language
from textlab.corpora import CorpusFormatError, gutenberg_body
from textlab.text import OOV_ID, PAD_ID, encode, fit_vocabulary

# Starts with "the " and repeats it later, so every prefix of the start has a left neighbour elsewhere:
# there nltk's lower-order gamma (raw types) and ours (continuation types) coincide; see language.py.
SMALL_TEXT = "the cat sat on the mat. the dog sat on the log; a cat and the dog ran to the mat, then the cat hid."


def small_stream() -> tuple[list[str], list[str], np.ndarray]:
    chars = list(SMALL_TEXT)
    vocabulary = fit_vocabulary([chars])
    return chars, vocabulary, np.array(encode([chars], vocabulary)[0])


@pytest.mark.parametrize(("size", "maxlen", "step"), [(10, 3, 1), (10, 3, 3), (11, 4, 2), (5, 4, 7), (40, 6, 5)])
def test_sliding_windows_match_a_plain_loop(size: int, maxlen: int, step: int) -> None:
    ids = np.arange(100, 100 + size)
    expected_x, expected_y, start = [], [], 0
    while start + maxlen < size:
        expected_x.append(list(ids[start:start + maxlen]))
        expected_y.append(ids[start + maxlen])
        start += step
    x, y = language.sliding_windows(ids, maxlen, step)
    assert x.dtype == np.int32 and y.dtype == np.int32
    assert x.tolist() == expected_x and y.tolist() == expected_y
    assert len(x) == math.ceil((size - maxlen) / step)


@pytest.mark.parametrize(("size", "maxlen"), [(10, 3), (11, 5), (6, 5), (41, 4)])
def test_next_token_sequences_cut_the_text_once_and_shift_by_one(size: int, maxlen: int) -> None:
    ids = np.arange(100, 100 + size)
    x, y = language.next_token_sequences(ids, maxlen)
    assert x.dtype == np.int32 and y.dtype == np.int32 and x.shape == y.shape == ((size - 1) // maxlen, maxlen)
    assert x.ravel().tolist() == ids[: x.size].tolist()  # consecutive, non-overlapping windows from the start
    assert y.ravel().tolist() == ids[1: x.size + 1].tolist()  # each position's target is the id after it
    with pytest.raises(ValueError, match="more than maxlen=5"):
        language.next_token_sequences(np.arange(5), 5)


@pytest.mark.parametrize(("size", "maxlen", "step"), [(10, 3, 1), (11, 4, 2), (41, 5, 3), (6, 5, 9)])
def test_next_token_sequences_with_a_step_overlap_and_still_shift_by_one(size: int, maxlen: int, step: int) -> None:
    ids = np.arange(100, 100 + size)
    x, y = language.next_token_sequences(ids, maxlen, step)
    starts = range(0, size - maxlen, step)  # every window whose last target still lies in the text
    assert x.tolist() == [list(ids[s:s + maxlen]) for s in starts]
    assert y.tolist() == [list(ids[s + 1:s + maxlen + 1]) for s in starts]
    assert language.next_token_sequences(ids, maxlen, maxlen)[0].tolist() == language.next_token_sequences(
        ids, maxlen)[0].tolist()  # step = maxlen is the default
    with pytest.raises(ValueError, match="step must be ≥ 1, got 0"):
        language.next_token_sequences(ids, maxlen, 0)


def test_unigram_is_smoothed_training_frequency_scored_on_every_position_but_the_first() -> None:
    vocab_size = 5  # PAD_ID, OOV_ID and three words; id 4 never occurs in training
    probabilities = language.fit_unigram([2, 2, 2, 3, OOV_ID, 2], vocab_size, alpha=1.0)
    # counts + 1 on every id but padding: OOV 2, "2" 5, "3" 2, "4" 1 → over 10
    np.testing.assert_allclose(probabilities, [0.0, 0.2, 0.5, 0.2, 0.1])
    log2_probs = language.unigram_log2_probs(probabilities, [3, 4, 2, 2])
    np.testing.assert_allclose(log2_probs, np.log2([0.1, 0.5, 0.5]))  # the first id is not scored
    assert np.isfinite(log2_probs).all()  # an id never seen in training still costs finite bits
    assert language.bits_per_token(language.unigram_log2_probs(probabilities, [2, 2, 2, 2])) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        language.fit_unigram([2, 3], vocab_size, alpha=0.0)
    with pytest.raises(ValueError, match="PAD_ID or outside"):
        language.unigram_log2_probs(probabilities, [2, PAD_ID])


def test_sliding_windows_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="maxlen must be ≥ 1, got 0"):
        language.sliding_windows(np.arange(5), 0, 1)
    with pytest.raises(ValueError, match="more than maxlen=5"):
        language.sliding_windows(np.arange(5), 5, 1)


def test_preceding_contexts_pad_the_start() -> None:
    contexts = language.preceding_contexts(np.array([7, 8, 9, 10, 11]), 3)
    assert contexts.dtype == np.int32
    assert contexts.tolist() == [[0, 0, 0], [0, 0, 7], [0, 7, 8], [7, 8, 9], [8, 9, 10]]
    assert PAD_ID == 0


def test_contiguous_split_covers_the_text_in_order_cut_after_newlines() -> None:
    rng = np.random.default_rng(3)
    text = "\n".join("x" * int(n) for n in rng.integers(0, 30, 400))
    parts = language.contiguous_split(text, val_share=0.1, test_share=0.2)
    assert list(parts) == ["train", "val", "test"]
    (train_start, train_end), (val_start, val_end), (test_start, test_end) = parts.values()
    assert (train_start, train_end, val_end, test_end) == (0, val_start, test_start, len(text))
    assert text[val_start - 1] == "\n" and text[test_start - 1] == "\n"  # no part starts mid-line
    # Each cut sits at the first line start at or after its share.
    assert val_start == text.index("\n", round(0.7 * len(text)) - 1) + 1
    assert test_start == text.index("\n", round(0.8 * len(text)) - 1) + 1


def test_contiguous_split_rejects_bad_shares_and_empty_parts() -> None:
    with pytest.raises(ValueError, match="val_share must be between 0 and 1"):
        language.contiguous_split("a\nb\nc\n", 0.0, 0.2)
    with pytest.raises(ValueError, match="must be below 1"):
        language.contiguous_split("a\nb\nc\n", 0.5, 0.5)
    with pytest.raises(ValueError, match="val and test empty"):
        language.contiguous_split("one long line without a newline", 0.1, 0.1)


LICENCE = "This eBook is for the use of anyone anywhere at no cost.\nProject Gutenberg License included.\n"


@pytest.mark.parametrize("variant", ["THE", "THIS"])
def test_gutenberg_body_strips_header_footer_and_crlf(variant: str) -> None:
    etext = (f"The Project Gutenberg EBook of Tiny Tales\n{LICENCE}\n"
             f"*** START OF {variant} PROJECT GUTENBERG EBOOK TINY TALES ***\n\n\nTINY TALES\n\nOnce upon\na time.\n\n"
             f"End of the Project Gutenberg EBook of Tiny Tales\n\n"
             f"*** END OF {variant} PROJECT GUTENBERG EBOOK TINY TALES ***\n{LICENCE}").replace("\n", "\r\n")
    assert gutenberg_body(etext, "tiny.txt") == "TINY TALES\n\nOnce upon\na time."
    assert gutenberg_body(etext.replace("\r\n", "\r"), "tiny.txt") == "TINY TALES\n\nOnce upon\na time."


def test_gutenberg_body_names_the_file_when_a_marker_is_missing() -> None:
    with pytest.raises(CorpusFormatError, match="tiny.txt: no .*START"):
        gutenberg_body("just text\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n", "tiny.txt")
    with pytest.raises(CorpusFormatError, match="tiny.txt: no .*END"):
        gutenberg_body("*** START OF THE PROJECT GUTENBERG EBOOK X ***\nbody\n", "tiny.txt")


def test_gutenberg_body_of_the_real_alice(mirror: Path) -> None:
    path = mirror / "pg11.txt"
    if not path.exists():
        pytest.skip(f"the corpus mirror {mirror} holds no pg11.txt (Alice in Wonderland)")
    body = gutenberg_body(path.read_bytes().decode("utf-8-sig"), str(path))
    assert body.startswith("ALICE'S ADVENTURES IN WONDERLAND")
    assert "gutenberg" not in body.lower() and "\r" not in body
    assert body.endswith("THE END")
    assert "CHAPTER XII" in body


def test_markov_rows_are_smoothed_bigram_frequencies() -> None:
    ids = [2, 3, 2, 2, 4, 3, 2, 1]
    vocab_size, alpha = 6, 0.5
    transitions = language.fit_markov(ids, vocab_size, alpha)
    pairs = Counter(zip(ids[:-1], ids[1:], strict=True))
    np.testing.assert_allclose(transitions.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    for a in range(vocab_size):
        seen = sum(count for (first, _), count in pairs.items() if first == a)
        for b in range(vocab_size):
            expected = 0.0 if b == PAD_ID else (pairs[a, b] + alpha) / (seen + alpha * (vocab_size - 1))
            assert transitions[a, b] == pytest.approx(expected)
    np.testing.assert_allclose(transitions[5], [0, 0.2, 0.2, 0.2, 0.2, 0.2])  # never seen: uniform
    with pytest.raises(ValueError, match="alpha must be > 0"):
        language.fit_markov(ids, vocab_size, 0.0)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_ngram_distributions_sum_to_one_after_seen_and_unseen_contexts(order: int) -> None:
    _, vocabulary, ids = small_stream()
    model = language.fit_ngram(ids, len(vocabulary), order, discount=0.75)
    unseen = [vocabulary.index(c) for c in "gmlm"]
    for context in ([], list(ids[:3]), list(ids[10:20]), unseen, [OOV_ID, OOV_ID, OOV_ID]):
        distribution = language.next_distribution(model, context)
        assert distribution.shape == (len(vocabulary),)
        assert distribution.sum() == pytest.approx(1.0, abs=1e-12)
        assert distribution[PAD_ID] == 0.0 and (distribution[1:] > 0).all()


def nltk_reference(chars: list[str], vocabulary: list[str], order: int, discount: float) -> KneserNeyInterpolated:
    """nltk's model, its lowest order given the uniform floor language.py adds (nltk has none and gives 0 there)."""
    lm = KneserNeyInterpolated(order, discount=discount)
    lm.fit([everygrams(chars, max_len=order)], vocabulary_text=chars)
    estimator = lm.estimator
    seen_types = sum(1 for token in vocabulary[2:] if estimator._continuation_counts(token)[0] > 0)

    def floored_unigram(token: str) -> float:
        count, total = estimator._continuation_counts(token)
        return max(count - discount, 0) / total + discount * seen_types / total / (len(vocabulary) - 1)

    estimator.unigram_score = floored_unigram
    return lm


@pytest.mark.parametrize(("order", "discount"), [(2, 0.75), (3, 0.1), (4, 0.75), (5, 0.9)])
def test_ngram_probabilities_equal_nltk_kneser_ney(order: int, discount: float) -> None:
    chars, vocabulary, ids = small_stream()
    model = language.fit_ngram(ids, len(vocabulary), order, discount)
    lm = nltk_reference(chars, vocabulary, order, discount)
    tokens = ["<UNK>", *vocabulary[2:]]  # nltk's name for OOV_ID, then the real tokens in id order
    contexts = {tuple(chars[max(0, i - order + 1):i]) for i in range(len(chars))} | {tuple("gmlm"[:order - 1])}
    for context in contexts:
        expected = [0.0] + [lm.score(token, list(context)) for token in tokens]
        ours = language.next_distribution(model, [vocabulary.index(c) for c in context])
        np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15, err_msg=f"context {context!r}")
    expected_log2 = [lm.logscore(chars[i], chars[max(0, i - order + 1):i]) for i in range(len(chars))]
    np.testing.assert_allclose(language.log2_probs(model, ids), expected_log2, rtol=1e-12)
    np.testing.assert_allclose(language.log2_probs(model, ids, start=30), expected_log2[30:], rtol=1e-12)


def test_nltk_gives_unseen_tokens_zero_where_the_floor_keeps_them_finite() -> None:
    chars, vocabulary, ids = small_stream()
    plain = KneserNeyInterpolated(3, discount=0.75)
    plain.fit([everygrams(chars, max_len=3)], vocabulary_text=chars)
    model = language.fit_ngram(ids, len(vocabulary), 3, 0.75)
    assert plain.score("<UNK>", ["t", "h"]) == 0.0
    assert 0 < language.next_distribution(model, [vocabulary.index("t"), vocabulary.index("h")])[OOV_ID] < 0.01


def test_a_context_seen_only_at_the_start_still_sums_to_one_where_nltk_does_not() -> None:
    chars = list("xyabxzabcabz")  # "x y" only at the start: nltk weighs the back-off by 2 types, we by 1
    vocabulary = fit_vocabulary([chars])
    model = language.fit_ngram(encode([chars], vocabulary)[0], len(vocabulary), 3, 0.75)
    plain = KneserNeyInterpolated(3, discount=0.75)
    plain.fit([everygrams(chars, max_len=3)], vocabulary_text=chars)
    assert sum(plain.score(token, ["x"]) for token in ["<UNK>", *vocabulary[2:]]) == pytest.approx(1.75)
    assert language.next_distribution(model, [vocabulary.index("x")]).sum() == pytest.approx(1.0, abs=1e-12)


def test_ngram_model_round_trips_through_npz_without_pickle() -> None:
    _, vocabulary, ids = small_stream()
    model = language.fit_ngram(ids, len(vocabulary), 4, 0.6)
    buffer = io.BytesIO()
    np.savez(buffer, **language.ngram_to_arrays(model))
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as stored:
        restored = language.ngram_from_arrays(stored)
    assert (restored.order, restored.vocab_size, restored.discount) == (4, len(vocabulary), 0.6)
    np.testing.assert_array_equal(language.log2_probs(restored, ids), language.log2_probs(model, ids))
    with pytest.raises(ValueError, match="no array 'keys_1'"):
        language.ngram_from_arrays({"order": np.array(1), "vocab_size": np.array(5), "discount": np.array(0.5)})


def test_temperature_extremes() -> None:
    p = np.array([0.1, 0.2, 0.05, 0.6, 0.05, 0.0])
    np.testing.assert_array_equal(language.apply_temperature(p, 0.0), np.eye(6)[3])
    np.testing.assert_allclose(language.apply_temperature(p, 1.0), p, rtol=1e-12)
    np.testing.assert_allclose(language.apply_temperature(p, 1e-300), np.eye(6)[3])
    np.testing.assert_allclose(language.apply_temperature(p, 1e6), [0.2, 0.2, 0.2, 0.2, 0.2, 0.0], atol=1e-5)
    np.testing.assert_allclose(language.apply_temperature(p, 0.5), p ** 2 / (p ** 2).sum(), rtol=1e-12)
    with pytest.raises(ValueError, match="temperature must be finite and ≥ 0"):
        language.apply_temperature(p, -1.0)


def test_sample_id_follows_the_distribution_and_never_draws_padding() -> None:
    rng = np.random.default_rng(0)
    p = np.array([0.5, 0.1, 0.3, 0.1])  # padding most likely: it must still never come out
    draws = Counter(language.sample_id(p, 1.0, rng) for _ in range(4000))
    assert draws[PAD_ID] == 0
    for token, share in ((1, 0.2), (2, 0.6), (3, 0.2)):
        assert draws[token] / 4000 == pytest.approx(share, abs=0.03)
    assert language.sample_id(p, 0.0, rng) == 2


def test_generate_at_zero_temperature_is_greedy() -> None:
    transitions = language.fit_markov([2, 3, 4, 2, 3, 5, 3, 4, 4, 2, 3, 4], 6, 0.1)
    expected, last = [], 2
    for _ in range(8):
        last = int(np.argmax(transitions[last][1:])) + 1  # padding excluded by hand
        expected.append(last)
    for seed in (0, 1):
        generated = language.generate(lambda history: language.markov_next_distribution(transitions, history),
                                      [4, 2], 8, 0.0, np.random.default_rng(seed))
        assert generated == expected


def test_bits_of_a_uniform_model_are_log2_of_the_vocabulary() -> None:
    log2_probs = np.full(50, -math.log2(37))
    assert language.bits_per_token(log2_probs) == pytest.approx(math.log2(37))
    assert language.perplexity(log2_probs) == pytest.approx(37)
    assert language.cross_entropy_nats(log2_probs) == pytest.approx(math.log(37))
    # A Markov chain drowned in smoothing is uniform over the 9 ids it may emit (all but padding).
    ids = np.random.default_rng(1).integers(1, 10, 300)
    flat = language.fit_markov(ids, 10, alpha=1e12)
    assert language.bits_per_token(language.markov_log2_probs(flat, ids)) == pytest.approx(math.log2(9))


def test_nietzsche_tail_bits_per_char_are_near_the_published_figures(mirror: Path) -> None:
    path = mirror / "nietzsche.txt"
    if not path.exists():
        pytest.skip(f"the corpus mirror {mirror} holds no nietzsche.txt")
    text = path.read_text(encoding="utf-8").lower()
    parts = language.contiguous_split(text, 0.05, 0.05)
    vocabulary = fit_vocabulary([list(text[slice(*parts["train"])])])
    ids = np.array(encode([list(text)], vocabulary)[0])
    train, test_start = ids[slice(*parts["train"])], parts["test"][0]
    bigram = language.fit_ngram(train, len(vocabulary), 2)
    five_gram = language.fit_ngram(train, len(vocabulary), 5)
    assert 3.3 < language.bits_per_token(language.log2_probs(bigram, ids, start=test_start)) < 3.6
    assert 1.9 < language.bits_per_token(language.log2_probs(five_gram, ids, start=test_start)) < 2.05
