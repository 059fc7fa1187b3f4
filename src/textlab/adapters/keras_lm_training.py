"""Fit a Keras language model: the shared Keras trainer plus samples at every epoch's end.

As in the Keras text-generation example, each epoch ends with text generated from the same prompt
(the validation text's first window) at every `generation.temperatures`, logged to MLflow as
`samples/epoch_<n>.md`, so a user watches the model learn in the run's artifacts. An entry with
`targets: every` trains on windows with a target at every position instead of the vectorized sliding
windows' one target each: windows of the entry's `maxlen` ids (default: the view's) starting every
`step` ids (default: maxlen, non-overlapping). The model reads, and is scored and sampled with, windows
of that maxlen: its spec.json says so.
"""
from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import keras
import mlflow
import numpy as np
import pandas as pd

from textlab.adapters import keras_training
from textlab.adapters.keras_lm_scoring import KerasLanguageScorer
from textlab.adapters.tensors import load_ids, load_spec
from textlab.features import SequenceSpec, spec_to_dict
from textlab.generation import sample_ids, samples_markdown
from textlab.language import next_token_sequences


class SampleEachEpoch(keras.callbacks.Callback):
    def __init__(self, spec: SequenceSpec, prompt: list[int], generation: dict[str, Any]) -> None:
        super().__init__()
        self.spec, self.prompt, self.generation = spec, prompt, generation

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        scorer = KerasLanguageScorer(self.model, self.spec)
        sampled = sample_ids(scorer.next_distributions, self.prompt, self.generation["temperatures"],
                             self.generation["length"], self.generation["seed"])
        texts = {t: self.spec.detokenize(ids) for t, ids in sampled.items()}
        page = samples_markdown(f"epoch {epoch + 1}", self.spec.detokenize(self.prompt), texts)
        mlflow.log_text(page, f"samples/epoch_{epoch + 1:03d}.md")
        coolest = min(texts)
        print(f"epoch {epoch + 1} sample at temperature {coolest}: {texts[coolest][:120]!r}", flush=True)


def with_maxlen(inputs: Path, maxlen: int, folder: Path) -> Path:
    """`folder` made a view like `inputs` (its files linked) whose spec.json reads windows of `maxlen` ids."""
    for entry in inputs.iterdir():
        if entry.name != "spec.json":
            (folder / entry.name).symlink_to(entry.resolve())
    spec = dataclasses.replace(load_spec(inputs), maxlen=maxlen)
    (folder / "spec.json").write_text(json.dumps(spec_to_dict(spec)), encoding="utf-8")
    return folder


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    every = hp.get("targets", "last") == "every"
    if not every and (hp.get("maxlen") is not None or hp.get("step") is not None):
        raise ValueError(f"language_models.{hp['key']}: maxlen and step cut windows with a target at every position: "
                         "they need targets: every (the sliding windows of targets: last are the view's)")
    spec = load_spec(inputs)
    maxlen = int(hp.get("maxlen") or spec.maxlen)
    with tempfile.TemporaryDirectory() as tmp:
        if maxlen != spec.maxlen:
            inputs, spec = with_maxlen(inputs, maxlen, Path(tmp)), dataclasses.replace(spec, maxlen=maxlen)
        prompt = load_ids(inputs, "val")[: spec.maxlen].tolist()
        callbacks = [SampleEachEpoch(spec, prompt, hp["generation"])]
        if every:
            def every_position(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
                return next_token_sequences(load_ids(folder, split), maxlen, hp.get("step") if split == "train" else None)
            return keras_training.fit(hp, inputs, model_dir, callbacks, read_split=every_position)
        return keras_training.fit(hp, inputs, model_dir, callbacks)
