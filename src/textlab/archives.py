"""Stable model archives: strip what differs between two saves of the same model.

Keras (`.keras`) and skops (`.skops`) archives carry Python `id()`s and save times; with them an
identical retrain gets a new file hash and DVC reruns everything downstream. These pure functions
rewrite archive members; `textlab.adapters.files.normalize_zip` applies them to a file.
"""
from __future__ import annotations

import json
import re
from typing import Any

NPY_MEMBER = re.compile(r"^(\d+)\.npy$")


def renumber_ids(node: Any, keys: frozenset[str], numbering: dict[int, int]) -> Any:
    """A copy of a JSON tree whose `keys` hold ids numbered 1, 2, … in order of first appearance
    (`"<id>.npy"` file references included), recording the mapping in `numbering`."""
    if isinstance(node, list):
        return [renumber_ids(item, keys, numbering) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in keys and isinstance(value, int):
            out[key] = numbering.setdefault(value, len(numbering) + 1)
        elif key in keys and isinstance(value, str) and NPY_MEMBER.match(value):
            out[key] = f"{numbering.setdefault(int(value[:-4]), len(numbering) + 1)}.npy"
        else:
            out[key] = renumber_ids(value, keys, numbering)
    return out


def stable_keras_member(name: str, data: bytes) -> bytes:
    """A .keras member without its save date or the `shared_object_id`s Keras takes from `id()`."""
    if name == "metadata.json":
        return json.dumps({**json.loads(data), "date_saved": None}).encode()
    if name == "config.json":
        return json.dumps(renumber_ids(json.loads(data), frozenset({"shared_object_id"}), {})).encode()
    return data


def stable_skops_schema(schema: bytes) -> tuple[bytes, dict[int, int]]:
    """A skops schema.json with `__id__`s and array file names renumbered, and the id mapping, with
    which the `<id>.npy` members are renamed (`npy_member_name`)."""
    numbering: dict[int, int] = {}
    stable = renumber_ids(json.loads(schema), frozenset({"__id__", "file"}), numbering)
    forget_stop_words_id(stable)
    return json.dumps(stable, indent=2).encode(), numbering


def forget_stop_words_id(node: Any) -> None:
    """scikit-learn's vectorizers cache `id(stop_words)` to skip a warning check; saved, it is noise.
    Stored as null, the check just runs again after loading."""
    if isinstance(node, list):
        for item in node:
            forget_stop_words_id(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "_stop_words_id" and isinstance(value, dict):
                value["content"] = "null"
            else:
                forget_stop_words_id(value)


def npy_member_name(name: str, numbering: dict[int, int]) -> str:
    match = NPY_MEMBER.match(name)
    return f"{numbering[int(match.group(1))]}.npy" if match else name
