"""The kinds of model: one row per params.yaml model section, the one table the others derive from.

params_schema's per-section families, registry.TRAIN_STAGES, adapters.params.CLASSIFIER_FRAMEWORKS and the
sections an interpolation may mix, serving's packages and answers, and the leaderboard's sections are all
read from `KINDS`; tests/test_kinds.py checks it against dvc.yaml (each kind's stage groups iterate over
its section), the schema and the builders. Pure data.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    section: str                 # params.yaml section of its entries (a key is unique across all sections)
    families: tuple[str, ...]    # the `family` values an entry may take
    train_stage: str | None      # dvc.yaml stage group that trains an entry (None: nothing trained)
    evaluate_stage: str          # dvc.yaml stage group that writes its reports/metrics/<corpus>/<key>.json
    framework: str | None        # what the served model loads: textlab.adapters.<framework>_scoring (None: not served)
    metric: str                  # its ranking metric, a key of textlab.reports.KINDS
    answer: str | None           # what the served model answers: probability, continuation, neighbours, translation
    packages: tuple[str, ...]    # pip requirements of the served model beside serving's common ones
    members: tuple[str, ...] = ()  # sections whose entries an entry combines (ensembles, interpolations)


KERAS = ("tensorflow", "keras")
SKLEARN = ("scikit-learn", "skops")

# In MODEL_SECTIONS' order (messages list the sections in it).
KINDS: tuple[Kind, ...] = (
    Kind("models", ("dense", "rnn", "conv1d", "flatten", "pooled"), "train", "evaluate", "keras", "accuracy",
         "probability", KERAS),
    Kind("baselines", ("tfidf_logreg", "nbsvm"), "train_baseline", "evaluate_baseline", "sklearn", "accuracy",
         "probability", SKLEARN),
    Kind("language_models", ("lm_rnn",), "train_lm", "evaluate_lm", "keras_lm", "bits_per_token", "continuation",
         KERAS),
    Kind("ngram_models", ("markov", "kneser_ney"), "train_ngram", "evaluate_ngram", "ngram", "bits_per_token",
         "continuation", ()),
    Kind("embedding_models", ("cbow", "skipgram"), "train_embedding", "evaluate_embedding", "word2vec",
         "neighbour_overlap", "neighbours", ()),
    Kind("translation_models", ("seq2seq",), "train_translator", "evaluate_translator", "seq2seq", "bleu",
         "translation", (*KERAS, "sacrebleu")),
    Kind("ensembles", ("stacking",), "ensemble", "evaluate_ensemble", "ensemble", "accuracy", "probability",
         (*KERAS, *SKLEARN), members=("models", "baselines")),
    Kind("mixture_models", ("interpolation",), None, "evaluate_mixture", None, "bits_per_token", None, (),
         members=("language_models", "ngram_models")),
)
BY_SECTION: dict[str, Kind] = {kind.section: kind for kind in KINDS}
SECTIONS: tuple[str, ...] = tuple(BY_SECTION)
SERVED: dict[str, Kind] = {kind.framework: kind for kind in KINDS if kind.framework}  # framework → its kind
