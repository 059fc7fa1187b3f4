"""tune@<model>: keras-tuner's random search over the settings params.yaml `tune.<model>` names, for a
`models` entry; each trial a nested MLflow run. Writes reports/tune/<model>/best.json (the best trial's
values, which train_tuned@<model> trains as `<model>_tuned`), trials.csv, and the tuner's own folder
search/ (kept between runs, so a killed search resumes: see `textlab.adapters.keras_tuning`).
"""
from __future__ import annotations

import mlflow

from textlab import paths
from textlab.adapters import keras_tuning
from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.params import load_params, model_params
from textlab.adapters.tracking import dvc_hashes, stage_run
from textlab.tuning import best_record


def main(key: str) -> None:
    params = load_params()
    hp, search = model_params(params, key), params["tune"][key]
    inputs = paths.inputs(hp["inputs"])
    with stage_run(f"tune@{key}", hp["corpus"], search, [str(inputs)]) as run:
        rows, resumed = keras_tuning.search(hp, search, inputs, paths.tune_search(key), dvc_hashes([str(inputs)]).get(str(inputs)),
                                            run.data.tags)
        best = best_record(key, search["objective"], rows)
        table = keras_tuning.trials_table(rows)
        mlflow.log_params({f"best.{name}": value for name, value in best["hyperparameters"].items()})
        mlflow.log_metrics({f"best_{search['objective']}": best["score"], "trials_scored": best["trials_scored"],
                            "trials_resumed": resumed})
        mlflow.set_tag("best_trial", best["trial"])
        mlflow.log_dict(best, "best.json")
        mlflow.log_figure(keras_tuning.objective_figure(table, search["objective"], list(search["space"])),
                          "objective_vs_hyperparameters.png")
        with atomic_path(paths.tune_trials(key)) as path:
            table.to_csv(path, index=False)
        write_json(paths.tune_best(key), best)
        print(f"tune@{key}: best trial {best['trial']} {best['hyperparameters']}: {search['objective']} "
              f"{best['score']}; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("tune", main)
