"""Score raw texts with an ensemble folder: its members' own scorers, combined by the fitted stacker.

models/<key>/ensemble.json holds the members, their frameworks and the combiner's weights;
models/<key>/members/<member>/ each member's model folder as its train stage wrote it. The evaluate
stage and the served MLflow model both call `load_scorer`, so served predictions are the evaluated ones.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from textlab.ensembles import ENSEMBLE_FILE, MEMBERS_DIR, Stacker, stacker_from_dict

if TYPE_CHECKING:
    from textlab.adapters.serving import Scorer


@dataclass(frozen=True)
class EnsembleScorer:
    stacker: Stacker
    members: tuple[Scorer, ...]

    def probability(self, texts: list[str]) -> np.ndarray:
        return self.stacker.probability(np.column_stack([member.probability(texts) for member in self.members]))

    def known_tokens(self, texts: list[str]) -> np.ndarray:
        """The fewest any member knows: 0 when one member has nothing to go on."""
        return np.min(np.column_stack([member.known_tokens(texts) for member in self.members]), axis=1)


def member_scorer(framework: str, model_dir: Path) -> Scorer:
    """Only the frameworks the members use are imported (an all-scikit-learn ensemble never loads TensorFlow)."""
    if framework == "keras":
        from textlab.adapters import keras_scoring
        return keras_scoring.load_scorer(model_dir)
    if framework == "sklearn":
        from textlab.adapters import sklearn_scoring
        return sklearn_scoring.load_scorer(model_dir)
    raise ValueError(f"{model_dir}: an ensemble member's framework must be keras or sklearn, got {framework!r}")


def load_scorer(model_dir: Path) -> Scorer:
    record = json.loads((model_dir / ENSEMBLE_FILE).read_text(encoding="utf-8"))
    members = tuple(member_scorer(framework, model_dir / MEMBERS_DIR / member)
                    for member, framework in zip(record["members"], record["frameworks"], strict=True))
    return EnsembleScorer(stacker_from_dict(record), members)
