"""Translate raw English with a trained encoder–decoder folder (model.keras + pairs_spec.json).

The evaluate_translator stage and the served MLflow model both call `load_scorer`, so the served
translations are the evaluated ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from textlab.adapters.tensors import load_pairs_spec
from textlab.beam_search import beam_decode
from textlab.translation import (
    TranslationSpec,
    copy_translations,
    corpus_bleu,
    fit_retrieval,
    greedy_decode,
    token_accuracy,
)
from textlab.translation_models import next_word_predictor


@dataclass(frozen=True)
class TranslatorScorer:
    model: keras.Model
    spec: TranslationSpec

    def translate(self, texts: list[str], beam_width: int = 1, length_alpha: float = 0.0) -> list[str]:
        """One translation per English text (at most target_len words): greedy, or a beam search when
        `beam_width` > 1 (see `textlab.beam_search`)."""
        predict_next, source = next_word_predictor(self.model), self.spec.encode_source(texts)
        if beam_width == 1:
            return greedy_decode(predict_next, source, self.spec)
        return beam_decode(predict_next, source, self.spec, beam_width, length_alpha)

    def token_accuracy(self, pairs: pd.DataFrame) -> float:
        """Teacher-forced share of the reference's words (and END) predicted right, padding ignored."""
        decoder_in, decoder_out = self.spec.decode_inputs_and_targets(pairs["target"].tolist())
        forced = self.model.predict({"source": self.spec.encode_source(pairs["source"].tolist()),
                                     "decoder_in": decoder_in}, batch_size=256, verbose=0)
        return token_accuracy(np.argmax(forced, axis=-1), decoder_out)


def load_scorer(model_dir: Path) -> TranslatorScorer:
    spec = TranslationSpec.from_dict(load_pairs_spec(model_dir))
    return TranslatorScorer(keras.models.load_model(model_dir / "model.keras"), spec)


def evaluate(scorer: TranslatorScorer, tables: dict[str, pd.DataFrame],
             decoding: dict[str, Any]) -> tuple[dict[str, float | int], dict[str, list[str]]]:
    """The model (decoded as params.yaml `decoding` says) and the two baselines (retrieval over
    `tables["train"]`, copy the source) on test and val.

    Returns the rounded figures (test: `bleu`, `token_accuracy`, `test_pairs`, `baseline_<name>_bleu`;
    val: the same prefixed `val_`, and `val_pairs`) and the model's translations per held-out split.
    """
    train = tables["train"]
    retrieval = fit_retrieval(train["source"].tolist(), train["target"].tolist())
    scores: dict[str, float | int] = {}
    translations: dict[str, list[str]] = {}
    for split, prefix in (("test", ""), ("val", "val_")):
        held = tables[split]
        sources, references = held["source"].tolist(), held["target"].tolist()
        translations[split] = scorer.translate(sources, int(decoding["beam_width"]), float(decoding["length_alpha"]))
        baselines = {"retrieval": retrieval.translate(sources),
                     "copy": copy_translations(sources)}
        scores |= {f"{prefix}bleu": round(corpus_bleu(translations[split], references), 2),
                   f"{prefix}token_accuracy": round(scorer.token_accuracy(held), 4),
                   f"{split}_pairs": len(held),
                   **{f"{prefix}baseline_{name}_bleu": round(corpus_bleu(answers, references), 2)
                      for name, answers in baselines.items()}}
    return scores, translations
