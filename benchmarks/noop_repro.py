"""No-op cost of the pipeline: the median wall time of `dvc repro` when every stage is up to date, next to
`dvc status` (the same hashing, no lock taken) and a bare `dvc --version` (DVC's own start-up), in one run.

    python benchmarks/noop_repro.py [--runs 5] [--project .] [target ...]

Targets (stages, as for `dvc repro`) limit all three commands to those stages and their ancestors, for a
workspace where only part of the DAG is up to date. It refuses to time a repro that would run
something: it lists the stale stages and exits 2.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def dvc(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["dvc", *args], cwd=project, capture_output=True, text=True, check=True)


def median_seconds(project: Path, args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        dvc(project, *args)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path, default=Path("."))
    parser.add_argument("targets", nargs="*", help="stages to limit the commands to (default: the whole DAG)")
    args = parser.parse_args()
    stale = sorted(json.loads(dvc(args.project, "status", "--json", *args.targets).stdout))
    if stale:
        sys.exit(f"not a no-op: {len(stale)} stale stages ({', '.join(stale[:8])}{' …' if len(stale) > 8 else ''}); "
                 "run `dvc repro` first")
    stages = dvc(args.project, "stage", "list", "--name-only").stdout.split()
    timed = {"dvc --version": ["--version"], "dvc status": ["status", *args.targets],
             "dvc repro (no-op)": ["repro", *args.targets]}
    scope = f"{len(args.targets)} targets and their ancestors" if args.targets else "the whole DAG"
    print(f"{len(stages)} stages in dvc.yaml, {scope}; median of {args.runs}\n\n| command | seconds |\n|---|---|")
    for label, command in timed.items():
        print(f"| {label} | {median_seconds(args.project, command, args.runs):.2f} |")


if __name__ == "__main__":
    main()
