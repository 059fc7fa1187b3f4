"""The review report's pure parts (textlab.review) and the pull-request workflow that posts it."""
from __future__ import annotations

from pathlib import Path

import yaml

from textlab import review

ROOT = Path(__file__).resolve().parents[1]


def test_params_and_metrics_are_grouped_per_model_with_deltas():
    params = review.param_changes({"params.yaml": {
        "models.names-gru.units": {"old": [16], "new": [32]}, "train.epochs": {"old": 20, "new": 10},
        "baselines.imdb-nbsvm.C": {"old": 1.0, "new": 0.5}}})
    assert list(params) == [review.SHARED, "imdb-nbsvm", "names-gru"]
    assert params["imdb-nbsvm"][0].delta == -0.5 and params["names-gru"][0].delta is None
    metrics = review.metric_changes({
        "reports/metrics/names/names-gru.json": {"accuracy": {"old": 0.8, "new": 0.85, "diff": 0.05}},
        "reports/train/names-gru/metrics.json": {"epochs_run": {"old": 4, "new": 3, "diff": -1}},
        "reports/split/names.json": {"test_rows": {"old": None, "new": 10}}})
    assert {m: [c.name for c in cs] for m, cs in metrics.items()} == {
        "names-gru": ["test accuracy", "training epochs_run"], "reports/split/names.json": ["test_rows"]}
    text = review.markdown("main", params, metrics, {"names-gru": {"train@names-gru": ("a" * 32, "b" * 32)}}, {}, {})
    assert text.startswith(review.MARKER)
    assert "| `test accuracy` | 0.8000 | 0.8500 | +0.0500 |" in text
    assert "| `training epochs_run` | 4 | 3 | -1 |" in text and "| `test_rows` | — | 10 |  |" in text
    assert f"`train@names-gru`: base `{'a' * 32}` → branch `{'b' * 32}`" in text
    assert "No plot changed." in text and "`dvc.lock` matches the code" in text


def test_stale_stages_ignore_only_what_this_checkout_has_not_pulled():
    status = {"split@names": [{"changed deps": {"data/raw/names": "deleted", "src/textlab/splits.py": "modified"}},
                              {"changed outs": {"data/split/names": "not in cache"}}],
              "train@names-gru": [{"changed deps": {"data/features/names-chars": "deleted"}}, "changed command"],
              "report@names": [{"changed outs": {"reports/names.md": "modified"}},
                               {"changed deps": {"params.yaml": {"models": "modified"}}}],
              "evaluate@names-gru": [{"changed outs": {"reports/predictions/names-gru.csv": "deleted"}}]}
    assert review.stale_stages(status) == {"split@names": ["changed deps: src/textlab/splits.py modified"],
                                           "train@names-gru": ["changed command"],
                                           "report@names": ["changed outs: reports/names.md modified",
                                                            "changed deps: params.yaml models modified"]}
    text = review.markdown("main", {}, {}, {}, {}, review.stale_stages(status))
    assert "**3 stage(s) out of date**" in text and "- `train@names-gru`: changed command" in text


def test_plot_rows_are_split_per_revision_and_compared():
    rows = [{"actual": "0", "predicted": "1", "count": "3", "rev": "workspace"},
            {"actual": "0", "predicted": "1", "count": "4", "rev": "main"}]
    series = review.by_revision(rows, ["workspace", "main"])
    assert review.plot_kind(rows) == "confusion" and series["main"] == [{"actual": 0.0, "predicted": 1.0, "count": 4.0}]
    assert review.changed(series)
    assert not review.changed(review.by_revision([{**r, "count": "3"} for r in rows], ["workspace", "main"]))
    assert review.changed(review.by_revision(rows[:1], ["workspace", "main"]))  # a new plot: nothing at the base
    assert review.plot_kind([{"epoch": "1", "loss": "0.3"}]) == "learning curve"
    assert review.plot_kind([{"fpr": "0", "tpr": "0"}]) == "roc"


def test_pull_request_workflow_sets_up_checks_the_lock_and_posts_one_comment():
    workflow = yaml.safe_load((ROOT / ".github/workflows/review.yml").read_text())
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert "make setup" in (ROOT / "README.md").read_text() and "make setup" in scripts  # the README's set-up
    assert "textlab review --base origin/${{ github.base_ref }} --require-clean" in scripts  # runs dvc status
    posting = next(step for step in steps if "github-script" in step.get("uses", ""))
    assert review.MARKER in posting["with"]["script"] and "updateComment" in posting["with"]["script"]
