"""A pull request's review: DVC's params and metrics diffs and plot data, grouped per model, as markdown.

Pure functions over what `dvc params diff --json`, `dvc metrics diff --json` and `dvc plots diff --json`
print; `textlab.adapters.reviewing` runs those commands, reads the run records and draws the images.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textlab import paths
from textlab.gates import PASSED
from textlab.params_schema import MODEL_SECTIONS

MARKER = "<!-- textlab-review -->"  # the CI workflow finds its own PR comment by this line
SHARED = "(shared)"  # params outside any model entry (train defaults, corpora, views...): they may move many models


@dataclass(frozen=True)
class Change:
    name: str        # dotted param key, or "<file kind> <metric>" for a metric
    old: Any         # None: absent on the base
    new: Any         # None: absent on the branch

    @property
    def delta(self) -> float | None:
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (self.old, self.new))
        return self.new - self.old if numbers else None


def model_of_param(key: str) -> str:
    """`models.names-gru.units` → names-gru; a key outside the model sections → SHARED."""
    section, _, rest = key.partition(".")
    return rest.split(".")[0] if section in MODEL_SECTIONS and rest else SHARED


def model_of_path(path: str) -> tuple[str, str]:
    """(model, what the file is) of a metrics or plot file: reports/metrics/<corpus>/<m>.json → (m, test),
    reports/train/<m>/… → (m, training), reports/plots/<m>/roc.csv → (m, roc); anything else → (path, '')."""
    parts = Path(path).parts
    if len(parts) != 4:
        return path, ""
    key, stem = parts[2], Path(parts[3]).stem
    if Path(path) == paths.metrics(key, stem):
        return stem, "test"
    if Path(*parts[:3]) == paths.train_reports(key):
        return key, "training"
    if Path(*parts[:3]) == paths.plots_dir(key):
        return key, stem
    return path, ""


def param_changes(diff: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, list[Change]]:
    """`dvc params diff --json` ({file: {key: {old, new}}}) → {model or SHARED: changes}, sorted."""
    grouped: dict[str, list[Change]] = {}
    for keys in diff.values():
        for key, values in sorted(keys.items()):
            grouped.setdefault(model_of_param(key), []).append(Change(key, values.get("old"), values.get("new")))
    return dict(sorted(grouped.items()))


def metric_changes(diff: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, list[Change]]:
    """`dvc metrics diff --json` ({file: {metric: {old, new, diff}}}) → {model: changes}; files that are
    not a model's (e.g. reports/split/<corpus>.json) are grouped under their path."""
    grouped: dict[str, list[Change]] = {}
    for path, values in sorted(diff.items()):
        model, kind = model_of_path(path)
        for metric, value in sorted(values.items()):
            name = f"{kind} {metric}" if kind else metric
            grouped.setdefault(model, []).append(Change(name, value.get("old"), value.get("new")))
    return dict(sorted(grouped.items()))


def gate_flips(metrics: Mapping[str, list[Change]]) -> list[str]:
    """One line per model whose quality-gate verdict (`passed` in its test metrics) changed, or that is new or gone."""
    lines = []
    for model, changes in metrics.items():
        for change in changes:
            if change.name == f"test {PASSED}":
                old, new = (_verdict(v) for v in (change.old, change.new))
                lines.append(f"- `{model}`: quality gate **{old} → {new}**")
    return lines


def _verdict(value: Any) -> str:
    return "absent" if value is None else ("passed" if value is True else "FAILED")


