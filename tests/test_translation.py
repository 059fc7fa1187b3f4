"""Translation: parsing, grouped splits, teacher-forcing vectors, greedy decoding, BLEU, and tiny seq2seq models."""
from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import sacrebleu

from textlab.corpora import CorpusFormatError
from textlab.text import OOV_ID, PAD_ID, RESERVED
from textlab.translation import (
    END,
    START,
    TranslationSpec,
    copy_translations,
    corpus_bleu,
    fit_retrieval,
    fit_translation_spec,
    greedy_decode,
    min_count_vocabulary,
    parse_pairs,
    sample_rows,
    sentence_bleu,
    split_pairs,
    token_accuracy,
    translation_page,
    translation_tokens,
)


def test_parse_accepts_two_and_three_columns():
    data = ("Go.\tVe.\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM)\r\n"
            "\n"
            "Where is Tom?\t¿Dónde está Tom?\n").encode()
    table = parse_pairs(data, "spa.txt")
    assert list(table.columns) == ["source", "target"]
    assert table.to_dict("records") == [{"source": "Go.", "target": "Ve."},
                                        {"source": "Where is Tom?", "target": "¿Dónde está Tom?"}]


@pytest.mark.parametrize("bad_line, where", [("no tab here", "spa.txt:2"), ("Hi.\t  ", "spa.txt:2"),
                                             ("\tHola.", "spa.txt:2"), ("a\tb\tc\td", "spa.txt:2")])
def test_parse_names_the_malformed_line(bad_line, where):
    with pytest.raises(CorpusFormatError, match=f"^{where}: "):
        parse_pairs(f"Go.\tVe.\n{bad_line}\nHi.\tHola.\n".encode(), "spa.txt")


def test_parse_rejects_non_utf8():
    with pytest.raises(CorpusFormatError, match="spa.txt: not UTF-8 at byte 4"):
        parse_pairs(b"Go.\t\xffVe.\n", "spa.txt")


def test_tokens_strip_spanish_punctuation_and_case():
    assert translation_tokens("¿Dónde está Tom?") == ["dónde", "está", "tom"]
    assert translation_tokens("¡Hola, «amigo»!") == ["hola", "amigo"]
    assert translation_tokens("I don't know—really.") == ["i", "dont", "know", "really"]
    assert translation_tokens("[start]") == ["start"]  # so no word can ever be the START token


def toy_pairs() -> pd.DataFrame:
    """Many English sentences with several translations, and punctuation variants of one sentence."""
    rows = [(f"Sentence {i}.", f"Frase {i} versión {j}.") for i in range(60) for j in range(1 + i % 3)]
    rows += [(f"sentence {i}!", f"¡Frase {i}!") for i in range(0, 60, 4)]  # the same model input as "Sentence {i}."
    rows += [("Go.", "Ve."), ("Go!", "¡Vete!"), ("go", "Vaya."), ("One two three four five six.", "Uno dos tres.")]
    return pd.DataFrame(rows, columns=["source", "target"])


def test_split_groups_english_sentences_and_covers_all_pairs():
    pairs = toy_pairs()
    parts = split_pairs(pairs, val_size=0.25, test_size=0.2, seed=3)
    keys = {name: {" ".join(translation_tokens(s)) for s in part["source"]} for name, part in parts.items()}
    assert not keys["train"] & keys["val"] and not keys["train"] & keys["test"] and not keys["val"] & keys["test"]
    assert all(len(part) for part in parts.values())
    rows = Counter(tuple(r) for part in parts.values() for r in part[["source", "target"]].itertuples(index=False))
    assert rows == Counter(tuple(r) for r in pairs.itertuples(index=False))
    again = split_pairs(pairs, val_size=0.25, test_size=0.2, seed=3)
    assert all(again[name].equals(parts[name]) for name in parts)


def test_split_limit_and_max_words():
    pairs = toy_pairs()
    parts = split_pairs(pairs, val_size=0.25, test_size=0.2, seed=3, limit=50, max_words=4)
    kept = pd.concat(parts.values())
    assert len(kept) == 50
    assert kept["source"].isin(pairs["source"]).all()
    assert "One two three four five six." not in set(kept["source"])
    assert max(len(translation_tokens(t)) for t in pd.concat([kept["source"], kept["target"]])) <= 4


