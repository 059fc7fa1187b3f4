"""params.yaml: the real file validates, and each mistake is reported naming its dotted key and what is allowed.

Every bad case is a deep copy of the real params.yaml with one edit, so the tests follow the file.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from conftest import ROOT
from textlab import params_schema
from textlab.adapters.params import baseline_params, ensemble_params, load_params, mixture_params, model_params
from textlab.baselines import NBSVM_DEFAULTS, TFIDF_LOGREG_DEFAULTS
from textlab.params_check import validate_params
from textlab.params_schema import (
    BASELINE_MODELS,
    KERAS_MODELS,
    LANGUAGE_MODELS,
    Activation,
    ParamsError,
    Train,
)

REAL = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
Edit = Callable[[dict[str, Any]], None]


def problems(edit: Edit) -> list[str]:
    """The error lines for the real params with `edit` applied."""
    params = copy.deepcopy(REAL)
    edit(params)
    with pytest.raises(ParamsError) as caught:
        validate_params(params)
    return str(caught.value).splitlines()


def test_the_real_params_yaml_validates():
    assert load_params(ROOT / "params.yaml") == REAL


def test_a_quoted_exponent_is_text_and_the_message_says_to_remove_the_quotes():
    written = yaml.safe_load("learning_rate: '1e-3'")
    assert problems(lambda p: p["models"]["names-bilstm"].update(written)) == [
        "params.yaml: models.names-bilstm.learning_rate = '1e-3': expected a number > 0; "
        "it is quoted, so YAML reads it as text — remove the quotes"]


CASES: dict[str, tuple[Edit, str]] = {
    "maxlen 0 is not 'no limit'": (
        lambda p: p["views"]["names-chars"].update(maxlen=0),
        "params.yaml: views.names-chars.maxlen = 0: expected null (longest training text) or an integer ≥ 1"),
    "maxlen as a word": (
        lambda p: p["views"]["names-chars"].update(maxlen="long"),
        "params.yaml: views.names-chars.maxlen = 'long': expected null (longest training text) or an integer ≥ 1"),
    "a quoted number is text": (
        lambda p: p["corpora"]["names"]["split"].update(test_size="0.2"),
        "params.yaml: corpora.names.split.test_size = '0.2': expected a number between 0 and 1 (exclusive); "
        "it is quoted, so YAML reads it as text — remove the quotes"),
    "class_balance is a pair": (
        lambda p: p["corpora"]["names"]["checks"].update(class_balance=0.5),
        "params.yaml: corpora.names.checks.class_balance = 0.5: expected [low, high] with 0 ≤ low < high ≤ 1"),
    "class_balance low below high": (
        lambda p: p["corpora"]["imdb"]["checks"].update(class_balance=[0.55, 0.45]),
        "params.yaml: corpora.imdb.checks.class_balance = [0.55, 0.45]: expected [low, high] with 0 ≤ low < high ≤ 1"),
    "true is no integer": (
        lambda p: p["models"]["names-lstm"].update(epochs=True),
        "params.yaml: models.names-lstm.epochs = true: expected an integer ≥ 1"),
    "an explicit null where a default applies": (
        lambda p: p["models"]["names-lstm"].update(dropout=None),
        "params.yaml: models.names-lstm.dropout = null: expected a number ≥ 0 and < 1; leave the key out"),
    "inputs no stage writes": (
        lambda p: p["models"]["names-bilstm"].update(inputs="features/names-long"),
        "params.yaml: models.names-bilstm.inputs = 'features/names-long': no stage writes data/features/names-long; "
        "family rnn reads a view (features/<view>) or a pretrained view (features/<pretrained key>): "
        "features/names-chars"),
    "inputs of another corpus": (
        lambda p: p["models"]["names-bilstm"].update(inputs="features/imdb-long"),
        "params.yaml: models.names-bilstm.inputs = 'features/imdb-long': that view belongs to corpus imdb, "
        "but the model's corpus is names"),
    "a typo in a key": (
        lambda p: p["models"]["names-bilstm"].update(epoch=3),
        "params.yaml: models.names-bilstm.epoch = 3: unknown key (did you mean epochs?); allowed: "),
    "dense reads a bag of tokens, not a view": (
        lambda p: p["models"]["names-dense_bow"].update(inputs="features/names-chars"),
        "params.yaml: models.names-dense_bow.inputs = 'features/names-chars': that is a view (features/<view>), "
        "but family dense reads a bag-of-tokens folder (features/<corpus>-bow/<mode>): features/names-bow/binary, "
        "features/names-bow/count, features/names-bow/tfidf"),
    "a baseline reads the split texts": (
        lambda p: p["baselines"]["imdb-nbsvm"].update(inputs="features/imdb-long"),
        "params.yaml: baselines.imdb-nbsvm.inputs = 'features/imdb-long': that is a view (features/<view>), "
        "but family nbsvm reads the split texts (split/<corpus>): split/imdb"),
    "a baseline with a Keras family": (
        lambda p: p["baselines"]["imdb-nbsvm"].update(family="rnn"),
        "params.yaml: baselines.imdb-nbsvm.family = 'rnn': expected one of tfidf_logreg, nbsvm; "
        "family rnn belongs under models"),
    "a Keras model with an unknown family": (
        lambda p: p["models"]["names-lstm"].update(family="transformer"),
        "params.yaml: models.names-lstm.family = 'transformer': expected one of dense, rnn, conv1d, flatten, pooled"),
    "exporting a dense model": (
        lambda p: p["export_embeddings"]["models"].append("names-dense_bow"),
        "params.yaml: export_embeddings.models = 'names-dense_bow': family dense has no Embedding layer"),
    "exporting a baseline": (
        lambda p: p["export_embeddings"]["models"].append("imdb-nbsvm"),
        "params.yaml: export_embeddings.models = 'imdb-nbsvm': a scikit-learn baseline has no Embedding layer"),
    "one key in models and baselines": (
        lambda p: p["baselines"].update({"names-lstm": {**p["baselines"]["imdb-nbsvm"], "corpus": "names",
                                                        "inputs": "split/names"}}),
        "params.yaml: baselines.names-lstm: models.names-lstm has the same key"),
    "an ensemble member of another corpus": (
        lambda p: p["ensembles"]["names-ensemble"]["members"].append("imdb-nbsvm"),
        "params.yaml: ensembles.names-ensemble.members = 'imdb-nbsvm': that classifier belongs to corpus imdb, "
        "but the ensemble's corpus is names"),
    "an ensemble member that is no classifier": (
        lambda p: p["ensembles"]["names-ensemble"]["members"].append("alice-skipgram"),
        "params.yaml: ensembles.names-ensemble.members = 'alice-skipgram': expected a key of models or baselines: "),
    "a key without its corpus prefix": (
        lambda p: p["models"].update({"dense_small": p["models"].pop("imdb-dense_small")}),
        "params.yaml: models.dense_small: the key must start with 'imdb-', the entry's corpus"),
    "a corpus without a corpora entry": (
        lambda p: p["models"]["names-lstm"].update(corpus="shakespeare"),
        "params.yaml: models.names-lstm.corpus = 'shakespeare': expected a key of corpora: names, imdb, nietzsche, "
        "alice"),
    "a step on a labelled corpus's view": (
        lambda p: p["views"]["names-chars"].update(step=3),
        "params.yaml: views.names-chars.step = 3: only a text corpus's view cuts windows; remove it"),
    "a text corpus's view without a step": (
        lambda p: p["views"]["nietzsche-chars"].pop("step"),
        "params.yaml: views.nietzsche-chars.step: missing; a text corpus's view cuts windows every `step` tokens"),
    "a language model reading a classifier's view": (
        lambda p: p["language_models"]["nietzsche-char_lstm"].update(inputs="features/names-chars"),
        "params.yaml: language_models.nietzsche-char_lstm.inputs = 'features/names-chars': that is a view "
        "(features/<view>), but family lm_rnn reads a text view (features/<view> of a text corpus): "
        "features/nietzsche-chars"),
    "a classifier reading a text view": (
        lambda p: p["models"]["names-lstm"].update(inputs="features/nietzsche-chars"),
        "params.yaml: models.names-lstm.inputs = 'features/nietzsche-chars': that is a text view"),
    "an n-gram order out of range": (
        lambda p: p["ngram_models"]["alice-kneser_ney3"].update(order=1),
        "params.yaml: ngram_models.alice-kneser_ney3.order = 1: expected an integer from 2 to 8"),
    "bags of a text corpus": (
        lambda p: p["bags"].update(alice={"modes": ["binary"]}),
        "params.yaml: bags.alice: alice has no labels to bag"),
    "text shares that leave no training text": (
        lambda p: p["corpora"]["alice"]["split"].update(val_share=0.5, test_share=0.5),
        "params.yaml: corpora.alice.split"),
    "embedding_dim beside pretrained vectors": (
        lambda p: p["models"]["imdb-glove_frozen"].update(embedding_dim=50),
        "params.yaml: models.imdb-glove_frozen.embedding_dim = 50: the pretrained vectors set the width; remove it"),
    "embedding_dim missing without pretrained vectors": (
        lambda p: p["models"]["names-lstm"].pop("embedding_dim"),
        "params.yaml: models.names-lstm.embedding_dim: missing; expected an integer ≥ 1"),
    "a view of another corpus under pretrained": (
        lambda p: p["pretrained"]["imdb-glove50"].update(view="names-chars"),
        "params.yaml: pretrained.imdb-glove50.view = 'names-chars': that view belongs to corpus names, "
        "but the entry's corpus is imdb"),
    "pretrained vectors that are not downloaded": (
        lambda p: p["download"]["sources"].remove("glove"),
        "params.yaml: pretrained.imdb-glove50.source = 'glove': expected an entry of download.sources: names, imdb, "
        "nietzsche, alice"),
    "a source missing from the registry": (
        lambda p: p["download"]["sources"].append("wikipedia"),
        "params.yaml: download.sources = 'wikipedia': expected a registry name: names, imdb, glove"),
    "a view writing the folder of vectorize": (
        lambda p: p["views"].update({"names-bow": {"corpus": "names", "maxlen": 5}}),
        "params.yaml: views.names-bow: vectorize@names writes data/features/names-bow already; rename the view"),
    "a missing section": (
        lambda p: p.pop("train"),
        "params.yaml: train: missing; expected a mapping of optimizer, learning_rate, batch_size, epochs, patience, "
        "seed"),
    "min_df zero": (
        lambda p: p["baselines"]["imdb-tfidf_logreg"].update(min_df=0),
        "params.yaml: baselines.imdb-tfidf_logreg.min_df = 0: expected an integer ≥ 1 (documents) or a number in "
        "(0, 1] (share of documents)"),
    "an interpolation of a model that does not exist": (
        lambda p: p["mixture_models"]["alice-lstm_kn3"].update(components=["alice-word_lstm", "alice-kneser_ney4"]),
        "params.yaml: mixture_models.alice-lstm_kn3.components = 'alice-kneser_ney4': expected a key of "
        "language_models or ngram_models: nietzsche-char_lstm, "),
    "an interpolation of a classifier": (
        lambda p: p["mixture_models"]["alice-lstm_kn3"].update(components=["alice-word_lstm", "names-lstm"]),
        "params.yaml: mixture_models.alice-lstm_kn3.components = 'names-lstm': expected a key of language_models or "
        "ngram_models"),
    "an interpolation with a model of another corpus": (
        lambda p: p["mixture_models"]["alice-lstm_kn3"].update(components=["alice-word_lstm", "nietzsche-markov"]),
        "params.yaml: mixture_models.alice-lstm_kn3.components = 'nietzsche-markov': that language model belongs to "
        "corpus nietzsche, but the interpolation's corpus is alice"),
    "an interpolation of models with different vocabularies": (
        lambda p: (p["views"].update({"alice-words2": p["views"]["alice-words"]}),
                   p["ngram_models"]["alice-markov"].update(inputs="features/alice-words2"),
                   p["mixture_models"]["alice-lstm_kn3"].update(components=["alice-word_lstm", "alice-markov"])),
        "params.yaml: mixture_models.alice-lstm_kn3.components = ['alice-word_lstm', 'alice-markov']: the components "
        "read different views (features/alice-words, features/alice-words2): their vocabularies differ"),
    "an interpolation of one model": (
        lambda p: p["mixture_models"]["alice-lstm_kn3"].update(components=["alice-word_lstm"]),
        "params.yaml: mixture_models.alice-lstm_kn3.components = ['alice-word_lstm']: expected two distinct language "
        "model keys"),
    "an interpolation of a model with itself": (
        lambda p: p["mixture_models"]["alice-lstm_kn3"].update(components=["alice-word_lstm", "alice-word_lstm"]),
        "params.yaml: mixture_models.alice-lstm_kn3.components = ['alice-word_lstm', 'alice-word_lstm']: expected two "
        "distinct"),
    "a weight grid whose step does not divide 1": (
        lambda p: p["mixture_models"]["alice-lstm_kn3"].update(grid_step=0.3),
        "params.yaml: mixture_models.alice-lstm_kn3.grid_step = 0.3: expected a number in (0, 0.5] that divides 1"),
    "an interpolation sharing a model's key": (
        lambda p: p["mixture_models"].update({"alice-markov": p["mixture_models"]["alice-lstm_kn3"]}),
        "params.yaml: mixture_models.alice-markov: ngram_models.alice-markov has the same key"),
}


@pytest.mark.parametrize("edit, line", CASES.values(), ids=CASES.keys())
def test_each_mistake_is_one_line_naming_the_key_the_value_and_what_is_allowed(edit, line):
    found = problems(edit)
    assert len(found) == 1, found
    assert found[0].startswith(line), found[0]


def test_every_problem_of_the_file_is_reported_together():
    def many(p: dict[str, Any]) -> None:
        p["views"]["names-chars"]["maxlen"] = 0
        p["models"]["names-bilstm"].update(yaml.safe_load("learning_rate: 1e-3"), epoch=3)
        p["models"]["names-gru"]["inputs"] = "features/imdb-long"
        p["corpora"]["names"]["checks"]["class_balance"] = 0.5

    found = problems(many)
    assert [line.split(" = ")[0] for line in found] == [
        "params.yaml: corpora.names.checks.class_balance", "params.yaml: views.names-chars.maxlen",
        "params.yaml: models.names-bilstm.learning_rate", "params.yaml: models.names-bilstm.epoch",
        "params.yaml: models.names-gru.inputs"]


def test_no_malformed_value_anywhere_crashes_the_validator_and_a_list_of_mappings_is_refused_everywhere():
    """Any key or list item replaced by text, null, a list or a mapping gives our error lines (never pydantic's
    wording or another exception); no knob takes a list of mappings, so that one is refused wherever it stands."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        for key, child in node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ():
            walk(child, (*path, key))

    walk(REAL, ())
    for path in paths[1:]:
        for odd in ("x", None, [], {}, [{}]):
            params = copy.deepcopy(REAL)
            parent = params
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = odd
            try:
                validate_params(params)
                lines = []
            except ParamsError as err:
                lines = str(err).splitlines()
            assert all(line.startswith("params.yaml: ") and "should be" not in line for line in lines), lines
            if odd == [{}]:
                dotted = ".".join(str(key) for key in path if not isinstance(key, int))
                assert any(line.startswith(f"params.yaml: {dotted}") for line in lines), (path, lines)