def plot_kind(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """What a plot's data rows draw: a confusion matrix, a ROC curve or a learning curve."""
    fields = set(rows[0]) if rows else set()
    if {"actual", "predicted"} <= fields:
        return "confusion"
    if {"fpr", "tpr"} <= fields:
        return "roc"
    if "epoch" in fields:
        return "learning curve"
    return None


def by_revision(rows: Sequence[Mapping[str, Any]], revisions: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """A DVC plot's rows (each carrying its `rev`) split per revision, values as numbers, `rev` dropped."""
    split: dict[str, list[dict[str, Any]]] = {rev: [] for rev in revisions}
    for row in rows:
        split.setdefault(row["rev"], []).append({k: number(v) for k, v in row.items() if k != "rev"})
    return split


def number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def changed(series: Mapping[str, list[dict[str, Any]]]) -> bool:
    """True when the revisions' data differ (a plot present on one side only counts as changed)."""
    return len({repr(rows) for rows in series.values()}) > 1


def stale_stages(status: Mapping[str, Sequence[Any]]) -> dict[str, list[str]]:
    """`dvc status --json` → {stage: what is out of date}, leaving out deps and outs that are only missing
    from this checkout (`deleted`, `not in cache`: DVC-cached data not pulled, as on a CI runner); a
    modified code dep, changed params or command, or a git-tracked metric that differs, all remain."""
    absent = {"deleted", "not in cache"}
    found: dict[str, list[str]] = {}
    for stage, entries in status.items():
        reasons = []
        for entry in entries:
            for kind, changed in (entry.items() if isinstance(entry, Mapping) else [(entry, None)]):
                if isinstance(changed, Mapping):  # {path: state}; params: {params.yaml: {key: state}}
                    flat = [(f"{path} {key}", st) for path, state in changed.items()
                            for key, st in (state.items() if isinstance(state, Mapping) else [("", state)])]
                    reasons += [f"{kind}: {where.strip()} {st}" for where, st in flat if st not in absent]
                else:
                    reasons.append(str(kind))
        if reasons:
            found[stage] = reasons
    return found


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}" if abs(value) >= 1000 else f"{value:.4f}"
    return f"`{value}`" if isinstance(value, str | list | dict) else str(value)


def signed(delta: float | None) -> str:
    if delta is None:
        return ""
    return "nan" if math.isnan(delta) else f"{delta:+.4f}" if isinstance(delta, float) else f"{delta:+d}"


def table(changes: Sequence[Change], first: str) -> list[str]:
    lines = [f"| {first} | base | branch | Δ |", "|---|---:|---:|---:|"]
    return lines + [f"| `{c.name}` | {fmt(c.old)} | {fmt(c.new)} | {signed(c.delta)} |" for c in changes]


def run_lines(runs: Mapping[str, tuple[str | None, str | None]]) -> list[str]:
    """{stage: (base run id, branch run id)} → one line per stage."""
    return [f"- MLflow run of `{stage}`: base `{old or '—'}` → branch `{new or '—'}`"
            + (" (unchanged)" if old == new else "") for stage, (old, new) in sorted(runs.items())]


def markdown(base: str, params: Mapping[str, list[Change]], metrics: Mapping[str, list[Change]],
             runs: Mapping[str, Mapping[str, tuple[str | None, str | None]]],
             images: Mapping[str, Sequence[tuple[str, str]]], stale: Mapping[str, list[str]]) -> str:
    """The report: whether dvc.lock matches the code, changed params per model, changed metrics per model
    with deltas and both sides' MLflow runs, and the images of the plots that changed ({model: [(title, link)]})."""
    lines = [MARKER, f"## Review against `{base}`", ""]
    moved = sorted(set(metrics) | set(images))
    lines += [f"Params changed in {len(params)} group(s); metrics or plots moved in {len(moved)} place(s)"
              + (f": {', '.join(f'`{m}`' for m in moved)}." if moved else "."), ""]
    flips = gate_flips(metrics)
    lines += ["### Quality gates", "", *(flips or ["No model's quality gate changed."]), ""]
    lines += ["### Pipeline (`dvc status`)", ""]
    if not stale:
        lines += ["`dvc.lock` matches the code, params and committed metrics: nothing to reproduce.", ""]
    else:
        lines += [f"**{len(stale)} stage(s) out of date** (run `dvc repro` and commit `dvc.lock`):", ""]
        lines += [f"- `{stage}`: {'; '.join(reasons[:5])}" + (" …" if len(reasons) > 5 else "")
                  for stage, reasons in sorted(stale.items())] + [""]
    lines += ["### Params (`dvc params diff`)", ""]
    if not params:
        lines += ["No parameter changed.", ""]
    for model, changes in params.items():
        lines += [f"#### {model}", "", *table(changes, "param"), ""]
    lines += ["### Metrics (`dvc metrics diff`)", ""]
    if not metrics:
        lines += ["No metric changed.", ""]
    for model, changes in metrics.items():
        lines += [f"#### {model}", "", *table(changes, "metric"), "", *run_lines(runs.get(model, {})), ""]
    lines += ["### Plots that changed", ""]
    if not images:
        lines += ["No plot changed.", ""]
    for model, pictures in sorted(images.items()):
        lines += [f"#### {model}", "", *(f"![{title}]({link})" for title, link in pictures), ""]
    return "\n".join(lines).rstrip() + "\n"
