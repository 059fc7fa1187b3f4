"""A params.yaml `tune` entry in keras-tuner's terms: its search space, a trial's model settings, the
fingerprint that decides whether a killed search may resume, and the record of the best trial."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # params loading reads `overlay` here, and must not bring keras-tuner (and TensorFlow) along
    import keras_tuner as kt

TUNED_SUFFIX = "_tuned"
DIRECTIONS = {"val_accuracy": "max", "val_loss": "min"}


def tuned_key(model: str) -> str:
    """The models/ key of the model trained with `tune@<model>`'s best settings."""
    return f"{model}{TUNED_SUFFIX}"


def declare(space: Mapping[str, Mapping[str, Any]], hp: kt.HyperParameters) -> dict[str, Any]:
    """Each knob of `space` as a keras-tuner hyperparameter; returns the values this trial draws.

    `{values: [...]}` is a choice, `{min, max}` of integers (optional `step`, `sampling`) an integer
    range, `{min, max}` with a float a float range.
    """
    drawn: dict[str, Any] = {}
    for name, rule in space.items():
        if "values" in rule:
            drawn[name] = hp.Choice(name, list(rule["values"]))
        elif isinstance(rule["min"], int) and isinstance(rule["max"], int) and isinstance(rule.get("step", 1), int):
            drawn[name] = hp.Int(name, rule["min"], rule["max"], step=rule.get("step", 1),
                                 sampling=rule.get("sampling", "linear"))
        else:
            drawn[name] = hp.Float(name, float(rule["min"]), float(rule["max"]), step=rule.get("step"),
                                   sampling=rule.get("sampling", "linear"))
    return drawn


def overlay(entry: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The model's settings with a trial's values; a per-layer list (`units: [32]`) takes the value on every layer."""
    settings = dict(entry)
    for name, value in values.items():
        settings[name] = [value] * len(entry[name]) if isinstance(entry.get(name), list) else value
    return settings


def fingerprint(search: Mapping[str, Any], model: Mapping[str, Any], data_hash: str | None) -> str:
    """What a search's trials were drawn and scored under: a stored search resumes only under the same one."""
    payload = json.dumps({"search": search, "model": model, "data": data_hash}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def best_record(model: str, objective: str, trials: list[dict[str, Any]]) -> dict[str, Any]:
    """best.json: the best completed trial's values and score, and how many trials were scored."""
    scored = [t for t in trials if t["score"] is not None]
    if not scored:
        raise ValueError(f"tune@{model}: no trial completed; see the trials' MLflow runs for their errors")
    pick = max if DIRECTIONS[objective] == "max" else min
    best = pick(scored, key=lambda t: (t["score"], -int(t["trial"])))  # ties: the earlier trial
    return {"model": model, "tuned_model": tuned_key(model), "objective": objective,
            "score": round(float(best["score"]), 4), "trial": best["trial"],
            "hyperparameters": best["hyperparameters"], "trials_scored": len(scored)}
