"""leaderboard: every model in params.yaml, per corpus and kind, with its test metrics, the published figure,
train time, parameter count and MLflow runs; writes <out>.md and <out>.png (the argument is <out>).

Its DVC deps are the metrics files and the model sections of params.yaml, so it reruns only when a metric
(or the list of models) changed; train time, parameter count and run ids are those of the runs recorded
in reports/runs/ when it ran (a deterministic retrain leaves the metrics, and so the board, as they were).
"""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import mlflow
from mlflow.exceptions import MlflowException

from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path, write_text
from textlab.adapters.params import load_params
from textlab.adapters.tracking import RUNS_DIR, recorded_run_id, stage_run
from textlab.leaderboard import board, listed_models
from textlab.reports import KINDS, gated_row

METRICS = Path("reports/metrics")


def run_facts(client: mlflow.MlflowClient, model: str) -> dict:
    """Train and evaluate run ids from the run records; train time and parameter count from the train run."""
    facts: dict = {}
    for record in sorted(RUNS_DIR.glob(f"*@{model}.json")):
        step = record.stem.split("@")[0]
        if step.startswith(("train", "evaluate")):
            facts[f"{step.split('_')[0]}_run"] = recorded_run_id(record)
    try:
        metrics = client.get_run(facts["train_run"]).data.metrics if "train_run" in facts else {}
    except MlflowException:  # a run record of another machine's backend: no figures, the id stays
        metrics = {}
    facts.update({k: metrics[k] for k in ("train_seconds", "parameters") if k in metrics})
    return facts


def shown(table) -> str:
    """Markdown with a dash where a figure is missing (a baseline logs no parameter count)."""
    return table.astype(object).where(table.notna(), None).to_markdown(missingval="—")


def picture(boards: dict[str, list], target: Path) -> None:
    panels = [(corpus, kind, table) for corpus, tables in boards.items() for kind, table in tables]
    figure, axes = plt.subplots(len(panels), 1, figsize=(8, 0.4 * sum(len(t) for *_, t in panels) + 1.2 * len(panels)),
                                squeeze=False)
    for ax, (corpus, kind, table) in zip(axes[:, 0], panels, strict=True):
        ax.barh(table.index[::-1], table[kind][::-1], color="tab:blue", label="this pipeline")
        published = table["published"][::-1]
        ax.scatter(published, table.index[::-1], color="tab:red", marker="|", s=200, label="published", zorder=3)
        ax.set_title(f"{corpus}: test {kind}", fontsize=10)
        if not published.dropna().empty:
            ax.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    with atomic_path(target) as path:
        figure.savefig(path, dpi=80, format="png", metadata={"Software": None})
    plt.close(figure)


def main(out: str) -> None:
    params = load_params()
    models = listed_models(params)
    with stage_run("leaderboard", "leaderboard", {"models": len(models)}, [str(METRICS)]) as run:
        client = mlflow.MlflowClient()
        boards = {}
        for corpus in sorted(set(models.values())):
            rows = {m: gated_row(json.loads((METRICS / c / f"{m}.json").read_text())) for m, c in sorted(models.items())
                    if c == corpus and (METRICS / c / f"{m}.json").is_file()}
            boards[corpus] = board(corpus, rows, KINDS, {m: run_facts(client, m) for m in rows}, params["published"])
        text = "# Leaderboard: test metrics of every model in params.yaml\n\n"
        text += ("`published`: the original experiment's figure (params.yaml `published`); `train_seconds`, `parameters`: its train "
                 "run; `gate`: its quality gate (`FAIL` names the trivial baselines it did not beat).\n")
        for corpus, tables in boards.items():
            for kind, table in tables:
                text += f"\n## {corpus}: {KINDS[kind][0]}\n\n{shown(table)}\n"
        write_text(f"{out}.md", text)
        picture({c: ts for c, ts in boards.items() if ts}, Path(f"{out}.png"))
        mlflow.log_text(text, "leaderboard.md")
        print(f"leaderboard: {sum(len(t) for ts in boards.values() for _, t in ts)} models; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("leaderboard", main)
