"""The leaderboard: every model in params.yaml with its test metrics, cost and MLflow run, per corpus,
beside the published figure of the original experiment where there is one. Pure functions."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from textlab.params_schema import MODEL_SECTIONS


def listed_models(params: Mapping[str, Any]) -> dict[str, str]:
    """{model: corpus} of every entry of every model section of params.yaml (a removed entry leaves the board)."""
    return {key: entry["corpus"] for section in MODEL_SECTIONS for key, entry in (params.get(section) or {}).items()}


def board(corpus: str, rows: Mapping[str, Mapping[str, Any]], kinds: Mapping[str, tuple[str, list[str], bool]],
          runs: Mapping[str, Mapping[str, Any]], published: Mapping[str, Mapping[str, float]]) -> list[tuple[str, pd.DataFrame]]:
    """(ranking metric, table) per kind of model of one corpus, best first: the kind's test metrics, the
    published figure (params.yaml `published`: {model: {metric: figure}}), and from `runs` ({model: {train_seconds, parameters, train_run, evaluate_run}}) the rest."""
    found = []
    for kind, (_, columns, ascending) in kinds.items():
        members = {key: metrics for key, metrics in rows.items() if kind in metrics}
        if not members:
            continue
        table = pd.DataFrame.from_dict(members, orient="index").reindex(columns=columns)
        table["published"] = [published.get(k, {}).get(kind) for k in table.index]
        extra = pd.DataFrame.from_dict({k: dict(runs.get(k, {})) for k in table.index}, orient="index")
        table = table.join(extra.reindex(columns=["train_seconds", "parameters", "train_run", "evaluate_run"]))
        found.append((kind, table.sort_values(kind, ascending=ascending).rename_axis(f"{corpus} model").round(4)))
    return found


def shown(table: pd.DataFrame) -> str:
    """Markdown with a dash where a figure is missing (a baseline logs no parameter count)."""
    return table.astype(object).where(table.notna(), None).to_markdown(missingval="—")


def page(boards: Mapping[str, list[tuple[str, pd.DataFrame]]], titles: Mapping[str, str]) -> str:
    """The leaderboard's Markdown: a table per corpus and kind (`titles`: the kind's heading)."""
    text = "# Leaderboard: test metrics of every model in params.yaml\n\n"
    text += ("`published`: the original experiment's figure (params.yaml `published`); `train_seconds`, `parameters`: its train "
             "run; `gate`: its quality gate (`FAIL` names the trivial baselines it did not beat).\n")
    for corpus, tables in boards.items():
        for kind, table in tables:
            text += f"\n## {corpus}: {titles[kind]}\n\n{shown(table)}\n"
    return text
