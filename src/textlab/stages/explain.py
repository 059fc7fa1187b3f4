"""explain@<corpus>: LIME explanations of params.yaml `explain.<corpus>.probes` by the champion of the
entry's task (read from promote's decision, reports/registry/<task>.json), through its served MLflow model.

Writes reports/explain/<corpus>/pages/ (an HTML page and a PNG per probe, also logged to MLflow) and
reports/explain/<corpus>/metrics.json; with `linear`, that baseline's probes are explained too and
its LIME weights' signs compared with its own word weights (`sign_agreement`).
"""
from __future__ import annotations

import mlflow
import mlflow.pyfunc

from textlab import paths
from textlab.adapters import explaining
from textlab.adapters.cli import StageError, run_stage
from textlab.adapters.files import atomic_path, write_json
from textlab.adapters.params import load_params
from textlab.adapters.registry import decision_path, read_json
from textlab.adapters.tracking import stage_run
from textlab.explaining import sign_agreement, token_weights


def main(corpus: str) -> None:
    entry = load_params()["explain"][corpus]
    decision_file = decision_path(entry["task"])
    decision = read_json(decision_file)
    if not decision["champion"]:
        raise StageError(f"{decision_file}: {entry['task']} has no champion yet ({decision['reason']})")
    versions = {c["model"]: c["version"] for c in decision["candidates"]}
    champion = decision["champion"]["model"]
    pages = paths.explain_pages(corpus)
    with stage_run(f"explain@{corpus}", corpus, entry, [str(decision_file)]) as run, atomic_path(pages) as staged:
        _, found = explaining.explain_version(entry, versions[champion], staged)
        metrics = {"probes": len(found), "mean_fit_r2": round(sum(e.score for e in found) / len(found), 4)}
        mlflow.set_tags({"champion": champion, "champion.version": versions[champion]})
        if entry["linear"]:  # its pages in pages/linear
            model, found = explaining.explain_version(entry, versions[entry["linear"]], staged / "linear")
            own = explaining.linear_weights(model)
            agree, compared = map(sum, zip(*(sign_agreement(token_weights(e), own) for e in found), strict=True))
            metrics.update(sign_agreement=round(agree / compared, 4) if compared else None, tokens_compared=compared)
        mlflow.log_metrics({k: v for k, v in metrics.items() if v is not None})
        mlflow.log_artifacts(str(staged), "explanations")
        write_json(paths.explain_metrics(corpus), metrics)
        print(f"explain@{corpus}: {champion} (version {versions[champion]}): {metrics}; run {run.info.run_id}")


if __name__ == "__main__":
    run_stage("explain", main)
