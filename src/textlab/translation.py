"""English→Spanish translation, the pure pieces: parse pairs, split, vectorize, decode greedily, score.

No Keras here (the parse, split and vectorize stages start without TensorFlow); the models live
in `textlab.translation_models`. Ids follow `textlab.text`: 0 pads, 1 is out-of-vocabulary, and
the target vocabulary adds the decoder's START and END tokens right after those two.
"""
from __future__ import annotations

import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit

from textlab.corpora import CorpusFormatError, decode_utf8
from textlab.splits import check_fraction
from textlab.text import OOV_ID, PAD_ID, RESERVED, encode, pad

START = "[start]"
END = "[end]"
# After padding and OOV, so START/END ids do not depend on the corpus; punctuation is stripped
# from every word, so no word token can ever collide with these bracketed names.
DECODER_TOKENS = (START, END)
APOSTROPHES = "'\u2019"  # dropped ("don't" → "dont"), as textlab.text does; other marks split words


class _Punctuation(dict):
    """str.translate table: apostrophes → '', ASCII punctuation or any Unicode P* (¿ ¡ « » —) → ' '.

    Filled lazily per code point, because a table over all of Unicode would cost more than the corpus.
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        # Every other character maps to itself (None would delete it), so each code point is looked up once.
        if ch in APOSTROPHES:
            value = ""
        elif ch in string.punctuation or unicodedata.category(ch).startswith("P"):
            value = " "
        else:
            value = ch
        self[code] = value
        return value


_PUNCTUATION = _Punctuation()


def translation_tokens(text: str) -> list[str]:
    """Lowercased words with punctuation stripped, Spanish ¿ and ¡ included, split on whitespace."""
    return text.lower().translate(_PUNCTUATION).split()


def parse_pairs(data: bytes, where: str) -> pd.DataFrame:
    """`english<TAB>spanish[<TAB>attribution]` lines → columns `source` (English), `target` (Spanish).

    The canonical spa.txt has two columns, newer Tatoeba exports a third; blank lines are skipped.
    Lines are split on '\\n' only: `str.splitlines` would also break at U+2028 or U+0085 inside a sentence.
    """
    rows = []
    for number, line in enumerate(decode_utf8(data, where).split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) not in (2, 3):
            raise CorpusFormatError(f"{where}:{number}: expected english<TAB>spanish[<TAB>attribution], got {line[:80]!r}")
        source, target = fields[0].strip(), fields[1].strip()
        if not source or not target:
            raise CorpusFormatError(f"{where}:{number}: empty {'English' if not source else 'Spanish'} side: {line[:80]!r}")
        rows.append((source, target))
    if not rows:
        raise CorpusFormatError(f"{where}: holds no sentence pairs")
    return pd.DataFrame(rows, columns=["source", "target"])


def _word_counts(texts: pd.Series) -> np.ndarray:
    return np.fromiter((len(translation_tokens(t)) for t in texts), dtype=np.int64, count=len(texts))


def split_pairs(pairs: pd.DataFrame, val_size: float, test_size: float, seed: int, limit: int | None = None,
                max_words: int | None = None) -> dict[str, pd.DataFrame]:
    """train/val/test in which no English sentence stands in two splits; `val_size` is a fraction of what test leaves.

    Order: drop pairs with a side of no words (or more than `max_words`), keep a seeded sample of
    `limit` pairs, then split by group. The group is the *tokenized* English side, so "Go." and
    "Go!" (the same model input) cannot straddle splits. Fractions count groups, not rows.
    """
    check_fraction("test_size", test_size)
    check_fraction("val_size", val_size)
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive count or None, got {limit!r}")
    source_words, target_words = _word_counts(pairs["source"]), _word_counts(pairs["target"])
    upper = np.inf if max_words is None else max_words
    keep = (source_words >= 1) & (target_words >= 1) & (source_words <= upper) & (target_words <= upper)
    kept = pairs[keep]
    if limit is not None and limit < len(kept):
        kept = kept.sample(n=limit, random_state=seed).sort_index()
    kept = kept.reset_index(drop=True)
    groups = np.array([" ".join(translation_tokens(t)) for t in kept["source"]], dtype=object)

    def carve(index: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
        splitter = GroupShuffleSplit(n_splits=1, test_size=size, random_state=seed)
        rest, held = next(splitter.split(index, groups=groups[index]))
        return np.sort(index[rest]), np.sort(index[held])

    rest, test = carve(np.arange(len(kept)), test_size)
    train, val = carve(rest, val_size)
    return {name: kept.iloc[rows].reset_index(drop=True) for name, rows in (("train", train), ("val", val), ("test", test))}


@dataclass(frozen=True)
class TranslationSpec:
    """Both vocabularies and the padded lengths: everything needed to turn text into model ids and back.

    `target_len` is the decoder's width: START plus up to target_len - 1 words on the input side,
    the same words plus END on the output side.
    """

    source_vocabulary: tuple[str, ...]
    target_vocabulary: tuple[str, ...]
    source_len: int
    target_len: int

    def __post_init__(self) -> None:
        if tuple(self.source_vocabulary[: len(RESERVED)]) != RESERVED:
            raise ValueError(f"source vocabulary must start with {RESERVED}")
        if tuple(self.target_vocabulary[: len(RESERVED) + len(DECODER_TOKENS)]) != (*RESERVED, *DECODER_TOKENS):
            raise ValueError(f"target vocabulary must start with {(*RESERVED, *DECODER_TOKENS)}")
        if self.source_len < 1 or self.target_len < 2:
            raise ValueError(f"source_len must be ≥ 1 and target_len ≥ 2, got {self.source_len}, {self.target_len}")

    @property
    def start_id(self) -> int:
        return len(RESERVED)

    @property
    def end_id(self) -> int:
        return len(RESERVED) + 1

    def encode_source(self, texts: Sequence[str]) -> np.ndarray:
        """int32 [n, source_len] ids, post-padded (and cut after source_len words)."""
        ids = encode([translation_tokens(t) for t in texts], self.source_vocabulary)
        return pad(ids, self.source_len, padding="post", truncating="post")

    def decode_inputs_and_targets(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Teacher forcing: decoder_in = START w1 … wk, decoder_out = w1 … wk END, both int32 [n, target_len].

        Built as one START … END row of target_len + 1 and shifted, as the Keras example does, so a
        sentence longer than target_len - 1 words loses its tail (and END) on both sides alike. Unlike
        that example, END is padding on the input side: both arrays then mask the same positions.
        """
        ids = encode([translation_tokens(t) for t in texts], self.target_vocabulary)
        full = pad([[self.start_id, *row, self.end_id] for row in ids], self.target_len + 1, padding="post",
                   truncating="post")
        decoder_in = full[:, :-1]
        return np.where(decoder_in == self.end_id, PAD_ID, decoder_in).astype(np.int32), full[:, 1:].copy()

    def target_text(self, ids: Sequence[int]) -> str:
        """Words of one decoded row up to the first END; padding and START are skipped."""
        words = []
        for i in ids:
            if i == self.end_id:
                break
            if i not in (PAD_ID, self.start_id):
                words.append(self.target_vocabulary[i])
        return " ".join(words)

    def to_dict(self) -> dict[str, Any]:
        return {"source_vocabulary": list(self.source_vocabulary), "target_vocabulary": list(self.target_vocabulary),
                "source_len": self.source_len, "target_len": self.target_len}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranslationSpec:
        return cls(tuple(data["source_vocabulary"]), tuple(data["target_vocabulary"]), int(data["source_len"]),
                   int(data["target_len"]))


