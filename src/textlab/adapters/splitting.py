"""split@<corpus>'s work: read the raw corpus, check its splits, write the tables and the split facts.

A labelled corpus becomes stratified train/val/test rows, a running text (a language model's corpus)
three contiguous parts, and sentence pairs (translation) three splits that share no English sentence
(textlab.adapters.readers); the checks of each kind run before anything is written (adapters.guard).
"""
from __future__ import annotations

from textlab import checks, paths
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.guard import guard
from textlab.adapters.readers import READERS
from textlab.corpora import corpus_kind
from textlab.paths import SPLITS


def split_checks(corpus_checks: list[checks.Check], parts: dict, limits: dict) -> list[checks.Check]:
    """Per split: size, texts, labels, balance (and lengths where bounded); disjoint texts across `limits.disjoint`."""
    balance, words = tuple(limits["class_balance"]), limits.get("text_words")
    found = [*corpus_checks, checks.Check("disjoint", checks.disjoint_splits_frame(
        {name: parts[name]["text"] for name in limits.get("disjoint", SPLITS)}), checks.disjoint_expectations())]
    for name, part in parts.items():
        found.append(checks.Check(name, part, checks.split_expectations(len(part), balance)))
        if words:
            found.append(checks.Check(f"{name}_lengths", checks.summarise_texts(part), checks.length_expectations(
                words["min"], words["max"], tuple(words["median"]))))
    return found


def text_checks(corpus_checks: list[checks.Check], parts: dict, limits: dict) -> list[checks.Check]:
    """A running text's parts: one row each, back to back (its OOV is checked per view, by tokenize)."""
    return [*corpus_checks, checks.Check("parts", checks.summarise_text_parts(parts),
                                         checks.text_part_expectations(len(parts)))]


def pair_checks(corpus_checks: list[checks.Check], parts: dict, limits: dict) -> list[checks.Check]:
    """Sentence pairs: both sides on every row, no English sentence in two splits (its OOV is checked by tokenize)."""
    found = [*corpus_checks, checks.Check("disjoint", checks.disjoint_splits_frame(
        {name: part["source"] for name, part in parts.items()}), checks.disjoint_expectations())]
    return found + [checks.Check(name, part, checks.pair_expectations(len(part))) for name, part in parts.items()]


CHECKS = {"labelled": split_checks, "text": text_checks, "pairs": pair_checks}


def label_facts(parts: dict) -> dict[str, float]:
    return {f"{name}_label1_share": round(float(parts[name]["label"].mean()), 4) for name in SPLITS}


def split_corpus(stage: str, corpus: str, params: dict) -> tuple[dict, dict[str, int]]:
    """Writes data/split/<corpus>/<split>.parquet (plus corpus extras such as IMDB's unlabelled reviews) and
    reports/split/<corpus>.json (row counts, label shares, corpus facts); returns those facts and the rows per split."""
    kind = corpus_kind(corpus)
    read = READERS[corpus](paths.raw(corpus), params["split"])
    guard(stage, CHECKS[kind](read.checks, read.splits, params["checks"]))
    with atomic_path(paths.split_dir(corpus)) as folder:
        folder.mkdir()
        for name, table in {**read.splits, **read.extra}.items():
            table.to_parquet(folder / f"{name}.parquet", index=False)
    metrics = {**read.facts, **{f"{name}_rows": len(read.splits[name]) for name in SPLITS},
               **(label_facts(read.splits) if kind == "labelled" else {})}
    write_json(paths.split_metrics(corpus), metrics)
    return metrics, {name: len(part) for name, part in read.splits.items()}
