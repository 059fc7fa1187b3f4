"""`textlab review --base <rev>`: DVC's own diffs against a git revision, as a markdown report with PNGs.

Runs `dvc params diff`, `dvc metrics diff` and `dvc plots diff` (all `--json`) against the base, reads
both sides' MLflow run ids from the run records (reports/runs/, at the base through `git show`), draws
each changed plot offline with matplotlib (DVC's HTML loads its chart library from the web) into
`<out stem>-plots/` beside the report, and writes the report (see `textlab.review`).
"""
from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from textlab import review
from textlab.adapters.cli import StageError
from textlab.adapters.files import atomic_path, write_text
from textlab.adapters.tracking import RUNS_DIR, recorded_run_id, run_record_path

RUN_STAGES = ("train", "evaluate")  # the stages whose runs a model's metrics come from (any of their kinds)


def command(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise StageError(f"`{' '.join(args)}` failed: {last}")
    return done.stdout


def dvc_json(args: list[str]) -> dict[str, Any]:
    return json.loads(command(["dvc", *args, "--json"]) or "{}")


def check_revision(base: str) -> None:
    if subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"],
                      capture_output=True).returncode != 0:
        raise StageError(f"--base {base}: not a git revision of this repository (fetch it first: git fetch origin)")


def base_records(base: str) -> list[str]:
    return command(["git", "ls-tree", "-r", "--name-only", base, "--", f"{RUNS_DIR}/"]).splitlines()


def run_id_at(base: str | None, path: Path) -> str | None:
    """The run id in a run record, in the workspace (base None) or at the base revision."""
    if base is None:
        return recorded_run_id(path) if path.is_file() else None
    shown = subprocess.run(["git", "show", f"{base}:{path.as_posix()}"], capture_output=True, text=True)
    return json.loads(shown.stdout)["run_id"] if shown.returncode == 0 else None


def model_runs(base: str, models: list[str]) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """{model: {stage: (base run id, branch run id)}} for each model's train and evaluate stages."""
    records = {Path(p).stem for p in base_records(base)} | {p.stem for p in RUNS_DIR.glob("*@*.json")}
    found: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    for model in models:
        stages = sorted(s for s in records if s.endswith(f"@{model}") and s.startswith(RUN_STAGES))
        found[model] = {s: (run_id_at(base, run_record_path(s)), run_id_at(None, run_record_path(s))) for s in stages}
    return found


def draw(kind: str, title: str, series: Mapping[str, list[dict[str, Any]]], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.metrics import ConfusionMatrixDisplay

    present = {rev: rows for rev, rows in series.items() if rows}
    if kind == "confusion":
        figure, axes = plt.subplots(1, len(present), figsize=(4.2 * len(present), 3.8), squeeze=False)
        for ax, (rev, rows) in zip(axes[0], present.items(), strict=True):
            matrix = np.zeros((2, 2), dtype=int)
            for row in rows:
                matrix[int(row["actual"]), int(row["predicted"])] = int(row["count"])
            ConfusionMatrixDisplay(matrix).plot(ax=ax, colorbar=False, values_format="d")
            ax.set_title(rev)
    elif kind == "roc":
        figure, ax = plt.subplots(figsize=(5, 4.5))
        for rev, rows in present.items():
            ax.plot([r["fpr"] for r in rows], [r["tpr"] for r in rows], label=rev)
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
        ax.set(xlabel="false positive rate", ylabel="true positive rate")
        ax.legend()
    else:
        columns = sorted({k for rows in present.values() for r in rows for k in r if k != "epoch"})
        figure, axes = plt.subplots(1, len(columns), figsize=(3.6 * len(columns), 3.4), squeeze=False)
        for ax, column in zip(axes[0], columns, strict=True):
            for rev, rows in present.items():
                ax.plot([r["epoch"] for r in rows], [r.get(column) for r in rows], marker="o", label=rev)
            ax.set(title=column, xlabel="epoch")
        axes[0][0].legend()
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(target, dpi=90)
    plt.close(figure)


def plot_images(base: str, folder: Path, link_prefix: str) -> dict[str, list[tuple[str, str]]]:
    """Draw every plot whose data differ between the base and the workspace into `folder`."""
    images: dict[str, list[tuple[str, str]]] = {}
    for path, entries in sorted(dvc_json(["plots", "diff", base])["data"].items()):
        for entry in entries:
            rows = entry.get("content", {}).get("data", {}).get("values", [])
            kind, series = review.plot_kind(rows), review.by_revision(rows, entry.get("revisions", []))
            if kind is None or not review.changed(series):
                continue
            model = review.model_of_path(path)[0]
            name = f"{model}-{kind.replace(' ', '_')}.png"
            draw(kind, f"{model}: {kind} ({path})", {"base": series.get(base, []),
                                                   "branch": series.get("workspace", [])}, folder / name)
            images.setdefault(model, []).append((f"{model} {kind}", f"{link_prefix.rstrip('/')}/{name}"))
    return images


def write_review(base: str, out: Path, image_url: str | None = None) -> dict[str, list[str]]:
    """Write the report to `out` and its images to `<out stem>-plots/` beside it, both atomically; return
    the stages `dvc status` finds out of date."""
    check_revision(base)
    stale = review.stale_stages(dvc_json(["status"]))
    params = review.param_changes(dvc_json(["params", "diff", base]))
    metrics = review.metric_changes(dvc_json(["metrics", "diff", base]))
    folder = out.parent / f"{out.stem}-plots"
    with atomic_path(folder) as staged:
        staged.mkdir(parents=True)
        images = plot_images(base, staged, image_url or folder.name)
    text = review.markdown(base, params, metrics, model_runs(base, sorted(set(metrics) | set(images))), images, stale)
    write_text(out, text)
    return stale