@pytest.mark.parametrize("odd", [None, [], "text"])
def test_a_file_that_is_no_mapping_is_one_line(odd):
    with pytest.raises(ParamsError, match=r"^params.yaml: expected a mapping of download, corpora, bags, views,"):
        validate_params(odd)


def test_load_params_names_the_file_and_line_of_broken_yaml(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("train:\n  epochs: 3\n  seed: [1, 2\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=rf"^{path}:4:1: not valid YAML: "):
        load_params(path)


def test_load_params_refuses_a_file_that_breaks_the_schema(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text((ROOT / "params.yaml").read_text(encoding="utf-8").replace("maxlen: 20", "maxlen: 0"))
    with pytest.raises(ParamsError, match=rf"^{path}: views.imdb-short.maxlen = 0: expected null"):
        load_params(path)


def test_model_params_overlay_train_and_baseline_params_do_not():
    hp = model_params(REAL, "imdb-lstm")
    assert hp == {**REAL["train"], **REAL["models"]["imdb-lstm"], "key": "imdb-lstm"}
    assert hp["batch_size"] == 64 and hp["optimizer"] == "adam"  # overridden, inherited
    assert baseline_params(REAL, "imdb-nbsvm") == {**REAL["baselines"]["imdb-nbsvm"], "key": "imdb-nbsvm"}
    with pytest.raises(KeyError, match=r"no models.imdb-nbsvm \(it is under baselines\); known: \['imdb-"):
        model_params(REAL, "imdb-nbsvm")
    with pytest.raises(KeyError, match=r"no baselines.imdb-x; known: \['imdb-nbsvm', 'imdb-nbsvm_trigram', "):
        baseline_params(REAL, "imdb-x")
    ensemble = ensemble_params(REAL, "names-ensemble")
    assert ensemble["inputs"] == "predictions/names" and ensemble["frameworks"] == {
        "names-char_logreg": "sklearn", "names-char_nbsvm": "sklearn", "names-conv1d": "keras"}


def test_mixture_params_name_each_component_s_section():
    hp = mixture_params(REAL, "alice-lstm_kn3")
    assert hp["components"] == ["alice-word_lstm", "alice-kneser_ney3"] and hp["generation"] == REAL["generation"]
    assert hp["sections"] == {"alice-word_lstm": "language_models", "alice-kneser_ney3": "ngram_models"}
    with pytest.raises(KeyError, match=r"no mixture_models.alice-word_lstm \(it is under language_models\)"):
        mixture_params(REAL, "alice-word_lstm")


def test_the_schema_knows_exactly_the_families_and_baseline_knobs_of_the_code():
    from textlab.baselines import CLASSICAL_BUILDERS
    from textlab.models import FAMILIES

    assert set(KERAS_MODELS) | set(LANGUAGE_MODELS) == set(FAMILIES)
    assert set(BASELINE_MODELS) == set(CLASSICAL_BUILDERS)
    assert all(set(Train.model_fields) < set(model.model_fields)
               for model in [*KERAS_MODELS.values(), *LANGUAGE_MODELS.values()])
    shared = {"corpus", "family", "inputs"}
    assert set(BASELINE_MODELS["tfidf_logreg"].model_fields) - shared == set(TFIDF_LOGREG_DEFAULTS)
    assert set(BASELINE_MODELS["nbsvm"].model_fields) - shared == set(NBSVM_DEFAULTS)


def test_every_key_says_what_is_allowed():
    """Error lines print a field's description after 'expected'; keys holding a mapping list their own keys."""
    def holds_mapping(annotation: Any) -> bool:
        return get_origin(annotation) is dict or any(isinstance(a, type) and issubclass(a, BaseModel)
                                                     for a in (annotation, *get_args(annotation)))

    schema = [v for v in vars(params_schema).values()
              if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == params_schema.__name__]
    undescribed = {f"{model.__name__}.{name}" for model in schema for name, field in model.model_fields.items()
                   if not field.description and name != "family" and not holds_mapping(field.annotation)}
    assert len(schema) > 20 and undescribed == set()


def test_the_allowed_activations_and_bag_families_match_keras():
    keras = pytest.importorskip("keras")
    from textlab import models

    for name in get_args(get_args(Activation)[0]):
        assert callable(keras.activations.get(name)), name
    assert {family for family, cls in KERAS_MODELS.items() if cls.reads == ("bow",)} == set(models.BAG_FAMILIES)


def test_load_params_reads_exponents_as_numbers_like_dvc(tmp_path):
    """DVC (YAML 1.2) reads 1e-3 as a number and `dvc exp run -S` writes 1e-05; so does load_params."""
    import yaml as _yaml

    from textlab.adapters.params import load_params

    real = _yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    text = _yaml.safe_dump(real, sort_keys=False).replace("learning_rate: 0.001", "learning_rate: 1e-3")
    (tmp_path / "params.yaml").write_text(text)
    assert load_params(tmp_path / "params.yaml")["train"]["learning_rate"] == 0.001
