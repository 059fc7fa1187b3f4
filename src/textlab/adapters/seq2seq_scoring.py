"""Translate raw English with a trained encoder–decoder folder (model.keras + pairs_spec.json).

The evaluate_translator stage and the served MLflow model both call `load_scorer`, so the served
translations are the evaluated ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras

from textlab.adapters.tensors import load_pairs_spec
from textlab.translation import TranslationSpec, greedy_decode
from textlab.translation_models import next_word_predictor


@dataclass(frozen=True)
class TranslatorScorer:
    model: keras.Model
    spec: TranslationSpec

    def translate(self, texts: list[str]) -> list[str]:
        """Greedy translations, one per English text (at most target_len words each)."""
        return greedy_decode(next_word_predictor(self.model), self.spec.encode_source(texts), self.spec)


def load_scorer(model_dir: Path) -> TranslatorScorer:
    spec = TranslationSpec.from_dict(load_pairs_spec(model_dir))
    return TranslatorScorer(keras.models.load_model(model_dir / "model.keras"), spec)