def test_spec_shifts_decoder_targets_by_one():
    train = pd.DataFrame({"source": ["the cat", "the dog", "a cat"], "target": ["el gato", "el perro", "un gato"]})
    spec = fit_translation_spec(train, source_words=None, target_words=None, source_len=4, target_len=4)
    assert spec.target_vocabulary[:4] == (*RESERVED, START, END)
    word = {w: i for i, w in enumerate(spec.target_vocabulary)}
    decoder_in, decoder_out = spec.decode_inputs_and_targets(["El gato.", "un pájaro", "el gato el perro"])
    assert decoder_in.dtype == np.int32 and decoder_in.shape == (3, 4)
    np.testing.assert_array_equal(decoder_in, [[word[START], word["el"], word["gato"], PAD_ID],
                                               [word[START], word["un"], OOV_ID, PAD_ID],
                                               [word[START], word["el"], word["gato"], word["el"]]])
    np.testing.assert_array_equal(decoder_out, [[word["el"], word["gato"], word[END], PAD_ID],
                                                [word["un"], OOV_ID, word[END], PAD_ID],
                                                [word["el"], word["gato"], word["el"], word["perro"]]])
    source = spec.encode_source(["The cat!", "a dog the cat"])
    np.testing.assert_array_equal(source, [[spec.source_vocabulary.index("the"), spec.source_vocabulary.index("cat"), 0, 0],
                                           [spec.source_vocabulary.index(w) for w in ("a", "dog", "the", "cat")]])
    assert TranslationSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_spec_caps_count_every_entry():
    train = pd.DataFrame({"source": ["a b c d"], "target": ["w x y z"]})
    spec = fit_translation_spec(train, source_words=3, target_words=6, source_len=2, target_len=3)
    assert len(spec.source_vocabulary) == 3 and len(spec.target_vocabulary) == 6
    with pytest.raises(ValueError):
        fit_translation_spec(train, source_words=None, target_words=4, source_len=2, target_len=3)


def oracle(spec: TranslationSpec, answers: dict[int, list[str]], per_position: bool, shapes: set):
    """A predictor that knows each source's translation (keyed by its first id) and puts most mass on PAD,
    which greedy decoding must never choose; it records the shapes it is called with."""
    index = {w: i for i, w in enumerate(spec.target_vocabulary)}
    vocab = len(spec.target_vocabulary)

    def predict(source, prefix):
        shapes.add((source.shape, prefix.shape))
        probs = np.zeros((len(source), spec.target_len, vocab))
        probs[:, :, PAD_ID] = 0.9
        for row, src in enumerate(source):
            words = [*answers[int(src[0])], END]
            for t, w in enumerate(words[: spec.target_len]):
                probs[row, t, index[w]] = 0.1
        if per_position:
            return probs
        t = int((prefix != PAD_ID).sum(axis=1).max()) - 1  # the one position this call asks about
        return probs[:, t, :]

    return predict


@pytest.mark.parametrize("per_position", [True, False])
def test_greedy_decode_stops_at_end(per_position):
    train = pd.DataFrame({"source": ["one", "two", "three"], "target": ["uno dos", "tres cuatro", "cinco"]})
    spec = fit_translation_spec(train, None, None, source_len=2, target_len=4)
    source = spec.encode_source(["one", "two", "three"])
    answers = {int(source[0, 0]): ["uno", "dos"], int(source[1, 0]): ["tres", "cuatro", "cinco", "uno"],
               int(source[2, 0]): []}
    shapes: set = set()
    got = greedy_decode(oracle(spec, answers, per_position, shapes), source, spec, max_length=4, batch_size=2)
    assert got == ["uno dos", "tres cuatro cinco uno", ""]
    assert shapes == {((2, 2), (2, 4))}  # the short last chunk is filled up: one shape, no retracing
    assert greedy_decode(oracle(spec, answers, per_position, set()), source, spec, max_length=1) == ["uno", "tres", ""]
    assert greedy_decode(oracle(spec, answers, per_position, set()), source[:0], spec) == []


