"""train@<corpus>-<architecture>: fit one architecture from params.yaml `models`.

Reads data/<inputs> (a features folder for Keras families, the split texts for classical ones)
and writes models/<key>/, reports/train/<key>/history.csv (per-epoch loss/accuracy, a DVC plot)
and reports/train/<key>/metrics.json; logs the same to MLflow plus a pyfunc model on raw text.
"""
from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

import mlflow

from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.params import load_params, model_params
from textlab.adapters.serving import log_text_model
from textlab.adapters.tracking import stage_run
from textlab.corpora import INPUT_EXAMPLES
from textlab.families import trainer_module

POSITIVE = {"epochs": int, "batch_size": int, "learning_rate": float}


def check_hyperparams(hp: dict[str, Any]) -> None:
    for name, kind in POSITIVE.items():
        if not isinstance(hp.get(name), (int, float)) or kind(hp[name]) <= 0:
            raise ValueError(f"models.{hp['key']}.{name} (or train.{name}) must be a positive number, got {hp.get(name)!r}")
    if int(hp["patience"]) < 0:
        raise ValueError(f"models.{hp['key']}.patience must be ≥ 0, got {hp['patience']!r}")


def main(key: str) -> None:
    hp = model_params(load_params(), key)
    check_hyperparams(hp)
    inputs, stage = Path("data") / hp["inputs"], f"train@{key}"
    # Only the family's own framework is imported: classical baselines start without TensorFlow.
    trainer = importlib.import_module(f"textlab.adapters.{trainer_module(hp)}")
    with stage_run(stage, hp["corpus"], hp, [str(inputs)]) as run:
        started = time.perf_counter()
        with atomic_path(Path("models") / key) as folder:
            curve = trainer.fit(hp, inputs, folder)
        seconds = time.perf_counter() - started
        best = curve.loc[curve["val_loss"].idxmin()]
        summary = {"train_seconds": round(seconds, 2), "epochs_run": len(curve), "best_epoch": int(best["epoch"]),
                   "val_accuracy": round(float(best["val_accuracy"]), 4), "val_loss": round(float(best["val_loss"]), 4)}
        with atomic_path(Path("reports/train") / key / "history.csv") as path:
            curve.to_csv(path, index=False)
        write_json(Path("reports/train") / key / "metrics.json", summary)
        mlflow.log_metrics({k: float(v) for k, v in summary.items()})
        mlflow.log_artifact(str(Path("reports/train") / key / "history.csv"))
        log_text_model(Path("models") / key, examples=INPUT_EXAMPLES[hp["corpus"]])
        print(f"{stage}: best epoch {summary['best_epoch']}, val_accuracy {summary['val_accuracy']}, "
              f"{seconds:.1f}s; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("train", main)
