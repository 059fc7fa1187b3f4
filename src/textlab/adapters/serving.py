"""The exported model: an MLflow pyfunc that takes raw text and returns P(class 1).

It carries the whole model folder (a Keras model with its preprocessing spec, or a scikit-learn
pipeline on raw text) and scores it with `load_scorer`, the same function the evaluate stage
uses, so served predictions are the evaluated ones.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import numpy as np
import pandas as pd

PACKAGE_DIR = Path(__file__).resolve().parents[1]
SERVING_PACKAGES = ("mlflow", "tensorflow-cpu", "keras", "numpy", "pandas", "scipy", "scikit-learn")
Scorer = Callable[[list[str]], np.ndarray]


def load_scorer(model_dir: Path) -> Scorer:
    """Raw texts → P(class 1), for a folder holding model.keras + spec.json or model.joblib."""
    if (model_dir / "model.joblib").exists():
        import joblib

        pipeline = joblib.load(model_dir / "model.joblib")
        return lambda texts: pipeline.predict_proba(texts)[:, 1]
    import keras

    from textlab.features import spec_from_dict

    model = keras.models.load_model(model_dir / "model.keras")
    spec = spec_from_dict(json.loads((model_dir / "spec.json").read_text(encoding="utf-8")))
    return lambda texts: model.predict(spec.transform(texts), verbose=0).ravel()


class TextClassifier(mlflow.pyfunc.PythonModel):
    """DataFrame with a `text` column → DataFrame with a `probability` column."""

    def load_context(self, context: Any) -> None:
        self.score = load_scorer(Path(context.artifacts["model_dir"]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        texts = model_input["text"].astype(str).tolist()
        return pd.DataFrame({"probability": np.asarray(self.score(texts), dtype="float64")})


def pip_requirements() -> list[str]:
    """Pinned to what trained the model; passing them also skips MLflow's slow dependency inference."""
    return [f"{name}=={version(name)}" for name in SERVING_PACKAGES]


def log_text_model(model_dir: Path, examples: list[str]) -> Any:
    """Log `model_dir` as the run's `model`, with signature and input example."""
    from mlflow.models import infer_signature

    example = pd.DataFrame({"text": examples})
    output = pd.DataFrame({"probability": np.asarray(load_scorer(model_dir)(examples), dtype="float64")})
    return mlflow.pyfunc.log_model(name="model", python_model=TextClassifier(), artifacts={"model_dir": str(model_dir)},
                                   code_paths=[str(PACKAGE_DIR)], signature=infer_signature(example, output),
                                   input_example=example, pip_requirements=pip_requirements())
