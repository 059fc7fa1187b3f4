"""Tracking helpers and atomic writes."""
from __future__ import annotations

import pytest

from textlab import tracking
from textlab.adapters.files import atomic_path, write_json


def test_tracking_helpers_shape_params_tags_and_locations():
    assert tracking.flatten_params({"a": {"b": 1, "c": [1, 2]}, "d": None}) == {"a.b": "1", "a.c": "[1, 2]", "d": "None"}
    tags = tracking.stage_tags("train@x", "abc", True, {"data/raw": "f00"})
    assert tags == {"dvc.stage": "train@x", "git.commit": "abc", "git.dirty": "true", "dvc.dep.data/raw": "f00"}
    assert tracking.artifact_location("http://127.0.0.1:5000", "file:///p/mlartifacts", "names") == \
        "mlflow-artifacts:/textlab-names"
    assert tracking.artifact_location("sqlite:///m.db", "file:///p/mlartifacts", "names") == \
        "file:///p/mlartifacts/textlab-names"

def test_atomic_path_leaves_the_old_output_when_the_writer_fails(tmp_path):
    target = tmp_path / "out"
    with atomic_path(target) as folder:
        folder.mkdir()
        (folder / "a.txt").write_text("old")
    with pytest.raises(RuntimeError, match="killed"):
        with atomic_path(target) as folder:
            folder.mkdir()
            (folder / "a.txt").write_text("half")
            raise RuntimeError("killed mid-write")
    assert (target / "a.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left behind
    write_json(tmp_path / "m.json", {"b": 1})
    assert (tmp_path / "m.json").read_text() == '{\n  "b": 1\n}\n'


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path):
    stale = tmp_path / ".model.abc123.tmp"
    (stale / "model").mkdir(parents=True)
    other = tmp_path / ".other.abc123.tmp"
    other.mkdir()
    with atomic_path(tmp_path / "model") as folder:
        folder.mkdir()
    assert not stale.exists() and other.exists()  # only the same target's leftovers


def test_normalize_zip_makes_identical_content_byte_identical(tmp_path):
    import time
    import zipfile

    from textlab.adapters.files import normalize_zip

    paths = []
    for name in ("a.zip", "b.zip"):
        with zipfile.ZipFile(tmp_path / name, "w") as archive:
            archive.writestr("meta.json", f'{{"saved": "{time.time()}"}}')
            archive.writestr("weights", b"\x00\x01")
        normalize_zip(tmp_path / name, lambda member, data: b"{}" if member == "meta.json" else data)
        paths.append(tmp_path / name)
        time.sleep(2.1)  # zip timestamps have two-second resolution: the raw entries must differ
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert zipfile.ZipFile(paths[0]).read("weights") == b"\x00\x01"


def test_an_input_another_run_is_creating_is_linked_on_retry_and_other_errors_are_raised(tmp_path, monkeypatch):
    """The race itself (two queued experiments inserting one new dataset row on a PostgreSQL server) is what
    tests/test_team_e2e.py's queue test met; here its error is raised once in front of a real SQLite store."""
    import mlflow
    from mlflow.data.http_dataset_source import HTTPDatasetSource
    from mlflow.data.meta_dataset import MetaDataset
    from mlflow.exceptions import MlflowException

    from textlab.adapters import tracking as adapter

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    real, calls = mlflow.log_input, []

    def collide_once(dataset, context):
        calls.append(context)
        if len(calls) == 1:
            raise MlflowException('duplicate key value violates unique constraint "dataset_pk"')
        real(dataset, context=context)

    def refuse(dataset, context):
        raise MlflowException("bad request")

    monkeypatch.setattr(adapter, "DATASET_BACKOFF_S", 0.0)
    monkeypatch.setattr(mlflow, "log_input", collide_once)
    dataset = MetaDataset(HTTPDatasetSource("http://127.0.0.1/x"), name="data/x", digest="abc")
    with mlflow.start_run() as run:
        adapter.log_input(dataset, "train")
        monkeypatch.setattr(mlflow, "log_input", refuse)
        with pytest.raises(MlflowException, match="bad request"):  # not a collision: raised at once
            adapter.log_input(dataset, "train")
    assert calls == ["train", "train"]
    inputs = mlflow.get_run(run.info.run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("data/x", "abc")]


def test_an_experiment_another_stage_created_meanwhile_is_opened_not_refused(tmp_path, monkeypatch):
    """Two queued experiments' first stages on a fresh server both found no `textlab-names` and both created it
    (tests/test_team_e2e.py's PostgreSQL queue test: RESOURCE_ALREADY_EXISTS); here the lookup misses once in
    front of a real SQLite store that already holds it."""
    import mlflow

    from textlab import tracking
    from textlab.adapters import tracking as adapter

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    existing = mlflow.create_experiment(tracking.experiment_name("names"))
    real, lookups = mlflow.get_experiment_by_name, []

    def miss_once(name):
        lookups.append(name)
        return None if len(lookups) == 1 else real(name)

    monkeypatch.setattr(mlflow, "get_experiment_by_name", miss_once)
    assert adapter.open_experiment(uri, "names") == existing
    assert lookups == [tracking.experiment_name("names")] * 2
    assert set(tracking.EXPERIMENT_TAGS.items()) <= set(real(tracking.experiment_name("names")).tags.items())
