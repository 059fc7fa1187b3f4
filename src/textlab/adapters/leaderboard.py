"""The leaderboard's I/O: each model's run facts (run records and its MLflow train run) and the picture."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import mlflow
from mlflow.exceptions import MlflowException

from textlab import paths
from textlab.adapters.files import atomic_path
from textlab.adapters.tracking import recorded_run_id


def run_facts(client: mlflow.MlflowClient, model: str) -> dict:
    """Train and evaluate run ids from the run records; train time and parameter count from the train run."""
    facts: dict = {}
    for record in sorted(paths.RUNS_DIR.glob(f"*@{model}.json")):
        step = record.stem.split("@")[0]
        if step.startswith(("train", "evaluate")):
            facts[f"{step.split('_')[0]}_run"] = recorded_run_id(record)
    try:
        metrics = client.get_run(facts["train_run"]).data.metrics if "train_run" in facts else {}
    except MlflowException:  # a run record of another machine's backend: no figures, the id stays
        metrics = {}
    facts.update({k: metrics[k] for k in ("train_seconds", "parameters") if k in metrics})
    return facts


def picture(boards: dict[str, list], target: Path) -> None:
    """One bar panel per corpus and kind: this pipeline's figure per model, the published one as a red tick."""
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
