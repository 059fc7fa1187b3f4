"""Fit a counting language model on a text view's training id stream (seconds, no TensorFlow)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from textlab import language
from textlab.adapters.files import normalize_zip
from textlab.adapters.ngram_scoring import MODEL_FILE, CountScorer, count_arrays
from textlab.adapters.tensors import load_ids, load_spec

MARKOV_ALPHA = 0.01  # add-alpha smoothing when the entry leaves `alpha` out
KNESER_NEY_DISCOUNT = 0.75  # the usual absolute discount when the entry leaves `discount` out


def fit(hp: dict[str, Any], inputs: Path, model_dir: Path) -> pd.DataFrame:
    """Write counts.npz + spec.json into `model_dir`; return one row with train and val cross-entropy (nats)."""
    spec = load_spec(inputs)
    train, val = load_ids(inputs, "train"), load_ids(inputs, "val")
    if hp["family"] == "markov":
        scorer = CountScorer(spec, markov=language.fit_markov(train, spec.vocab_size, hp.get("alpha", MARKOV_ALPHA)))
    else:
        scorer = CountScorer(spec, ngram=language.fit_ngram(train, spec.vocab_size, hp["order"],
                                                            hp.get("discount", KNESER_NEY_DISCOUNT)))
    model_dir.mkdir()
    np.savez_compressed(model_dir / MODEL_FILE, **count_arrays(scorer))
    normalize_zip(model_dir / MODEL_FILE)  # np.savez stamps the time into the zip: same counts, same bytes
    shutil.copy(inputs / "spec.json", model_dir / "spec.json")
    return pd.DataFrame([{"epoch": 1, "loss": language.cross_entropy_nats(scorer.log2_probs(train)),
                          "val_loss": language.cross_entropy_nats(scorer.log2_probs(val))}])
