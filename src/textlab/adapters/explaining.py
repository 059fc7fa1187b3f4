"""Explain a served MLflow model's answers: the pyfunc as LIME's classifier on raw text, and the pages.

Any logged or registered model is explained the same way (Keras or scikit-learn), through the very
pyfunc `textlab predict` and the scoring server answer with.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib
import mlflow
import mlflow.pyfunc
import numpy as np
import pandas as pd

from textlab.explaining import CLASS_NAMES, GENERIC_CLASSES, Explanation, Level, PredictProba, explain, html_page

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the file-only backend)


def predict_proba(model: mlflow.pyfunc.PyFuncModel) -> PredictProba:
    """texts → [[P(class 0), P(class 1)]] from the served model's `probability` column."""
    def answer(texts: list[str]) -> np.ndarray:
        probability = model.predict(pd.DataFrame({"text": list(texts)}))["probability"].to_numpy(np.float64)
        return np.column_stack([1 - probability, probability])

    return answer


def served_scorer(model: mlflow.pyfunc.PyFuncModel) -> Any:
    """The framework scorer inside a textlab pyfunc (`textlab.adapters.serving.ServedText`)."""
    scorer = getattr(model.unwrap_python_model(), "scorer", None)
    if scorer is None or not hasattr(scorer, "probability"):
        raise ValueError("not a textlab classifier: its served model answers no probability")
    return scorer


def level_of(model: mlflow.pyfunc.PyFuncModel) -> Level:
    """char for a model that reads characters, else word (scikit-learn baselines read words)."""
    spec = getattr(served_scorer(model), "spec", None)
    return getattr(getattr(spec, "sequence", spec), "level", "word")


def classes_of(model: mlflow.pyfunc.PyFuncModel) -> tuple[str, str]:
    """The class names of the corpus whose experiment logged the model, when it is known."""
    run_id = model.metadata.run_id
    if not run_id:
        return GENERIC_CLASSES
    name = mlflow.get_experiment(mlflow.get_run(run_id).info.experiment_id).name
    return CLASS_NAMES.get(name.removeprefix("textlab-"), GENERIC_CLASSES)


def slug(number: int, text: str) -> str:
    return f"{number:02d}-" + (re.sub(r"[^A-Za-z0-9]+", "_", text[:32]).strip("_") or "text")


def figure(explanation: Explanation, model: str, classes: tuple[str, str]) -> Any:
    """Bars of the explained tokens in text order: up toward classes[1], down toward classes[0]."""
    ordered = sorted(explanation.contributions, key=lambda c: c.starts[0])
    fig, axis = plt.subplots(figsize=(max(4.0, 0.6 * len(ordered) + 2), 3.5))
    axis.bar(range(len(ordered)), [c.weight for c in ordered],
             color=["#2166ac" if c.weight > 0 else "#b2182b" for c in ordered])
    axis.set_xticks(range(len(ordered)), [c.token for c in ordered], rotation=45 if len(ordered) > 8 else 0)
    axis.axhline(0, color="black", linewidth=0.8)
    axis.set_ylabel(f"toward {classes[1]} (+) / {classes[0]} (−)")
    title = explanation.text if len(explanation.text) <= 40 else explanation.text[:39] + "…"
    axis.set_title(f"{model}: {title!r}, P({classes[1]}) = {explanation.probability:.3f}", fontsize=9)
    fig.tight_layout()
    return fig


def write_pages(explanations: list[Explanation], folder: Path, model: str, classes: tuple[str, str]) -> list[Path]:
    """One HTML page and one PNG per explanation in the new folder `folder`; the pages' names."""
    folder.mkdir(parents=True)
    pages = []
    for number, explanation in enumerate(explanations, start=1):
        name = slug(number, explanation.text)
        (folder / f"{name}.html").write_text(html_page(explanation, model, classes), encoding="utf-8")
        fig = figure(explanation, model, classes)
        fig.savefig(folder / f"{name}.png", dpi=100, metadata={"Software": None})
        plt.close(fig)
        pages.append(f"{name}.html")
    return pages


def linear_weights(model: mlflow.pyfunc.PyFuncModel) -> dict[str, float]:
    """A served scikit-learn linear pipeline's own weight of each vocabulary word: the word alone through
    every step before the classifier, times its coefficients (NBSVM: the coefficient × the NB ratio)."""
    pipeline = served_scorer(model).pipeline
    vectorizer, classifier = pipeline[0], pipeline[-1]
    words = [w for w in vectorizer.vocabulary_ if " " not in w]  # unigrams: what LIME removes is a word
    features = pipeline[:-1].transform(words)
    return dict(zip(words, (features @ classifier.coef_.ravel()).tolist(), strict=True))


def explain_version(entry: dict, version: str, folder: Path) -> tuple[mlflow.pyfunc.PyFuncModel, list[Explanation]]:
    """Every probe of an `explain` entry explained by version `version` of its task, the pages written to `folder`."""
    name = f"{entry['task']}/{version}"
    model = mlflow.pyfunc.load_model(f"models:/{name}")
    level, classes, proba = level_of(model), classes_of(model), predict_proba(model)
    found = [explain(proba, text, level, entry["samples"], entry["features"], entry["seed"]) for text in entry["probes"]]
    write_pages(found, folder, name, classes)
    return model, found
