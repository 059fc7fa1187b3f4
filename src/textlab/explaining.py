"""LIME explanations of one text's P(class 1): each character's (char level) or word's (word level)
contribution, a page that shows them in place, and how far a linear model's own weights agree.

LIME perturbs the raw text (characters deleted, or every occurrence of a word removed), asks the
model for each variant, and fits a local linear model; its weights are the contributions.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from lime.lime_text import LimeTextExplainer

Level = Literal["char", "word"]
PredictProba = Callable[[list[str]], np.ndarray]  # texts → (n, 2) class probabilities
CLASS_NAMES: dict[str, tuple[str, str]] = {"names": ("female", "male"), "imdb": ("negative", "positive")}
GENERIC_CLASSES = ("class 0", "class 1")


@dataclass(frozen=True)
class Contribution:
    token: str                 # a character, or a word as written in the text
    starts: tuple[int, ...]    # character offsets of the token in the text (a word: each occurrence)
    weight: float              # LIME's local weight toward class 1 (negative: toward class 0)


@dataclass(frozen=True)
class Explanation:
    text: str
    probability: float         # the model's P(class 1) for the whole text
    contributions: tuple[Contribution, ...]   # strongest first
    score: float               # R² of LIME's local linear fit on the perturbed texts


def explain(predict_proba: PredictProba, text: str, level: Level, samples: int, features: int,
            seed: int) -> Explanation:
    """LIME on one text; `features` tokens at most, `samples` perturbed texts, repeatable under `seed`."""
    if not text.strip():
        raise ValueError("an empty text has nothing to explain")
    char = level == "char"
    explainer = LimeTextExplainer(class_names=list(GENERIC_CLASSES), char_level=char, bow=not char,
                                  mask_string="" if char else None, random_state=seed)
    found = explainer.explain_instance(text, predict_proba, labels=(1,), num_features=features, num_samples=samples)
    indexed = found.domain_mapper.indexed_string
    contributions = []
    for feature, weight in found.as_map()[1]:
        positions = np.atleast_1d(indexed.positions[feature])
        starts = tuple(int(indexed.string_start[p]) for p in positions)
        contributions.append(Contribution(str(indexed.word(feature)), starts, float(weight)))
    return Explanation(text, float(found.predict_proba[1]), tuple(contributions), float(found.score))


def token_weights(explanation: Explanation, fold: Callable[[str], str] = str.lower) -> dict[str, float]:
    """Contribution per (folded) token; a token explained at several places sums its weights."""
    weights: dict[str, float] = {}
    for c in explanation.contributions:
        weights[fold(c.token)] = weights.get(fold(c.token), 0.0) + c.weight
    return weights


def sign_agreement(explained: Mapping[str, float], own: Mapping[str, float]) -> tuple[int, int]:
    """(tokens whose LIME weight has the sign of the model's own weight, tokens compared): tokens with
    a non-zero weight on both sides."""
    compared = [t for t, w in explained.items() if w != 0 and own.get(t, 0.0) != 0]
    return int(sum(np.sign(explained[t]) == np.sign(own[t]) for t in compared)), len(compared)


def _colour(weight: float, strongest: float) -> str:
    alpha = 0.15 + 0.85 * abs(weight) / strongest if strongest else 0.0
    return f"rgba(33, 102, 172, {alpha:.2f})" if weight > 0 else f"rgba(178, 24, 43, {alpha:.2f})"


def html_page(explanation: Explanation, model: str, classes: tuple[str, str] = GENERIC_CLASSES) -> str:
    """A self-contained page: the text with each explained token shaded (blue toward classes[1], red toward
    classes[0]) and a table of the weights."""
    spans: dict[int, Contribution] = {s: c for c in explanation.contributions for s in c.starts}
    strongest = max((abs(c.weight) for c in explanation.contributions), default=0.0)
    text, marked, i = explanation.text, [], 0
    while i < len(text):
        if i in spans:
            c = spans[i]
            marked.append(f'<span style="background:{_colour(c.weight, strongest)}" title="{c.weight:+.4f}">'
                          f"{html.escape(text[i:i + len(c.token)])}</span>")
            i += len(c.token)
        else:
            marked.append(html.escape(text[i]))
            i += 1
    rows = "".join(f"<tr><td>{html.escape(repr(c.token))}</td><td>{','.join(map(str, c.starts))}</td>"
                   f"<td>{c.weight:+.4f}</td><td>{classes[c.weight > 0]}</td></tr>" for c in explanation.contributions)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(model)}: explanation</title></head>"
            f"<body style='font-family:sans-serif'><h1>{html.escape(model)}</h1>"
            f"<p>P({html.escape(classes[1])}) = {explanation.probability:.4f}; LIME local fit R² = {explanation.score:.3f}. "
            f"<span style='color:#2166ac'>Blue</span> pushes toward {html.escape(classes[1])}, "
            f"<span style='color:#b2182b'>red</span> toward {html.escape(classes[0])}.</p>"
            f"<p style='font-size:1.6em;white-space:pre-wrap'>{''.join(marked)}</p>"
            f"<table border='1' cellpadding='4'><tr><th>token</th><th>at</th><th>weight</th><th>toward</th></tr>"
            f"{rows}</table></body></html>\n")
