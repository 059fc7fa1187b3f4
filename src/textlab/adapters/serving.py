"""The exported model: an MLflow pyfunc that takes raw text and returns P(class 1) and a trust flag
(classifiers), a sampled continuation of each prompt (language models), the neighbours of a word (word
vectors) or a translation (translators).

It carries the whole model folder and scores it with the framework's `load_scorer`
(`keras_scoring` or `sklearn_scoring`), the same function the evaluate stage uses, so served
predictions are the evaluated ones. Keras, scikit-learn and skops are imported only by those
modules, and only the one named in the logged `model_config` is loaded when serving.
"""
from __future__ import annotations

import importlib
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

import mlflow.pyfunc
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException

from textlab.kinds import SERVED
from textlab.language import generate
from textlab.serving_input import TEXT_COLUMN, texts_from_input
from textlab.text import RESERVED

PACKAGE_DIR = Path(__file__).resolve().parents[1]
Framework = str  # a key of textlab.kinds.SERVED: keras, sklearn, keras_lm, ngram, word2vec, seq2seq, ensemble
COMMON_PACKAGES = ("mlflow", "numpy", "pandas", "scipy")
FRAMEWORK_PACKAGES: dict[str, tuple[str, ...]] = {framework: kind.packages for framework, kind in SERVED.items()}
# `tensorflow` in a requirement means the build that is installed: the CUDA one, or the lock's CPU-only one.
TENSORFLOW_BUILDS = ("tensorflow", "tensorflow-cpu")
GENERATION_DEFAULTS: dict[str, Any] = {"temperature": 1.0, "length": 100, "seed": 0}
MAX_LENGTH = 10_000  # tokens one request may ask for: sampling is one model call per token


class Scorer(Protocol):
    def probability(self, texts: list[str]) -> np.ndarray:
        """float64 P(class 1) per text."""
        ...

    def known_tokens(self, texts: list[str]) -> np.ndarray:
        """int64 count per text of the tokens (or n-grams) the model has a feature for; 0 = nothing known."""
        ...


def framework_scorer(framework: str, model_dir: Path) -> Scorer:
    """Imports only the named framework's scoring module (so a Keras model never loads skops, and back)."""
    if framework not in FRAMEWORK_PACKAGES:
        raise ValueError(f"framework must be one of {sorted(FRAMEWORK_PACKAGES)}, got {framework!r}")
    return importlib.import_module(f"textlab.adapters.{framework}_scoring").load_scorer(model_dir)


def score(scorer: Scorer, texts: list[str]) -> pd.DataFrame:
    """One row per text; no texts → the empty answer, without running the model (Keras and
    scikit-learn both refuse zero rows)."""
    if not texts:
        return pd.DataFrame({"probability": np.empty(0, np.float64), "known_tokens": np.empty(0, np.int64)})
    return pd.DataFrame({"probability": np.asarray(scorer.probability(texts), dtype=np.float64),
                         "known_tokens": np.asarray(scorer.known_tokens(texts), dtype=np.int64)})


def continuations(scorer: Any, prompts: list[str], settings: dict[str, Any]) -> pd.DataFrame:
    """Per prompt: `length` sampled tokens after it, and how many of its tokens the model knows."""
    length, temperature = settings["length"], float(settings["temperature"])
    if not 0 <= length <= MAX_LENGTH or temperature < 0:
        raise ValueError(f"length must be 0..{MAX_LENGTH} and temperature ≥ 0, got {length} and {temperature}")
    generated, known = [], []
    for prompt_ids in scorer.spec.ids(prompts):
        rng = np.random.default_rng(int(settings["seed"]))
        generated.append(scorer.spec.detokenize(generate(scorer.next_distribution, prompt_ids, length, temperature, rng)))
        known.append(sum(i >= len(RESERVED) for i in prompt_ids))
    return pd.DataFrame({"generated": pd.Series(generated, dtype=object), "known_tokens": np.asarray(known, np.int64)})


