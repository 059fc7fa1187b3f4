"""train@<corpus>-<architecture>: fit one architecture from params.yaml `models` with early stopping.

Writes models/<key>/ (model.keras, spec.json and embedding.npy when it has an Embedding layer), reports/train/<key>/history.csv (per-epoch
loss/accuracy, a DVC plot) and reports/train/<key>/metrics.json; logs the same to MLflow plus a
pyfunc model that takes raw text.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import keras
import mlflow
import numpy as np
import pandas as pd

from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.params import load_params, model_params
from textlab.adapters.serving import log_text_model
from textlab.adapters.tensors import load_spec, load_split
from textlab.adapters.tracking import stage_run
from textlab.corpora import INPUT_EXAMPLES
from textlab.models import build_model, compile_model, embedding_matrix

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
    features = Path("data/features") / hp["corpus"] / hp["inputs"]
    stage = f"train@{key}"
    with stage_run(stage, hp["corpus"], hp, [str(features)]) as run:
        keras.utils.set_random_seed(int(hp["seed"]))  # Python, NumPy and TensorFlow
        spec = load_spec(features)
        (x_train, y_train), (x_val, y_val) = load_split(features, "train"), load_split(features, "val")
        sequence = getattr(spec, "sequence", spec)
        model = compile_model(build_model(hp, sequence.vocab_size, sequence.maxlen), hp)
        log_epoch = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: mlflow.log_metrics(logs, step=epoch + 1))
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(hp["patience"]), restore_best_weights=True)
        started = time.perf_counter()
        history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=int(hp["epochs"]),
                            batch_size=int(hp["batch_size"]), callbacks=[stop, log_epoch], verbose=2)
        seconds = time.perf_counter() - started
        curve = pd.DataFrame(history.history).rename_axis("epoch").reset_index().assign(epoch=lambda d: d["epoch"] + 1)
        best = curve.loc[curve["val_loss"].idxmin()]
        summary = {"train_seconds": round(seconds, 2), "epochs_run": len(curve), "best_epoch": int(best["epoch"]),
                   "val_accuracy": round(float(best["val_accuracy"]), 4), "val_loss": round(float(best["val_loss"]), 4),
                   "parameters": int(model.count_params())}
        with atomic_path(Path("models") / key) as folder:
            folder.mkdir()
            model.save(folder / "model.keras")
            if (weights := embedding_matrix(model)) is not None:  # lets export_embeddings skip TensorFlow
                np.save(folder / "embedding.npy", weights)
            shutil.copy(features / "spec.json", folder / "spec.json")
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