def test_bleu_against_sacrebleu():
    references = ["El gato está en la mesa.", "¿Dónde está el perro?", "Tom come una manzana roja."]
    assert corpus_bleu([r.upper() for r in references], references) == pytest.approx(100.0)
    assert corpus_bleu(["", "", ""], references) == 0.0
    hypotheses = ["el gato está sobre la mesa", "dónde está el perro", "tom come una manzana"]
    expected = sacrebleu.corpus_bleu(hypotheses, [[" ".join(translation_tokens(r)) for r in references]]).score
    assert 0 < expected < 100
    assert corpus_bleu(hypotheses, references) == pytest.approx(expected)


def test_token_accuracy_ignores_padding():
    expected = np.array([[5, 6, 3, 0], [7, 3, 0, 0]])
    predicted = np.array([[5, 9, 3, 3], [7, 0, 4, 4]])
    assert token_accuracy(predicted, expected) == pytest.approx(3 / 5)
    probs = np.eye(10)[predicted]
    assert token_accuracy(probs, expected) == pytest.approx(3 / 5)


ENGLISH = ["red", "blue", "green", "cat", "dog", "bird", "runs", "sleeps", "eats", "sings"]
SPANISH = ["rojo", "azul", "verde", "gato", "perro", "pájaro", "corre", "duerme", "come", "canta"]


