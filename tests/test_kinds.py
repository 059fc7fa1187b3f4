"""textlab.kinds is the one table of model kinds: dvc.yaml, the params schema, the builders, the reports and the
served model agree with it, and the tables that used to be written out by hand are derived from it."""
from __future__ import annotations

import importlib.util

import yaml

from conftest import ROOT
from textlab import reports
from textlab.adapters import params as params_adapter
from textlab.kinds import BY_SECTION, KINDS, SERVED
from textlab.params_schema import FAMILY_MODELS, MODEL_SECTIONS, Params

STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def test_each_kind_has_its_stage_groups_over_its_section():
    for kind in KINDS:
        groups = [kind.evaluate_stage] + ([kind.train_stage] if kind.train_stage else [])
        for group in groups:
            assert STAGES[group]["foreach"] == f"${{{kind.section}}}", (kind.section, group)
    # every model stage group of dvc.yaml is some kind's (tune, train_tuned and evaluate_tuned iterate over `tune`)
    model_groups = {name for name, stage in STAGES.items() if stage.get("foreach", "").strip("${}") in BY_SECTION}
    assert model_groups == {g for kind in KINDS for g in (kind.train_stage, kind.evaluate_stage) if g}


def test_the_leaderboard_reruns_on_every_section_it_lists():
    listed = {p for p in STAGES["leaderboard"]["params"] if p in BY_SECTION}
    assert listed == set(BY_SECTION) - {"ensembles"}  # an ensemble's figures reach the board through its metrics file


def test_the_schema_has_a_field_and_a_model_per_kind_and_family():
    assert set(BY_SECTION) <= set(Params.model_fields)
    assert set(FAMILY_MODELS) == {family for kind in KINDS for family in kind.families}
    assert list(MODEL_SECTIONS) == [kind.section for kind in KINDS]
    families = [family for kind in KINDS for family in kind.families]
    assert len(families) == len(set(families)), "a family belongs to one kind"


def test_the_builders_know_exactly_the_families_of_their_kinds():
    from textlab.baselines import CLASSICAL_BUILDERS
    from textlab.word2vec_models import WORD2VEC_FAMILIES

    assert set(CLASSICAL_BUILDERS) == set(BY_SECTION["baselines"].families)
    assert set(WORD2VEC_FAMILIES) == set(BY_SECTION["embedding_models"].families)


def test_every_kind_is_ranked_by_a_reported_metric():
    assert {kind.metric for kind in KINDS} == set(reports.KINDS)


def test_every_served_framework_has_its_scoring_module():
    for framework in SERVED:
        assert importlib.util.find_spec(f"textlab.adapters.{framework}_scoring"), framework
    unserved = [kind.section for kind in KINDS if kind.framework is None]
    assert unserved == ["mixture_models"]  # evaluated from its components, nothing of its own to serve


def test_the_derived_tables():
    from textlab.adapters import serving
    from textlab.registry import TRAIN_STAGES

    assert params_adapter.CLASSIFIER_FRAMEWORKS == {"models": "keras", "baselines": "sklearn"}
    assert TRAIN_STAGES == {"models": "train", "baselines": "train_baseline", "ensembles": "ensemble"}
    assert serving.GENERATORS == ("keras_lm", "ngram")
    assert serving.ANSWERS["ensemble"] is serving.classify and serving.ANSWERS["seq2seq"] is serving.translations
    assert serving.FRAMEWORK_PACKAGES["ensemble"] == ("tensorflow", "keras", "scikit-learn", "skops")
