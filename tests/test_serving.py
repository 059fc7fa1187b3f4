"""The served MLflow model: a tiny real Keras model and a real scikit-learn baseline, logged to a
SQLite MLflow store, loaded back with `mlflow.pyfunc.load_model` and fed every input form."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import keras
import mlflow
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from mlflow.exceptions import MlflowException
from mlflow.pyfunc.scoring_server import invocations

from textlab.adapters import keras_scoring, sklearn_scoring, sklearn_training
from textlab.adapters.serving import log_text_model
from textlab.baselines import build_nbsvm
from textlab.features import fit_sequence_spec, spec_to_dict
from textlab.serving_input import texts_from_input

NAMES = ["Anna", "Maria", "Julia", "Emma", "Sofia", "Laura", "John", "Peter", "Mark", "Paul", "Tom", "David"]
LABELS = [1] * 6 + [0] * 6  # 1 = the female names
TEXTS = ["Anna", "John", "Maria Peter"]
MEANINGLESS = ["", "   ", "@@@"]  # '@' never occurs in training, for the character and the word models alike


def shout(text: str) -> str:
    """A preprocessor outside the trusted list, as if someone swapped `standardize`."""
    return text.upper()


def save_keras_model(model_dir: Path) -> None:
    """The folder keras_training.fit writes: model.keras + the features' spec.json."""
    spec = fit_sequence_spec(NAMES, maxlen=None, padding="pre", truncating="pre", lowercase=True, level="char")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((spec.maxlen,)), keras.layers.Embedding(spec.vocab_size, 4),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])
    model_dir.mkdir()
    model.save(model_dir / "model.keras")
    (model_dir / "spec.json").write_text(json.dumps(spec_to_dict(spec)), encoding="utf-8")


def save_sklearn_model(inputs: Path, model_dir: Path) -> None:
    inputs.mkdir()
    table = pd.DataFrame({"text": NAMES, "label": LABELS})
    for split in ("train", "val"):
        table.to_parquet(inputs / f"{split}.parquet")
    sklearn_training.fit({"key": "x-nbsvm", "family": "nbsvm", "min_df": 1, "ngram_range": [1, 2]}, inputs, model_dir)


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """framework → (model folder, logged model URI), in a throwaway SQLite store."""
    root = tmp_path_factory.mktemp("serving")
    save_keras_model(root / "keras")
    save_sklearn_model(root / "inputs", root / "sklearn")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    try:
        experiment = mlflow.create_experiment("serving", artifact_location=(root / "artifacts").as_uri())
        uris = {}
        for framework in ("keras", "sklearn"):
            with mlflow.start_run(experiment_id=experiment):
                uris[framework] = log_text_model(root / framework, framework, examples=TEXTS).model_uri
        yield {framework: (root / framework, uri) for framework, uri in uris.items()}
    finally:
        mlflow.set_tracking_uri(previous)


@pytest.fixture(scope="module", params=["keras", "sklearn"])
def served(request, logged) -> tuple[Path, mlflow.pyfunc.PyFuncModel]:
    model_dir, uri = logged[request.param]
    return model_dir, mlflow.pyfunc.load_model(uri)


def direct_scorer(model_dir: Path):
    return (keras_scoring if model_dir.name == "keras" else sklearn_scoring).load_scorer(model_dir)


def test_served_answer_is_the_evaluated_one(served):
    model_dir, model = served
    answer = model.predict(pd.DataFrame({"text": TEXTS}))
    scorer = direct_scorer(model_dir)
    assert list(answer.columns) == ["probability", "known_tokens"]
    assert answer["probability"].dtype == np.float64 and answer["known_tokens"].dtype == np.int64
    np.testing.assert_allclose(answer["probability"], scorer.probability(TEXTS), rtol=1e-6)
    np.testing.assert_array_equal(answer["known_tokens"], scorer.known_tokens(TEXTS))


def test_known_names_count_their_tokens(served):
    model_dir, model = served
    known = model.predict(pd.DataFrame({"text": ["Anna", "Anna Anna Maria"]}))["known_tokens"].tolist()
    # characters: every letter is known, the spaces are not (no name has one); words: distinct known
    # n-grams, here "anna" and "maria" (the bigrams never occur in training)
    assert known == ([4, 13] if model_dir.name == "keras" else [1, 2])


def test_meaningless_texts_get_a_probability_and_zero_known_tokens(served):
    _, model = served
    answer = model.predict(pd.DataFrame({"text": MEANINGLESS}))
    assert answer["known_tokens"].tolist() == [0, 0, 0]
    assert np.isfinite(answer["probability"]).all() and answer["probability"].between(0, 1).all()


@pytest.mark.parametrize("missing", [None, np.nan], ids=["None", "NaN"])
def test_a_missing_text_is_refused_naming_the_row(served, missing):
    _, model = served
    with pytest.raises(MlflowException, match=r"row 1: text is missing \(None or NaN\); every row needs a string"):
        model.predict(pd.DataFrame({"text": ["Anna", missing, "John"]}, dtype=object))


def test_a_number_is_refused_naming_the_row_and_value(served):
    _, model = served
    with pytest.raises(MlflowException, match=r"row 2: text is 3 \(int\)"):
        model.predict(pd.DataFrame({"text": ["Anna", "John", 3]}, dtype=object))


