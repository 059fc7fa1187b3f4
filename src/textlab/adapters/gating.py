"""The quality gate's I/O: run the GX check of a model's outputs, decide every gate of params.yaml `gates.<kind>`,
tag the open MLflow run (`gate`: `passed` or `failed: <why>`, metric `gate_passed`) and return the metrics file's
content with the verdicts. A failed gate never fails the stage: its outputs are written, and the verdict travels
with them to the reports, the leaderboard and promote@ (which never crowns a model that failed).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mlflow

from textlab import gates
from textlab.adapters.validate import DataCheckError, run_checks
from textlab.checks import Check


def output_verdict(stage: str, outputs: Check) -> gates.Verdict:
    """The GX check of the per-example outputs as one gate, its failed expectation and observed value as the detail."""
    try:
        run_checks([outputs], suite_prefix=stage)
    except DataCheckError as failure:
        return gates.Verdict("outputs", False, str(failure))
    return gates.Verdict("outputs", True, f"{outputs.name}: every expectation met")


def gated(stage: str, scores: Mapping[str, Any], gate: Mapping[str, Any], outputs: Check | None) -> dict[str, Any]:
    """`scores` plus `gates` and `passed`; logs the verdict to the active MLflow run and prints it."""
    verdicts = gates.baseline_verdicts(scores, gate.get("beat") or {}, gate.get("margin", 0.0), where=stage)
    verdicts += gates.floor_verdicts(scores, gate.get("at_least") or {}, where=stage)
    if outputs is not None:
        verdicts.append(output_verdict(stage, outputs))
    verdict = gates.summary(verdicts)
    mlflow.set_tag("gate", verdict[:5000])  # MLflow caps a tag's value
    mlflow.log_metric("gate_passed", float(verdict == gates.PASSED))
    print(f"{stage}: gate {verdict}")
    return {**scores, **gates.record(verdicts)}
