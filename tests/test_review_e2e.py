"""`textlab review` on two real commits: a clone of the session's small pipeline (conftest.pipeline) is the
base, a branch commit changes one parameter of one model and reproduces it; the report must show exactly
that parameter, exactly the models whose metrics moved, and images that open. The clone shares the
fixture's DVC cache (`dvc cache dir --local`) and leaves the fixture as it was.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from PIL import Image

from conftest import CLASSIFIERS, clone_pipeline, commit_all, run

pytestmark = pytest.mark.e2e
KEY = "names-dense_bow"


@pytest.fixture(scope="module")
def reviewed(pipeline, tmp_path_factory):
    clone, env = clone_pipeline(pipeline, tmp_path_factory.mktemp("review") / "clone")
    base = run(["git", "rev-parse", "HEAD"], clone, env).stdout.strip()
    epochs = yaml.safe_load((clone / "params.yaml").read_text())["models"][KEY]["epochs"]
    ran_for = json.loads((clone / "reports/train" / KEY / "metrics.json").read_text())["epochs_run"]  # >= 2

    params = yaml.safe_load((clone / "params.yaml").read_text())
    params["models"][KEY]["epochs"] = ran_for - 1  # fewer than it ran (early stopping aside): the model must change
    (clone / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    repro = run(["dvc", "repro", f"evaluate@{KEY}", "leaderboard"], clone, env)  # and train@; promote@, report@ left
    assert repro.returncode == 0, repro.stdout[-3000:] + repro.stderr[-3000:]
    commit_all(clone, f"{KEY}: one epoch fewer than it ran")
    review = run(["python", "-m", "textlab.adapters.commands", "review", "--base", base], clone, env)
    assert review.returncode == 0, review.stdout[-2000:] + review.stderr[-2000:]
    return clone, env, base, (epochs, ran_for)


def test_leaderboard_lists_the_params_models_with_their_runs_and_published_figures(reviewed):
    clone, env, _, _ = reviewed
    text = (clone / "reports/leaderboard.md").read_text()
    listed = set(re.findall(r"^\| ((?:names|imdb)-\w+) +\|", text, re.M))
    assert listed == set(CLASSIFIERS)  # the params' models, nothing else
    row = next(line for line in text.splitlines() if line.startswith(f"| {KEY} "))
    evaluated = json.loads((clone / f"reports/runs/evaluate@{KEY}.json").read_text())["run_id"]
    assert evaluated in row and "0.707" in row  # the new evaluate run; the seed's published accuracy
    with Image.open(clone / "reports/leaderboard.png") as image:
        assert image.format == "PNG"
    again = run(["dvc", "status", "leaderboard"], clone, env)
    assert "changed" not in again.stdout, again.stdout  # no metric moved since: it would not rerun


def section(text: str, title: str) -> str:
    return text.split(f"### {title}", 1)[1].split("\n### ", 1)[0]


def test_report_shows_exactly_the_changed_param_and_the_models_that_moved(reviewed):
    clone, env, base, (epochs, ran_for) = reviewed
    text = (clone / "reports/review/review.md").read_text()
    params = section(text, "Params")
    assert re.findall(r"^\| `([^`]+)` \|", params, re.M) == [f"models.{KEY}.epochs"]
    assert f"| `models.{KEY}.epochs` | {epochs} | {ran_for - 1} | {ran_for - 1 - epochs:+d} |" in params
    changed_files = run(["git", "diff", "--name-only", base, "HEAD", "--", "reports/metrics", "reports/train"],
                        clone, env).stdout.split()
    moved = {Path(f).stem if f.startswith("reports/metrics") else f.split("/")[2]
             for f in changed_files if f.endswith(".json") and "/runs/" not in f}
    assert KEY in moved
    stale = section(text, "Pipeline")  # the branch reproduced one model, not the stages reading all metrics
    listed = set(re.findall(r"^- `([^`]+)`", stale, re.M))
    assert {"promote@names-gender", "report@names"} <= listed and not {f"train@{KEY}", f"evaluate@{KEY}"} & listed
    metrics = section(text, "Metrics")
    assert set(re.findall(r"^#### (\S+)", metrics, re.M)) == moved
    assert f"| `training epochs_run` | {ran_for} | {ran_for - 1} | -1 |" in metrics
    for stage in (f"train@{KEY}", f"evaluate@{KEY}"):  # both sides' MLflow runs, from the run records
        record = f"reports/runs/{stage}.json"
        old = json.loads(run(["git", "show", f"{base}:{record}"], clone, env).stdout)["run_id"]
        new = json.loads((clone / record).read_text())["run_id"]
        assert old != new and f"`{stage}`: base `{old}` → branch `{new}`" in metrics


def test_report_links_images_of_the_changed_plots_that_open(reviewed):
    clone, _, _, _ = reviewed
    folder = clone / "reports/review"
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", section((folder / "review.md").read_text(), "Plots that changed"))
    assert f"review-plots/{KEY}-learning_curve.png" in links  # one epoch fewer: a shorter curve
    assert all(link.startswith(f"review-plots/{KEY}-") for link in links), links  # nothing else was retrained
    for link in links:
        with Image.open(folder / link) as image:
            image.verify()
        with Image.open(folder / link) as image:
            assert image.format == "PNG" and min(image.size) > 200


def test_plot_data_in_git_is_aggregated_and_predictions_are_in_the_dvc_cache(reviewed):
    clone, env, _, _ = reviewed
    plots = clone / "reports/plots" / KEY
    confusion = (plots / "confusion.csv").read_text().splitlines()
    assert confusion[0] == "actual,predicted,count" and len(confusion) == 5
    predictions = (clone / "reports/predictions" / f"{KEY}.csv").read_text().splitlines()
    assert sum(int(line.rsplit(",", 1)[1]) for line in confusion[1:]) == len(predictions) - 1
    assert len((plots / "roc.csv").read_text().splitlines()) <= 201
    tracked = run(["git", "ls-files", "reports/predictions", "reports/plots"], clone, env).stdout.split()
    assert f"reports/plots/{KEY}/confusion.csv" in tracked and not any("predictions" in f for f in tracked)
    lock = yaml.safe_load((clone / "dvc.lock").read_text())["stages"][f"evaluate@{KEY}"]["outs"]
    assert any(o["path"] == f"reports/predictions/{KEY}.csv" and o["md5"] for o in lock)
    shown = run(["dvc", "plots", "show", "--json", f"reports/plots/{KEY}/confusion.csv"], clone, env)
    assert shown.returncode == 0, shown.stderr[-2000:]
    spec = json.loads(shown.stdout)["data"][f"reports/plots/{KEY}/confusion.csv"][0]["content"]
    assert spec["spec"]["transform"][0]["aggregate"] == [{"op": "sum", "field": "count", "as": "xy_count"}]