def test_an_empty_frame_gets_an_empty_answer(served):
    _, model = served
    answer = model.predict(pd.DataFrame({"text": pd.Series([], dtype=str)}))
    assert answer.empty and list(answer.columns) == ["probability", "known_tokens"]
    assert answer["probability"].dtype == np.float64 and answer["known_tokens"].dtype == np.int64


@pytest.mark.parametrize("given", [
    {"text": ["Anna", "John", "Maria Peter"]},  # MLflow makes this ONE row holding the list
    [{"text": "Anna"}, {"text": "John"}, {"text": "Maria Peter"}],
    pd.Series(["Anna", "John", "Maria Peter"], name="text"),
], ids=["dict-of-list", "list-of-records", "named-series"])
def test_python_input_forms_give_one_row_per_text(served, given):
    _, model = served
    pd.testing.assert_frame_equal(model.predict(given), model.predict(pd.DataFrame({"text": TEXTS})))


def test_a_dict_with_one_string_is_one_text(served):
    _, model = served
    pd.testing.assert_frame_equal(model.predict({"text": "Anna"}), model.predict(pd.DataFrame({"text": ["Anna"]})))


def test_mlflow_refuses_a_bare_list_before_the_model(served):
    """With a named `text` column in the signature MLflow wants the column named; the README says so."""
    _, model = served
    with pytest.raises(MlflowException, match=r"Model is missing inputs \['text'\]"):
        model.predict(TEXTS)


@pytest.mark.parametrize("payload", [
    {"dataframe_split": {"columns": ["text"], "data": [[t] for t in TEXTS]}},
    {"dataframe_records": [{"text": t} for t in TEXTS]},
    {"inputs": TEXTS},
    {"inputs": {"text": TEXTS}},
    {"instances": [{"text": t} for t in TEXTS]},
], ids=["dataframe_split", "dataframe_records", "inputs-list", "inputs-dict", "instances-records"])
def test_serving_json_formats_give_one_row_per_text(served, payload):
    _, model = served
    response = invocations(json.dumps(payload), "application/json", model, model.metadata.get_input_schema())
    assert response.status == 200
    answer = pd.DataFrame(json.loads(response.response)["predictions"])
    pd.testing.assert_frame_equal(answer, model.predict(pd.DataFrame({"text": TEXTS})))


def test_serving_json_null_is_refused_with_the_row(served):
    _, model = served
    payload = {"dataframe_records": [{"text": "Anna"}, {"text": None}]}
    with pytest.raises(MlflowException, match="row 1: text is missing") as caught:
        invocations(json.dumps(payload), "application/json", model, model.metadata.get_input_schema())
    assert caught.value.get_http_status_code() == 400


def test_logged_model_names_its_framework_and_only_its_requirements(served, logged):
    model_dir, model = served
    framework = model_dir.name
    assert model.model_config == {"framework": framework}
    assert {spec.name: spec.type.name for spec in model.metadata.get_output_schema().inputs} == \
        {"probability": "double", "known_tokens": "long"}
    wanted, unwanted = ("keras==", "skops==") if framework == "keras" else ("skops==", "keras==")
    requirements = Path(mlflow.pyfunc.get_model_dependencies(logged[framework][1])).read_text().split()
    assert any(r.startswith(wanted) for r in requirements) and not any(r.startswith(unwanted) for r in requirements)


def test_the_serving_module_imports_no_framework():
    code = "import sys, textlab.adapters.serving; print(sorted({'keras', 'sklearn', 'skops'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_fit_saves_skops_that_loads_with_the_trusted_list_only(logged):
    model_dir = logged["sklearn"][0]
    assert sorted(p.name for p in model_dir.iterdir()) == ["model.skops"]
    assert set(sio.get_untrusted_types(file=model_dir / "model.skops")) == \
        {"textlab.text.standardize", "textlab.baselines.NBFeatureScaler"}
    assert sklearn_scoring.load_scorer(model_dir).known_tokens(["Anna"]).tolist() == [1]


def test_a_skops_file_with_an_untrusted_type_is_refused(tmp_path):
    pipeline = build_nbsvm({"min_df": 1}, shout).fit(NAMES, np.array(LABELS))
    sio.dump(pipeline, tmp_path / "model.skops")
    with pytest.raises(ValueError, match=rf"not trusted: \['{__name__}.shout'\]"):
        sklearn_scoring.load_scorer(tmp_path)


def test_texts_from_input_names_the_columns_it_saw():
    with pytest.raises(ValueError, match=r"needs a 'text' column; columns seen: \['name', 'age'\]"):
        texts_from_input(pd.DataFrame({"name": ["Anna"], "age": [3]}))


def test_texts_from_input_expands_a_list_cell_and_checks_its_items():
    assert texts_from_input(pd.DataFrame({"text": [["Anna", "John"]]})) == ["Anna", "John"]
    assert texts_from_input(pd.DataFrame({"text": [[]]})) == []
    with pytest.raises(ValueError, match=r"row 1: text is missing .* \(1 more rows like it\)"):
        texts_from_input(pd.DataFrame({"text": [["Anna", None, None]]}))