def neighbour_lists(scorer: Any, texts: list[str], settings: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per text: the nearest words of its first known word ('' if none), and how many of its words are known."""
    neighbours, known, vocabulary = [], [], set(scorer.spec.vocabulary[len(RESERVED):])
    for tokens in scorer.spec.tokens(texts):
        found = [t for t in tokens if t in vocabulary]
        near = scorer.neighbours(found[:1]).get(found[0], []) if found else []
        neighbours.append(" ".join(word for word, _ in near))
        known.append(len(found))
    return pd.DataFrame({"neighbours": pd.Series(neighbours, dtype=object), "known_tokens": np.asarray(known, np.int64)})


def translations(scorer: Any, texts: list[str], settings: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per English text: its greedy Spanish translation, and how many of its words the encoder knows."""
    source = scorer.spec.encode_source(texts)
    return pd.DataFrame({"translation": pd.Series(scorer.translate(texts), dtype=object),
                         "known_tokens": (source >= len(RESERVED)).sum(axis=1).astype(np.int64)})


class ServedText(mlflow.pyfunc.PythonModel):
    """DataFrame with a `text` column → the framework's answer, one row per text.

    The logged `model_config` names the framework; only its scoring module is imported when serving.
    """

    def load_context(self, context: Any) -> None:
        self.framework = context.model_config["framework"]
        self.scorer = framework_scorer(self.framework, Path(context.artifacts["model_dir"]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        try:
            return ANSWERS[self.framework](self.scorer, texts_from_input(model_input),
                                           {**GENERATION_DEFAULTS, **(params or {})})
        except ValueError as error:
            # An MlflowException keeps the message in the scoring server's 400 answer; any other
            # error becomes "unexpected error while evaluating the model" with a stack trace.
            raise MlflowException.invalid_parameter_value(str(error)) from error


def classify(scorer: Any, texts: list[str], settings: dict[str, Any] | None = None) -> pd.DataFrame:
    return score(scorer, texts)


# answer → what computes it: P(class 1); a continuation (temperature, length, seed); neighbours; a translation.
ANSWER_FUNCTIONS: dict[str, Any] = {"probability": classify, "continuation": continuations,
                                    "neighbours": neighbour_lists, "translation": translations}
ANSWERS: dict[str, Any] = {framework: ANSWER_FUNCTIONS[kind.answer] for framework, kind in SERVED.items()}
# the frameworks whose served model takes inference params
GENERATORS = tuple(framework for framework, kind in SERVED.items() if kind.answer == "continuation")


def installed(names: tuple[str, ...]) -> str:
    """The first of `names` that is an installed distribution."""
    for name in names:
        try:
            version(name)
            return name
        except PackageNotFoundError:
            continue
    raise PackageNotFoundError(" or ".join(names))


def pip_requirements(framework: Framework) -> list[str]:
    """Pinned to what trained the model; passing them also skips MLflow's slow dependency inference."""
    names = [installed(TENSORFLOW_BUILDS) if name == "tensorflow" else name
             for name in (*COMMON_PACKAGES, *FRAMEWORK_PACKAGES[framework])]
    return [f"{name}=={version(name)}" for name in names]


def log_text_model(model_dir: Path, framework: Framework, examples: list[str]) -> Any:
    """Log `model_dir` as the run's `model`, with signature and input example; returns the ModelInfo."""
    from mlflow.models import infer_signature

    example, scorer = pd.DataFrame({TEXT_COLUMN: examples}), framework_scorer(framework, model_dir)
    run = mlflow.active_run()
    run_data = mlflow.get_run(run.info.run_id).data if run else None
    answer = ANSWERS[framework](scorer, examples, GENERATION_DEFAULTS)
    with warnings.catch_warnings():  # known_tokens is an output column, never missing: the hint does not apply
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer", category=UserWarning)
        signature = infer_signature(example, answer, params=GENERATION_DEFAULTS if framework in GENERATORS else None)
        return mlflow.pyfunc.log_model(name="model", python_model=ServedText(),
                                       artifacts={"model_dir": str(model_dir)},
                                       model_config={"framework": framework}, code_paths=[str(PACKAGE_DIR)],
                                       signature=signature, input_example=example,
                                       pip_requirements=pip_requirements(framework),
                                       tags=logged_model_tags(run_data.tags) if run_data else None,
                                       params=run_data.params if run_data else None)


def logged_model_tags(run_tags: dict[str, str]) -> dict[str, str]:
    """What tells the models of one experiment apart in the UI's Models tab (all are named `model`): the
    params.yaml entry, its architecture and its stage, plus the data hashes and commit of the run."""
    tags = {k: v for k, v in run_tags.items() if k.startswith(("dvc.dep.", "git."))}
    if "dvc.stage" in run_tags:
        key = run_tags["dvc.stage"].partition("@")[2]
        tags.update({"model": key, "architecture": key.partition("-")[2], "dvc.stage": run_tags["dvc.stage"]})
    return tags
