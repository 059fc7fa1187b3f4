"""The exported model: an MLflow pyfunc that takes raw text and returns P(class 1).

It carries the Keras model and the preprocessing spec, and calls the same `transform` the
pipeline used, so a served prediction equals the pipeline's prediction for the same text.
"""
from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd

PACKAGE_DIR = Path(__file__).resolve().parents[1]
SERVING_PACKAGES = ("mlflow", "tensorflow-cpu", "keras", "numpy", "pandas", "scipy", "scikit-learn")


class TextClassifier(mlflow.pyfunc.PythonModel):
    """DataFrame with a `text` column → DataFrame with a `probability` column."""

    def load_context(self, context: Any) -> None:
        import keras

        from textlab.features import spec_from_dict

        self.model = keras.models.load_model(context.artifacts["keras_model"])
        self.spec = spec_from_dict(json.loads(Path(context.artifacts["spec"]).read_text(encoding="utf-8")))

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        texts = model_input["text"].astype(str).tolist()
        probabilities = self.model.predict(self.spec.transform(texts), verbose=0).ravel()
        return pd.DataFrame({"probability": probabilities.astype("float64")})


def pip_requirements() -> list[str]:
    """Pinned to what trained the model; passing them also skips MLflow's slow dependency inference."""
    return [f"{name}=={version(name)}" for name in SERVING_PACKAGES]


def log_text_model(model_dir: Path, examples: list[str]) -> Any:
    """Log `model_dir` (model.keras + spec.json) as the run's `model`, with signature and input example."""
    from mlflow.models import infer_signature

    example = pd.DataFrame({"text": examples})
    classifier = TextClassifier()
    artifacts = {"keras_model": str(model_dir / "model.keras"), "spec": str(model_dir / "spec.json")}
    classifier.load_context(type("Context", (), {"artifacts": artifacts})())
    signature = infer_signature(example, classifier.predict(None, example))
    return mlflow.pyfunc.log_model(name="model", python_model=TextClassifier(), artifacts=artifacts,
                                   code_paths=[str(PACKAGE_DIR)], signature=signature, input_example=example,
                                   pip_requirements=pip_requirements())
