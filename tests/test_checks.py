"""Data checks: fast unit tests for the summaries, then real GX runs (batched: GX is slow to load)."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from textlab import checks as C

N, MAXLEN, VOCAB = 100, 8, 30
BALANCE = (0.4, 0.6)


def make_sequences(padding: str = "pre") -> tuple[np.ndarray, np.ndarray]:
    """Balanced labels; row i holds 1 + i % MAXLEN tokens, every 10th row one OOV."""
    rng = np.random.default_rng(0)
    x = np.zeros((N, MAXLEN), np.int32)
    for i in range(N):
        k = 1 + i % MAXLEN
        ids = rng.integers(2, VOCAB, k)
        ids[0] = 1 if i % 10 == 0 else ids[0]
        if padding == "pre":
            x[i, MAXLEN - k:] = ids
        else:
            x[i, :k] = ids
    return x, (np.arange(N) % 2).astype(np.int8)


def make_matrix(binary: bool = True) -> sp.csr_matrix:
    rng = np.random.default_rng(1)
    m = sp.random(N, VOCAB, density=0.2, format="csr", dtype=np.float32, rng=rng)
    if binary:
        m.data[:] = 1.0
    return m


# --------------------------------------------------------------------------- pure summaries


def test_summarise_sequences_flags_each_defect() -> None:
    x = np.array([[0, 0, 5, 1], [0, 4, 0, 6], [3, 4, 0, 0], [0, 0, 0, 0], [2, 1, 1, 7]])
    s = C.summarise_sequences(x, np.array([0, 1, 0, 1, 1]), "pre")
    assert s["n_tokens"].tolist() == [2, 2, 2, 0, 4]
    assert s["n_oov"].tolist() == [1, 0, 0, 0, 2]
    assert s["oov_rate"].tolist() == [0.5, 0.0, 0.0, 0.0, 0.5]
    assert s["padding_gap"].tolist() == [False, True, False, False, False]
    assert s["padding_wrong_side"].tolist() == [False, False, True, False, False]
    assert s["padding_inside"].tolist() == [False, True, True, False, False]
    assert s["max_id"].tolist() == [5, 6, 4, 0, 7] and s["label"].tolist() == [0, 1, 0, 1, 1]
    post = C.summarise_sequences(x, np.zeros(5, int), "post")
    assert post["padding_wrong_side"].tolist() == [True, True, False, False, False]


def test_summarise_sequences_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError):
        C.summarise_sequences(np.zeros((3, 4)), np.zeros(2), "pre")
    with pytest.raises(ValueError):
        C.summarise_sequences(np.zeros((3, 4)), np.zeros(3), "left")


def test_summarise_matrix_sparse_equals_dense() -> None:
    dense = np.array([[0, 2, 0], [1, 1, 1], [-1, 0, np.nan], [0, 0, 0], [3, np.inf, 4]], "f4")
    y = np.array([0, 1, 0, 1, 0])
    a, b = C.summarise_matrix(sp.csr_matrix(dense), y), C.summarise_matrix(dense, y)
    pd.testing.assert_frame_equal(a, b)
    assert a["row_min"].tolist() == [0, 1, -1, 0, 3]
    assert a["row_max"].tolist() == [2, 1, 0, 0, np.inf]
    assert a["all_finite"].tolist() == [True, True, False, True, False]
    assert a["is_binary"].tolist() == [False, True, False, True, False]
    assert a["nnz"].tolist() == [1, 3, 2, 0, 3]


def test_disjoint_splits_frame_dedupes_within_split() -> None:
    f = C.disjoint_splits_frame({"train": ["a", "b", "a"], "val": ["c"], "test": ["b"]})
    assert f.to_dict("list") == {"text": ["a", "b", "c", "b"], "split": ["train"] * 2 + ["val", "test"]}


def test_summaries_do_not_import_gx() -> None:
    code = ("import sys, numpy as np; import textlab.checks as C; "
            "C.summarise_sequences(np.ones((2, 3)), np.zeros(2), 'pre'); "
            "assert 'great_expectations' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- real GX runs


@pytest.fixture(scope="module")
def validate():
    """Imported once per module: the GX import is the expensive part."""
    from textlab.adapters import validate

    return validate


def test_every_expectation_names_a_column_its_summary_has(validate) -> None:
    """GX reports a missing column only when the suite runs on real data; catch a renamed column here."""
    x, y = make_sequences()
    split = pd.DataFrame({"text": ["a b", "c"], "label": [0, 1]})
    pairs = [
        (C.summarise_sequences(x, y, "pre"), C.sequence_expectations(N, VOCAB, BALANCE, 0.2)),
        (C.summarise_matrix(make_matrix(), y), C.matrix_expectations(N, True, BALANCE)),
        (split, C.split_expectations(N, BALANCE) + C.label_count_expectations(N, N // 2)),
        (C.summarise_texts(split), C.length_expectations(1, 5, (1, 3))),
        (C.disjoint_splits_frame({"train": ["a"]}), C.disjoint_expectations()),
    ]
    for frame, expectations in pairs:
        columns = {e.column for e in expectations if hasattr(e, "column")}
        assert columns and columns <= set(frame.columns), columns - set(frame.columns)
    seq = C.sequence_expectations(N, VOCAB, BALANCE, None)
    assert "oov_rate" not in {e.column for e in seq if hasattr(e, "column")}
    assert len(C.matrix_expectations(N, True, BALANCE)) == len(C.matrix_expectations(N, False, BALANCE)) + 1


def test_text_lengths_count_whitespace_separated_words() -> None:
    table = pd.DataFrame({"text": ["one", "two  words", " padded\ttext here "], "label": [1, 0, 1]})
    summary = C.summarise_texts(table)
    assert summary["n_words"].tolist() == [1, 2, 3]  # runs of spaces and tabs are one separator
    assert summary["label"].tolist() == [1, 0, 1]


def test_good_data_passes_and_writes_docs(validate, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs"
    (docs / "stale").mkdir(parents=True)
    x_pre, y = make_sequences("pre")
    x_post, _ = make_sequences("post")
    seq_exp = C.sequence_expectations(N, VOCAB, BALANCE, max_oov_rate=0.2)  # shared on purpose
    split = pd.DataFrame({"text": [f"text {i}" for i in range(N)], "label": y.astype(int)})
    good = [
        C.Check("split", split, C.split_expectations(N, BALANCE)),
        C.Check("pre", C.summarise_sequences(x_pre, y, "pre"), seq_exp),
        C.Check("post", C.summarise_sequences(x_post, y, "post"), seq_exp),
        C.Check("binary", C.summarise_matrix(make_matrix(), y), C.matrix_expectations(N, True, BALANCE)),
        C.Check("tfidf", C.summarise_matrix(make_matrix(False).toarray(), y),
                C.matrix_expectations(N, False, BALANCE)),
        C.Check("disjoint", C.disjoint_splits_frame({"train": ["a", "a"], "val": ["b"]}),
                C.disjoint_expectations()),
    ]
    summary = validate.run_checks(good, suite_prefix="stage/tests", docs_dir=docs)
    assert summary["success"] and json.loads(json.dumps(summary)) == summary
    assert summary["checks"]["pre"] == {"success": True, "evaluated": len(seq_exp), "failed": []}
    assert (docs / "index.html").is_file() and not (docs / "stale").exists()
    assert len(list((docs / "validations").rglob("*.html"))) == len(good)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]  # no GX project left behind
    again = validate.run_checks(good[1:2], suite_prefix="stage", docs_dir=None)  # reused lists
    assert again["success"]


def _bad_checks() -> list[C.Check]:
    """One check per defect, each breaking exactly one expectation."""
    x, y = make_sequences("pre")
    x_post, _ = make_sequences("post")

    def seq(x_=x, y_=y, padding="pre", n=N, oov=0.2):
        return C.summarise_sequences(x_, y_, padding), C.sequence_expectations(n, VOCAB, BALANCE, oov)

    def edit(a, where, value):
        a = a.copy()
        a[where] = value
        return a

    m = make_matrix()
    return [
        C.Check("id_range", *seq(x_=edit(x, (3, -1), VOCAB))),
        C.Check("negative_id", *seq(x_=edit(x, (3, -1), -4))),
        C.Check("gap", *seq(x_=edit(x, (7, -3), 0))),
        C.Check("wrong_side", *seq(x_=x_post)),
        C.Check("all_padding", *seq(x_=edit(x, 9, 0))),
        C.Check("label_2", *seq(y_=edit(y, 0, 2))),
        C.Check("balance", *seq(y_=np.ones(N, np.int8))),
        C.Check("oov", *seq(oov=0.01)),
        C.Check("row_count", *seq(n=N + 1)),
        C.Check("negative", C.summarise_matrix(edit(m.toarray(), (4, 3), -0.5), y),
                C.matrix_expectations(N, False, BALANCE)),
        C.Check("nan", C.summarise_matrix(edit(m.toarray(), (5, 2), np.nan), y),
                C.matrix_expectations(N, False, BALANCE)),
        C.Check("two", C.summarise_matrix(sp.csr_matrix(edit(m.toarray(), (6, 1), 2.0)), y),
                C.matrix_expectations(N, True, BALANCE)),
        C.Check("leak", C.disjoint_splits_frame({"train": ["a", "b"], "val": ["c", "b"]}),
                C.disjoint_expectations()),
    ]


@pytest.fixture(scope="module")
def bad_run(validate, tmp_path_factory):
    docs = tmp_path_factory.mktemp("bad") / "docs"
    with pytest.raises(validate.DataCheckError) as info:
        validate.run_checks(_bad_checks(), suite_prefix="tokenize/names", docs_dir=docs)
    return info.value, docs


BAD = {
    "id_range": ("ExpectColumnValuesToBeBetween", "max_id", "(expected ≤ 29): 1 of 100 rows, e.g. 30"),
    "negative_id": ("ExpectColumnValuesToBeBetween", "min_id", "(expected ≥ 0): 1 of 100 rows, e.g. -4"),
    "gap": ("ExpectColumnValuesToBeInSet", "padding_gap", "e.g. True (row 7:"),
    "wrong_side": ("ExpectColumnValuesToBeInSet", "padding_wrong_side", "of 100 rows"),
    "all_padding": ("ExpectColumnValuesToBeBetween", "n_tokens", "(expected ≥ 1): 1 of 100 rows, e.g. 0"),
    "label_2": ("ExpectColumnValuesToBeInSet", "label", "(expected in {0, 1}): 1 of 100 rows, e.g. 2"),
    "balance": ("ExpectColumnMeanToBeBetween", "label", "(expected between 0.4 and 0.6): observed 1"),
    "oov": ("ExpectColumnMeanToBeBetween", "oov_rate", "(expected between 0 and 0.01): observed"),
    "row_count": ("ExpectTableRowCountToEqual", None, "(expected = 101): observed 100"),
    "negative": ("ExpectColumnValuesToBeBetween", "row_min", "e.g. -0.5 (row 4:"),
    "nan": ("ExpectColumnValuesToBeInSet", "all_finite", "e.g. False (row 5:"),
    "two": ("ExpectColumnValuesToBeInSet", "is_binary", "e.g. False (row 6:"),
    "leak": ("ExpectColumnValuesToBeUnique", "text", "2 of 4 rows, e.g. 'b'"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_defect_is_caught_and_named(bad_run, name) -> None:
    error, _ = bad_run
    expectation, column, evidence = BAD[name]
    (failure,) = error.summary["checks"][name]["failed"]
    assert (failure["expectation"], failure["column"]) == (expectation, column)
    line = next(s for s in str(error).splitlines() if f"check '{name}' " in s)
    where = f" on column '{column}'" if column else ""
    assert line.startswith(f"tokenize/names: check '{name}' failed {expectation}{where}")
    assert evidence in line, line


def test_failing_run_still_builds_docs(bad_run) -> None:
    error, docs = bad_run
    assert not error.summary["success"] and json.dumps(error.summary)
    assert (docs / "index.html").is_file()
    assert len(list((docs / "validations").rglob("*.html"))) == len(BAD)


def test_duplicate_check_names_are_refused(validate) -> None:
    frame = pd.DataFrame({"label": [0, 1]})
    with pytest.raises(ValueError, match="unique"):
        validate.run_checks([C.Check("a", frame, []), C.Check("a", frame, [])], suite_prefix="p")


# --------------------------------------------------------------------------- running texts (language models)


def text_parts(text: str, cuts: tuple[int, int]) -> dict[str, pd.DataFrame]:
    bounds = {"train": (0, cuts[0]), "val": (cuts[0], cuts[1]), "test": (cuts[1], len(text))}
    return {name: pd.DataFrame({"text": [text[a:b]], "start": [a], "end": [b]}) for name, (a, b) in bounds.items()}


def text_checks(stream: np.ndarray, parts: dict[str, pd.DataFrame], maxlen: int = 4, step: int = 2) -> list[C.Check]:
    from textlab.language import sliding_windows

    x, y = sliding_windows(stream, maxlen, step)
    return [C.Check("parts", C.summarise_text_parts(parts), C.text_part_expectations(len(parts))),
            C.Check("windows", C.summarise_windows(x, y, len(stream), step), C.window_expectations(len(x), maxlen, 9)),
            C.Check("oov", C.oov_share_frame(stream), C.oov_expectations(0.1))]


def test_a_clean_running_text_passes_its_checks(validate) -> None:
    stream = np.array([2, 3, 4, 5, 6, 7, 8, 2, 3, 4, 5, 6, 7, 8], np.int32)
    summary = validate.run_checks(text_checks(stream, text_parts("abcdefghij", (6, 8))), suite_prefix="t")
    assert summary["success"], summary


@pytest.mark.parametrize("defect,check,column", [
    ("overlapping parts", "parts", "gap"),
    ("window across a part boundary", "windows", "expected_windows"),
    ("padding inside a window", "windows", "min_id"),
    ("an id beyond the vocabulary", "windows", "max_id"),
    ("too much OOV", "oov", "is_oov"),
])
def test_each_running_text_defect_is_caught(validate, defect, check, column) -> None:
    stream = np.array([2, 3, 4, 5, 6, 7, 8, 2, 3, 4, 5, 6, 7, 8], np.int32)
    parts = text_parts("abcdefghij", (6, 8))
    checks = text_checks(stream, parts)
    if defect == "overlapping parts":
        parts["val"]["start"] = 5
        checks = text_checks(stream, parts)
    elif defect == "window across a part boundary":  # the windows of train + val counted as train's
        from textlab.language import sliding_windows

        x, y = sliding_windows(np.concatenate([stream, stream]), 4, 2)
        checks[1] = C.Check("windows", C.summarise_windows(x, y, len(stream), 2), C.window_expectations(len(x), 4, 9))
    elif defect == "padding inside a window":
        checks = text_checks(np.where(np.arange(len(stream)) == 3, 0, stream).astype(np.int32), parts)
    elif defect == "an id beyond the vocabulary":
        checks = text_checks(np.where(np.arange(len(stream)) == 3, 9, stream).astype(np.int32), parts)
    else:
        checks = text_checks(np.where(np.arange(len(stream)) < 3, 1, stream).astype(np.int32), parts)
    with pytest.raises(validate.DataCheckError) as info:
        validate.run_checks(checks, suite_prefix="t")
    failed = {(f["column"]) for f in info.value.summary["checks"][check]["failed"]}
    assert column in failed, info.value.summary["checks"][check]
    assert all(info.value.summary["checks"][other]["success"] for other in info.value.summary["checks"] if other != check)
