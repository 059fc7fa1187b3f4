"""Quality gates on what comes *out* of a model, as the data checks guard what goes in.

Every evaluate stage scores its model beside the trivial baselines of its kind (majority class and class
prior, unigram, retrieval and copy-the-source) on the same rows, and blesses it only when it beats each one,
on validation figures (`val_<metric>`, `val_baseline_<baseline>_<metric>`) where the stage has them. A GX
check of the per-example outputs (one class for every row, one repeated translation, a sample of one token)
is a gate too. Pure functions: running GX and logging the verdict live in `textlab.adapters.gating`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from textlab.checks import Check, described, gx_expectations

LOWER_IS_BETTER = frozenset({"loss", "bits_per_token", "perplexity", "cross_entropy"})
PASSED = "passed"


@dataclass(frozen=True)
class Verdict:
    gate: str      # e.g. accuracy_vs_majority, floor_ratio_floor, outputs
    passed: bool
    detail: str    # the figures compared, in words


def _figure(scores: Mapping[str, Any], name: str, where: str) -> float:
    if name not in scores:
        raise ValueError(f"{where}: the quality gate needs the figure {name!r}, which the evaluate stage did not write")
    return float(scores[name])


def baseline_verdicts(scores: Mapping[str, Any], beat: Mapping[str, Sequence[str]], margin: float,
                      where: str = "metrics") -> list[Verdict]:
    """One verdict per (metric, baseline): the model must beat the baseline by more than `margin`,
    compared on validation when both validation figures exist, else on test."""
    verdicts = []
    for metric, baselines in beat.items():
        for baseline in baselines:
            split = "val_" if f"val_{metric}" in scores and f"val_baseline_{baseline}_{metric}" in scores else ""
            model = _figure(scores, f"{split}{metric}", where)
            reference = _figure(scores, f"{split}baseline_{baseline}_{metric}", where)
            lower = metric in LOWER_IS_BETTER
            passed = model < reference - margin if lower else model > reference + margin
            relation = ("below" if lower else "above") if passed else ("not below" if lower else "not above")
            split_name = "validation" if split else "test"
            detail = f"{split_name} {metric} {model:.4g} is {relation} the {baseline} baseline's {reference:.4g}"
            verdicts.append(Verdict(f"{metric}_vs_{baseline}", passed, detail + (f" (margin {margin})" if margin else "")))
    return verdicts


def floor_verdicts(scores: Mapping[str, Any], at_least: Mapping[str, float], where: str = "metrics") -> list[Verdict]:
    """One verdict per metric that must reach a floor (e.g. word vectors' ratio to gensim's noise floor)."""
    verdicts = []
    for metric, floor in at_least.items():
        value = _figure(scores, metric, where)
        relation = "reaches" if value >= floor else "is below"
        verdicts.append(Verdict(f"{metric}_floor", value >= floor, f"{metric} {value:.4g} {relation} the floor {floor}"))
    return verdicts


def record(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    """What the metrics file gets: each gate's verdict and the overall one (DVC shows and diffs both)."""
    return {"gates": {v.gate: v.passed for v in verdicts}, PASSED: all(v.passed for v in verdicts)}


def summary(verdicts: Sequence[Verdict]) -> str:
    """The MLflow `gate` tag and the line a user reads: `passed`, or `failed: <why>` naming each failed gate."""
    failed = [f"{v.gate}: {v.detail}" for v in verdicts if not v.passed]
    return PASSED if not failed else "failed: " + "; ".join(failed)


def passed(metrics: Mapping[str, Any]) -> bool:
    """A metrics file's overall verdict; a file written before the gates existed has none and does not pass."""
    return metrics.get(PASSED) is True


def mark(metrics: Mapping[str, Any]) -> str:
    """The gate column of the reports and the leaderboard: `pass`, `FAIL (<gates>)`, or `—` with no verdict."""
    if PASSED not in metrics:
        return "—"
    failed = [gate for gate, ok in (metrics.get("gates") or {}).items() if not ok]
    return "pass" if passed(metrics) else f"FAIL ({', '.join(failed)})"


# --------------------------------------------------------------------------- degenerate outputs (GX checks)


def classifier_outputs(predicted: np.ndarray) -> Check:
    """Predicted classes of the test rows: a classifier answering one class for every row fails."""
    frame = pd.DataFrame({"predicted": np.asarray(predicted).astype(np.int64)})
    expectation = described(gx_expectations().ExpectColumnUniqueValueCountToBeBetween, "predicts more than one class",
                             column="predicted", min_value=2)
    return Check("predictions", frame, [expectation])


def translator_outputs(translations: Sequence[str], min_distinct_share: float) -> Check:
    """Translations of the held-out sentences: one repeated string (or a handful) fails."""
    frame = pd.DataFrame({"translation": list(translations)})
    expectation = described(gx_expectations().ExpectColumnProportionOfUniqueValuesToBeBetween,
                             f"at least {min_distinct_share:.0%} of the translations distinct",
                             column="translation", min_value=min_distinct_share)
    return Check("translations", frame, [expectation])


def sample_outputs(samples: Mapping[float, Sequence[int]]) -> Check:
    """Generated token ids per temperature: a sample that is one token repeated fails."""
    frame = pd.DataFrame({"temperature": [float(t) for t in samples],
                          "distinct_tokens": [len(set(ids)) for ids in samples.values()]})
    expectation = described(gx_expectations().ExpectColumnValuesToBeBetween, "every sample uses more than one token",
                             column="distinct_tokens", min_value=2)
    return Check("samples", frame, [expectation])