def reversal_pairs(n: int, seed: int) -> pd.DataFrame:
    """A toy "translation": three English words → their Spanish words in reverse order."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(ENGLISH), size=(n, 3))
    return pd.DataFrame({"source": [" ".join(ENGLISH[i] for i in row) for row in picks],
                         "target": [" ".join(SPANISH[i] for i in row[::-1]) for row in picks]})


@pytest.mark.parametrize("attention, bidirectional", [(False, False), (True, False), (True, True)])
def test_tiny_seq2seq_learns_a_toy_translation(attention, bidirectional):
    """Can it learn: the real builder, three words → their Spanish in reverse order, exact on unseen pairs."""
    import keras

    from textlab.translation_models import build_seq2seq, next_word_predictor

    keras.utils.set_random_seed(7)
    train, held = reversal_pairs(1024, seed=1), reversal_pairs(64, seed=2)
    spec = fit_translation_spec(train, None, None, source_len=3, target_len=4)
    model = build_seq2seq({"units": 32, "embedding_dim": 16, "attention": attention, "bidirectional": bidirectional,
                           "dropout": 0.1, "learning_rate": 0.02},
                          len(spec.source_vocabulary), len(spec.target_vocabulary), spec.source_len, spec.target_len)
    inputs = {"source": spec.encode_source(train["source"])}
    inputs["decoder_in"], decoder_out = spec.decode_inputs_and_targets(train["target"])
    history = model.fit(inputs, decoder_out, batch_size=64, epochs=10, verbose=0)
    # An untrained softmax guesses about uniformly: cross-entropy log(vocabulary size) is where it starts.
    assert history.history["loss"][-1] < 0.3 * np.log(len(spec.target_vocabulary))

    decoded = greedy_decode(next_word_predictor(model), spec.encode_source(held["source"]), spec)
    words = set(spec.target_vocabulary[len(RESERVED) + 2:])
    assert len(decoded) == len(held) and all(text.split() and set(text.split()) <= words for text in decoded)
    exact = np.mean([d == r for d, r in zip(decoded, held["target"], strict=True)])
    assert exact >= 0.9, list(zip(decoded[:5], held["target"][:5], strict=True))


def test_min_count_vocabulary_keeps_every_word_seen_often_enough():
    texts = [["b", "a", "c", "z"], ["a", "c", "y"], ["c", "x", "b"], ["w"]]
    # c ×3, then a and b ×2 (tie: spelling), then the one-off words.
    assert min_count_vocabulary(texts) == [*RESERVED, "c", "a", "b", "w", "x", "y", "z"]
    assert min_count_vocabulary(texts, min_count=2) == [*RESERVED, "c", "a", "b"]
    assert min_count_vocabulary(texts, min_count=4) == list(RESERVED)
    assert min_count_vocabulary(texts, min_count=1, max_tokens=4) == [*RESERVED, "c", "a"]
    assert min_count_vocabulary(reversed(texts), min_count=2) == [*RESERVED, "c", "a", "b"]  # order-free
    with pytest.raises(ValueError):
        min_count_vocabulary(texts, min_count=0)


def test_spec_min_count_applies_to_both_sides():
    train = pd.DataFrame({"source": ["the cat", "the dog", "a cat"], "target": ["el gato", "el perro", "un gato"]})
    spec = fit_translation_spec(train, None, None, source_len=3, target_len=4, min_count=2)
    assert spec.source_vocabulary == (*RESERVED, "cat", "the")
    assert spec.target_vocabulary == (*RESERVED, START, END, "el", "gato")
    np.testing.assert_array_equal(spec.encode_source(["the dog"]), [[3, OOV_ID, PAD_ID]])


def test_greedy_decode_never_emits_unknown_words():
    train = pd.DataFrame({"source": ["one", "two"], "target": ["uno dos", "tres"]})
    spec = fit_translation_spec(train, None, None, source_len=2, target_len=4)
    vocab = len(spec.target_vocabulary)

    def fond_of_unk(source, prefix):  # [UNK] always most probable, then the word "uno", then END
        probs = np.full((len(source), vocab), 0.01)
        probs[:, OOV_ID], probs[:, spec.target_vocabulary.index("uno")] = 0.6, 0.2
        t = int((prefix != PAD_ID).sum(axis=1).max()) - 1
        probs[:, spec.end_id] = 0.3 if t >= 2 else 0.0
        return probs

    got = greedy_decode(fond_of_unk, spec.encode_source(["one", "two"]), spec)
    assert got == ["uno uno", "uno uno"]
    assert all("[UNK]" not in text for text in got)


def test_copy_and_retrieval_baselines():
    train_en = ["The cat sleeps.", "A dog runs!", "Tom eats an apple.", "The dog sleeps."]
    train_es = ["El gato duerme.", "Un perro corre.", "Tom come una manzana.", "El perro duerme."]
    queries = ["the CAT sleeps", "Does the dog sleep?", "Tom eats a pear.", "unicorns"]
    # "the CAT sleeps" is the first sentence; "dog" outweighs the common "the"; no known word: the first pair.
    retrieval = fit_retrieval(train_en, train_es)
    assert retrieval.translate(queries, chunk=3) == [
        "El gato duerme.", "El perro duerme.", "Tom come una manzana.", "El gato duerme."]
    assert retrieval.translate([]) == []
    with pytest.raises(ValueError):
        fit_retrieval(train_en, train_es[:2])
    assert copy_translations(queries) == queries
    assert corpus_bleu(copy_translations(["Tom is here."]), ["Tom está aquí."]) < 100
    assert corpus_bleu(retrieval.translate(["Tom eats an apple!"]), ["tom come una manzana"]) == \
        pytest.approx(100.0)


def test_sentence_bleu_standardizes_like_corpus_bleu():
    assert sentence_bleu("EL GATO duerme", "¡El gato duerme!") == pytest.approx(100.0)
    assert sentence_bleu("", "El gato duerme.") == 0.0
    assert 0 < sentence_bleu("el gato come", "el gato duerme") < 100


def test_the_page_shows_a_seeded_random_sample_with_sentence_bleu():
    sources = [f"sentence {i}" for i in range(100)]
    references = [f"frase {i}" for i in range(100)]
    hypotheses = [f"frase {i}" if i % 2 else "nada" for i in range(100)]
    rows = sample_rows(100, 20, seed=42)
    assert rows == sample_rows(100, 20, seed=42) != sample_rows(100, 20, seed=43)
    assert len(set(rows)) == 20 and rows == sorted(rows) and rows != list(range(20))
    assert sample_rows(5, 20, seed=0) == [0, 1, 2, 3, 4]
    page = translation_page("t", sources, references, hypotheses, 20, 42, {"bleu": 12.3})
    assert page == translation_page("t", sources, references, hypotheses, 20, 42, {"bleu": 12.3})
    assert "| bleu | 12.3 |" in page
    table = [line for line in page.splitlines() if line.startswith("| sentence ")]
    assert [line.split(" | ")[0] for line in table] == [f"| sentence {i}" for i in rows]
    assert all(line.endswith("| 100.0 |" if int(line.split()[2]) % 2 else "| 0.0 |") for line in table)
    with pytest.raises(ValueError):
        translation_page("t", sources, references[:3], hypotheses, 20, 42)
