"""The pure side of getting corpora: where files come from, which checksums and archives to trust,
parsing and splitting; and the registry checked against the mirror and params.yaml.

The network and disk side of downloads is tested in test_fetch.py."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from textlab.corpora import SOURCES, CorpusFormatError, Source, names_table, parse_name_list
from textlab.fetching import (
    SUMS_FILENAME,
    archive_limit_reason,
    check_archive_limits,
    expected_sha256,
    parse_sha256sums,
    resolve_location,
    unpacked_size_reason,
    unsafe_member_reason,
)
from textlab.splits import split_table

SOURCE = Source("demo", "https://example.org/data/demo.bin", "demo.bin", sha256="ab" * 32)
MiB = 2**20


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


@pytest.mark.parametrize("mirror, expected", [
    (None, SOURCE.url), ("", SOURCE.url),
    ("http://m.lan/corpora", "http://m.lan/corpora/demo.bin"),
    ("https://m.lan/corpora//", "https://m.lan/corpora/demo.bin"),
    ("file:///srv/corpora/", "file:///srv/corpora/demo.bin"),
    ("/srv/corpora/", "/srv/corpora/demo.bin"),
    ("rel/corpora", str(Path("rel/corpora/demo.bin"))),
])
def test_location_canonical_or_on_mirror(mirror: str | None, expected: str) -> None:
    assert resolve_location(SOURCE, mirror) == expected


def test_sha256sums_parse_both_modes() -> None:
    text = f"{'A' * 64}  plain.txt\n\n{'b' * 64} *with space.zip\r\n"
    assert parse_sha256sums(text) == {"plain.txt": "a" * 64, "with space.zip": "b" * 64}


@pytest.mark.parametrize("bad", ["xyz  file", f"{'a' * 63}  short", f"{'a' * 64}glued", f"{'a' * 64}  ",
                                 f"{'d' * 64}  ok"])  # the last lists 'ok' again with another checksum
def test_sha256sums_malformed_line_is_named(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^SHA256SUMS:3: "):
        parse_sha256sums(f"{'c' * 64}  ok\n\n{bad}\n")


def test_mirror_checksum_wins_over_registry() -> None:
    assert expected_sha256(SOURCE, {"demo.bin": "C" * 64}) == "c" * 64
    assert expected_sha256(SOURCE, {"other.bin": "c" * 64}) == "ab" * 32
    assert expected_sha256(Source("x", "https://x.org/x", "x"), {}) is None


@pytest.mark.parametrize("name, link, special, words", [
    ("/etc/passwd", False, False, "absolute"), ("C:\\evil", False, False, "absolute"),
    ("a/../../evil", False, False, "'..'"), ("..\\evil", False, False, "'..'"),
    ("a/link", True, False, "link"), ("a/fifo", False, True, "FIFO"), ("", False, False, "empty"),
])
def test_unsafe_members(name: str, link: bool, special: bool, words: str) -> None:
    assert words in (unsafe_member_reason(name, is_link=link, is_special=special) or "")
    assert unsafe_member_reason("./names/a..b.txt", is_link=False, is_special=False) is None


@pytest.mark.parametrize("found, limits, words", [
    ((5, 10 * MiB), {}, None),  # at both caps: allowed
    ((6, 0), {}, "it holds 6 members, more than the limit of 5 (download.max_members)"),
    ((6, 0), {"counted_all": False}, "it holds at least 6 members, more than the limit of 5"),
    ((5, 10 * MiB + 1), {}, "declare 10,485,761 bytes (10.0 MiB) unpacked, more than the limit of "
                            "10,485,760 bytes (10.0 MiB, download.max_unpacked_mb)"),
])
def test_archive_limit_reasons(found: tuple[int, int], limits: dict[str, bool], words: str | None) -> None:
    reason = archive_limit_reason(*found, max_members=5, max_bytes=10 * MiB, **limits)
    assert reason is None if words is None else words in (reason or "")


def test_running_size_reason_and_bad_caps() -> None:
    assert unpacked_size_reason(MiB, 10, "a.bin", max_bytes=MiB) is None
    assert unpacked_size_reason(MiB + 1, 10, "a.bin", max_bytes=MiB) == (
        "unpacking 'a.bin' went past the limit of 1,048,576 bytes (1.0 MiB, download.max_unpacked_mb) "
        "although the archive declares 10 bytes (0.0 MiB) in all")
    with pytest.raises(ValueError, match="download.max_members must be at least 1, got 0"):
        check_archive_limits(0, MiB)
    with pytest.raises(ValueError, match="download.max_unpacked_mb must allow at least one byte"):
        check_archive_limits(1, 0)


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