def min_count_vocabulary(token_lists: Iterable[Sequence[str]], min_count: int = 1,
                         max_tokens: int | None = None) -> list[str]:
    """Reserved entries, then every word seen at least `min_count` times, most frequent first.

    Ties are broken by spelling, a stable order that does not depend on the order of the pairs; a word
    below `min_count` is out (→ [UNK]) whatever its spelling, so no one-off word is kept over another.
    `max_tokens` (reserved entries included) may still cap the list, cutting the rarest words first.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be ≥ 1, got {min_count!r}")
    counts = Counter(token for tokens in token_lists for token in tokens)
    ranked = sorted((t for t, c in counts.items() if c >= min_count), key=lambda token: (-counts[token], token))
    if max_tokens is not None:
        if max_tokens <= len(RESERVED):
            raise ValueError(f"max_tokens must exceed {len(RESERVED)} (padding and OOV), got {max_tokens}")
        ranked = ranked[: max_tokens - len(RESERVED)]
    return [*RESERVED, *ranked]


def fit_translation_spec(train_pairs: pd.DataFrame, source_words: int | None, target_words: int | None,
                         source_len: int, target_len: int, min_count: int = 1) -> TranslationSpec:
    """Vocabularies of the training pairs: words seen ≥ `min_count` times (see `min_count_vocabulary`),
    each optional cap counting the whole vocabulary (reserved and START/END included)."""
    source = min_count_vocabulary((translation_tokens(t) for t in train_pairs["source"]), min_count, source_words)
    if target_words is not None and target_words <= len(RESERVED) + len(DECODER_TOKENS):
        raise ValueError(f"target_words must exceed {len(RESERVED) + len(DECODER_TOKENS)}, got {target_words}")
    target = min_count_vocabulary((translation_tokens(t) for t in train_pairs["target"]), min_count,
                                  None if target_words is None else target_words - len(DECODER_TOKENS))
    return TranslationSpec(tuple(source), (*RESERVED, *DECODER_TOKENS, *target[len(RESERVED):]), source_len, target_len)


NextToken = Callable[[np.ndarray, np.ndarray], np.ndarray]


def decode_in_chunks(decode_chunk: Callable[[np.ndarray], np.ndarray], source_ids: np.ndarray, spec: TranslationSpec,
                     batch_size: int) -> list[str]:
    """Texts of `decode_chunk(source rows) → [rows, steps] word ids`, run `batch_size` rows at a time to bound
    memory, the last chunk filled up with copies of its last row so every call has one shape (a new shape
    retraces)."""
    source_ids = np.asarray(source_ids, dtype=np.int32)
    if not len(source_ids):
        return []
    chunk = min(batch_size, len(source_ids))
    texts: list[str] = []
    for lo in range(0, len(source_ids), chunk):
        real = source_ids[lo:lo + chunk]
        source = np.concatenate([real, np.repeat(real[-1:], chunk - len(real), axis=0)])
        texts.extend(spec.target_text(row) for row in decode_chunk(source)[: len(real)])
    return texts


def _greedy_chunk(predict_next: NextToken, source: np.ndarray, spec: TranslationSpec, steps: int) -> np.ndarray:
    """[rows, steps] word ids (PAD after END) chosen one most probable word at a time."""
    width = spec.target_len
    prefix = np.full((len(source), width), PAD_ID, dtype=np.int32)
    prefix[:, 0] = spec.start_id
    chosen = np.full((len(source), steps), PAD_ID, dtype=np.int32)
    done = np.zeros(len(source), dtype=bool)
    for t in range(steps):
        probs = np.asarray(predict_next(source, prefix))
        scores = (probs[:, t, :] if probs.ndim == 3 else probs).astype(np.float64)
        scores[:, [PAD_ID, OOV_ID, spec.start_id]] = -np.inf
        # Finished rows keep emitting padding, so their prefix (and text) stays as it ended.
        step = np.where(done, PAD_ID, scores.argmax(axis=1)).astype(np.int32)
        chosen[:, t] = step
        done |= step == spec.end_id
        if done.all():
            break
        if t + 1 < width:
            prefix[:, t + 1] = np.where(step == spec.end_id, PAD_ID, step)
    return chosen


def greedy_decode(predict_next: NextToken, source_ids: np.ndarray, spec: TranslationSpec, max_length: int | None = None,
                  batch_size: int = 256) -> list[str]:
    """Translate each row of `source_ids` by repeatedly taking the most probable next word, up to END.

    `predict_next(source_batch, prefix_batch)` gets int32 [b, source_len] and [b, spec.target_len]:
    START and the words chosen so far, then PAD_ID (a fixed width, so a compiled model never
    retraces). It returns either probabilities at every position, [b, target_len, vocab] (the
    teacher-forced model; position t is read at step t), or the next word's, [b, vocab].
    At most `max_length` (≤ target_len, default target_len) words are produced; PAD, START and [UNK]
    are never chosen (an unknown word is no translation), so the best real word (or END) wins instead.
    Rows are decoded `batch_size` at a time (`decode_in_chunks`).
    """
    width = spec.target_len
    steps = width if max_length is None else max_length
    if not 1 <= steps <= width:
        raise ValueError(f"max_length must be between 1 and target_len={width}, got {max_length}")
    return decode_in_chunks(lambda source: _greedy_chunk(predict_next, source, spec, steps), source_ids, spec,
                            batch_size)


def corpus_bleu(hypotheses: list[str], references: list[str]) -> float:
    """sacreBLEU corpus score (0–100), one reference per hypothesis, both sides standardized by
    `translation_tokens` first: the models never emit capitals or punctuation, so counting them would
    only measure the tokenization. (A decoded "[UNK]" becomes the word "unk", which no reference holds.)
    """
    import sacrebleu  # here, not at the top: the split, tokenize and vectorize stages import this module too

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")

    return float(sacrebleu.corpus_bleu(_standardized(hypotheses), [_standardized(references)], tokenize="none").score)


def token_accuracy(predicted: np.ndarray, expected: np.ndarray) -> float:
    """Share of non-padding positions of `expected` whose id `predicted` matches.

    `predicted` holds ids [n, L] or probabilities [n, L, vocab] (argmax taken), e.g. teacher-forced outputs.
    """
    predicted, expected = np.asarray(predicted), np.asarray(expected)
    if predicted.ndim == expected.ndim + 1:
        predicted = predicted.argmax(axis=-1)
    if predicted.shape != expected.shape:
        raise ValueError(f"predicted {predicted.shape} and expected {expected.shape} differ")
    real = expected != PAD_ID
    if not real.any():
        raise ValueError("expected holds only padding")
    return float((predicted[real] == expected[real]).mean())



def _standardized(texts: Sequence[str]) -> list[str]:
    return [" ".join(translation_tokens(t)) for t in texts]


def sentence_bleu(hypothesis: str, reference: str) -> float:
    """sacreBLEU sentence score (0–100, exponential smoothing) on the same standardized words as `corpus_bleu`."""
    import sacrebleu

    (hyp,), (ref,) = _standardized([hypothesis]), _standardized([reference])
    return float(sacrebleu.sentence_bleu(hyp, [ref], tokenize="none").score)


def copy_translations(sources: Sequence[str]) -> list[str]:
    """The "copy the source" baseline: each English sentence given back as its own translation.

    It scores above zero wherever Spanish shares words with English (names, numbers, "no", "a").
    """
    return list(sources)


@dataclass(frozen=True)
class RetrievalBaseline:
    """The retrieval baseline, no learning: each English sentence gets the Spanish of its nearest training
    English sentence by cosine similarity of TF-IDF vectors (words as `translation_tokens` splits them).

    A sentence with no training word, or a tie, gets the earliest such training pair (argmax), so the
    answer is deterministic.
    """
    vectorizer: Any
    train: Any  # [train pairs, words] TF-IDF rows, L2-normalized: the dot product is the cosine
    targets: tuple[str, ...]

    def translate(self, sources: Sequence[str], chunk: int = 2048) -> list[str]:
        """Queries are scored `chunk` at a time to bound the similarity matrix."""
        answers: list[str] = []
        for lo in range(0, len(sources), chunk):
            similarity = (self.vectorizer.transform(list(sources[lo:lo + chunk])) @ self.train.T).toarray()
            answers.extend(self.targets[i] for i in similarity.argmax(axis=1))
        return answers


def fit_retrieval(train_sources: Sequence[str], train_targets: Sequence[str]) -> RetrievalBaseline:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(train_sources) != len(train_targets) or not len(train_sources):
        raise ValueError(f"need as many training targets as sources (≥ 1), got {len(train_sources)} and "
                         f"{len(train_targets)}")
    vectorizer = TfidfVectorizer(tokenizer=translation_tokens, lowercase=False, token_pattern=None)
    return RetrievalBaseline(vectorizer, vectorizer.fit_transform(list(train_sources)), tuple(train_targets))


def sample_rows(n: int, k: int, seed: int) -> list[int]:
    """A seeded random sample of min(k, n) row indices out of n, in ascending order."""
    if n < 0 or k < 0:
        raise ValueError(f"n and k must be ≥ 0, got {n}, {k}")
    return sorted(int(i) for i in np.random.default_rng(seed).choice(n, size=min(k, n), replace=False))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def translation_page(title: str, sources: Sequence[str], references: Sequence[str], hypotheses: Sequence[str],
                     shown: int, seed: int, scores: dict[str, Any] | None = None) -> str:
    """A Markdown page: the figures, then a seeded random sample of `shown` held-out sentences, each
    with its sentence BLEU (the rows are a sample, not the shortest or the first ones)."""
    if not len(sources) == len(references) == len(hypotheses):
        raise ValueError(f"{len(sources)} sources, {len(references)} references, {len(hypotheses)} hypotheses")
    lines = [f"# {title}", ""]
    if scores:
        lines += ["| figure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in scores.items()), ""]
    rows = sample_rows(len(sources), shown, seed)
    lines += [f"{len(rows)} of {len(sources)} held-out sentences, drawn at random (seed {seed}):", "",
              "| English | reference | translation | sentence BLEU |", "|---|---|---|---|"]
    lines += [f"| {_cell(sources[i])} | {_cell(references[i])} | {_cell(hypotheses[i])} | "
              f"{sentence_bleu(hypotheses[i], references[i]):.1f} |" for i in rows]
    return "\n".join(lines) + "\n"
