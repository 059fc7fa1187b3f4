"""`textlab predict`: ask a logged or registered model about raw texts, from the command line.

    textlab predict imdb-sentiment@champion "a text" "another"     # a registered model and alias
    textlab predict imdb-sentiment/3 --file reviews.txt            # a version; one text per line
    textlab predict train@names-gru --json < names.txt             # a stage's latest run, JSON lines
    textlab explain names-gender@champion Odell Anna --out pages   # LIME: an HTML page and a PNG per text

    textlab review --base main                                     # a PR's report: reports/review/review.md

Texts come from the arguments, else from --file, else from standard input, one per line, and are
answered in batches (a 10,000-line file streams). A classifier's answer is P(class 1), its label at
0.5 and `known_tokens` (0: nothing in the text is known to the model, so the answer means little).
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import mlflow.pyfunc
import pandas as pd
from mlflow.exceptions import MlflowException

from textlab import paths
from textlab.adapters.cli import StageError
from textlab.adapters.files import atomic_path
from textlab.adapters.tracking import recorded_run_id, run_record_path, tracking_uri

BATCH = 1000
MAX_TEXT_BYTES = 1_000_000  # a longer line is refused: no served model reads that far


def model_uri(name: str) -> str:
    """models:/ and runs:/ URIs as given; <task>@<alias> and <task>/<version> in the registry; a stage
    name (train@names-gru) → the logged model of its run recorded in reports/runs/."""
    if name.startswith(("models:/", "runs:/")):
        return name
    record = run_record_path(name)
    if record.is_file():
        return f"runs:/{recorded_run_id(record)}/model"
    return f"models:/{name}"


def checked(line: str, where: str) -> str:
    if "\x00" in line:
        raise StageError(f"{where}: binary data (a NUL byte); give one text per line")
    if len(line.encode("utf-8", "surrogateescape")) > MAX_TEXT_BYTES:
        raise StageError(f"{where}: a text of more than {MAX_TEXT_BYTES:,} bytes; split it")
    return line.rstrip("\r\n")


def read_lines(stream: TextIO, source: str) -> Iterator[str]:
    """Lines of a UTF-8 stream; a byte that is not UTF-8 is an error naming the line."""
    for number, line in enumerate(stream, start=1):
        try:
            line.encode("utf-8")
        except UnicodeEncodeError as err:  # surrogateescape keeps undecodable bytes as lone surrogates
            raise StageError(f"{source} line {number}: not UTF-8 text (byte {err.start + 1} of the line)") from err
        yield checked(line, f"{source} line {number}")


def texts_of(args: argparse.Namespace) -> Iterator[str]:
    if args.texts:
        return (checked(text, f"argument {i}") for i, text in enumerate(args.texts, start=1))
    if args.file:
        return read_lines(open(args.file, encoding="utf-8", errors="surrogateescape"), args.file)  # noqa: SIM115
    return read_lines(open(sys.stdin.fileno(), encoding="utf-8", errors="surrogateescape", closefd=False), "stdin")


def batches(texts: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(texts)
    while batch := list(itertools.islice(iterator, BATCH)):
        yield batch


def predict(args: argparse.Namespace) -> None:
    mlflow.set_tracking_uri(tracking_uri())
    model = mlflow.pyfunc.load_model(model_uri(args.model))
    for batch in batches(texts_of(args)):
        answer = model.predict(pd.DataFrame({"text": batch}))
        if "probability" in answer:
            answer.insert(0, "label", (answer["probability"] >= 0.5).astype(int))
        for text, row in zip(batch, answer.to_dict(orient="records"), strict=True):
            if args.json:
                print(json.dumps({"text": text, **row}, ensure_ascii=False))
            else:
                fields = [f"{value:.4f}" if isinstance(value, float) else str(value) for value in row.values()]
                print("\t".join([*fields, text[:60]]))


def explain(args: argparse.Namespace) -> None:
    """LIME explanations of each text's answer by the served model, as pages in `args.out`."""
    from textlab.adapters import explaining  # LIME and matplotlib: only for this command
    from textlab.explaining import explain as explain_text

    texts = list(texts_of(args))
    for number, text in enumerate(texts, start=1):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:  # an argument's undecodable bytes arrive as lone surrogates
            raise StageError(f"text {number}: not UTF-8 text (byte {err.start + 1})") from err
        if not text.strip():
            raise StageError(f"text {number} is empty: there is nothing to explain")
    if not texts:
        raise StageError("no text to explain: give texts as arguments, --file or standard input")
    mlflow.set_tracking_uri(tracking_uri())
    model = mlflow.pyfunc.load_model(model_uri(args.model))
    level, classes, proba = explaining.level_of(model), explaining.classes_of(model), explaining.predict_proba(model)
    found = [explain_text(proba, text, level, args.samples, args.features, args.seed) for text in texts]
    with atomic_path(args.out) as staged:
        pages = explaining.write_pages(found, staged, args.model, classes)
    for page, explanation in zip(pages, found, strict=True):
        top = ", ".join(f"{c.token!r} {c.weight:+.3f}" for c in explanation.contributions[:5])
        print(f"{Path(args.out) / page}\tP({classes[1]})={explanation.probability:.4f}\t{top}")


