"""split@<corpus>: parse the raw corpus into (text, label) rows and split train/val/test; a running
text (a language model's corpus) becomes three contiguous parts instead, and sentence pairs
(translation) three splits that share no English sentence.

Writes data/split/<corpus>/<split>.parquet (plus corpus extras such as IMDB's unlabelled
reviews) and reports/split/<corpus>.json: row counts, label shares and corpus facts.
"""
from __future__ import annotations

import mlflow

from textlab import checks, paths
from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.guard import guard
from textlab.adapters.params import load_params
from textlab.adapters.readers import READERS
from textlab.adapters.tracking import stage_run
from textlab.corpora import corpus_kind
from textlab.splits import SPLITS


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


def main(corpus: str) -> None:
    params = load_params()["corpora"][corpus]
    stage, kind = f"split@{corpus}", corpus_kind(corpus)
    with stage_run(stage, corpus, params, [str(paths.raw(corpus))]) as run:
        read = READERS[corpus](paths.raw(corpus), params["split"])
        guard(stage, CHECKS[kind](read.checks, read.splits, params["checks"]))
        with atomic_path(paths.split_dir(corpus)) as folder:
            folder.mkdir()
            for name, table in {**read.splits, **read.extra}.items():
                table.to_parquet(folder / f"{name}.parquet", index=False)
        metrics = {**read.facts, **{f"{name}_rows": len(read.splits[name]) for name in SPLITS},
                   **(label_facts(read.splits) if kind == "labelled" else {})}
        write_json(paths.split_metrics(corpus), metrics)
        mlflow.log_metrics(metrics)
        print(f"{stage}: {', '.join(f'{n} {len(p)}' for n, p in read.splits.items())} rows; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("split", main)
