"""download@<source>: fetch one registered corpus file from the mirror or its canonical URL.

Writes data/raw/<source>/<file> (and unpacked/ for archives). The whole folder is staged and
renamed into place, so a bad checksum or an unsafe archive leaves the previous download intact.
"""
from __future__ import annotations

import os

import mlflow

from textlab import paths
from textlab.adapters import fetch
from textlab.adapters.cli import run_stage
from textlab.adapters.files import atomic_path
from textlab.adapters.params import load_params
from textlab.adapters.tracking import stage_run
from textlab.corpora import SOURCES
from textlab.fetching import expected_sha256, resolve_location

MIRROR_ENV = "TEXTLAB_MIRROR"


def main(name: str) -> None:
    params = load_params()["download"]
    if name not in SOURCES:
        raise KeyError(f"no corpus {name!r} in the registry; known: {sorted(SOURCES)}")
    source = SOURCES[name]
    mirror = os.environ.get(MIRROR_ENV) or params.get("mirror")
    location = resolve_location(source, mirror)
    with stage_run(f"download@{name}", name, {"source": source.url, "location": location, **params}, []) as run:
        expected = expected_sha256(source, fetch.read_mirror_sums(mirror, params["timeout_s"]))
        with atomic_path(paths.raw(name)) as staging:
            staging.mkdir()
            archive = staging / source.filename
            digest = fetch.fetch(location, archive, expected_sha256=expected,
                                 retries=int(params["retries"]), timeout_s=float(params["timeout_s"]))
            members = fetch.extract_archive(archive, staging / "unpacked", max_members=int(params["max_members"]),
                                            max_bytes=int(params["max_unpacked_mb"] * 2**20)) if source.extract else []
        mlflow.set_tags({"sha256": digest, "verified": str(expected is not None).lower()})
        mlflow.log_metrics({"bytes": archive_size(name, source.filename), "members": len(members)})
        print(f"download@{name}: {source.filename} sha256={digest} ({'verified' if expected else 'no checksum known'}), "
              f"run {run.info.run_id}")


def archive_size(name: str, filename: str) -> int:
    return (paths.raw(name) / filename).stat().st_size


if __name__ == "__main__":
    run_stage("download", main)
