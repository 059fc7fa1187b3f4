"""`mlflow models serve -m models:/imdb-sentiment@champion --env-manager local`, as the README calls it, on the
champion the small classifier pipeline promoted: raw texts in, P(positive) out, the same answers as
`textlab predict`, and every bad input a clear 400 or a defined answer, never a 500 with a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from conftest import backend_copy, free_port, serving

MODEL = "imdb-sentiment@champion"
TEXTS = ["A wonderful, moving film. The cast is superb.", "Dull plot and wooden acting; I left early."]
HUGE = "a wonderful film " * 62_500  # 1,062,500 characters


def post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def served(pipeline, tmp_path_factory):
    """The champion served from a copy of the pipeline's backend; yields (invocations URL, `textlab predict`'s
    output on TEXTS)."""
    project, env, _ = pipeline
    record = json.loads((project / "reports/registry/imdb-sentiment.json").read_text())
    assert record["champion"], f"the small pipeline crowned no IMDB champion: {record['reason']}"
    folder = tmp_path_factory.mktemp("serve")
    env = {**env, "MLFLOW_TRACKING_URI": backend_copy(project, folder)}
    # `textlab predict` on the same texts, started first: it loads the model while the server does.
    predict = subprocess.Popen([sys.executable, "-m", "textlab.adapters.commands", "predict", MODEL, *TEXTS, "--json"],
                               env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = free_port()
    cmd = ["mlflow", "models", "serve", "-m", f"models:/{MODEL}", "--env-manager", "local",
           "-h", "127.0.0.1", "-p", str(port), "-w", "1"]
    try:
        with serving(cmd, env, folder, f"http://127.0.0.1:{port}/ping") as log:
            yield f"http://127.0.0.1:{port}/invocations", predict.communicate(timeout=300)
    finally:
        predict.kill()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


def test_raw_texts_get_the_probabilities_textlab_predict_gives(served):
    url, (stdout, stderr) = served
    split = {"dataframe_split": {"columns": ["text"], "data": [[text] for text in TEXTS]}}
    status, answer = post(url, json.dumps(split).encode())
    assert status == 200, answer
    records = {"dataframe_records": [{"text": text} for text in TEXTS]}
    assert post(url, json.dumps(records).encode()) == (200, answer)
    rows = answer["predictions"]
    assert [sorted(row) for row in rows] == [["known_tokens", "probability"]] * 2
    assert all(0 <= row["probability"] <= 1 and row["known_tokens"] > 0 for row in rows)
    predicted = [json.loads(line) for line in stdout.splitlines()]
    assert len(predicted) == len(TEXTS), stderr[-2000:]
    assert [p["label"] for p in predicted] == [int(row["probability"] >= 0.5) for row in rows]
    assert [p["probability"] for p in predicted] == pytest.approx([row["probability"] for row in rows], abs=1e-6)


def test_empty_blank_huge_and_binary_texts_get_a_defined_answer(served):
    url, _ = served
    texts = ["", "   \t ", HUGE, "\x00\x01\x02\ufffd\x7f"]
    status, answer = post(url, json.dumps({"dataframe_split": {"columns": ["text"], "data": [[t] for t in texts]}}).encode())
    assert status == 200, answer
    empty, blank, huge, binary = answer["predictions"]
    assert empty["known_tokens"] == blank["known_tokens"] == binary["known_tokens"] == 0  # an answer without information
    assert huge["known_tokens"] > 0 and all(0 <= row["probability"] <= 1 for row in answer["predictions"])


@pytest.mark.parametrize("body,message", [
    (b'{"dataframe_split": {"columns": ["text"], "data": [["J\xf6hn"]]}}', "valid JSON"),  # Latin-1, not UTF-8
    (b'{"dataframe_records": [{"text": "fine"}, {"text": null}]}', "row 1: text is missing"),
    (b'{"dataframe_split": {"columns": ["review"], "data": [["a text"]]}}', "text"),
])
def test_bad_requests_are_a_400_with_a_message_and_no_traceback(served, body, message):
    status, answer = post(served[0], body)
    assert status == 400 and answer["error_code"] in {"BAD_REQUEST", "INVALID_PARAMETER_VALUE"}, answer
    assert message in answer["message"] and "Traceback" not in json.dumps(answer), answer
