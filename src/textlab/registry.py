"""Who is champion: the gate a registered model version must pass before the `champion` alias moves to it.

Selection is on validation accuracy only; test accuracy is a floor a candidate must clear (a sanity bar
set in params.yaml), never the ranking — ranking on test would be selection on the test set. A candidate whose
evaluate stage failed its quality gate (textlab.gates) is never champion, and a champion that fails it loses the title.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from textlab.gates import PASSED, passed
from textlab.kinds import KINDS
from textlab.tuning import TUNED_SUFFIX

CHAMPION = "champion"
# params section of a classifier -> the stage group that trains it
TRAIN_STAGES = {kind.section: kind.train_stage for kind in KINDS if kind.metric == "accuracy"}


@dataclass(frozen=True)
class Candidate:
    version: str          # the registered model version
    model: str            # the params.yaml entry, <corpus>-<architecture>
    val_accuracy: float
    test_accuracy: float
    passed: bool = True   # its evaluate stage's quality gate


@dataclass(frozen=True)
class Decision:
    promote: bool                # True: the alias moves to `champion`
    champion: Candidate | None   # the champion after the decision
    reason: str


def task_models(params: Mapping[str, Any], corpus: str) -> list[tuple[str, str]]:
    """(model, its train stage group, or stage if not `<group>@<model>`) for every classifier of `corpus`."""
    found = []
    for section, train_stage in TRAIN_STAGES.items():
        found += [(model, train_stage) for model, entry in params[section].items() if entry["corpus"] == corpus]
    # A search's tuned model: trained by train_tuned@<model>, the stage named in full.
    return found + [(f"{model}{TUNED_SUFFIX}", f"train_tuned@{model}") for model, search in params.get("tune", {}).items()
                    if search["corpus"] == corpus]


def candidate_from_tags(version: str | int, tags: Mapping[str, str]) -> Candidate:
    """A version as its tags describe it; one registered before the quality gate existed has no `gate` tag and fails."""
    return Candidate(str(version), tags["model"], float(tags["val_accuracy"]), float(tags["test_accuracy"]),
                     tags.get("gate") == PASSED)


def version_tags(model: str, stage: str, commit: str | None, val: Mapping[str, float],
                 test: Mapping[str, float]) -> dict[str, str]:
    """What a version carries: where it came from and the figures the gate reads."""
    tags = {"model": model, "architecture": model.split("-", 1)[1], "dvc.stage": stage, "git.commit": commit or "",
            "val_accuracy": str(val["val_accuracy"]), "gate": gate_tag(test)}
    for name, value in test.items():  # the model's own test figures: not its validation, baseline or gate entries
        if isinstance(value, int | float) and not isinstance(value, bool) and not name.startswith(("val_", "baseline_")):
            tags[f"test_{name}"] = str(value)
    return tags


def gate_tag(metrics: Mapping[str, Any]) -> str:
    """A version's `gate` tag from its metrics file: `passed`, or which gates failed."""
    if passed(metrics):
        return PASSED
    failed = [gate for gate, ok in (metrics.get("gates") or {}).items() if not ok]
    return "failed: " + (", ".join(failed) if failed else "no verdict in its metrics file")


def decide(candidates: Sequence[Candidate], current: Candidate | None, min_test_accuracy: float) -> Decision:
    """The best candidate on validation accuracy that passed its gate and clears the test floor, if it beats the
    current champion; a champion that now fails its gate is no champion (champion None: the alias goes)."""
    fallen = current is not None and not current.passed
    if fallen:
        current = None
    eligible = [c for c in candidates if c.passed and c.test_accuracy >= min_test_accuracy]
    if not eligible:
        return Decision(False, current, f"no candidate passes its quality gate and reaches test accuracy "
                                        f"{min_test_accuracy}" + ("; the champion failed its gate" if fallen else ""))
    best = max(eligible, key=lambda c: (c.val_accuracy, -int(c.version)))  # ties: the earlier version
    if current is None and fallen:
        return Decision(True, best, f"the champion failed its quality gate; {best.model} (version {best.version}) "
                                    f"takes over: validation accuracy {best.val_accuracy:.4f}")
    if current is None:
        return Decision(True, best, f"{best.model} (version {best.version}) is the first champion: "
                                    f"validation accuracy {best.val_accuracy:.4f}")
    if best.version == current.version:
        return Decision(False, current, f"the champion {current.model} (version {current.version}) is still the best "
                                        f"on validation ({current.val_accuracy:.4f})")
    if best.val_accuracy <= current.val_accuracy:
        return Decision(False, current, f"best candidate {best.model} (version {best.version}) has validation accuracy "
                                        f"{best.val_accuracy:.4f}, not above the champion {current.model} "
                                        f"(version {current.version}) at {current.val_accuracy:.4f}")
    return Decision(True, best, f"{best.model} (version {best.version}) beats the champion {current.model} "
                                f"(version {current.version}) on validation: {best.val_accuracy:.4f} > "
                                f"{current.val_accuracy:.4f}")


def decision_record(task: str, decision: Decision, candidates: Sequence[Candidate]) -> dict[str, object]:
    return {"task": task, "promoted": decision.promote, "reason": decision.reason,
            "champion": asdict(decision.champion) if decision.champion else None,
            "candidates": [asdict(c) for c in candidates]}
