"""Explanations: LIME against a served, hand-built linear model recovers the signs of its own word
weights; `textlab explain` writes a page and a PNG per text; empty or non-UTF-8 input is one clear line."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from textlab.adapters import explaining, sklearn_training
from textlab.adapters.commands import main
from textlab.adapters.serving import log_text_model
from textlab.explaining import explain, sign_agreement, token_weights

POSITIVE, NEGATIVE = ["great", "superb", "moving", "wonderful"], ["dull", "awful", "boring", "wooden"]
NEUTRAL = ["film", "plot", "the", "cast", "was", "and"]
PROBES = ["the cast was superb and the plot moving", "a dull film with wooden acting and an awful boring plot"]


def reviews(count: int) -> pd.DataFrame:
    """Short synthetic reviews: the label is which sentiment words a review holds."""
    rows = []
    for i in range(count):
        cues = POSITIVE if i % 2 else NEGATIVE
        words = [cues[i % 4], NEUTRAL[i % 6], cues[(i // 4) % 4], NEUTRAL[(i // 6) % 6]]
        rows.append({"text": " ".join(words), "label": i % 2})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> tuple[str, dict[str, str]]:
    """A word-level linear pipeline (NB-scaled unigrams → logistic regression), logged as the project serves models."""
    root = tmp_path_factory.mktemp("explain")
    (root / "inputs").mkdir()
    for split in ("train", "val"):
        reviews(96).to_parquet(root / "inputs" / f"{split}.parquet")
    sklearn_training.fit({"key": "x-nbsvm", "family": "nbsvm", "min_df": 1, "ngram_range": [1, 1]}, root / "inputs",
                         root / "model")
    uri, previous = f"sqlite:///{root / 'mlflow.db'}", mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        experiment = mlflow.create_experiment("textlab-imdb", artifact_location=(root / "artifacts").as_uri())
        with mlflow.start_run(experiment_id=experiment):
            model_uri = log_text_model(root / "model", "sklearn", examples=PROBES).model_uri
    finally:
        mlflow.set_tracking_uri(previous)
    return model_uri, {**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_DISABLE_TELEMETRY": "true", "ROOT": str(root)}


def test_lime_recovers_the_signs_of_a_linear_models_own_word_weights(served):
    model_uri, env = served
    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    try:
        model = mlflow.pyfunc.load_model(model_uri)
        own = explaining.linear_weights(model)
        assert all(own[w] > 0 for w in POSITIVE) and all(own[w] < 0 for w in NEGATIVE)  # the model learnt the cues
        found = [explain(explaining.predict_proba(model), text, "word", 300, 10, seed=0) for text in PROBES]
        assert explaining.level_of(model) == "word" and explaining.classes_of(model) == ("negative", "positive")
    finally:
        mlflow.set_tracking_uri(None)
    for explanation in found:
        agree, compared = sign_agreement(token_weights(explanation), own)
        assert compared >= 4 and agree == compared, (explanation.contributions, own)
    cues = {c.token: c.weight for c in found[1].contributions}
    assert min(cues, key=cues.get) in NEGATIVE  # the strongest push of the negative review is a negative word


def textlab(env: dict[str, str], monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """The `textlab` command's own entry point, in this process (its start-up is most of a run's time)."""
    monkeypatch.chdir(env["ROOT"])
    monkeypatch.setenv("MLFLOW_TRACKING_URI", env["MLFLOW_TRACKING_URI"])
    try:
        main(list(args))
        code = 0
    except SystemExit as stop:
        code = 1 if isinstance(stop.code, str) else stop.code or 0
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
    finally:
        mlflow.set_tracking_uri(None)
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_writes_a_page_and_a_png_per_text(served, monkeypatch, capsys):
    model_uri, env = served
    code, out, err = textlab(env, monkeypatch, capsys, "explain", model_uri, *PROBES, "--out", "pages", "--samples", "200")
    assert code == 0, err[-2000:]
    pages = sorted((Path(env["ROOT"]) / "pages").iterdir())
    assert [p.suffix for p in pages] == [".html", ".png", ".html", ".png"]
    page = pages[0].read_text(encoding="utf-8")
    assert "superb" in page and "rgba(33, 102, 172" in page  # a positive word shaded blue (toward positive)
    assert len(out.splitlines()) == 2 and "P(positive)=" in out


ARGV_NOT_UTF8 = b"Od\xffell".decode("utf-8", "surrogateescape")  # how Python hands such an argument over


@pytest.mark.parametrize("args,message", [
    (["", "Odell"], "error: text 1 is empty: there is nothing to explain"),
    ([ARGV_NOT_UTF8], "error: text 1: not UTF-8 text (byte 3)"),
    (["--file", "bad.txt"], "error: bad.txt line 2: not UTF-8 text (byte 1 of the line)"),
    (["--file", "empty.txt"], "error: no text to explain: give texts as arguments, --file or standard input"),
], ids=["empty", "argument not utf-8", "file not utf-8", "nothing"])
def test_bad_input_is_one_clear_line_before_any_model_loads(served, monkeypatch, capsys, args, message):
    model_uri, env = served
    (Path(env["ROOT"]) / "bad.txt").write_bytes(b"Anna\n\xfe\xffJohn\n")
    (Path(env["ROOT"]) / "empty.txt").write_bytes(b"")
    code, _, err = textlab(env, monkeypatch, capsys, "explain", "models:/no-such-model/1", *args)  # never loaded
    assert code == 1 and err.strip() == message, err
