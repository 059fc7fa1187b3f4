"""The generative half of the real pipeline end to end (Nietzsche, Alice, spa-eng): `dvc repro` on its own
copy of the project with small params and the real mirror, beside the classifier half (tests/test_pipeline_e2e.py).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import (
    EMBEDDINGS,
    GENERATIVE,
    LANGUAGE_MODELS,
    MIXTURE,
    MIXTURE_COMPONENTS,
    NGRAM_MODELS,
    TRANSLATORS,
    all_stages,
    assert_checks_passed_with_docs,
    mlflow_runs,
    ran,
    run,
)

pytestmark = pytest.mark.e2e


def test_cold_repro_runs_every_stage_and_logs_one_finished_run_each(generative_pipeline):
    project, env, first = generative_pipeline
    stages = all_stages(project, env)
    assert ran(first.stdout) == stages
    assert {"train_lm@nietzsche-char_lstm", "export_embeddings@alice-skipgram", "report@spa_eng"} <= stages
    runs = mlflow_runs(project).reset_index()
    assert sorted(runs["dvc.stage"]) == sorted(stages)
    assert set(runs["status"]) == {"FINISHED"} and set(runs["git.dirty"]) == {"false"}
    shown = run(["dvc", "metrics", "show", "--json"], project, env)
    assert all(key in shown.stdout for key in GENERATIVE)


def test_data_checks_passed_and_docs_were_built(generative_pipeline):
    project, _, _ = generative_pipeline
    for stage in ("split@nietzsche", "tokenize@nietzsche-chars", "split@alice", "tokenize@alice-words",
                  "split@spa_eng", "tokenize@spa_eng-pairs"):
        assert_checks_passed_with_docs(project, stage)


def test_language_models_beat_a_uniform_guess_and_the_counts_rank_as_published(generative_pipeline):
    project, _, _ = generative_pipeline
    vocabulary = json.loads((project / "data/features/nietzsche-chars/spec.json").read_text())["vocabulary"]
    scores = {key: json.loads((project / f"reports/metrics/nietzsche/{key}.json").read_text())
              for key in LANGUAGE_MODELS + NGRAM_MODELS}
    uniform = np.log2(len(vocabulary) - 1)  # every id but padding
    assert all(s["bits_per_token"] < uniform for s in scores.values()), scores
    assert scores["nietzsche-kneser_ney5"]["bits_per_token"] < scores["nietzsche-char_lstm"]["bits_per_token"]
    assert len({s["test_tokens"] for s in scores.values()}) == 1  # every model scored on the same positions
    samples = (project / "reports/samples/nietzsche-char_lstm.md").read_text()
    assert all(f"## temperature {t}" in samples for t in (0.0, 0.2, 0.5, 1.0, 1.2))
    parts = {name: pd.read_parquet(project / f"data/split/nietzsche/{name}.parquet") for name in ("train", "val", "test")}
    assert parts["train"]["end"][0] == parts["val"]["start"][0] and parts["val"]["end"][0] == parts["test"]["start"][0]
    report = (project / "reports/nietzsche.md").read_text()
    assert all(key in report for key in scores)


def test_the_interpolation_is_weighted_on_validation_and_is_no_worse_there_than_either_model(generative_pipeline):
    project, _, _ = generative_pipeline
    mixed = json.loads((project / f"reports/metrics/alice/{MIXTURE}.json").read_text())
    parts = [json.loads((project / f"reports/metrics/alice/{key}.json").read_text())
             for key in MIXTURE_COMPONENTS.values()]
    assert 0 <= mixed["weight"] <= 1
    # The grid holds 0 and 1 (each model alone), so the chosen weight can only be as good or better on validation.
    assert mixed["val_bits_per_token"] <= min(part["val_bits_per_token"] for part in parts) + 1e-4, (mixed, parts)
    assert {part["test_tokens"] for part in parts} == {mixed["test_tokens"]}  # the same target words
    assert set(mixed["gates"]) == {"bits_per_token_vs_unigram", "outputs"}
    assert MIXTURE in (project / "reports/alice.md").read_text()


def test_word_vectors_are_compared_with_gensim_and_load_in_gensim(generative_pipeline):
    project, _, _ = generative_pipeline
    from gensim.models import KeyedVectors

    scores = json.loads((project / "reports/metrics/alice/alice-skipgram.json").read_text())
    assert 0 <= scores["neighbour_overlap"] <= 1 and 0 < scores["gensim_noise_floor"] <= 1
    vectors = KeyedVectors.load_word2vec_format(project / "reports/embeddings/alice-skipgram/vectors.w2v.txt")
    assert vectors.vector_size == 100 and "alice" in vectors.key_to_index
    assert "| alice |" in (project / "reports/neighbours/alice-skipgram.md").read_text()
    assert "word vectors" in (project / "reports/alice.md").read_text()


def test_the_translator_is_scored_on_english_it_never_saw(generative_pipeline):
    project, _, _ = generative_pipeline
    scores = json.loads((project / "reports/metrics/spa_eng/spa_eng-gru_attention.json").read_text())
    assert scores["bleu"] > scores["baseline_copy_bleu"], scores  # even the small-settings translator translates
    assert scores["test_pairs"] == len(pd.read_parquet(project / "data/split/spa_eng/test.parquet"))
    splits = {name: pd.read_parquet(project / f"data/split/spa_eng/{name}.parquet") for name in ("train", "val", "test")}
    assert not set(splits["test"]["source"]) & (set(splits["train"]["source"]) | set(splits["val"]["source"]))
    assert "| English | reference | translation |" in (project / "reports/translations/spa_eng-gru_attention.md").read_text()
    assert "translators" in (project / "reports/spa_eng.md").read_text()


def test_every_generative_model_carries_its_gate_verdicts_and_its_run_the_gate_tag(generative_pipeline):
    project, _, _ = generative_pipeline
    expected = {**{key: {"bits_per_token_vs_unigram", "outputs"} for key in LANGUAGE_MODELS + NGRAM_MODELS},
                **{key: {"floor_ratio_floor"} for key in EMBEDDINGS},
                **{key: {"bleu_vs_retrieval", "bleu_vs_copy", "outputs"} for key in TRANSLATORS}}
    runs = mlflow_runs(project).reset_index().set_index("run_uuid")
    for key, gate_names in expected.items():
        corpus = key.split("-")[0]
        scores = json.loads((project / f"reports/metrics/{corpus}/{key}.json").read_text())
        assert set(scores["gates"]) == gate_names and scores["passed"] is all(scores["gates"].values()), (key, scores)
        stage = next(path.stem for path in (project / "reports/runs").glob(f"evaluate*@{key}.json"))
        run_id = json.loads((project / f"reports/runs/{stage}.json").read_text())["run_id"]
        assert (runs.loc[run_id, "gate"] == "passed") is scores["passed"], (key, runs.loc[run_id, "gate"])
    lm = json.loads((project / "reports/metrics/nietzsche/nietzsche-kneser_ney5.json").read_text())
    assert lm["passed"] and lm["bits_per_token"] < lm["baseline_unigram_bits_per_token"]  # 5-grams beat unigrams
