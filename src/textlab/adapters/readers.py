"""Corpus readers: raw downloaded files → (text, label) splits, one function per corpus.

They read bytes and hand them to the pure parsers in `textlab.corpora` and `textlab.splits`.
"""
from __future__ import annotations

import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from textlab import checks, corpora, language, translation
from textlab.splits import carve_validation, split_table


@dataclass
class Corpus:
    """What a reader returns: the train/val/test tables, extra tables to keep, facts and corpus-specific checks."""

    splits: dict[str, pd.DataFrame]
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    facts: dict[str, int] = field(default_factory=dict)
    checks: list[checks.Check] = field(default_factory=list)


def read_names(raw: Path, params: dict[str, Any]) -> Corpus:
    lists = {}
    for gender in ("male", "female"):
        path = raw / "unpacked" / "names" / f"{gender}.txt"
        lists[gender] = corpora.parse_name_list(path.read_bytes(), str(path))
    table, in_both = corpora.names_table(lists["male"], lists["female"], params["ambiguous"])
    return Corpus(split_table(table, params["test_size"], params["val_size"], params["seed"]),
                  facts={"names_in_both_lists": in_both, "male_names": len(lists["male"]),
                         "female_names": len(lists["female"]), "rows": len(table)})


def tar_members(archive: Path) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile() and corpora.imdb_member(member.name) is not None:
                yield member.name, tar.extractfile(member).read()


def read_imdb(raw: Path, params: dict[str, Any]) -> Corpus:
    """Official 25k/25k train/test split, validation carved from train; the unlabelled reviews kept apart."""
    table = corpora.imdb_table(tar_members(raw / corpora.SOURCES["imdb"].filename), params.get("limit"))
    official = {name: table[table["split"] == name][["text", "label"]].astype({"label": "int8"})
                for name in ("train", "test")}
    parts = {**carve_validation(official["train"], params["val_size"], params["seed"]),
             "test": official["test"].sort_values(["text", "label"]).reset_index(drop=True)}
    per_label = params.get("limit") or corpora.IMDB_ROWS_PER_LABEL
    return Corpus(
        parts,
        extra={"unsup": table[table["split"] == "unsup"][["text"]].reset_index(drop=True)},
        facts={"test_reviews_also_in_train": int(official["test"]["text"].isin(set(official["train"]["text"])).sum()),
               "train_duplicate_reviews": int(official["train"]["text"].duplicated().sum()),
               "unsup_rows": int((table["split"] == "unsup").sum())},
        checks=[checks.Check(f"official_{name}", frame, checks.label_count_expectations(2 * per_label, per_label))
                for name, frame in official.items()],
    )


def text_corpus(text: str, params: dict[str, Any]) -> Corpus:
    """A running text (its first `limit` characters) cut into contiguous train/val/test parts: one row each,
    with its character offsets."""
    text = text[: params.get("limit")]
    bounds = language.contiguous_split(text, params["val_share"], params["test_share"])
    parts = {name: pd.DataFrame({"text": [text[start:end]], "start": [start], "end": [end]})
             for name, (start, end) in bounds.items()}
    return Corpus(parts, facts={"characters": len(text), **{f"{name}_characters": end - start
                                                           for name, (start, end) in bounds.items()}})


def read_nietzsche(raw: Path, params: dict[str, Any]) -> Corpus:
    path = raw / corpora.SOURCES["nietzsche"].filename
    return text_corpus(corpora.decode_utf8(path.read_bytes(), str(path)), params)


def read_alice(raw: Path, params: dict[str, Any]) -> Corpus:
    """The e-text between Project Gutenberg's START and END markers (licence, BOM and CRLFs dropped)."""
    path = raw / corpora.SOURCES["alice"].filename
    return text_corpus(corpora.gutenberg_body(corpora.decode_utf8(path.read_bytes(), str(path)), str(path)), params)


def read_spa_eng(raw: Path, params: dict[str, Any]) -> Corpus:
    """Tatoeba English–Spanish pairs; a seeded `limit` and `max_words` keep the default run small."""
    path = raw / "unpacked" / "spa-eng" / "spa.txt"
    pairs = translation.parse_pairs(path.read_bytes(), str(path))
    parts = translation.split_pairs(pairs, params["val_size"], params["test_size"], params["seed"],
                                    params.get("limit"), params.get("max_words"))
    return Corpus(parts, facts={"pairs": len(pairs), "kept_pairs": sum(len(p) for p in parts.values())})


READERS: dict[str, Callable[[Path, dict[str, Any]], Corpus]] = {
    "names": read_names, "imdb": read_imdb, "nietzsche": read_nietzsche, "alice": read_alice, "spa_eng": read_spa_eng}