def review_branch(args: argparse.Namespace) -> None:
    """The pull-request report against `args.base`; exit 1 with --require-clean when dvc.lock is stale."""
    from textlab.adapters.reviewing import write_review  # dvc and matplotlib: only for this command

    stale = write_review(args.base, Path(args.out), args.image_url)
    print(f"{args.out}: {len(stale)} stage(s) out of date" if stale else args.out)
    if stale and args.require_clean:
        sys.exit(f"error: dvc.lock does not match the code for {', '.join(sorted(stale))}; "
                 "run `dvc repro` and commit dvc.lock")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="textlab", description="textlab's commands")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("predict", help="answer raw texts with a logged or registered model")
    ask.add_argument("model", help="<task>@<alias>, <task>/<version>, a stage name such as train@names-gru, "
                                   "or a models:/ or runs:/ URI")
    ask.add_argument("texts", nargs="*", help="texts to answer; none: --file or standard input, one per line")
    ask.add_argument("--file", help="a UTF-8 file with one text per line")
    ask.add_argument("--json", action="store_true", help="one JSON object per text instead of tab-separated fields")
    tell = commands.add_parser("explain", help="LIME: each character's or word's part in a model's answer")
    tell.add_argument("model", help="as for predict: <task>@<alias>, <task>/<version>, a stage name or a URI")
    tell.add_argument("texts", nargs="*", help="texts to explain; none: --file or standard input, one per line")
    tell.add_argument("--file", help="a UTF-8 file with one text per line")
    tell.add_argument("--out", default="explanations", help="folder for the pages (replaced): <n>-<text>.html and .png")
    tell.add_argument("--samples", type=int, default=1000, help="perturbed texts LIME scores per text")
    tell.add_argument("--features", type=int, default=12, help="most tokens shown per text")
    tell.add_argument("--seed", type=int, default=42, help="seeds LIME's perturbations")
    review = commands.add_parser("review", help="a markdown report of what changed against a git revision "
                                                "(dvc params/metrics/plots diff), with PNGs of the changed plots")
    review.add_argument("--base", required=True, help="the git revision to compare with, e.g. main or origin/main")
    review.add_argument("--out", default=str(paths.REPORTS / "review" / "review.md"), help="the report; images go to <stem>-plots/ beside it")
    review.add_argument("--image-url", help="prefix for the image links instead of the relative <stem>-plots folder "
                                            "(e.g. where CI publishes them)")
    review.add_argument("--require-clean", action="store_true",
                        help="exit 1 (after writing the report) when `dvc status` finds stages out of date")
    args = parser.parse_args(argv)
    try:
        {"predict": predict, "explain": explain, "review": review_branch}[args.command](args)
    except (StageError, OSError) as err:
        sys.exit(f"error: {err}")
    except MlflowException as err:  # an unknown model, alias, version or run; a text the model refuses
        sys.exit(f"error: {getattr(args, 'model', args.command)}: {err.message}")


if __name__ == "__main__":
    main()
