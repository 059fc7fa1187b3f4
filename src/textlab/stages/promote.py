"""promote@<task>: every evaluated model of the task's corpus becomes a version of the registered model
<task>; the `champion` alias moves to the best on validation accuracy if it passed its quality gate, clears
the test floor and beats the current champion (a champion that fails its gate loses the alias) (textlab.registry.decide). Writes the decision to reports/registry/<task>.json.
"""
from __future__ import annotations

import mlflow

from textlab import paths
from textlab.adapters import registry
from textlab.adapters.cli import run_stage
from textlab.adapters.files import write_json
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run
from textlab.registry import decide, decision_record, task_models


def main(task: str) -> None:
    params = load_params()
    gate = params["registry"][task]
    corpus = gate["corpus"]
    with stage_run(f"promote@{task}", corpus, gate, [str(paths.metrics_dir(corpus)), str(paths.TRAIN_DIR)]) as run:
        client = mlflow.MlflowClient()
        candidates = [registry.candidate(client, task, model, train_stage, corpus)
                      for model, train_stage in task_models(params, corpus)]
        decision = decide(candidates, registry.current_champion(client, task), gate["min_test_accuracy"])
        if decision.promote or decision.champion is None:
            registry.crown(client, task, decision.champion.version if decision.champion else None)
        record = decision_record(task, decision, candidates)
        mlflow.log_dict(record, "decision.json")
        mlflow.set_tag("decision", decision.reason)
        write_json(registry.decision_path(task), record)
        print(f"promote@{task}: {'promoted' if decision.promote else 'kept'}: {decision.reason}; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("promote", main)
