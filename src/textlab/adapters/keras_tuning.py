"""keras-tuner's RandomSearch over one Keras model's settings, every trial a nested MLflow run of the stage's run.

The tuner's project folder (reports/tune/<model>/search) keeps each finished trial, so a killed search
resumes from the trials already done; it resumes only under the same search, model settings, data and
code (`textlab.tuning.fingerprint`), and starts over when the stored search had run to the end.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import keras
import keras_tuner as kt
import matplotlib
import mlflow
import pandas as pd
import tensorflow as tf

from textlab import models, tuning
from textlab.adapters import keras_training
from textlab.tracking import one_line

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the file-only backend)

STAMP = "textlab.json"  # beside keras-tuner's files: the fingerprint and whether the search ran to its end
CODE = (tuning, models, keras_training)  # modules whose change makes stored trials stale
RUN_TAGS = ("dvc.stage", "git.commit", "process.pid", "process.host")  # a trial run shares these with its stage


class TrackedSearch(kt.RandomSearch):
    """RandomSearch that opens a nested MLflow run per trial: its values as params, each epoch's
    metrics (per execution when there are several), its score and its status."""

    def __init__(self, *args: Any, stage_tags: dict[str, str], seed: int, **kwargs: Any) -> None:
        super().__init__(*args, seed=seed, **kwargs)
        self.stage_tags, self.base_seed, self.execution = stage_tags, seed, 0

    def on_trial_begin(self, trial: kt.engine.trial.Trial) -> None:
        super().on_trial_begin(trial)
        self.execution = 0
        mlflow.start_run(run_name=f"{self.stage_tags['dvc.stage']} trial {trial.trial_id}", nested=True,
                         tags={**self.stage_tags, "tune.trial": trial.trial_id})
        mlflow.log_params(trial.hyperparameters.values)

    def _build_and_fit_model(self, trial: kt.engine.trial.Trial, *args: Any, **kwargs: Any) -> Any:
        # One call per execution: each gets its own seed (repeatable) and its own metric names.
        self.execution += 1
        keras.utils.set_random_seed(self.base_seed + 1000 * int(trial.trial_id) + self.execution)
        prefix = f"execution_{self.execution}." if self.executions_per_trial > 1 else ""
        kwargs["callbacks"] = [*kwargs.get("callbacks", []), keras_training.epoch_logger(prefix)]
        try:
            return super()._build_and_fit_model(trial, *args, **kwargs)
        except (KeyboardInterrupt, SystemExit) as err:  # keras-tuner keeps other errors as a failed trial
            mlflow.set_tag("error", one_line(f"{type(err).__name__}: {err}"))
            mlflow.end_run("KILLED")
            raise

    def _configure_tensorboard_dir(self, callbacks: list[Any], trial: Any, execution: int = 0) -> None:
        """No TensorBoard here (trials are logged to MLflow); keras-tuner would import it for every trial."""

    def on_trial_end(self, trial: kt.engine.trial.Trial) -> None:
        super().on_trial_end(trial)  # the oracle scores the trial and saves it to the project folder
        mlflow.set_tag("tune.status", trial.status)
        if trial.score is not None:
            mlflow.log_metric(f"objective_{self.oracle.objective.name}", trial.score)
        if trial.message:
            mlflow.set_tag("error", one_line(trial.message.strip().splitlines()[-1]))
            mlflow.log_text(trial.message, "error.txt")
        mlflow.end_run("FINISHED" if trial.status == kt.engine.trial.TrialStatus.COMPLETED else "FAILED")


def code_digest() -> str:
    return hashlib.sha256(b"".join(Path(module.__file__).read_bytes() for module in CODE)).hexdigest()[:16]


def prepare(project: Path, fingerprint: str) -> str:
    """Keep the stored trials if they belong to this search and it was cut short; say what happened."""
    stamp = project / STAMP
    stored = json.loads(stamp.read_text(encoding="utf-8")) if stamp.exists() else None
    if stored and stored["fingerprint"] == fingerprint and not stored["complete"]:
        return "resumed"
    if project.exists():
        shutil.rmtree(project)
    return "started over" if stored else "new"


def mark(project: Path, fingerprint: str, complete: bool) -> None:
    project.mkdir(parents=True, exist_ok=True)
    (project / STAMP).write_text(json.dumps({"fingerprint": fingerprint, "complete": complete}) + "\n", encoding="utf-8")


def trial_rows(tuner: kt.RandomSearch) -> list[dict[str, Any]]:
    return [{"trial": t.trial_id, "status": t.status, "score": t.score, "hyperparameters": t.hyperparameters.values}
            for t in sorted(tuner.oracle.trials.values(), key=lambda t: int(t.trial_id))]


def search(hp: dict[str, Any], search: dict[str, Any], inputs: Path, project: Path, data_hash: str | None,
           stage_tags: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    """Run (or resume) the search; returns every trial's row and how many finished trials it found stored."""
    tf.config.experimental.enable_op_determinism()
    fingerprint = tuning.fingerprint(search, hp, f"{data_hash}:{code_digest()}")
    state = prepare(project, fingerprint)
    build, (x_train, y_train), (x_val, y_val) = keras_training.load_inputs(hp, inputs)
    objective = search["objective"]
    tuner = TrackedSearch(lambda kt_hp: build(tuning.overlay(hp, tuning.declare(search["space"], kt_hp))),
                          objective=kt.Objective(objective, tuning.DIRECTIONS[objective]),
                          max_trials=int(search["trials"]), executions_per_trial=int(search["executions"]),
                          seed=int(search["seed"]), directory=str(project.parent), project_name=project.name,
                          overwrite=False, stage_tags={k: v for k, v in stage_tags.items() if k in RUN_TAGS})
    resumed = sum(t.status == kt.engine.trial.TrialStatus.COMPLETED for t in tuner.oracle.trials.values())
    mlflow.set_tag("tune.resume", f"{state}: {resumed} finished trials found" if state == "resumed" else state)
    print(f"{stage_tags['dvc.stage']}: {state} search" + (f", {resumed} of {search['trials']} trials already done"
                                                           if state == "resumed" else ""))
    mark(project, fingerprint, complete=False)
    tuner.search(x_train, y_train, validation_data=(x_val, y_val), epochs=int(search["epochs"]),
                 batch_size=int(hp["batch_size"]), callbacks=[keras_training.early_stopping(hp)], verbose=2)
    mark(project, fingerprint, complete=True)
    return trial_rows(tuner), resumed


def trials_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([{"trial": r["trial"], "status": r["status"], "score": r["score"], **r["hyperparameters"]}
                         for r in rows])


def objective_figure(table: pd.DataFrame, objective: str, names: list[str]) -> Any:
    """The objective against each searched knob, one panel a knob, the best trial circled."""
    figure, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.5), squeeze=False)
    scored = table.dropna(subset=["score"])
    best = scored.loc[scored["score"].idxmax() if tuning.DIRECTIONS[objective] == "max" else scored["score"].idxmin()]
    for axis, name in zip(axes[0], names, strict=True):
        axis.scatter(scored[name].astype(str) if scored[name].dtype == object else scored[name], scored["score"])
        axis.scatter([best[name]], [best["score"]], s=160, facecolors="none", edgecolors="red", label="best")
        axis.set_xlabel(name)
        axis.set_ylabel(objective)
        axis.legend(loc="lower right")
    figure.suptitle(f"{objective} of {len(scored)} trials")
    figure.tight_layout()
    return figure
