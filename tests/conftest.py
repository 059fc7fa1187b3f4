"""Shared fixtures: the corpus mirror and a throwaway copy of the project for real `dvc repro` runs."""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]


def find_mirror() -> Path | None:
    """TEXTLAB_MIRROR when set, else ../shared/corpora beside the checkout (tests only: never the project)."""
    configured = os.environ.get("TEXTLAB_MIRROR")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "corpora"
    return candidate.resolve() if (candidate / "names.zip").exists() else None


@pytest.fixture(scope="session")
def mirror() -> Path:
    found = find_mirror()
    if found is None:
        pytest.skip("no corpus mirror: set TEXTLAB_MIRROR to a folder holding names.zip and SHA256SUMS")
    return found


def project_files() -> list[str]:
    """What a fresh clone holds (tracked plus new, unignored files), minus generated results."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return [f for f in listed if (ROOT / f).is_file() and f != "dvc.lock" and not f.startswith(("reports/", "tests/"))]


def copy_project(dest: Path) -> Path:
    for name in project_files():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        subprocess.run(["git", *args], cwd=dest, check=True)
    return dest


def stage_env(project: Path, mirror: Path | str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MLFLOW_TRACKING_URI", None)
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": str(project / "src"),  # the copy's code, not the editable install's
        "TEXTLAB_MIRROR": str(mirror),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    })
    return env


def run(cmd: list[str], project: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------- two small real pipelines, one per half of the DAG
# The classifier half (names, IMDB) and the generative half (Nietzsche, Alice, spa-eng) share no stage, so
# each gets its own copy and cold repro: under `pytest -n 2 --dist loadgroup` (make test) they run side by side.
NAMES_MODELS = ["names-dense_bow", "names-simple_rnn"]  # dense_bow covers the sparse-input path
IMDB_MODELS = ["imdb-bigram_fasttext"]
BASELINES = ["imdb-nbsvm"]
ENSEMBLES = ["imdb-ensemble"]  # stacks the small DAG's two IMDB classifiers (a Keras and a scikit-learn model)
TUNED = "names-simple_rnn"  # the model the small pipeline's search tunes (tune@, train_tuned@, evaluate_tuned@)
LANGUAGE_MODELS = ["nietzsche-char_lstm"]
NGRAM_MODELS = ["nietzsche-kneser_ney5"]
EMBEDDINGS = ["alice-skipgram"]
TRANSLATORS = ["spa_eng-gru_attention"]
MIXTURE = "alice-lstm_kn3"  # an interpolation of the two Alice models below, both trained on small settings
MIXTURE_COMPONENTS = {"language_models": "alice-word_lstm", "ngram_models": "alice-kneser_ney3"}
CLASSIFIERS = NAMES_MODELS + IMDB_MODELS + BASELINES + ENSEMBLES
GENERATIVE = LANGUAGE_MODELS + NGRAM_MODELS + EMBEDDINGS + TRANSLATORS
HALVES = {"classifiers": ["names", "imdb"], "generative": ["nietzsche", "alice", "spa_eng"]}
# The modules that change a half's session project (its repros, commits and params edits) run in order on one
# worker: each half is one xdist scope. The modules that only clone the classifier project or copy its backend
# are a scope each, queued after every unit test, so whichever worker is free takes them (`cold_pipeline`
# builds the project once for both workers).
HALF_MODULES = {"tests/test_pipeline_e2e.py": "classifiers", "tests/test_pipeline_faults_e2e.py": "classifiers",
                "tests/test_generative_e2e.py": "generative"}
CLONING_MODULES = ["tests/test_review_e2e.py", "tests/test_tune_explain_e2e.py", "tests/test_team_e2e.py",
                   "tests/test_serve_e2e.py", "tests/test_ui_e2e.py"]


def queue_rank(nodeid: str) -> int:
    """Classifier half first, generative half second (the two longest chains start at once), unit tests, then
    the cloning modules: by the time a worker reaches them the classifier project has long been built."""
    module = nodeid.split("::")[0]
    if module in HALF_MODULES:
        return 0 if HALF_MODULES[module] == "classifiers" else 1
    return 3 if module in CLONING_MODULES else 2


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: queue_rank(item.nodeid))  # stable: a module's tests keep their order


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's scheduling by scope (`HALF_MODULES` a scope per half, every other module or test its own),
    handed out in collection order (`queue_rank`) rather than biggest scope first. (xdist_group marks would
    say the same, but xdist 3.8 sets them on a node id attribute that pytest 9 no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class PipelineHalves(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            if module in CLONING_MODULES:
                return module
            return HALF_MODULES.get(module, nodeid)

    config.option.loadscopereorder = False  # xdist's own --no-loadscope-reorder: keep `queue_rank`'s order
    return PipelineHalves(config, log)


def artifacts_folder(name: str) -> Path:
    """$TEXTLAB_TEST_ARTIFACTS/<name> (default tests/artifacts/<name>, ignored by git): what a test keeps
    for a person to look at (screenshots, a sweep's `dvc exp show`)."""
    folder = Path(os.environ.get("TEXTLAB_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts") / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def assert_checks_passed_with_docs(project: Path, stage: str) -> None:
    """The stage's GX checks passed, and its Data Docs hold a validation page for every check of that report."""
    from textlab import paths

    report = json.loads((project / paths.checks_report(stage)).read_text())
    pages = (project / paths.data_docs(stage) / "validations").rglob("*.html")
    assert report["success"] is True, report
    assert {page.stem.removeprefix("textlab-") for page in pages} == set(report["checks"])


def ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", output))


def all_stages(project: Path, env: dict[str, str]) -> set[str]:
    return set(run(["dvc", "stage", "list", "--name-only"], project, env).stdout.split())


def mlflow_runs(project: Path) -> pd.DataFrame:
    """One row per run (index run id, status) and one column per tag."""
    with sqlite3.connect(project / "mlflow.db") as db:
        return pd.read_sql("select r.run_uuid, r.status, t.key, t.value from runs r join tags t on r.run_uuid = t.run_uuid",
                           db).pivot_table(index=["run_uuid", "status"], columns="key", values="value", aggfunc="first")


def only(section: dict, keys: list[str]) -> dict:
    return {key: section[key] for key in keys}


def of_corpora(section: dict, corpora: list[str]) -> dict:
    return {key: entry for key, entry in section.items() if key.split("-")[0] in corpora}


def shrink_classifiers(params: dict) -> None:
    """Few epochs and architectures; IMDB cut to 100 reviews per folder (its `limit` param)."""
    params["models"] = only(params["models"], NAMES_MODELS + IMDB_MODELS)
    params["baselines"] = only(params["baselines"], BASELINES)
    params["ensembles"] = {key: {**params["ensembles"][key], "members": IMDB_MODELS + BASELINES} for key in ENSEMBLES}
    for key in NAMES_MODELS + IMDB_MODELS:
        params["models"][key].update(epochs=3, patience=1)
    params["bags"]["names"]["modes"] = ["binary", "tfidf"]
    imdb = params["corpora"]["imdb"]
    imdb["split"]["limit"] = 100
    imdb["checks"].update(max_oov_rate=0.6, text_words={"min": 1, "max": 3000, "median": [50, 400]})
    params["views"] = only(params["views"], ["names-chars", "imdb-bigrams"])
    params["views"]["imdb-bigrams"].update(maxlen=100, max_ngrams=5000)
    params["export_embeddings"]["models"] = ["names-simple_rnn"]
    for gate in params["registry"].values():
        gate["min_test_accuracy"] = 0.5  # models this small may miss the real floors
    # A two-trial, one-epoch search of a names model, and IMDB's explanations with fewer LIME samples.
    search = {**params["tune"]["names-bilstm"], "trials": 2, "epochs": 1, "executions": 1}
    params["tune"] = {TUNED: {**search, "space": {"units": {"min": 8, "max": 16, "step": 8}}}}
    params["explain"] = only(params["explain"], ["imdb"])  # NBSVM's sign check; names' Keras path: tests/test_explain.py's CLI
    params["explain"]["imdb"].update(samples=100, features=6)


def shrink_generative(params: dict) -> None:
    """Nietzsche and Alice cut to their first 40,000 characters, spa-eng to 8,000 pairs (the `limit` params):
    Nietzsche for the language models, Alice for the word vectors, spa-eng for a translator. 8,000 pairs and a
    64-unit translator are about the least that beats copying the English (fewer pairs, or 1 epoch, lose to it)."""
    params["corpora"]["spa_eng"]["split"]["limit"] = 8_000
    params["corpora"]["spa_eng"]["checks"]["max_oov_rate"] = 0.6  # a small sample's val and test know few words
    params["translation_models"] = {key: {**params["translation_models"][key], "units": 64, "embedding_dim": 32,
                                          "epochs": 12, "batch_size": 64, "learning_rate": 0.003, "dropout": 0.0}
                                    for key in TRANSLATORS}
    for text in ("nietzsche", "alice"):
        params["corpora"][text]["split"]["limit"] = 40_000
    params["embedding_models"] = {key: {**params["embedding_models"][key], "epochs": 2} for key in EMBEDDINGS}
    params["neighbours"]["frequent"] = 20
    params["language_models"] = only(params["language_models"], [*LANGUAGE_MODELS, MIXTURE_COMPONENTS["language_models"]])
    params["language_models"]["nietzsche-char_lstm"].update(units=[16], embedding_dim=8, epochs=2)
    params["language_models"][MIXTURE_COMPONENTS["language_models"]].update(units=[16], embedding_dim=8, epochs=2)
    params["ngram_models"] = only(params["ngram_models"], [*NGRAM_MODELS, MIXTURE_COMPONENTS["ngram_models"]])
    params["mixture_models"] = only(params["mixture_models"], [MIXTURE])
    params["generation"]["length"] = 20
    params["views"]["nietzsche-chars"]["step"] = 5
    params["export_embeddings"]["models"] = list(EMBEDDINGS)


def shrink_params(project: Path, half: str) -> None:
    """params.yaml of one half of the DAG (`HALVES`) on small settings: the other half's entries removed."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    corpora = HALVES[half]
    params["download"]["sources"] = list(corpora)
    params["corpora"] = only(params["corpora"], corpora)
    for section in ("views", "bags", "models", "baselines", "ensembles", "tune", "explain", "language_models", "ngram_models",
                    "embedding_models", "translation_models", "mixture_models", "registry"):
        params[section] = of_corpora(params[section], corpora)
    params["pretrained"] = {}
    {"classifiers": shrink_classifiers, "generative": shrink_generative}[half](params)
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def commit_all(project: Path, message: str) -> None:
    for args in (["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "--allow-empty", "-qm", message]):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every pytest-xdist worker of this session sees (the parent of the workers' own base folders)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def cold_pipeline(tmp_path_factory: pytest.TempPathFactory, mirror: Path, half: str):
    """A committed copy of the project with one half's small params, after one cold `dvc repro`, committed
    again (as a user's clone would be): the e2e modules of that half share it and leave it as they found it.

    Built once per session whichever worker asks first (a file lock in the workers' shared folder; the other
    waits and reuses it): the modules that only clone it or copy its backend run on the other worker."""
    shared = shared_folder(tmp_path_factory)
    project, record = shared / half, shared / f"{half}-repro.json"
    env = stage_env(project, mirror)
    with FileLock(shared / f"{half}.lock"):
        if not record.exists():
            project.mkdir()
            copy_project(project)
            shrink_params(project, half)
            commit_all(project, "small params")
            first = run(["dvc", "repro"], project, env, timeout=1800)  # ~20 stages
            if first.returncode == 0:
                commit_all(project, "cold repro")
            record.write_text(json.dumps({"args": first.args, "returncode": first.returncode,
                                          "stdout": first.stdout, "stderr": first.stderr}))
    first = subprocess.CompletedProcess(**json.loads(record.read_text()))
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    return project, env, first


def clone_pipeline(pipeline, dest: Path, checkout: bool = True) -> tuple[Path, dict[str, str]]:
    """A `git clone` of a small pipeline's HEAD sharing its DVC cache (`dvc cache dir --local`), the outputs
    checked out unless `checkout` is False: tests edit the clone, never the session's fixture project."""
    project, env, _ = pipeline
    subprocess.run(["git", "clone", "-q", str(project), str(dest)], check=True)
    env = stage_env(dest, env["TEXTLAB_MIRROR"])
    commands = [["dvc", "cache", "dir", "--local", str(project / ".dvc/cache")]] + [["dvc", "checkout", "-q"]] * checkout
    for command in commands:
        done = run(command, dest, env)
        assert done.returncode == 0, done.stderr[-2000:]
    return dest, env


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, mirror):
    """The classifier half: names and IMDB."""
    return cold_pipeline(tmp_path_factory, mirror, "classifiers")


@pytest.fixture(scope="session")
def generative_pipeline(tmp_path_factory, mirror):
    """The generative half: Nietzsche, Alice and spa-eng."""
    return cold_pipeline(tmp_path_factory, mirror, "generative")


@contextlib.contextmanager
def edited_params(project: Path, change: Callable[[dict], None]) -> Iterator[None]:
    """params.yaml with `change` applied to its parsed content, restored afterwards."""
    path = project / "params.yaml"
    original = path.read_text()
    params = yaml.safe_load(original)
    change(params)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    try:
        yield
    finally:
        path.write_text(original)


# ------------------------------------------------- a real `mlflow server` on 127.0.0.1
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def backend_copy(project: Path, folder: Path) -> str:
    """A copy of the project's SQLite backend (its artifact locations are absolute paths into the project, read
    only): a server started on it can write nothing into the project."""
    with contextlib.closing(sqlite3.connect(project / "mlflow.db")) as source, \
            contextlib.closing(sqlite3.connect(folder / "mlflow.db")) as copy:
        source.backup(copy)  # a consistent snapshot while the other worker's stages may be writing
    return f"sqlite:///{folder / 'mlflow.db'}"


@contextlib.contextmanager
def serving(cmd: list[str], env: dict[str, str], cwd: Path, ready_url: str, timeout_s: float = 240) -> Iterator[Path]:
    """Run `cmd` until `ready_url` answers 200; yields its log file; stops its process group on the way out."""
    log = cwd / f"{Path(cmd[0]).name}-{cmd[1]}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(urllib.error.URLError, OSError):
                with urllib.request.urlopen(ready_url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            if time.monotonic() > deadline:
                raise AssertionError(f"{ready_url} not ready after {timeout_s} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def mlflow_server(backend_uri: str, artifacts: Path, workers: int = 1) -> Iterator[str]:
    """`mlflow server` on a free port of 127.0.0.1 over `backend_uri`, proxying artifacts to the folder
    `artifacts`; yields its URL once /health answers (a first start on PostgreSQL runs the schema
    migrations), and stops it on exit. Its log is `mlflow-server.log` beside `artifacts`."""
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
           "--backend-store-uri", backend_uri, "--artifacts-destination", str(artifacts), "--serve-artifacts",
           "--workers", str(workers)]
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    artifacts.parent.mkdir(parents=True, exist_ok=True)
    with serving(cmd, env, artifacts.parent, f"http://127.0.0.1:{port}/health"):
        yield f"http://127.0.0.1:{port}"
