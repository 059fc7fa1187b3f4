"""`textlab predict` as a user runs it: a real scikit-learn baseline logged and registered in a SQLite
MLflow store, asked from arguments, a file and standard input, with the bad inputs a user sends."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from test_serving import TEXTS, save_sklearn_model
from textlab.adapters.commands import main
from textlab.adapters.serving import log_text_model


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> dict[str, str]:
    """The environment of a project whose backend holds names-gender version 1 as `champion`."""
    root = tmp_path_factory.mktemp("predict")
    save_sklearn_model(root / "inputs", root / "sklearn")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        experiment = mlflow.create_experiment("predict", artifact_location=(root / "artifacts").as_uri())
        with mlflow.start_run(experiment_id=experiment) as run:
            log_text_model(root / "sklearn", "sklearn", examples=TEXTS)
        version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "names-gender")
        mlflow.MlflowClient().set_registered_model_alias("names-gender", "champion", version.version)
        served = mlflow.pyfunc.load_model("models:/names-gender@champion").predict(pd.DataFrame({"text": TEXTS}))
    finally:
        mlflow.set_tracking_uri(previous)
    return {**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_DISABLE_TELEMETRY": "true", "ROOT": str(root),
            "EXPECTED": json.dumps(served["probability"].tolist())}


def textlab(env: dict[str, str], *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "textlab.adapters.commands", *args], env=env, input=stdin,
                          capture_output=True, timeout=300, cwd=env["ROOT"])
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def test_texts_as_arguments_get_label_probability_and_known_tokens(registry):
    done = textlab(registry, "predict", "names-gender@champion", *TEXTS)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    expected = json.loads(registry["EXPECTED"])  # the served model's own answer
    assert [float(row[1]) for row in rows] == [round(p, 4) for p in expected]
    assert [row[0] for row in rows] == [str(int(p >= 0.5)) for p in expected]
    assert [row[-1] for row in rows] == TEXTS


def test_ten_thousand_lines_from_stdin_stream_as_json_lines_and_an_empty_line_is_flagged(registry):
    lines = ["Anna", "", "John"] * 3334
    done = textlab(registry, "predict", "names-gender/1", "--json", stdin="\n".join(lines).encode())
    assert done.returncode == 0, done.stderr[-2000:]
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(lines) and [a["text"] for a in answers[:3]] == ["Anna", "", "John"]
    assert answers[1]["known_tokens"] == 0 and answers[0]["known_tokens"] > 0


def textlab_in_process(registry: dict[str, str], monkeypatch, capsys, *args: str) -> tuple[str | None, str]:
    """The same command's main() in this process (no interpreter start-up): (its exit message or None, stdout)."""
    monkeypatch.chdir(registry["ROOT"])
    monkeypatch.setenv("MLFLOW_TRACKING_URI", registry["MLFLOW_TRACKING_URI"])
    previous = mlflow.get_tracking_uri()  # main() sets the process's tracking URI
    try:
        main(list(args))
    except SystemExit as stopped:
        return str(stopped.code), capsys.readouterr().out
    finally:
        mlflow.set_tracking_uri(previous)
    return None, capsys.readouterr().out


@pytest.mark.parametrize("content,message", [
    (b"Anna\nJ\xf6hn\n", "line 2: not UTF-8 text (byte 2 of the line)"),
    (b"Anna\n\x00\x01\x02\n", "line 2: binary data"),
    (b"a" * 1_048_576 + b"\n", "line 1: a text of more than 1,000,000 bytes"),
])
def test_bad_files_get_one_line_naming_the_line(registry, tmp_path, monkeypatch, capsys, content, message):
    path = tmp_path / "texts.txt"
    path.write_bytes(content)
    error, _ = textlab_in_process(registry, monkeypatch, capsys, "predict", "names-gender@champion", "--file", str(path))
    assert error is not None and len(error.splitlines()) == 1 and message in error and str(path) in error


def test_an_unknown_alias_is_one_line_without_a_traceback(registry):
    done = textlab(registry, "predict", "names-gender@nobody", "Anna")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: names-gender@nobody:") and len(done.stderr.strip().splitlines()) == 1


def test_a_stage_name_resolves_to_its_recorded_run(registry, monkeypatch, capsys):
    runs = Path(registry["ROOT"]) / "reports/runs"
    runs.mkdir(parents=True, exist_ok=True)
    run_id = mlflow.MlflowClient(registry["MLFLOW_TRACKING_URI"]).get_model_version("names-gender", "1").run_id
    (runs / "train_baseline@names-nbsvm.json").write_text(json.dumps({"run_id": run_id}))
    error, out = textlab_in_process(registry, monkeypatch, capsys, "predict", "train_baseline@names-nbsvm", "Anna")
    assert error is None, error
    assert float(out.split("\t")[1]) == round(json.loads(registry["EXPECTED"])[0], 4)
