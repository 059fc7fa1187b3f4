"""Where the pipeline reads and writes: every location of dvc.yaml as a function of its corpus, view or key.

Paths are relative to the repository root (DVC runs every stage there). Stages and adapters take their
locations from here, never from literals; tests/test_paths.py expands dvc.yaml and checks that every dep
and out is a location of this catalog and every location of this catalog is in dvc.yaml. Pure: nothing is
read or written here.
"""
from __future__ import annotations

from pathlib import Path

DATA, MODELS, REPORTS = Path("data"), Path("models"), Path("reports")
SPLITS = ("train", "val", "test")  # the parts of every corpus: data/split/<corpus>/<part>.parquet


# data/: corpus files, split tables, tensors and validation predictions
def raw(source: str) -> Path:
    """download@<source>: the fetched (and unpacked) corpus or vectors file."""
    return DATA / "raw" / source


def split_dir(corpus: str) -> Path:
    """split@<corpus>: one table per part (and corpus extras)."""
    return DATA / "split" / corpus


def split_table(corpus: str, part: str) -> Path:
    return split_dir(corpus) / f"{part}.parquet"


def features(view: str) -> Path:
    """tokenize@<view> and pretrained@<key>: a view's tensors (a pretrained key is a view too)."""
    return DATA / "features" / view


def bag_features(corpus: str) -> Path:
    """vectorize@<corpus>: one folder of bag-of-tokens matrices per mode."""
    return features(f"{corpus}-bow")


def inputs(name: str) -> Path:
    """A params.yaml `inputs` value: what a model reads under data/ (a view, a bag mode, split/<corpus>)."""
    return DATA / name


def predictions_dir(corpus: str) -> Path:
    """Every classifier's validation probabilities of a corpus: what its ensembles are fitted on."""
    return DATA / "predictions" / corpus


def predictions(corpus: str, key: str) -> Path:
    return predictions_dir(corpus) / f"{key}.parquet"


# models/
def model_dir(key: str) -> Path:
    """A trained model's folder (its train stage's out, every later stage's input)."""
    return MODELS / key


# reports/: run records, data checks, training curves, test metrics and pages
RUNS_DIR = REPORTS / "runs"
TRAIN_DIR = REPORTS / "train"
METRICS_DIR = REPORTS / "metrics"
TUNE_DIR = REPORTS / "tune"
LEADERBOARD = REPORTS / "leaderboard"  # the leaderboard's <out>: <out>.md and <out>.png


def run_record(stage: str) -> Path:
    """Every stage's git-tracked record of its MLflow run, by full stage name (`<group>@<key>`)."""
    return RUNS_DIR / f"{stage}.json"


def checks_report(stage: str) -> Path:
    return REPORTS / "checks" / f"{stage}.json"


def data_docs(stage: str) -> Path:
    return REPORTS / "data_docs" / stage


def split_metrics(corpus: str) -> Path:
    return REPORTS / "split" / f"{corpus}.json"


def timings(key: str) -> Path:
    return REPORTS / "timings" / f"{key}.json"


def train_reports(key: str) -> Path:
    """A train stage's metrics.json and history.csv."""
    return TRAIN_DIR / key


def train_metrics(key: str) -> Path:
    return train_reports(key) / "metrics.json"


def train_history(key: str) -> Path:
    return train_reports(key) / "history.csv"


def metrics_dir(corpus: str) -> Path:
    return METRICS_DIR / corpus


def metrics(corpus: str, key: str) -> Path:
    """An evaluate stage's test metrics (and its quality-gate verdict)."""
    return metrics_dir(corpus) / f"{key}.json"


def test_predictions(key: str) -> Path:
    return REPORTS / "predictions" / f"{key}.csv"


def plots_dir(key: str) -> Path:
    """A classifier's DVC plots: confusion.csv and roc.csv."""
    return REPORTS / "plots" / key


def confusion_plot(key: str) -> Path:
    return plots_dir(key) / "confusion.csv"


def roc_plot(key: str) -> Path:
    return plots_dir(key) / "roc.csv"


PAGES = ("samples", "neighbours", "translations")  # the Markdown page of a language model, word vectors, translator


def page(kind: str, key: str) -> Path:
    if kind not in PAGES:
        raise ValueError(f"page kind must be one of {PAGES}, got {kind!r}")
    return REPORTS / kind / f"{key}.md"


def embeddings_export(key: str) -> Path:
    return REPORTS / "embeddings" / key


def registry_record(task: str) -> Path:
    """promote@<task>: the decision and candidates."""
    return REPORTS / "registry" / f"{task}.json"


def corpus_report(corpus: str) -> Path:
    return REPORTS / f"{corpus}.md"


def tune_dir(key: str) -> Path:
    """tune@<key>: search/ (keras-tuner's trials), best.json and trials.csv."""
    return TUNE_DIR / key


def tune_search(key: str) -> Path:
    return tune_dir(key) / "search"


def tune_best(key: str) -> Path:
    return tune_dir(key) / "best.json"


def tune_trials(key: str) -> Path:
    return tune_dir(key) / "trials.csv"


def explain_dir(key: str) -> Path:
    """explain@<key>: pages/ and metrics.json."""
    return REPORTS / "explain" / key


def explain_pages(key: str) -> Path:
    return explain_dir(key) / "pages"


def explain_metrics(key: str) -> Path:
    return explain_dir(key) / "metrics.json"


def leaderboard_files(out: Path = LEADERBOARD) -> tuple[Path, Path]:
    """The leaderboard's table and picture."""
    return Path(f"{out}.md"), Path(f"{out}.png")
