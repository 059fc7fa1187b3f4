"""Read params.yaml (the one source of every knob) for the stage that runs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PARAMS_FILE = Path("params.yaml")


def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def model_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """One architecture's settings: the shared `train` defaults overlaid with `models.<key>`."""
    if key not in params.get("models", {}):
        raise KeyError(f"params.yaml has no models.{key}; known: {sorted(params.get('models', {}))}")
    return {**params["train"], **params["models"][key], "key": key}
