"""Corpus registry and parsers: where each corpus lives upstream, and how its files become tables.

Parsers take bytes and return DataFrames; they never open files themselves.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Source:
    """A file the download stage fetches.

    `sha256` is the canonical file's checksum where it is known. A mirror that serves another
    edition of the file lists that edition's checksum in its own `SHA256SUMS`, which then wins.
    """

    name: str
    url: str
    filename: str
    sha256: str | None = None
    extract: bool = False


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "names",
            "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/names.zip",
            "names.zip",
            extract=True,
        ),
        # Read straight from the tarball: unpacking 100,000 small files costs more than streaming them.
        Source("imdb", "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", "aclImdb_v1.tar.gz"),
        Source("glove", "https://nlp.stanford.edu/data/glove.6B.zip", "glove.6B.50d.txt.bz2"),
        Source("nietzsche", "https://s3.amazonaws.com/text-datasets/nietzsche.txt", "nietzsche.txt"),
        Source("alice", "https://www.gutenberg.org/cache/epub/11/pg11.txt", "pg11.txt"),
        Source(
            "spa_eng",
            "http://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip",
            "spa-eng.zip",
            extract=True,
        ),
    )
}


# Running texts for language models (contiguous splits, no labels); the other corpora are labelled texts.
TEXT_CORPORA = ("nietzsche", "alice")
# Sentence pairs for translation (source English, target Spanish); split so no English sentence is in two splits.
PAIR_CORPORA = ("spa_eng",)


def corpus_kind(corpus: str) -> str:
    """`text` (a running text), `pairs` (sentence pairs) or `labelled` (texts with a 0/1 label)."""
    return "text" if corpus in TEXT_CORPORA else "pairs" if corpus in PAIR_CORPORA else "labelled"


class CorpusFormatError(ValueError):
    """A corpus file does not have the shape its parser expects; the message says where."""


def decode_utf8(data: bytes, where: str) -> str:
    """Decode UTF-8 (a BOM is dropped), naming the file and byte offset when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CorpusFormatError(f"{where}: not UTF-8 at byte {err.start}: {data[err.start:err.start + 8]!r}") from err


def parse_name_list(data: bytes, where: str) -> list[str]:
    """One name a line after `#` comment lines; blank lines are skipped.

    Names may hold inner spaces ("Dee Dee"), hyphens and apostrophes; a digit, a tab or a line
    without a letter means the file is not a name list, and the error names the line.
    """
    names = []
    for number, line in enumerate(decode_utf8(data, where).splitlines(), start=1):
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        if any(ch.isdigit() or (ch.isspace() and ch != " ") for ch in name) or not any(ch.isalpha() for ch in name):
            raise CorpusFormatError(f"{where}:{number}: not a name: {line!r}")
        names.append(name)
    if not names:
        raise CorpusFormatError(f"{where}: holds no names")
    return names


def names_table(male: list[str], female: list[str], ambiguous: str) -> tuple[pd.DataFrame, int]:
    """Label names 1 = male, 0 = female. Returns the table and how many names stand in both lists.

    `ambiguous` says what to do with those: `drop` them, or `keep_both` (one row per label).
    """
    if ambiguous not in ("drop", "keep_both"):
        raise ValueError(f"corpora.names.split.ambiguous must be 'drop' or 'keep_both', not {ambiguous!r}")
    both = set(male) & set(female)
    table = pd.concat(
        [pd.DataFrame({"text": male, "label": 1}), pd.DataFrame({"text": female, "label": 0})],
        ignore_index=True,
    ).drop_duplicates()
    if ambiguous == "drop":
        table = table[~table["text"].isin(both)]
    return table.reset_index(drop=True).astype({"label": "int8"}), len(both)


IMDB_MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt$")
IMDB_ROWS_PER_LABEL = 12_500  # in each of the official train and test splits


def imdb_member(name: str) -> tuple[str, int | None] | None:
    """(official split or 'unsup', label: pos 1 / neg 0 / None) for a review file; None for other members."""
    match = IMDB_MEMBER.match(name)
    if match is None:
        return None
    split, folder = match.group(1), match.group(2)
    return ("unsup", None) if folder == "unsup" else (split, int(folder == "pos"))


def imdb_table(reviews: Iterable[tuple[str, bytes]], limit: int | None = None) -> pd.DataFrame:
    """Rows (text, label, split, id) from (member name, bytes) pairs of aclImdb_v1.tar.gz.

    `limit` keeps the first `limit` reviews (by file id) of each folder, for small test runs.
    An empty or non-UTF-8 review is an error naming the member.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"corpora.imdb.split.limit must be a positive count or null, got {limit!r}")
    rows = []
    for name, data in reviews:
        kind = imdb_member(name)
        if kind is None:
            continue
        text = decode_utf8(data, name).strip()
        if not text:
            raise CorpusFormatError(f"{name}: empty review")
        rows.append((text, kind[1], kind[0], int(IMDB_MEMBER.match(name).group(3))))
    table = pd.DataFrame(rows, columns=["text", "label", "split", "id"])
    table = table.sort_values(["split", "label", "id"], na_position="last").reset_index(drop=True)
    if limit is not None:
        table = table.groupby(["split", "label"], dropna=False, sort=False).head(limit).reset_index(drop=True)
    return table.astype({"label": "Int8"})


GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*$", re.M | re.I)
GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*$", re.M | re.I)
# Older e-texts close the body with "End of (the) Project Gutenberg('s) EBook of …" above the END line.
GUTENBERG_TRAILER = re.compile(r"^End of (?:the |this )?Project Gutenberg\b.*\Z", re.M | re.I)


def gutenberg_body(text: str, where: str) -> str:
    """The e-text between the `*** START OF … ***` and `*** END OF … ***` lines, LF line ends, stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = GUTENBERG_START.search(text)
    if start is None:
        raise CorpusFormatError(f"{where}: no '*** START OF THE PROJECT GUTENBERG EBOOK … ***' line")
    end = GUTENBERG_END.search(text, start.end())
    if end is None:
        raise CorpusFormatError(f"{where}: no '*** END OF THE PROJECT GUTENBERG EBOOK … ***' line after START")
    body = GUTENBERG_TRAILER.sub("", text[start.end():end.start()].strip()).strip()
    if not body:
        raise CorpusFormatError(f"{where}: nothing between the Project Gutenberg START and END lines")
    return body


def glove_vectors(lines: Iterable[str], wanted: set[str], where: str) -> dict[str, list[float]]:
    """`word v1 … vd` lines (GloVe text format) → vectors of the wanted words; a ragged line is an error."""
    vectors: dict[str, list[float]] = {}
    dim = None
    for number, line in enumerate(lines, start=1):
        word, _, rest = line.rstrip("\n").partition(" ")
        values = rest.split(" ")
        dim = dim or len(values)
        if not word or len(values) != dim:
            raise CorpusFormatError(f"{where}:{number}: expected a word and {dim} numbers, got {line[:60]!r}")
        if word in wanted:
            try:
                vectors[word] = [float(v) for v in values]
            except ValueError as err:
                raise CorpusFormatError(f"{where}:{number}: {err}") from err
    return vectors
