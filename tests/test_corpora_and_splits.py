"""Corpus parsing and splitting (pure functions), and the registry checked against the mirror and params.yaml."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from textlab.corpora import SOURCES, CorpusFormatError, names_table, parse_name_list
from textlab.fetching import SUMS_FILENAME, parse_sha256sums
from textlab.splits import split_table


def test_name_list_skips_comments_and_blank_lines_and_keeps_inner_spaces():
    data = b"# NLTK names\n# comment\n\nAnna\nDee Dee\nJo-Ann\n"
    assert parse_name_list(data, "female.txt") == ["Anna", "Dee Dee", "Jo-Ann"]


@pytest.mark.parametrize("line", [b"Anna1", b"An\tna", b"---"])
def test_malformed_name_line_names_file_and_line(line):
    with pytest.raises(CorpusFormatError, match=r"male\.txt:3: not a name"):
        parse_name_list(b"# c\nAnna\n" + line + b"\n", "male.txt")


def test_non_utf8_and_empty_lists_are_refused_with_their_location():
    with pytest.raises(CorpusFormatError, match=r"male\.txt: not UTF-8 at byte 5"):
        parse_name_list(b"Anna\n\xff\xfe\n", "male.txt")
    with pytest.raises(CorpusFormatError, match="holds no names"):
        parse_name_list(b"# only a comment\n", "male.txt")


def test_names_table_drops_or_keeps_ambiguous_names_and_counts_them():
    dropped, both = names_table(["Jo", "Tom", "Sam"], ["Jo", "Ann", "Sam"], "drop")
    assert both == 2
    assert sorted(dropped["text"]) == ["Ann", "Tom"]
    kept, _ = names_table(["Jo", "Tom"], ["Jo", "Ann"], "keep_both")
    assert sorted(kept.loc[kept["text"] == "Jo", "label"]) == [0, 1]
    with pytest.raises(ValueError, match="ambiguous must be"):
        names_table(["Jo"], ["Ann"], "sometimes")


def test_registry_holds_every_corpus_file_of_the_mirror(mirror: Path):
    listed = parse_sha256sums((mirror / SUMS_FILENAME).read_text(encoding="utf-8"))
    assert sorted(s.filename for s in SOURCES.values()) == sorted(listed)


def test_every_source_params_name_is_registered():
    params = yaml.safe_load(Path("params.yaml").read_text(encoding="utf-8"))
    named = set(params["download"]["sources"]) | {p["source"] for p in params.get("pretrained", {}).values()}
    assert named - set(SOURCES) == set()


def _table(n: int = 400) -> pd.DataFrame:
    return pd.DataFrame({"text": [f"name{i:04d}" for i in range(n)], "label": [i % 3 == 0 for i in range(n)]}).astype(
        {"label": "int8"})


def test_split_is_deterministic_stratified_and_disjoint():
    table = _table()
    first, again = split_table(table, 0.2, 0.2, 42), split_table(table, 0.2, 0.2, 42)
    assert all(first[k].equals(again[k]) for k in first)
    assert [len(first[k]) for k in ("train", "val", "test")] == [256, 64, 80]
    shares = {k: part["label"].mean() for k, part in first.items()}
    assert max(shares.values()) - min(shares.values()) < 0.02
    texts = [set(part["text"]) for part in first.values()]
    assert not (texts[0] & texts[1] or texts[0] & texts[2] or texts[1] & texts[2])
    assert split_table(table, 0.2, 0.2, 7)["test"]["text"].tolist() != first["test"]["text"].tolist()


def test_a_text_with_both_labels_stays_in_one_split():
    table = pd.concat([_table(), pd.DataFrame({"text": ["both"] * 2 + ["both2"] * 2, "label": [0, 1, 0, 1]})])
    parts = split_table(table.astype({"label": "int8"}), 0.2, 0.2, 1)
    homes = [name for name, part in parts.items() if "both" in set(part["text"])]
    assert len(homes) == 1 and (parts[homes[0]]["text"] == "both").sum() == 2


@pytest.mark.parametrize("test_size,val_size", [(0.0, 0.2), (1.0, 0.2), (0.2, -0.1), (0.2, 1.5)])
def test_split_fractions_out_of_range_are_refused(test_size, val_size):
    with pytest.raises(ValueError, match="must be between 0 and 1"):
        split_table(_table(), test_size, val_size, 42)
