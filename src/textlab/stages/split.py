"""split@<corpus>: parse the raw corpus into (text, label) rows and split train/val/test.

Writes data/split/<corpus>/<split>.parquet and reports/split/<corpus>.json (row counts and
corpus facts such as names standing in both lists).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd

from textlab import checks, corpora
from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.guard import guard
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run
from textlab.splits import SPLITS, split_table

Reader = Callable[[Path, dict[str, Any]], tuple[pd.DataFrame, dict[str, int]]]


def read_names(raw: Path, params: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, int]]:
    lists = {}
    for gender in ("male", "female"):
        path = raw / "unpacked" / "names" / f"{gender}.txt"
        lists[gender] = corpora.parse_name_list(path.read_bytes(), str(path))
    table, in_both = corpora.names_table(lists["male"], lists["female"], params["ambiguous"])
    return table, {"names_in_both_lists": in_both, "male_names": len(lists["male"]),
                   "female_names": len(lists["female"])}


READERS: dict[str, Reader] = {"names": read_names}


def main(corpus: str) -> None:
    params = load_params()["corpora"][corpus]
    split_params, balance = params["split"], tuple(params["checks"]["class_balance"])
    stage = f"split@{corpus}"
    with stage_run(stage, corpus, params, [f"data/raw/{corpus}"]) as run:
        table, facts = READERS[corpus](Path("data/raw") / corpus, split_params)
        parts = split_table(table, split_params["test_size"], split_params["val_size"], split_params["seed"])
        guard(stage, [
            *(checks.Check(name, part, checks.split_expectations(len(part), balance)) for name, part in parts.items()),
            checks.Check("disjoint", checks.disjoint_splits_frame({n: p["text"] for n, p in parts.items()}),
                         checks.disjoint_expectations()),
        ])
        with atomic_path(Path("data/split") / corpus) as folder:
            folder.mkdir()
            for name, part in parts.items():
                part.to_parquet(folder / f"{name}.parquet", index=False)
        metrics = {**facts, "rows": len(table), **{f"{name}_rows": len(parts[name]) for name in SPLITS},
                   **{f"{name}_label1_share": round(float(parts[name]["label"].mean()), 4) for name in SPLITS}}
        write_json(Path("reports/split") / f"{corpus}.json", metrics)
        mlflow.log_metrics(metrics)
        print(f"{stage}: {', '.join(f'{n} {len(p)}' for n, p in parts.items())} rows; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("split", main)
