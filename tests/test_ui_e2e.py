"""The MLflow UI as a user sees it: `mlflow server` on a copy of the small classifier pipeline's backend, its
pages rendered by headless Chromium (Debian's package, installed here when missing), the DOM checked for the
runs, the test metrics per architecture and the registered model with its `champion` alias. The screenshots
stay in $TEXTLAB_TEST_ARTIFACTS (default tests/artifacts/, ignored by git)."""
from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import backend_copy, free_port, serving

ARTIFACTS = Path(os.environ.get("TEXTLAB_TEST_ARTIFACTS") or Path(__file__).parent / "artifacts") / "mlflow-ui"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--window-size=2400,1000",  # wide: the tables draw only the columns in view
                  "--virtual-time-budget=8000", "--timeout=40000"]  # the page as it stands after 8 s of its clock, 40 s at most
TRAINING = "workflowType=machine_learning"  # the UI's model-training view (README: Browse runs in MLflow)


def chromium() -> str:
    """Debian's chromium, installed with apt-get when missing (we are root on the test machines)."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("chromium is not installed and installing it needs root (apt-get install chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", "chromium"]
    for cmd in (["apt-get", "update", "-qq"], install):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
        if done.returncode != 0:
            pytest.skip(f"`{' '.join(cmd)}` failed, so no browser to check the UI with: {done.stderr.strip()[-300:]}")
    return shutil.which("chromium") or pytest.skip("apt-get installed chromium but it is not on PATH")


@pytest.fixture(scope="module")
def ui(pipeline, tmp_path_factory):
    """(server URL, chromium, scratch folder, IMDB experiment id) for an `mlflow server` on the backend copy."""
    browser = chromium()
    project, env, _ = pipeline
    folder = tmp_path_factory.mktemp("ui")
    port = free_port()
    cmd = ["mlflow", "server", "--backend-store-uri", backend_copy(project, folder), "--host", "127.0.0.1",
           "--port", str(port), "--workers", "1"]
    server = f"http://127.0.0.1:{port}"
    with serving(cmd, env, folder, f"{server}/health"):
        warm_up(server)
        query = urllib.parse.urlencode({"experiment_name": "textlab-imdb"})
        with urllib.request.urlopen(f"{server}/api/2.0/mlflow/experiments/get-by-name?{query}", timeout=30) as answer:
            experiment = json.loads(answer.read())["experiment"]
        yield server, browser, folder, experiment


def warm_up(server: str) -> None:
    """Fetch the app and the scripts it loads once: the first page a fresh server serves could stall a browser."""
    with urllib.request.urlopen(f"{server}/", timeout=60) as answer:
        index = answer.read().decode()
    for script in re.findall(r'src="([^"]+\.js)"', index):
        with contextlib.suppress(OSError), urllib.request.urlopen(urllib.parse.urljoin(f"{server}/", script),
                                                                   timeout=60) as answer:
            answer.read()


def render(ui, route: str, name: str) -> str:
    """The page's text after its scripts ran (tags stripped, one `|` between elements); the DOM and the
    screenshot go to ARTIFACTS/<name>.html and .png. A fresh browser profile: what a new user sees."""
    server, browser, folder, _ = ui
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={folder / ('profile-' + name)}", "--dump-dom",
           f"--screenshot={shot}", f"{server}/#/{route}"]
    for _ in range(2):  # now and then a headless start stalls for good (~1 in 3 on a loaded machine): once more
        browser_run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       start_new_session=True)
        try:
            dom, errors = browser_run.communicate(timeout=90)
            break
        except subprocess.TimeoutExpired:
            os.killpg(browser_run.pid, signal.SIGKILL)
            browser_run.communicate()
    else:
        raise AssertionError(f"chromium did not render {route} in two tries of 90 s")
    assert browser_run.returncode == 0 and shot.stat().st_size > 10_000, errors[-2000:]
    (ARTIFACTS / f"{name}.html").write_text(dom, encoding="utf-8")
    body = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.S)
    return re.sub(r"\s*(<[^>]*>\s*)+", "|", html.unescape(body)).replace("\xa0", " ")


def test_the_experiment_is_tagged_a_model_training_one(ui):
    tags = {tag["key"]: tag["value"] for tag in ui[3].get("tags", [])}
    assert tags.get("mlflow.experimentKind") == "custom_model_development"


def test_the_models_tab_lists_each_architecture_with_its_run_version_and_metrics(ui):
    page = render(ui, f"experiments/{ui[3]['experiment_id']}/models?{TRAINING}", "experiment-models")
    assert "|Logged Models - Experiment" in page
    assert "|train@imdb-bigram_fasttext|" in page and "|train_baseline@imdb-nbsvm|" in page  # source runs
    assert "|imdb-sentiment|v1|" in page or "|imdb-sentiment|v2|" in page  # their registered versions
    # Metric columns: the newest model's come first and only those in view are drawn (the ensemble's weights
    # can fill the width before a Keras model's training metrics)
    assert re.search(r"\|No dataset\|.*\|(epochs_run|best_epoch|val_loss|val_accuracy|weight\.imdb-[a-z_]+)\|", page)


def test_the_registered_model_shows_the_champion_alias_and_each_versions_lineage(ui, pipeline):
    champion = json.loads((pipeline[0] / "reports/registry/imdb-sentiment.json").read_text())["champion"]
    page = render(ui, f"models/imdb-sentiment?{TRAINING}", "registered-model")
    assert "|Model: imdb-sentiment - MLflow|" in page
    row = page.split(f"|Version {champion['version']}|")[1].split("|Version ")[0]
    assert "|@ champion" in row and f"|: {champion['model']}|" in row
    for tag in ("test_accuracy", "val_accuracy", "git.commit", "dvc.stage", "dvc.dep.data/"):
        assert f"|{tag}" in row


def test_the_experiment_link_opens_on_its_runs_with_their_datasets(ui):
    page = render(ui, f"experiments/{ui[3]['experiment_id']}?{TRAINING}", "experiment-runs")
    assert "|Runs - Experiment" in page and "|Model training|" in page
    for stage in ("train@imdb-bigram_fasttext", "evaluate@imdb-bigram_fasttext", "train_baseline@imdb-nbsvm",
                  "evaluate_baseline@imdb-nbsvm", "promote@imdb-sentiment"):
        assert f"|{stage}|" in page
    assert re.search(r"\|data/split/imdb \([0-9a-f]{6}", page)  # the Dataset column: path and DVC hash
